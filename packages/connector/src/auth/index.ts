export { createAuth, type Auth, type AuthOptions } from './service.ts';
export { installAuth, principal, SESSION_COOKIE } from './plugin.ts';
export { hashPassword, verifyPassword, randomPassword } from './passwords.ts';
export * from './schemas.ts';
