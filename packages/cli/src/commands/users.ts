import { Value } from '@sinclair/typebox/value';
import { systemClock } from '@siemlink/connector/context.ts';
import { createAuth } from '@siemlink/connector/auth/service.ts';
import { randomPassword } from '@siemlink/connector/auth/passwords.ts';
import { Password, Role, ROLES, Username } from '@siemlink/connector/auth/schemas.ts';
import { argumentError } from '../options.ts';
import { formatTable, isTerminal, note, printJson, printText } from '../output.ts';
import { withStore, type StoreFlags } from '../store-options.ts';

export interface PasswordFlags extends StoreFlags {
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

/** `users add`: prints a random password unless --password-stdin. */
export async function runUsersAdd(username: string, flags: PasswordFlags & { role: string }): Promise<void> {
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
}

export async function runUsersList(flags: StoreFlags): Promise<void> {
  const list = await withStore(flags, (store) => store.listUsers());
  if (isTerminal()) printText(formatTable(list, ['username', 'role', 'createdAt', 'updatedAt']));
  else printJson(list);
}

export async function runUsersRemove(username: string, flags: StoreFlags): Promise<void> {
  await withStore(flags, (store) => createAuth({ store, clock: systemClock }).removeUser(username));
  if (isTerminal()) printText(`removed ${username}`);
  else printJson({ removed: username });
}

/** `users role`: a new role; the last admin keeps theirs (LAST_ADMIN). */
export async function runUsersRole(username: string, flags: StoreFlags & { role: string }): Promise<void> {
  checkRole(flags.role);
  const role = flags.role;
  const user = await withStore(flags, (store) =>
    createAuth({ store, clock: systemClock }).setRole(username, role),
  );
  if (isTerminal()) printText(`${user.username} is now ${user.role}`);
  else printJson(user);
}

/** `users reset`: a new password (random unless --password-stdin); ends the user's sessions. */
export async function runUsersReset(username: string, flags: PasswordFlags): Promise<void> {
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
}
