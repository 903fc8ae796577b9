import type { Logger } from 'pino';
import type { Clock } from '../context.ts';
import type { DeliveryResult, SinkInstance } from '../sinks/define.ts';
import { isTransient, retryDelay, type SinkRetryPolicy } from './retry.ts';
import type { ClaimedRow, OutboxStore, Settlement } from './types.ts';

/** A configured, opened sink as the dispatcher drives it. */
export interface DispatchedSink {
  name: string;
  instance: SinkInstance;
  /** Deliveries in flight at once for this sink (per dispatcher). */
  concurrency: number;
  /** Rows claimed per transaction. */
  batchSize: number;
  /** Strict incident-time order: one batch in flight per sink across dispatchers; a failure holds the rest back. */
  ordered: boolean;
  /** How long a claim is ours; must exceed timeoutMs. */
  leaseMs: number;
  /** Budget of one delivery. */
  timeoutMs: number;
  retry: SinkRetryPolicy;
}

export interface Delivered {
  sink: string;
  incidentId: string;
  remoteId: string | null;
  attempt: number;
  at: number;
}

export interface DispatcherOptions {
  outbox: OutboxStore;
  sinks: readonly DispatchedSink[];
  /** This dispatcher's lease owner id; unique among live dispatchers sharing the store. */
  owner: string;
  clock: Clock;
  logger: Logger;
  /** Longest idle wait before looking at the outbox again (rows written by other processes). */
  pollMs?: number;
  random?: () => number;
  /** After each delivered incident is recorded (status back, e.g. a timeline entry). */
  onDelivered?: (d: Delivered) => void;
}

export interface Dispatcher {
  /** One batch per sink; resolves with the rows settled. */
  pass(): Promise<number>;
  /** Passes until no sink has a row it may claim now: bounded by work, never by time. */
  drain(): Promise<number>;
  /** Loops per sink until `signal` aborts, waiting on the clock between batches. */
  run(signal: AbortSignal): Promise<void>;
  /** New rows were committed: stop waiting. */
  wake(): void;
}

const ERROR_LIMIT = 1000;

/**
 * Delivers outbox rows to their sinks: claims a batch (leased), sends with the sink's
 * concurrency in incident-time order, and settles the whole batch in one transaction (delivered,
 * retry at a backoff, dead letter, or released unsent). A crash between send and settle means
 * the target sees the incident again after the lease ends: at-least-once, deduplicated by the
 * sink's idempotency key (rule 1).
 */
export function createDispatcher(opts: DispatcherOptions): Dispatcher {
  const random = opts.random ?? Math.random;
  const pollMs = opts.pollMs ?? 1000;
  const log = opts.logger.child({ component: 'outbox' });
  /** Per sink: no claim before this (a 429's Retry-After holds the whole sink). */
  const holdUntil = new Map<string, number>();
  let wakeCtl = new AbortController();

  function settlementFor(s: DispatchedSink, row: ClaimedRow, r: DeliveryResult, now: number): Settlement {
    if (r.ok) {
      return {
        kind: 'delivered',
        id: row.id,
        sink: s.name,
        incidentId: row.incident.id,
        attempt: row.attempt,
        remoteId: r.remoteId ?? null,
      };
    }
    const error = r.error.slice(0, ERROR_LIMIT);
    const status = r.status ?? null;
    const transient = !r.permanent && isTransient(s.retry, r.status);
    const tooOld = now - row.enqueuedAt >= s.retry.maxAgeHours * 3_600_000;
    if (!transient || row.attempt >= s.retry.maxAttempts || tooOld) {
      const why = !transient ? 'refused' : tooOld ? 'too old' : 'out of attempts';
      log.warn(
        { sink: s.name, incidentId: row.incident.id, attempt: row.attempt, status, why },
        'dead letter',
      );
      return { kind: 'dead', id: row.id, sink: s.name, error, status, body: r.body ?? null };
    }
    const delay = retryDelay(s.retry, row.attempt, r.retryAfterMs, random);
    return { kind: 'retry', id: row.id, sink: s.name, nextAt: now + delay, error, status };
  }

  async function deliver(s: DispatchedSink, row: ClaimedRow): Promise<DeliveryResult> {
    const signal = AbortSignal.timeout(s.timeoutMs);
    try {
      return await s.instance.deliver(
        {
          sink: s.name,
          outboxId: row.id,
          attempt: row.attempt,
          incident: row.incident,
          ...(row.message === undefined ? {} : { message: row.message }),
        },
        signal,
      );
    } catch (err) {
      const e = err as { code?: string; message?: string };
      return {
        ok: false,
        error: signal.aborted
          ? `timed out after ${s.timeoutMs} ms`
          : `${e.code ? `[${e.code}] ` : ''}${e.message ?? String(err)}`,
      };
    }
  }

  /** One claimed batch of one sink, delivered and settled. Returns rows settled (0: nothing claimable). */
  async function batch(s: DispatchedSink): Promise<number> {
    const now = opts.clock.now();
    if ((holdUntil.get(s.name) ?? 0) > now) return 0;
    const rows = await opts.outbox.claim({
      sink: s.name,
      owner: opts.owner,
      limit: s.batchSize,
      leaseMs: s.leaseMs,
      now,
      ordered: s.ordered,
    });
    if (rows.length === 0) return 0;
    const results: (DeliveryResult | undefined)[] = new Array(rows.length);
    let next = 0;
    let stop = false;
    const worker = async () => {
      while (!stop && next < rows.length) {
        const i = next++;
        const r = await deliver(s, rows[i]!);
        results[i] = r;
        // In strict order a failure holds back every later incident; a throttle holds the sink.
        if (!r.ok && (s.ordered || r.retryAfterMs !== undefined)) stop = true;
      }
    };
    await Promise.all(Array.from({ length: Math.min(s.concurrency, rows.length) }, worker));
    const at = opts.clock.now();
    const settlements = rows.map((row, i): Settlement => {
      const r = results[i];
      return r === undefined ? { kind: 'release', id: row.id, sink: s.name } : settlementFor(s, row, r, at);
    });
    for (const r of results) {
      if (r && !r.ok && r.retryAfterMs !== undefined) {
        holdUntil.set(
          s.name,
          Math.max(holdUntil.get(s.name) ?? 0, at + Math.min(r.retryAfterMs, s.retry.maxRetryAfterMs)),
        );
      }
    }
    await opts.outbox.settle(opts.owner, settlements, at);
    const failed = settlements.filter((x) => x.kind === 'retry' || x.kind === 'dead');
    if (failed.length) {
      const last = failed.at(-1) as Extract<Settlement, { kind: 'retry' | 'dead' }>;
      log.warn(
        { sink: s.name, failed: failed.length, status: last.status, error: last.error },
        'deliveries failed',
      );
    }
    for (const x of settlements) {
      if (x.kind === 'delivered') {
        opts.onDelivered?.({
          sink: x.sink,
          incidentId: x.incidentId,
          remoteId: x.remoteId,
          attempt: x.attempt,
          at,
        });
      }
    }
    return settlements.filter((x) => x.kind !== 'release').length;
  }

  /** How long a sink's loop may sleep: until its next row is due, at most pollMs. */
  async function idleMs(s: DispatchedSink): Promise<number> {
    const now = opts.clock.now();
    const hold = holdUntil.get(s.name) ?? 0;
    if (hold > now) return Math.min(hold - now, pollMs);
    const due = await opts.outbox.nextDueAt(s.name, s.ordered);
    // Due now but nothing claimable: another dispatcher holds the head (ordered) or the sink is paused.
    if (due === null || due <= now) return pollMs;
    return Math.min(due - now, pollMs);
  }

  async function loop(s: DispatchedSink, signal: AbortSignal): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      let wait = 0;
      try {
        const n = await batch(s);
        failures = 0;
        if (n === 0) wait = await idleMs(s);
      } catch (err) {
        if (signal.aborted) break;
        failures++;
        wait = Math.min(pollMs * 2 ** Math.min(failures, 6), 60_000);
        log.error({ err, sink: s.name, retryInMs: wait }, 'outbox dispatch failed');
      }
      if (wait > 0) {
        try {
          await opts.clock.sleep(wait, AbortSignal.any([signal, wakeCtl.signal]));
        } catch {
          if (signal.aborted) break;
        }
      } else await new Promise<void>((r) => setImmediate(r));
    }
  }

  return {
    async pass() {
      let n = 0;
      for (const s of opts.sinks) n += await batch(s);
      return n;
    },
    async drain() {
      let total = 0;
      for (;;) {
        const n = await this.pass();
        if (n === 0) return total;
        total += n;
      }
    },
    async run(signal) {
      await Promise.all(opts.sinks.map((s) => loop(s, signal)));
    },
    wake() {
      const ctl = wakeCtl;
      wakeCtl = new AbortController();
      ctl.abort();
    },
  };
}
