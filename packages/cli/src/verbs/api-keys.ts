import type { Command } from 'commander';
import { lazyAction } from './lazy.ts';
import { ROLE_NAMES } from './roles.ts';
import { addStoreOptions } from './store-options.ts';

const load = () => import('../commands/api-keys.ts');

/** `siemlink api-keys create|list|revoke`: keys for programs (Authorization: Bearer), stored hashed. */
export function registerApiKeys(program: Command): void {
  const keys = program.command('api-keys').description('API keys for programs (works on the store directly)');

  addStoreOptions(
    keys.command('create').description('create a key; it is printed once and stored only as a hash'),
  )
    .requiredOption('--name <name>', 'what the key is for; it names the key on incident timelines')
    .requiredOption('--role <role>', `one of ${ROLE_NAMES.join(', ')}`)
    .action(lazyAction(async () => (await load()).runApiKeysCreate));

  addStoreOptions(keys.command('list').description('list keys (never the keys themselves)')).action(
    lazyAction(async () => (await load()).runApiKeysList),
  );

  addStoreOptions(keys.command('revoke <id>').description('revoke a key at once')).action(
    lazyAction(async () => (await load()).runApiKeysRevoke),
  );
}
