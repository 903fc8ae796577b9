import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Clock } from '../context.ts';
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
  },
): Promise<OutboxService> {
  const opened = await openSinks(sinks, opts);
  // Status back (the "delivered" timeline entry) is written by the outbox store in the transaction
  // that settles the row, so it is as durable as the delivery record itself.
  const onDelivered = (d: Delivered) => opts.onDelivered?.(d);
  const dispatcher = createDispatcher({
    outbox: store.outbox,
    sinks: opened,
    owner: opts.owner ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`,
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
