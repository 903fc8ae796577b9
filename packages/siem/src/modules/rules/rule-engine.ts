import type { SiemContext } from '../../context.ts';
import { backoffMs } from '../../health/backoff.ts';
import {
  DEMO_REPLAY_MINUTES,
  installDefaultRulePack,
  replayRecentHistoryWith,
} from '../../demo/rule-pack.ts';
import { installRulesFile } from './install-file.ts';
import { evaluateDueRulesWith, flushPendingEvents } from './engine/scheduler.ts';
import { inThreadScanner, type WindowScanner } from './engine/scanner.ts';
import { createScanPool } from './engine/worker-pool.ts';
import { quarantineInterruptedRules } from './engine/health.ts';

/** How often the engine looks for due rules and late events (rules run on minute boundaries). */
export const ENGINE_TICK_MS = 1000;
/** The service name in GET /health. */
export const RULE_ENGINE_SERVICE = 'rule-engine';

/**
 * The scanner the server's engine uses: a pool of `ruleEngine.workers` threads reading the
 * database file, or this thread for an in-memory store or `workers: 0`. Close it after the loop.
 */
export function ruleScannerFor(ctx: SiemContext): WindowScanner {
  const path = ctx.store.db.location();
  const { workers, workerNice, maxQueuedScans, evaluationBudgetMs, scanGraceMs } = ctx.config.ruleEngine;
  if (!path || workers === 0) return inThreadScanner(ctx);
  return createScanPool({
    dbPath: path,
    size: workers,
    nice: workerNice,
    maxQueue: maxQueuedScans,
    budgetMs: evaluationBudgetMs,
    graceMs: scanGraceMs,
    clock: ctx.clock,
    logger: ctx.logger,
  });
}

/**
 * The rule engine's scheduler loop: until `signal` aborts, every tick it commits late events
 * that are due and evaluates every rule whose schedule has come. Windows are read by
 * `scanner` (the server passes a worker-thread pool, so evaluation stays off the event loop
 * that serves shipping and search; the default reads on this thread), at most
 * `scanner.concurrency` at once; the events are stored here, one transaction per evaluation.
 * On abort it starts no new evaluation and waits for those in flight (drain). In demo mode it
 * first installs the default rule pack; with `rulesFile` configured it installs that file.
 * `onReady` is called once those are done.
 */
export async function runRuleEngine(
  ctx: SiemContext,
  signal: AbortSignal,
  onReady: () => void = () => {},
  scanner: WindowScanner = inThreadScanner(ctx),
): Promise<void> {
  const log = ctx.logger.child({ component: 'rule-engine' });
  const health = ctx.health.service(RULE_ENGINE_SERVICE);
  // Rules that were mid-evaluation when the last process died are not run first (issue 13).
  const quarantined = quarantineInterruptedRules(ctx, ctx.clock.now());
  if (quarantined.length > 0) log.warn({ ruleIds: quarantined }, 'quarantined rules interrupted last time');
  if (ctx.config.demo) {
    const n = installDefaultRulePack(ctx);
    if (n > 0) {
      log.info({ rules: n }, 'installed the default rule pack');
      const events = await replayRecentHistoryWith(ctx, DEMO_REPLAY_MINUTES, scanner, signal);
      log.info(
        { events, minutes: DEMO_REPLAY_MINUTES },
        'evaluated the default rule pack over recent demo history',
      );
    }
  }
  const file = ctx.config.rulesFile;
  if (file) {
    // A bad file must not stop the engine for the rules already stored: say why, loudly, and go on.
    try {
      const n = installRulesFile(ctx, file);
      log.info({ rules: n, file }, 'installed rules from file');
    } catch (err) {
      log.error({ err, file }, 'rules file not installed');
    }
  }
  onReady();
  let wait = ENGINE_TICK_MS;
  while (!signal.aborted) {
    const now = ctx.clock.now();
    try {
      const flushed = flushPendingEvents(ctx, now);
      if (flushed > 0) log.debug({ events: flushed }, 'committed late-indexed security events');
      for (const r of await evaluateDueRulesWith(ctx, now, scanner, signal)) {
        if (r.events.length > 0) {
          log.info({ ruleId: r.ruleId, events: r.events.length, hits: r.hits }, 'security rule triggered');
        }
      }
      health.running();
      wait = ENGINE_TICK_MS;
    } catch (err) {
      // Failing ticks (a full disk) back off, capped, and show in GET /health.
      wait = Math.max(ENGINE_TICK_MS, backoffMs(health.consecutiveFailures + 1));
      health.failed(err, wait);
      log.error({ err, retryInMs: wait }, 'rule engine tick failed');
    }
    try {
      await ctx.clock.sleep(wait, signal);
    } catch {
      return;
    }
  }
}
