import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import type { FeedEvent, SecurityEvent, SecurityEventSearchRequest, Severity } from '@siemlink/contracts';
import type { FeedItem, FeedRequest, SiemClient } from '../src/client/types.ts';
import { FeedTruncatedError, OffsetExpiredError } from '../src/errors.ts';
import type { Clock } from '../src/context.ts';
import { openSqliteIncidentStore } from '../src/store/sqlite.ts';
import type { IncidentStore } from '../src/store/types.ts';
import { resolveFetchOptions, type FetchOptions, type RawFetchOptions } from '../src/fetch/options.ts';
import type { FetchDeps } from '../src/fetch/types.ts';

export const silent: Logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

/** A clock for tests: `sleep` advances time at once and records how long was asked. */
export class TestClock implements Clock {
  ms: number;
  sleeps: number[] = [];
  constructor(ms: number) {
    this.ms = ms;
  }
  now(): number {
    return this.ms;
  }
  advance(ms: number): void {
    this.ms += ms;
  }
  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    this.sleeps.push(ms);
    this.ms += ms;
    await new Promise<void>((r) => setImmediate(r));
    signal?.throwIfAborted();
  }
}

interface StoredEvent {
  event: SecurityEvent;
  seq: number;
  /** epoch ms: when it became searchable (late indexing) */
  storedAt: number;
}

/**
 * An in-memory SIEM behind the SiemClient interface: events become visible at `storedAt`, the
 * search sorts by eventDate then storage order, the feed orders by storage sequence. Faults are
 * one-shot queues so each test says exactly what goes wrong.
 */
export class FakeSiem implements Pick<SiemClient, 'searchSecurityEvents' | 'feed'> {
  events: StoredEvent[] = [];
  seq = 0;
  clock: Clock;
  searchRequests: SecurityEventSearchRequest[] = [];
  feedRequests: FeedRequest[] = [];
  failSearch: Error[] = [];
  truncateFeed = 0;
  expireOffsets = false;
  constructor(clock: Clock) {
    this.clock = clock;
  }

  add(
    n: number,
    init: {
      eventDate: number;
      storedAt?: number;
      severity?: Severity | string;
      name?: string;
      step?: number;
    },
  ): SecurityEvent[] {
    const out: SecurityEvent[] = [];
    for (let i = 0; i < n; i++) {
      const eventDate = init.eventDate + i * (init.step ?? 0);
      const event: SecurityEvent = {
        alertId: 7,
        name: init.name ?? 'Brute force SSH',
        description: 'next steps',
        alertSummary: 'Alert if count > 5',
        eventDate: eventDate / 1000,
        alertWindowStartDate: (eventDate - 600_000) / 1000,
        alertWindowEndDate: eventDate / 1000,
        severity: (init.severity ?? 'HIGH') as Severity,
        alertEventId: randomUUID(),
        groupBy: { 'source.ip': `10.0.0.${i % 250}` },
        tags: ['ssh'],
        hits: 5,
        isMuted: false,
        mitreTags: ['T1110'],
      };
      this.events.push({ event, seq: ++this.seq, storedAt: init.storedAt ?? this.clock.now() });
      out.push(event);
    }
    return out;
  }

  private visible(): StoredEvent[] {
    const now = this.clock.now();
    return this.events.filter((e) => e.storedAt <= now);
  }

  async searchSecurityEvents(req: SecurityEventSearchRequest) {
    this.searchRequests.push(structuredClone(req));
    const fail = this.failSearch.shift();
    if (fail) throw fail;
    const f = req.filter ?? {};
    const from = (f.timeRange?.fromDate ?? 0) * 1000;
    const to = (f.timeRange?.toDate ?? Infinity) * 1000;
    const hits = this.visible()
      .filter((s) => {
        const ms = Math.round(s.event.eventDate * 1000);
        if (ms < from - 0.5 || ms > to + 0.5) return false;
        if (f.searchTerm && !s.event.name.toLowerCase().includes(f.searchTerm.toLowerCase())) return false;
        if (f.severities?.length && !f.severities.includes(s.event.severity)) return false;
        return true;
      })
      .sort((a, b) => a.event.eventDate - b.event.eventDate || a.seq - b.seq);
    const pageNumber = req.pagination?.pageNumber ?? 1;
    const pageSize = req.pagination?.pageSize ?? 25;
    const results = hits.slice((pageNumber - 1) * pageSize, pageNumber * pageSize).map((s) => s.event);
    return { total: hits.length, results, pagination: { pageNumber, pageSize } };
  }

  async *feed(req: FeedRequest): AsyncIterable<FeedItem> {
    this.feedRequests.push({ ...req });
    if (req.offset !== undefined && this.expireOffsets) {
      this.expireOffsets = false;
      throw new OffsetExpiredError(req.offset, 'offset expired');
    }
    const limit = req.limit ?? 10_000;
    const ordered = this.visible().sort((a, b) => a.seq - b.seq);
    const after = req.offset !== undefined ? Number(req.offset) : -1;
    const fromMs = req.from !== undefined ? req.from * 1000 : -Infinity;
    const chosen = ordered.filter((s) => s.seq > after && s.storedAt >= fromMs).slice(0, limit);
    const cut = this.truncateFeed > 0;
    if (cut) this.truncateFeed--;
    for (const [i, s] of chosen.entries()) {
      if (cut && i >= Math.floor(chosen.length / 2)) {
        throw new FeedTruncatedError(i);
      }
      const event: FeedEvent = { ...s.event, configId: '1', storedAt: s.storedAt / 1000, accountId: 2 };
      yield { kind: 'event', event };
    }
    if (cut) throw new FeedTruncatedError(chosen.length);
    const last = chosen.length
      ? chosen[chosen.length - 1]!.seq
      : after >= 0
        ? after
        : (ordered.at(-1)?.seq ?? 0);
    yield {
      kind: 'context',
      context: { total: chosen.length, offset: String(last), ...(chosen.length >= limit ? { limit } : {}) },
    };
  }

  allIds(): string[] {
    return this.events.map((e) => e.event.alertEventId);
  }
}

export interface Harness {
  clock: TestClock;
  siem: FakeSiem;
  store: IncidentStore;
  deps(opts?: RawFetchOptions): FetchDeps;
  storedIds(): Promise<string[]>;
}

/** A fake SIEM, a real SQLite store in a temp dir, a test clock; closed after the test. */
export function harness(t: { after(fn: () => unknown): void }, start = Date.UTC(2026, 0, 1, 12)): Harness {
  const dir = mkdtempSync(join(tmpdir(), 'siemlink-connector-'));
  const clock = new TestClock(start);
  const siem = new FakeSiem(clock);
  const store = openSqliteIncidentStore({ path: join(dir, 'connector.db') });
  t.after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    clock,
    siem,
    store,
    deps(opts = {}) {
      const options: FetchOptions = resolveFetchOptions(opts, silent);
      return { client: siem, store, options, logger: silent, clock };
    },
    async storedIds() {
      const r = await store.listIncidents({ page: 1, pageSize: 1_000_000 });
      return r.results.map((i) => i.alertEventId);
    },
  };
}

export const MIN = 60_000;
