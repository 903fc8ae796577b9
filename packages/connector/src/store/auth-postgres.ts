import type pg from 'pg';
import type { Role } from '../auth/schemas.ts';
import type { AuthStore, UserChange } from './case-types.ts';
import {
  toApiKey,
  toApiKeyRecord,
  toSession,
  toUser,
  toUserRecord,
  type ApiKeyRow,
  type SessionRow,
  type UserRow,
} from './auth-rows.ts';

const ms = (n: number) => Math.floor(n);

/** Users, sessions and API keys in the PostgreSQL store (`s` is the quoted schema). */
export function postgresAuth(
  pool: pg.Pool,
  s: string,
  tx: <T>(fn: (c: pg.PoolClient) => Promise<T>) => Promise<T>,
): AuthStore {
  /**
   * In the write transaction: would the user, removed (role null) or given `role`, leave no admin?
   * The admins' rows are locked first, so two admins removing each other run one after the other
   * and the second sees the first gone.
   */
  const lastAdminCheck = async (
    c: pg.PoolClient,
    username: string,
    role: Role | null,
  ): Promise<UserChange> => {
    const admins = (
      await c.query<{ username: string }>(
        `SELECT username FROM ${s}.users WHERE role = 'admin' ORDER BY username COLLATE "C" FOR UPDATE`,
      )
    ).rows.map((r) => r.username);
    const { rows } = await c.query<{ role: Role }>(`SELECT role FROM ${s}.users WHERE username = $1`, [
      username,
    ]);
    if (!rows[0]) return 'not_found';
    if (rows[0].role !== 'admin' || role === 'admin') return 'done';
    return admins.length > 1 ? 'done' : 'last_admin';
  };
  return {
    async createUser(u, now) {
      const r = await pool.query(
        `INSERT INTO ${s}.users (username, role, password_hash, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)
         ON CONFLICT DO NOTHING`,
        [u.username, u.role, u.passwordHash, ms(now)],
      );
      return (r.rowCount ?? 0) > 0;
    },
    async getUser(username) {
      const { rows } = await pool.query<UserRow>(`SELECT * FROM ${s}.users WHERE username = $1`, [username]);
      return rows[0] ? toUserRecord(rows[0]) : null;
    },
    async listUsers() {
      return (await pool.query<UserRow>(`SELECT * FROM ${s}.users ORDER BY username COLLATE "C"`)).rows.map(
        toUser,
      );
    },
    async countUsers() {
      return Number((await pool.query<{ n: string }>(`SELECT COUNT(*) AS n FROM ${s}.users`)).rows[0]!.n);
    },
    async setPassword(username, hash, now) {
      return tx(async (c) => {
        const r = await c.query(
          `UPDATE ${s}.users SET password_hash = $1, updated_at = $2 WHERE username = $3`,
          [hash, ms(now), username],
        );
        await c.query(`DELETE FROM ${s}.sessions WHERE username = $1`, [username]);
        return (r.rowCount ?? 0) > 0;
      });
    },
    async removeUser(username) {
      return tx(async (c) => {
        const check = await lastAdminCheck(c, username, null);
        if (check !== 'done') return check;
        await c.query(`DELETE FROM ${s}.sessions WHERE username = $1`, [username]);
        await c.query(`DELETE FROM ${s}.users WHERE username = $1`, [username]);
        return 'done';
      });
    },
    async setRole(username, role, now) {
      return tx(async (c) => {
        const check = await lastAdminCheck(c, username, role);
        if (check !== 'done') return check;
        await c.query(`UPDATE ${s}.users SET role = $1, updated_at = $2 WHERE username = $3`, [
          role,
          ms(now),
          username,
        ]);
        return 'done';
      });
    },
    async createSession(x, now) {
      await pool.query(
        `INSERT INTO ${s}.sessions (id_hash, username, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
        [x.idHash, x.username, x.csrfToken, ms(now), ms(x.expiresAt)],
      );
    },
    async getSession(idHash, now) {
      const { rows } = await pool.query<SessionRow>(
        `SELECT x.id_hash, x.username, u.role, x.csrf_token, x.expires_at FROM ${s}.sessions x
         JOIN ${s}.users u ON u.username = x.username WHERE x.id_hash = $1 AND x.expires_at > $2`,
        [idHash, ms(now)],
      );
      return rows[0] ? toSession(rows[0]) : null;
    },
    async deleteSession(idHash) {
      await pool.query(`DELETE FROM ${s}.sessions WHERE id_hash = $1`, [idHash]);
    },
    async createApiKey(k, now) {
      const { rows } = await pool.query<ApiKeyRow>(
        `INSERT INTO ${s}.api_keys (id, name, role, key_hash, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
        [k.id, k.name, k.role, k.keyHash, k.createdBy, ms(now)],
      );
      return toApiKey(rows[0]!);
    },
    async useApiKey(keyHash, now) {
      const { rows } = await pool.query<ApiKeyRow>(
        `SELECT * FROM ${s}.api_keys WHERE key_hash = $1 AND revoked_at IS NULL`,
        [keyHash],
      );
      const row = rows[0];
      if (!row) return null;
      // Recorded at most once a minute: a read must not cost a write every time.
      if (row.last_used_at === null || Number(row.last_used_at) <= now - 60_000) {
        await pool.query(`UPDATE ${s}.api_keys SET last_used_at = $2 WHERE id = $1`, [row.id, ms(now)]);
        row.last_used_at = ms(now);
      }
      return toApiKeyRecord(row);
    },
    async listApiKeys() {
      return (
        await pool.query<ApiKeyRow>(`SELECT * FROM ${s}.api_keys ORDER BY created_at, id COLLATE "C"`)
      ).rows.map(toApiKey);
    },
    async revokeApiKey(id, now) {
      const r = await pool.query(
        `UPDATE ${s}.api_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL`,
        [id, ms(now)],
      );
      return (r.rowCount ?? 0) > 0;
    },
    async loginFailures(keys, now) {
      const { rows } = await pool.query<{ key: string; count: number; reset_at: string }>(
        `SELECT key, count, reset_at FROM ${s}.login_failures WHERE key = ANY($1::text[]) AND reset_at > $2`,
        [keys, ms(now)],
      );
      return rows.map((r) => ({ key: r.key, count: r.count, resetAt: Number(r.reset_at) }));
    },
    async recordLoginFailure(keys, windowMs, now) {
      await tx(async (c) => {
        await c.query(`DELETE FROM ${s}.login_failures WHERE reset_at <= $1`, [ms(now)]);
        // An ended window another process has not deleted yet starts again at 1.
        await c.query(
          `INSERT INTO ${s}.login_failures (key, count, reset_at) SELECT k, 1, $2 FROM unnest($1::text[]) AS k
           ON CONFLICT (key) DO UPDATE SET
             count = CASE WHEN ${s}.login_failures.reset_at <= $3 THEN 1 ELSE ${s}.login_failures.count + 1 END,
             reset_at = CASE WHEN ${s}.login_failures.reset_at <= $3 THEN $2 ELSE ${s}.login_failures.reset_at END`,
          [[...new Set(keys)], ms(now + windowMs), ms(now)],
        );
      });
    },
    async clearLoginFailures(keys) {
      await pool.query(`DELETE FROM ${s}.login_failures WHERE key = ANY($1::text[])`, [keys]);
    },
  };
}
