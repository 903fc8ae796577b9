import type { Command } from 'commander';
import { lazyAction } from './lazy.ts';
import { ROLE_NAMES } from './roles.ts';
import { addStoreOptions } from './store-options.ts';

const load = () => import('../commands/users.ts');

/** `siemlink users add|list|remove|role|reset`: local users of the connector's API and console. */
export function registerUsers(program: Command): void {
  const users = program
    .command('users')
    .description('users of the connector API and console (works on the store directly)');

  addStoreOptions(
    users
      .command('add <username>')
      .description('add a user; prints a random password unless --password-stdin'),
  )
    .requiredOption('--role <role>', `one of ${ROLE_NAMES.join(', ')}`)
    .option('--password-stdin', 'read the password from stdin instead of generating one')
    .action(lazyAction(async () => (await load()).runUsersAdd));

  addStoreOptions(users.command('list').description('list users')).action(
    lazyAction(async () => (await load()).runUsersList),
  );

  addStoreOptions(
    users
      .command('remove <username>')
      .description('remove a user and end their sessions; never the last admin'),
  ).action(lazyAction(async () => (await load()).runUsersRemove));

  addStoreOptions(
    users.command('role <username>').description("change a user's role; the last admin cannot be demoted"),
  )
    .requiredOption('--role <role>', `one of ${ROLE_NAMES.join(', ')}`)
    .action(lazyAction(async () => (await load()).runUsersRole));

  addStoreOptions(
    users
      .command('reset <username>')
      .description("set a new password (random unless --password-stdin); ends the user's sessions"),
  )
    .option('--password-stdin', 'read the password from stdin instead of generating one')
    .action(lazyAction(async () => (await load()).runUsersReset));
}
