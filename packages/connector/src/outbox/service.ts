import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Clock } from '../context.ts';
import { deadLocalOwners, pidAlive } from '../leases/dead-owners.ts';
import type { SinkConfig } from '../sinks/config.ts';
import { closeSinks, openSinks } from '../sinks/open.ts';
import type { IncidentStore } from '../store/types.ts';
import { createDispatcher, type Delivered, type Dispatcher } from './dispatcher.ts';

export interface OutboxService {
  dispatcher: Dispatcher;
  /** Configured sink names (health lists them even with nothing queued). */
  sinks: string[];
  /** Stops the dispatch loop (when started) and closes the sinks. */
  close(): Promise<void>;
}

/**
 * Opens the configured sinks and a dispatcher over the store's outbox; with `run`, starts its
 * loop (what `up` and `fetch-incidents` do). The owner id is unique per process, so the leases
 * of a process that died simply run out (leaseMs) and its rows go to the next claimer.
 */
export async function startOutbox(
  store: IncidentStore,
  sinks: readonly SinkConfig[],
  opts: {
    logger: Logger;
    clock: Clock;
    env: Record<string, string | undefined>;
    run: boolean;
    owner?: string;
    onDelivered?: (d: Delivered) => void;
    /** Whether a local process id is alive (tests inject it). */
    isAlive?: (pid: number) => boolean;
  },
): Promise<OutboxService> {
  const opened = await openSinks(sinks, opts);
  // Status back (the "delivered" timeline entry) is written by the outbox store in the transaction
  // that settles the row, so it is as durable as the delivery record itself.
  const onDelivered = (d: Delivered) => opts.onDelivered?.(d);
  // The random part only tells apart processes that got the same pid: no CSPRNG needed (and a
  // one-shot CLI run does not load node:crypto for it).
  const nonce = Math.floor(Math.random() * 0x1000000)
    .toString(16)
    .padStart(6, '0');
  const owner = opts.owner ?? `${hostname()}:${process.pid}:${nonce}`;
  if (opts.run && opened.length > 0) await releaseDeadOwners(store, opts.logger, opts.isAlive);
  const dispatcher = createDispatcher({
    outbox: store.outbox,
    sinks: opened,
    owner,
    clock: opts.clock,
    logger: opts.logger,
    onDelivered,
  });
  const stop = new AbortController();
  const loop =
    opts.run && opened.length > 0
      ? dispatcher.run(stop.signal).catch((err) => opts.logger.error({ err }, 'outbox dispatcher stopped'))
      : Promise.resolve();
  if (opened.length > 0) {
    opts.logger.info({ sinks: opened.map((s) => s.name) }, 'delivering incidents to sinks');
  }
  let closed = false;
  return {
    dispatcher,
    sinks: opened.map((s) => s.name),
    async close() {
      if (closed) return;
      closed = true;
      stop.abort(new Error('outbox shutting down'));
      await loop;
      await closeSinks(opened);
    },
  };
}

/**
 * Leases held by dispatchers of this machine whose process is gone (SIGKILL, crash) are voided
 * at start, so a restarted `up` delivers at once instead of waiting out their lease.
 */
export async function releaseDeadOwners(
  store: IncidentStore,
  logger: Logger,
  isAlive: (pid: number) => boolean = pidAlive,
): Promise<number> {
  let released = 0;
  for (const owner of deadLocalOwners(await store.outbox.leaseOwners(), isAlive)) {
    const n = await store.outbox.releaseLeases(owner);
    released += n;
    logger.info({ owner, rows: n }, 'outbox: released the leases of a dispatcher that is gone');
  }
  return released;
}
