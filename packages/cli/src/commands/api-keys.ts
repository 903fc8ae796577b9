import type { Command } from 'commander';
import { Value } from '@sinclair/typebox/value';
import { systemClock } from '@siemlink/connector/context.ts';
import { createAuth } from '@siemlink/connector/auth/service.ts';
import { Role, ROLES } from '@siemlink/connector/auth/schemas.ts';
import { argumentError } from '../options.ts';
import { formatTable, isTerminal, printJson, printText } from '../output.ts';
import { addStoreOptions, withStore, type StoreFlags } from '../store-options.ts';

/** `siemlink api-keys create|list|revoke`: keys for programs (Authorization: Bearer), stored hashed. */
export function registerApiKeys(program: Command): void {
  const keys = program.command('api-keys').description('API keys for programs (works on the store directly)');

  addStoreOptions(
    keys.command('create').description('create a key; it is printed once and stored only as a hash'),
  )
    .requiredOption('--name <name>', 'what the key is for; it names the key on incident timelines')
    .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`)
    .action(async (flags: StoreFlags & { name: string; role: string }) => {
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
    });

  addStoreOptions(keys.command('list').description('list keys (never the keys themselves)')).action(
    async (flags: StoreFlags) => {
      const list = await withStore(flags, (store) => store.listApiKeys());
      if (isTerminal())
        printText(formatTable(list, ['id', 'name', 'role', 'createdAt', 'lastUsedAt', 'revokedAt']));
      else printJson(list);
    },
  );

  addStoreOptions(keys.command('revoke <id>').description('revoke a key at once')).action(
    async (id: string, flags: StoreFlags) => {
      await withStore(flags, (store) => createAuth({ store, clock: systemClock }).revokeApiKey(id));
      if (isTerminal()) printText(`revoked ${id}`);
      else printJson({ revoked: id });
    },
  );
}
