/**
 * The connector's roles (auth/schemas.ts ROLES) as the help shows them, kept here so that `--help`
 * never loads TypeBox; test/startup.test.ts checks they still match.
 */
export const ROLE_NAMES = ['viewer', 'analyst', 'admin'] as const;
