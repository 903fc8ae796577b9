import type { Logger } from 'pino';
import type { SiemClient } from '../client/types.ts';
import type { Clock } from '../context.ts';
import type { IncidentStore, NewGap, NewIncident } from '../store/types.ts';
import type { FetchOptions } from './options.ts';
import type { SearchReadAhead } from './read-ahead.ts';
import type { FeedDecoder } from './feed-decode/decoder.ts';

/** What a fetch run needs, passed in (no singletons). */
export interface FetchDeps {
  /** A client with `feedBody` is read raw (the decoder parses); one without, through `feed`. */
  client: Pick<SiemClient, 'searchSecurityEvents' | 'feed'> & Partial<Pick<SiemClient, 'feedBody'>>;
  store: IncidentStore;
  options: FetchOptions;
  logger: Logger;
  clock: Clock;
  signal?: AbortSignal;
  /** Search mode: the next run's first page asked for while a full run commits (a fetch loop's own). */
  readAhead?: SearchReadAhead;
  /** Feed mode: decodes responses, past their first batch on a thread (a fetch loop's or a command's own). */
  feedDecoder?: FeedDecoder;
  /** Called after every run, failed ones included (the CLI prints a line). */
  onRun?: (result: FetchRunResult) => void;
  /**
   * Called after each durable commit with the incidents it inserted, oldest first. A search run
   * commits once; a feed run commits in batches as its response streams, so this (not the run
   * result, which keeps at most RESULT_INCIDENTS_MAX) is how to see every incident of a large one.
   * A promise it returns is awaited before the run reads on (a feed run's response waits), so a
   * slow consumer holds the run back instead of piling up what it has not taken yet.
   */
  onCommit?: (inserted: NewIncident[], at: number) => void | Promise<void>;
}

/** Incidents a run result lists; `count` is always the full number. */
export const RESULT_INCIDENTS_MAX = 1000;

/**
 * A run (or, for a streamed feed run, one batch of it) computed but not committed yet. Only the
 * `final` one carries the run record; each one's `cursorBefore` is what the previous one left.
 */
export interface PlannedRun {
  final: boolean;
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
  /** Incidents newly inserted by this run, oldest first: the first RESULT_INCIDENTS_MAX of them. */
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
