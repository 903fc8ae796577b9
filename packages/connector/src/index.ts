/**
 * The SOAR integration's public API: what a playbook runner or another program imports. It talks
 * to Logz.io (or a local siemlink SIEM) only over HTTP.
 */
export * from './client/index.ts';
export * from './commands/index.ts';
export {
  fetchIncidentsOnce,
  runFetchLoop,
  FetchOptions,
  parseFirstFetch,
  resolveFetchOptions,
  eventToIncident,
  incidentId,
} from './fetch/index.ts';
export type { FetchRunResult, FetchDeps } from './fetch/index.ts';
export { openIncidentStore, openSqliteIncidentStore } from './store/index.ts';
export { openPostgresIncidentStore } from './store/postgres.ts';
export type { IncidentStore } from './store/index.ts';
export { buildApiApp } from './api/index.ts';
export { ConnectorConfig, ConnectionConfig, loadConnectorConfig, configFromEnv } from './config.ts';
export {
  startConnector,
  connectorDbPath,
  type RunningConnector,
  type StartConnectorOptions,
} from './runtime.ts';
export { systemClock, type Clock, type RunContext } from './context.ts';
