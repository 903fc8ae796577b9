export * from './types.ts';
export { openSqliteIncidentStore } from './sqlite.ts';
