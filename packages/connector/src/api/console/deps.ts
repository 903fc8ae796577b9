import type { Logger } from 'pino';
import type { SiemClient } from '../../client/types.ts';
import type { Clock } from '../../context.ts';
import type { IncidentStore } from '../../store/types.ts';
import type { Severity } from '@siemlink/contracts';
import type { IncidentEvents } from './incident-events.ts';

export interface ConsoleDeps {
  store: IncidentStore;
  client: SiemClient;
  clock: Clock;
  logger: Logger;
  events: IncidentEvents;
  /** Built console assets (index.html + assets/); default packages/console/dist. */
  assetsDir?: string;
  /** The fetch filters, which a gap backfill reuses. */
  fetchFilters?: { searchTerm?: string; severities?: Severity[] };
}
