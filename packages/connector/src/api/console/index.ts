import type { FastifyInstance } from 'fastify';
import type { ConsoleDeps } from './deps.ts';
import { registerFetchRuns } from './fetch-runs.ts';
import { registerIncidentStream } from './incident-stream.ts';
import { registerLogSearch } from './log-search.ts';
import { registerRules } from './rules.ts';
import { registerSecurityEvents } from './security-events.ts';
import { registerStaticAssets } from './static-assets.ts';

export type { ConsoleDeps } from './deps.ts';
export { createIncidentEvents, type IncidentEvents, type IncidentsWritten } from './incident-events.ts';

/**
 * The console on the connector's port: the built app at `/` (client routes fall back to it) and
 * the routes it needs beyond the incident API: log search, security rules and events, fetch runs,
 * gaps with backfill, and the stream of new incidents.
 */
export function registerConsole(app: FastifyInstance, deps: ConsoleDeps): void {
  registerLogSearch(app, deps);
  registerRules(app, deps);
  registerSecurityEvents(app, deps);
  registerFetchRuns(app, deps);
  registerIncidentStream(app, deps);
  registerStaticAssets(app, deps.assetsDir);
}
