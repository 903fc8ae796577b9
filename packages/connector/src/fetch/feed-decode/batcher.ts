import type { FeedContext, FeedEvent } from '@siemlink/contracts';
import { FeedLines, type FeedLinesState } from '../../client/feed-lines.ts';
import type { FeedItem } from '../../client/types.ts';
import { encodeIncident } from '../../store/rows.ts';
import type { EncodedIncident } from '../../store/types.ts';
import { eventToIncident, type MappingLogger } from '../mapping.ts';

/** How a feed response is cut into batches, and which events make incidents. */
export interface BatchOptions {
  /** Events read per batch (the last one may have fewer). */
  perCommit: number;
  /** The panel's rule-name filter (the feed has none): case-insensitive substring. */
  searchTerm?: string;
  /** The panel's severity filter (the feed has none). */
  severities?: readonly string[];
  maxLineBytes?: number;
}

/** A warning the mapping raised for an event, logged by the caller as `logger.warn(obj, msg)`. */
export type MappingWarning = [obj: { alertEventId: string } & Record<string, unknown>, msg: string];

/**
 * One batch of a feed response: `events` events read, and an incident, encoded for the store,
 * for the first occurrence of each id among those the filters keep. The response's last batch
 * carries its offset context; a batch cut short by a truncated body has none.
 */
export interface DecodedBatch {
  events: number;
  /** Newest storage time among its events (epoch ms), or null when it has none. */
  lastStoredAt: number | null;
  incidents: EncodedIncident[];
  warnings: MappingWarning[];
  context?: FeedContext;
}

/** Where a response's batching stands between chunks: enough to go on in another thread. */
export interface BatcherState {
  lines: FeedLinesState;
  batch: DecodedBatch;
}

const emptyBatch = (): DecodedBatch => ({ events: 0, lastStoredAt: null, incidents: [], warnings: [] });

/**
 * Cuts one feed response into batches of `perCommit` events as it streams, each event mapped
 * to its incident and serialised (the work of a response that is not SQLite's). Synchronous:
 * the feed decoder runs it in-process or on its thread, on the raw body (`push`/`end`) or on
 * events already parsed (`item`).
 */
export class FeedBatcher {
  private readonly lines: FeedLines;
  private batch: DecodedBatch;
  private ids = new Set<string>();
  private readonly term: string | undefined;
  private readonly warn: MappingLogger;
  private done: DecodedBatch[] = [];
  private readonly onItem = (item: FeedItem) => this.item(item);

  private readonly opts: BatchOptions;

  constructor(opts: BatchOptions, state?: BatcherState) {
    this.opts = opts;
    this.lines = new FeedLines(opts.maxLineBytes, state?.lines);
    this.batch = state?.batch ?? emptyBatch();
    for (const i of this.batch.incidents) this.ids.add(i.values[1]);
    this.term = opts.searchTerm?.toLowerCase() || undefined;
    this.warn = { warn: (obj, msg) => void this.batch.warnings.push([obj, msg]) };
  }

  /** Events read so far in this response. */
  get events(): number {
    return this.lines.events;
  }

  /** The batches a chunk of the body completes. */
  push(chunk: Uint8Array): DecodedBatch[] {
    this.lines.push(chunk, this.onItem);
    return this.take();
  }

  /** The body ended: the batches it completes, the last one with the context (see FeedLines.end). */
  end(): DecodedBatch[] {
    this.lines.end(this.onItem);
    return this.take();
  }

  /** An event or the context, parsed elsewhere (a client that yields items). */
  item(item: FeedItem): void {
    if (item.kind === 'context') {
      this.batch.context = item.context;
      this.close();
      return;
    }
    const e = item.event;
    const b = this.batch;
    b.events++;
    const storedAt = Math.round(e.storedAt * 1000);
    if (b.lastStoredAt === null || storedAt > b.lastStoredAt) b.lastStoredAt = storedAt;
    if (this.keeps(e) && !this.ids.has(e.alertEventId)) {
      this.ids.add(e.alertEventId);
      b.incidents.push(encodeIncident(eventToIncident(e, this.warn)));
    }
    if (b.events >= this.opts.perCommit) this.close();
  }

  /** Batches completed since last asked. */
  take(): DecodedBatch[] {
    const out = this.done;
    this.done = [];
    return out;
  }

  /** What was read whole of a body that broke off: the open batch (possibly empty), no context. */
  cut(): DecodedBatch {
    const b = this.batch;
    this.batch = emptyBatch();
    this.ids.clear();
    return b;
  }

  /** Where this response stands (between chunks, after `take`). */
  state(): BatcherState {
    return { lines: this.lines.state(), batch: this.batch };
  }

  private keeps(e: FeedEvent): boolean {
    if (this.term !== undefined && !e.name.toLowerCase().includes(this.term)) return false;
    const sev = this.opts.severities;
    return !sev?.length || sev.includes(e.severity);
  }

  private close(): void {
    this.done.push(this.batch);
    this.batch = emptyBatch();
    this.ids.clear();
  }
}
