import type { Logger } from 'pino';
import type { SiemClient } from '../client/types.ts';
import type { Clock } from '../context.ts';
import type { IncidentStore, NewGap, NewIncident } from '../store/types.ts';
import type { FetchOptions } from './options.ts';

/** What a fetch run needs, passed in (no singletons). */
export interface FetchDeps {
  client: Pick<SiemClient, 'searchSecurityEvents' | 'feed'>;
  store: IncidentStore;
  options: FetchOptions;
  logger: Logger;
  clock: Clock;
  signal?: AbortSignal;
  /** Called after every run, failed ones included (the CLI prints a line). */
  onRun?: (result: FetchRunResult) => void;
}

/** A run computed but not committed yet. */
export interface PlannedRun {
  source: string;
  cursorBefore: string | null;
  cursorAfter: string | null;
  incidents: NewIncident[];
  gaps: NewGap[];
  full: boolean;
  lagMs: number | null;
  detail: Record<string, unknown>;
}

export interface FetchRunResult {
  runId: number;
  source: string;
  startedAt: number;
  endedAt: number;
  /** Incidents newly inserted by this run (oldest first). */
  incidents: NewIncident[];
  count: number;
  cursorBefore: string | null;
  cursorAfter: string | null;
  /** True when the run took as many as it may: the loop runs the next one at once. */
  full: boolean;
  lagMs: number | null;
  gaps: NewGap[];
  error?: string;
  detail?: Record<string, unknown>;
}
