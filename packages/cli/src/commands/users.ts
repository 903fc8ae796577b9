import type { Command } from 'commander';
import { Value } from '@sinclair/typebox/value';
import { systemClock } from '@siemlink/connector/context.ts';
import { createAuth } from '@siemlink/connector/auth/service.ts';
import { randomPassword } from '@siemlink/connector/auth/passwords.ts';
import { Password, Role, ROLES, Username } from '@siemlink/connector/auth/schemas.ts';
import { argumentError } from '../options.ts';
import { formatTable, isTerminal, note, printJson, printText } from '../output.ts';
import { addStoreOptions, withStore, type StoreFlags } from '../store-options.ts';

interface PasswordFlags extends StoreFlags {
  passwordStdin?: boolean;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** The password from stdin (--password-stdin), or a random one that is printed once. */
async function passwordFrom(flags: PasswordFlags): Promise<{ password: string; generated: boolean }> {
  if (!flags.passwordStdin) return { password: randomPassword(), generated: true };
  const password = await readStdin();
  if (!Value.Check(Password, password))
    throw argumentError('the password (stdin) must be 12 to 1024 characters');
  return { password, generated: false };
}

function checkUsername(username: string): void {
  if (!Value.Check(Username, username)) {
    throw argumentError(`username "${username}" must be 1-64 characters of A-Z a-z 0-9 . _ @ -`);
  }
}

function checkRole(role: string): asserts role is Role {
  if (!Value.Check(Role, role))
    throw argumentError(`--role must be one of ${ROLES.join(', ')}, got "${role}"`);
}

/** `siemlink users add|list|remove|reset`: local users of the connector's API and console. */
export function registerUsers(program: Command): void {
  const users = program
    .command('users')
    .description('users of the connector API and console (works on the store directly)');

  addStoreOptions(
    users
      .command('add <username>')
      .description('add a user; prints a random password unless --password-stdin'),
  )
    .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`)
    .option('--password-stdin', 'read the password from stdin instead of generating one')
    .action(async (username: string, flags: PasswordFlags & { role: string }) => {
      checkUsername(username);
      checkRole(flags.role);
      const role = flags.role;
      const { password, generated } = await passwordFrom(flags);
      const user = await withStore(flags, (store) =>
        createAuth({ store, clock: systemClock }).addUser(username, role, password),
      );
      if (isTerminal()) {
        printText(`added ${user.username} (${user.role})`);
        if (generated) printText(`password: ${password}  (shown once)`);
      } else printJson({ ...user, ...(generated ? { password } : {}) });
    });

  addStoreOptions(users.command('list').description('list users')).action(async (flags: StoreFlags) => {
    const list = await withStore(flags, (store) => store.listUsers());
    if (isTerminal()) printText(formatTable(list, ['username', 'role', 'createdAt', 'updatedAt']));
    else printJson(list);
  });

  addStoreOptions(
    users.command('remove <username>').description('remove a user and end their sessions'),
  ).action(async (username: string, flags: StoreFlags) => {
    await withStore(flags, (store) => createAuth({ store, clock: systemClock }).removeUser(username));
    if (isTerminal()) printText(`removed ${username}`);
    else printJson({ removed: username });
  });

  addStoreOptions(
    users
      .command('reset <username>')
      .description("set a new password (random unless --password-stdin); ends the user's sessions"),
  )
    .option('--password-stdin', 'read the password from stdin instead of generating one')
    .action(async (username: string, flags: PasswordFlags) => {
      const { password, generated } = await passwordFrom(flags);
      await withStore(flags, (store) =>
        createAuth({ store, clock: systemClock }).resetPassword(username, password),
      );
      if (isTerminal()) {
        printText(`password of ${username} reset; their sessions ended`);
        if (generated) printText(`password: ${password}  (shown once)`);
      } else printJson({ username, ...(generated ? { password } : {}) });
      if (generated && !isTerminal())
        note('note: the password is in the JSON output only; it is not stored in clear');
    });
}
