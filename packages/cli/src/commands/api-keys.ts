import { Value } from '@sinclair/typebox/value';
import { systemClock } from '@siemlink/connector/context.ts';
import { createAuth } from '@siemlink/connector/auth/service.ts';
import { Role, ROLES } from '@siemlink/connector/auth/schemas.ts';
import { argumentError } from '../options.ts';
import { formatTable, isTerminal, printJson, printText } from '../output.ts';
import { withStore, type StoreFlags } from '../store-options.ts';

/** `api-keys create`: the key is printed once and stored only as a hash. */
export async function runApiKeysCreate(flags: StoreFlags & { name: string; role: string }): Promise<void> {
  if (!Value.Check(Role, flags.role))
    throw argumentError(`--role must be one of ${ROLES.join(', ')}, got "${flags.role}"`);
  if (flags.name.trim() === '' || flags.name.length > 100)
    throw argumentError('--name must be 1 to 100 characters');
  const role = flags.role;
  const r = await withStore(flags, (store) =>
    createAuth({ store, clock: systemClock }).createApiKey(flags.name, role, 'cli'),
  );
  if (isTerminal()) {
    printText(`created API key ${r.apiKey.id} "${r.apiKey.name}" (${r.apiKey.role})`);
    printText(`key: ${r.key}  (shown once; send as Authorization: Bearer <key>)`);
  } else printJson(r);
}

export async function runApiKeysList(flags: StoreFlags): Promise<void> {
  const list = await withStore(flags, (store) => store.listApiKeys());
  if (isTerminal())
    printText(formatTable(list, ['id', 'name', 'role', 'createdAt', 'lastUsedAt', 'revokedAt']));
  else printJson(list);
}

export async function runApiKeysRevoke(id: string, flags: StoreFlags): Promise<void> {
  await withStore(flags, (store) => createAuth({ store, clock: systemClock }).revokeApiKey(id));
  if (isTerminal()) printText(`revoked ${id}`);
  else printJson({ revoked: id });
}
