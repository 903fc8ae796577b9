import type { preHandlerAsyncHookHandler } from 'fastify';
import type { Logger } from 'pino';
import type { SiemClient } from '../../client/types.ts';
import type { Clock } from '../../context.ts';
import type { IncidentStore } from '../../store/types.ts';
import type { Severity } from '@siemlink/contracts';
import type { IncidentEvents } from './incident-events.ts';

/** The least role a console route needs: viewers read, analysts change things. */
export type ConsoleRole = 'viewer' | 'analyst';

export interface ConsoleDeps {
  store: IncidentStore;
  client: SiemClient;
  clock: Clock;
  logger: Logger;
  events: IncidentEvents;
  /** The authentication hook for a role (the API's auth); every data route runs one. */
  requireRole: (role: ConsoleRole) => preHandlerAsyncHookHandler;
  /** Built console assets (index.html + assets/); default packages/console/dist. */
  assetsDir?: string;
  /** The fetch filters, which a gap backfill reuses. */
  fetchFilters?: { searchTerm?: string; severities?: Severity[] };
}
