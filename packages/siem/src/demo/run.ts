import type { SiemContext } from '../context.ts';
import { backoffMs } from '../health/backoff.ts';
import type { NewLog } from '../modules/logs/repository.ts';
import { createDemoGenerator } from './generator.ts';
import { createRng } from './rng.ts';
import type { DemoLog } from './types.ts';

export interface DemoOptions {
  seed: number;
  /** How much history to write on start when the main account has none that recent. */
  historyMs: number;
  historyRatePerSecond: number;
  ratePerSecond: number;
  tickMs: number;
}

export const DEFAULT_DEMO_OPTIONS: DemoOptions = {
  seed: 20260101,
  historyMs: 3 * 3600_000,
  historyRatePerSecond: 3,
  ratePerSecond: 20,
  tickMs: 1000,
};

/** History is written in slices of this length, one transaction each. */
const HISTORY_SLICE_MS = 10 * 60_000;
/** After failed writes, at most this much of the missed time is generated when writes work again. */
const MAX_CATCH_UP_MS = 10 * 60_000;
/** The service name in GET /health. */
export const DEMO_SERVICE = 'demo';

export function toNewLog(l: DemoLog): NewLog {
  return {
    ts: l.ts,
    type: l.doc.type,
    doc: JSON.stringify({ '@timestamp': new Date(l.ts).toISOString(), ...l.doc }),
  };
}

/**
 * Demo data for the main logs account: first the history (up to `historyMs`, only the part
 * after the newest log already stored, so a restart fills the gap instead of duplicating),
 * then `ratePerSecond` logs every `tickMs` until `signal` aborts. A failed write (full disk)
 * is retried after a capped backoff, never the end of the demo; the state is in GET /health.
 */
export async function runDemo(
  ctx: SiemContext,
  signal: AbortSignal,
  options: Partial<DemoOptions> = {},
  onHistoryWritten: () => void = () => {},
): Promise<void> {
  const opts = { ...DEFAULT_DEMO_OPTIONS, ...options };
  const log = ctx.logger.child({ component: 'demo' });
  const account = ctx.accounts.list({ type: 'LOGS' }).find((a) => a.isMain);
  if (!account) {
    log.warn('no main logs account: demo data disabled');
    onHistoryWritten();
    return;
  }
  const health = ctx.health.service(DEMO_SERVICE);
  const writer = ctx.repos.logs;
  const gen = createDemoGenerator({ rng: createRng(opts.seed) });
  /** True when written; false after a failure has been reported and its backoff waited out. */
  const write = async (logs: DemoLog[]): Promise<boolean> => {
    try {
      writer.insert(account.id, logs.map(toNewLog), ctx.clock.now());
      health.running();
      return true;
    } catch (err) {
      const wait = backoffMs(health.consecutiveFailures + 1);
      health.failed(err, wait);
      log.error({ err, retryInMs: wait }, 'demo data: write failed; retrying');
      await ctx.clock.sleep(wait, signal);
      return false;
    }
  };

  const now = ctx.clock.now();
  const latest = writer.latestTimestamp(account.id);
  const from = Math.max(now - opts.historyMs, latest === undefined ? -Infinity : latest + 1);
  let history = 0;
  try {
    for (let t = from; t < now && !signal.aborted; t += HISTORY_SLICE_MS) {
      const batch = gen.generate(t, Math.min(t + HISTORY_SLICE_MS, now), opts.historyRatePerSecond);
      while (!(await write(batch))) {
        // retried after the backoff
      }
      history += batch.length;
      // Let the servers answer requests between slices.
      await new Promise((r) => setImmediate(r));
    }
  } catch (err) {
    if (signal.aborted) return;
    throw err;
  }
  log.info(
    { accountId: account.id, history, fromTs: from, rate: opts.ratePerSecond },
    'demo data: history written',
  );
  onHistoryWritten();

  gen.kickoff(now);
  let last = now;
  while (!signal.aborted) {
    try {
      await ctx.clock.sleep(opts.tickMs, signal);
      const t = ctx.clock.now();
      // After failures the missed time is generated once writes work again (bounded).
      if (await write(gen.generate(Math.max(last, t - MAX_CATCH_UP_MS), t, opts.ratePerSecond))) last = t;
    } catch (err) {
      if (signal.aborted) return;
      throw err;
    }
  }
}
