import type { DatabaseSync } from 'node:sqlite';
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

/** Users, sessions and API keys in the SQLite store. */
export function sqliteAuth(db: DatabaseSync, tx: <T>(fn: () => T) => T): AuthStore {
  /** In the write transaction: would the user, removed (role null) or given `role`, leave no admin? */
  const lastAdminCheck = (username: string, role: Role | null): UserChange => {
    const row = db.prepare('SELECT role FROM users WHERE username = ?').get(username) as
      { role: Role } | undefined;
    if (!row) return 'not_found';
    if (row.role !== 'admin' || role === 'admin') return 'done';
    const admins = (db.prepare("SELECT COUNT(*) AS n FROM users WHERE role = 'admin'").get() as { n: number })
      .n;
    return admins > 1 ? 'done' : 'last_admin';
  };
  return {
    async createUser(u, now) {
      const r = db
        .prepare(
          'INSERT OR IGNORE INTO users (username, role, password_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?)',
        )
        .run(u.username, u.role, u.passwordHash, now, now);
      return r.changes > 0;
    },
    async getUser(username) {
      const row = db.prepare('SELECT * FROM users WHERE username = ?').get(username) as UserRow | undefined;
      return row ? toUserRecord(row) : null;
    },
    async listUsers() {
      return (db.prepare('SELECT * FROM users ORDER BY username').all() as unknown as UserRow[]).map(toUser);
    },
    async countUsers() {
      return (db.prepare('SELECT COUNT(*) AS n FROM users').get() as { n: number }).n;
    },
    async setPassword(username, hash, now) {
      return tx(() => {
        const r = db
          .prepare('UPDATE users SET password_hash = ?, updated_at = ? WHERE username = ?')
          .run(hash, now, username);
        db.prepare('DELETE FROM sessions WHERE username = ?').run(username);
        return r.changes > 0;
      });
    },
    async removeUser(username) {
      return tx(() => {
        const check = lastAdminCheck(username, null);
        if (check !== 'done') return check;
        db.prepare('DELETE FROM sessions WHERE username = ?').run(username);
        db.prepare('DELETE FROM users WHERE username = ?').run(username);
        return 'done';
      });
    },
    async setRole(username, role, now) {
      return tx(() => {
        const check = lastAdminCheck(username, role);
        if (check !== 'done') return check;
        db.prepare('UPDATE users SET role = ?, updated_at = ? WHERE username = ?').run(role, now, username);
        return 'done';
      });
    },
    async createSession(s, now) {
      db.prepare(
        'INSERT INTO sessions (id_hash, username, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)',
      ).run(s.idHash, s.username, s.csrfToken, now, s.expiresAt);
    },
    async getSession(idHash, now) {
      const row = db
        .prepare(
          `SELECT s.id_hash, s.username, u.role, s.csrf_token, s.expires_at FROM sessions s
           JOIN users u ON u.username = s.username WHERE s.id_hash = ? AND s.expires_at > ?`,
        )
        .get(idHash, now) as SessionRow | undefined;
      return row ? toSession(row) : null;
    },
    async deleteSession(idHash) {
      db.prepare('DELETE FROM sessions WHERE id_hash = ?').run(idHash);
    },
    async createApiKey(k, now) {
      db.prepare(
        'INSERT INTO api_keys (id, name, role, key_hash, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      ).run(k.id, k.name, k.role, k.keyHash, k.createdBy, now);
      return toApiKey(db.prepare('SELECT * FROM api_keys WHERE id = ?').get(k.id) as unknown as ApiKeyRow);
    },
    async useApiKey(keyHash, now) {
      const row = db
        .prepare('SELECT * FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL')
        .get(keyHash) as ApiKeyRow | undefined;
      if (!row) return null;
      // Recorded at most once a minute: a read must not cost a synced write every time.
      if (row.last_used_at === null || Number(row.last_used_at) <= now - 60_000) {
        db.prepare('UPDATE api_keys SET last_used_at = ? WHERE id = ?').run(now, row.id);
        row.last_used_at = now;
      }
      return toApiKeyRecord(row);
    },
    async listApiKeys() {
      return (
        db.prepare('SELECT * FROM api_keys ORDER BY created_at, id').all() as unknown as ApiKeyRow[]
      ).map(toApiKey);
    },
    async revokeApiKey(id, now) {
      return (
        db.prepare('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(now, id)
          .changes > 0
      );
    },
    async loginFailures(keys, now) {
      const get = db.prepare(
        'SELECT key, count, reset_at FROM login_failures WHERE key = ? AND reset_at > ?',
      );
      return keys.flatMap((k) => {
        const r = get.get(k, now) as { key: string; count: number; reset_at: number } | undefined;
        return r ? [{ key: r.key, count: r.count, resetAt: r.reset_at }] : [];
      });
    },
    async recordLoginFailure(keys, windowMs, now) {
      tx(() => {
        db.prepare('DELETE FROM login_failures WHERE reset_at <= ?').run(now);
        const up = db.prepare(
          `INSERT INTO login_failures (key, count, reset_at) VALUES (?, 1, ?)
           ON CONFLICT (key) DO UPDATE SET count = count + 1`,
        );
        for (const k of keys) up.run(k, now + windowMs);
      });
    },
    async clearLoginFailures(keys) {
      const del = db.prepare('DELETE FROM login_failures WHERE key = ?');
      for (const k of keys) del.run(k);
    },
  };
}
