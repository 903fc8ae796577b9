import type { ApiKey, Role, User } from '../auth/schemas.ts';
import type { ApiKeyRecord, SessionRecord, UserRecord } from './case-types.ts';

type Int = number | string;
const iso = (ms: Int) => new Date(Number(ms)).toISOString();

export interface UserRow {
  username: string;
  role: Role;
  password_hash: string;
  created_at: Int;
  updated_at: Int;
}
export interface SessionRow {
  id_hash: string;
  username: string;
  role: Role;
  csrf_token: string;
  expires_at: Int;
}
export interface ApiKeyRow {
  id: string;
  name: string;
  role: Role;
  key_hash: string;
  created_by: string;
  created_at: Int;
  revoked_at: Int | null;
  last_used_at: Int | null;
}

export const toUser = (r: UserRow): User => ({
  username: r.username,
  role: r.role,
  createdAt: iso(r.created_at),
  updatedAt: iso(r.updated_at),
});
export const toUserRecord = (r: UserRow): UserRecord => ({ ...toUser(r), passwordHash: r.password_hash });
export const toSession = (r: SessionRow): SessionRecord => ({
  idHash: r.id_hash,
  username: r.username,
  role: r.role,
  csrfToken: r.csrf_token,
  expiresAt: Number(r.expires_at),
});
export const toApiKey = (r: ApiKeyRow): ApiKey => ({
  id: r.id,
  name: r.name,
  role: r.role,
  createdBy: r.created_by,
  createdAt: iso(r.created_at),
  revokedAt: r.revoked_at === null ? null : iso(r.revoked_at),
  lastUsedAt: r.last_used_at === null ? null : iso(r.last_used_at),
});
export const toApiKeyRecord = (r: ApiKeyRow): ApiKeyRecord => ({ ...toApiKey(r), keyHash: r.key_hash });
