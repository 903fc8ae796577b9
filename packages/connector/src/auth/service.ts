import type { Clock } from '../context.ts';
import { apiError, loginRateLimited, unauthenticated } from '../errors.ts';
import type { UserChange } from '../store/case-types.ts';
import type { IncidentStore } from '../store/types.ts';
import type { ApiKey, Principal, Role, User } from './schemas.ts';
import { createLoginLimiter, type LoginLimiterOptions } from './login-limiter.ts';
import { hashPassword, randomPassword, verifyPassword } from './passwords.ts';
import { newApiKey, randomToken, sha256 } from './tokens.ts';

export interface AuthOptions {
  store: IncidentStore;
  clock: Clock;
  /** Session lifetime. Default 12 hours. */
  sessionTtlMs?: number;
  limiter?: LoginLimiterOptions;
}

const INVALID = 'invalid username or password';

function userChanged(r: UserChange, username: string, what: 'removed' | 'demoted'): void {
  if (r === 'not_found') throw apiError('USER_NOT_FOUND', `no user "${username}"`, 'username');
  if (r === 'last_admin') {
    throw apiError(
      'LAST_ADMIN',
      `"${username}" is the last admin and cannot be ${what}; make another user admin first`,
      'username',
    );
  }
}

/**
 * Local users, sessions and API keys. Session ids and keys are random; only their SHA-256 is
 * stored. A failed login takes as long and says the same whether or not the user exists.
 */
export function createAuth(opts: AuthOptions) {
  const { store, clock } = opts;
  const ttl = opts.sessionTtlMs ?? 12 * 3600_000;
  const limiter = createLoginLimiter(store, clock, opts.limiter);
  // Verified against when the user does not exist, so both paths cost one scrypt.
  let dummy: Promise<string> | undefined;

  return {
    sessionTtlMs: ttl,

    async login(
      username: string,
      password: string,
      clientAddress: string,
    ): Promise<{ sessionToken: string; csrfToken: string; user: User }> {
      const keys = [`user:${username.toLowerCase()}`, `addr:${clientAddress}`];
      const wait = await limiter.retryAfterMs(keys);
      if (wait > 0) throw loginRateLimited(Math.ceil(wait / 1000));
      const user = await store.getUser(username);
      dummy ??= hashPassword(randomPassword());
      const ok = await verifyPassword(password, user?.passwordHash ?? (await dummy));
      if (!user || !ok) {
        await limiter.fail(keys);
        throw unauthenticated(INVALID);
      }
      // Only the username's count: a success must not clear the address a spray comes from.
      await limiter.succeed([keys[0]!]);
      const sessionToken = randomToken();
      const csrfToken = randomToken();
      await store.createSession(
        { idHash: sha256(sessionToken), username: user.username, csrfToken, expiresAt: clock.now() + ttl },
        clock.now(),
      );
      const { passwordHash: _, ...plain } = user;
      return { sessionToken, csrfToken, user: plain };
    },

    async logout(sessionToken: string): Promise<void> {
      await store.deleteSession(sha256(sessionToken));
    },

    async fromSession(sessionToken: string): Promise<Principal | null> {
      const s = await store.getSession(sha256(sessionToken), clock.now());
      return s
        ? { kind: 'user', name: s.username, role: s.role, sessionIdHash: s.idHash, csrfToken: s.csrfToken }
        : null;
    },

    async fromApiKey(key: string): Promise<Principal | null> {
      const k = await store.useApiKey(sha256(key), clock.now());
      return k ? { kind: 'api_key', name: k.name, role: k.role } : null;
    },

    async addUser(username: string, role: Role, password: string): Promise<User> {
      const created = await store.createUser(
        { username, role, passwordHash: await hashPassword(password) },
        clock.now(),
      );
      if (!created) throw apiError('USER_EXISTS', `user "${username}" already exists`, 'body.username');
      const { passwordHash: _, ...plain } = (await store.getUser(username))!;
      return plain;
    },

    /** Sets a new password and ends the user's sessions. */
    async resetPassword(username: string, password: string): Promise<void> {
      if (!(await store.setPassword(username, await hashPassword(password), clock.now()))) {
        throw apiError('USER_NOT_FOUND', `no user "${username}"`, 'username');
      }
    },

    async removeUser(username: string): Promise<void> {
      userChanged(await store.removeUser(username), username, 'removed');
    },

    /** A new role; the last admin keeps theirs. */
    async setRole(username: string, role: Role): Promise<User> {
      userChanged(await store.setRole(username, role, clock.now()), username, 'demoted');
      const { passwordHash: _, ...plain } = (await store.getUser(username))!;
      return plain;
    },

    /** The key is returned once; only its hash is kept. */
    async createApiKey(
      name: string,
      role: Role,
      createdBy: string,
    ): Promise<{ key: string; apiKey: ApiKey }> {
      const { id, key } = newApiKey();
      const apiKey = await store.createApiKey(
        { id, name, role, keyHash: sha256(key), createdBy },
        clock.now(),
      );
      return { key, apiKey };
    },

    async revokeApiKey(id: string): Promise<void> {
      if (!(await store.revokeApiKey(id, clock.now()))) {
        throw apiError('API_KEY_NOT_FOUND', `no active API key with id "${id}"`, 'id');
      }
    },

    /**
     * The first start's admin: when the store has no user, an `admin` with a random password
     * (returned once, for the caller to print and write to the credentials file). Null otherwise.
     */
    async bootstrapAdmin(): Promise<{ username: string; password: string } | null> {
      if ((await store.countUsers()) > 0) return null;
      const password = randomPassword();
      const created = await store.createUser(
        { username: 'admin', role: 'admin', passwordHash: await hashPassword(password) },
        clock.now(),
      );
      return created ? { username: 'admin', password } : null;
    },
  };
}
export type Auth = ReturnType<typeof createAuth>;
