import { Type, type Static } from '@sinclair/typebox';

/** viewer reads; analyst also works incidents; admin also manages users and API keys. */
export const ROLES = ['viewer', 'analyst', 'admin'] as const;
export const Role = Type.Union(ROLES.map((r) => Type.Literal(r)));
export type Role = Static<typeof Role>;

export const Username = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._@-]+$' });
export const Password = Type.String({
  minLength: 12,
  maxLength: 1024,
  description: 'at least 12 characters',
});

export const User = Type.Object({
  username: Type.String(),
  role: Role,
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
export type User = Static<typeof User>;

export const ApiKey = Type.Object({
  id: Type.String(),
  name: Type.String(),
  role: Role,
  createdBy: Type.String(),
  createdAt: Type.String(),
  revokedAt: Type.Union([Type.String(), Type.Null()]),
  lastUsedAt: Type.Union([Type.String(), Type.Null()]),
});
export type ApiKey = Static<typeof ApiKey>;

/** Who a request runs as, once authenticated. */
export interface Principal {
  kind: 'user' | 'api_key';
  /** username, or the API key's name */
  name: string;
  role: Role;
  /** Session id hash (cookie logins only): writes must carry its CSRF token. */
  sessionIdHash?: string;
  csrfToken?: string;
}

export function roleAtLeast(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}
