import type { SiemContext } from '../context.ts';
import { createSqliteLogsWriter, type NewLog } from '../modules/logs/repository.ts';
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
 * then `ratePerSecond` logs every `tickMs` until `signal` aborts.
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
  const writer = createSqliteLogsWriter(ctx.store);
  const gen = createDemoGenerator({ rng: createRng(opts.seed) });
  const write = (logs: DemoLog[]) => writer.insert(account.id, logs.map(toNewLog), ctx.clock.now());

  const now = ctx.clock.now();
  const latest = writer.latestTimestamp(account.id);
  const from = Math.max(now - opts.historyMs, latest === undefined ? -Infinity : latest + 1);
  let history = 0;
  for (let t = from; t < now && !signal.aborted; t += HISTORY_SLICE_MS) {
    const batch = gen.generate(t, Math.min(t + HISTORY_SLICE_MS, now), opts.historyRatePerSecond);
    write(batch);
    history += batch.length;
    // Let the servers answer requests between slices.
    await new Promise((r) => setImmediate(r));
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
    } catch (err) {
      if (signal.aborted) return;
      throw err;
    }
    const t = ctx.clock.now();
    write(gen.generate(last, t, opts.ratePerSecond));
    last = t;
  }
}
