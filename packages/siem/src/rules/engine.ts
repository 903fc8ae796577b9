import type { SiemContext } from '../context.ts';
import { backoffMs } from '../health/backoff.ts';
import { SIEM_ACCOUNT_NAME } from '../bootstrap.ts';
import type { Account } from '../modules/accounts/repository.ts';
import { createRulesService } from '../modules/rules/service.ts';
import { DEFAULT_RULE_PACK } from './default-pack.ts';
import { loadRulesFile } from './file.ts';
import { dueRules, flushPendingEvents, runScheduledRuleWith } from './scheduler.ts';
import { applyScan, evaluateRule, scanJob } from './evaluate.ts';
import { inThreadScanner, type WindowScanner } from './scanner.ts';
import { createScanPool } from './worker-pool.ts';
import { quarantineInterruptedRules } from './health.ts';

/** How often the engine looks for due rules and late events (rules run on minute boundaries). */
export const ENGINE_TICK_MS = 1000;
/** The service name in GET /health. */
export const RULE_ENGINE_SERVICE = 'rule-engine';

/** The SIEM account bootstrap created (the one the demo and a rules file go to). */
export function bootstrapSiemAccount(ctx: SiemContext): Account | undefined {
  return ctx.accounts.getByName(SIEM_ACCOUNT_NAME) ?? ctx.accounts.list({ type: 'SIEM' })[0];
}

/**
 * Installs the default rule pack into the bootstrap SIEM account's default configuration when
 * that account has no rules yet. Returns how many rules were created.
 */
export function installDefaultRulePack(ctx: SiemContext, account = bootstrapSiemAccount(ctx)): number {
  if (!account) return 0;
  const service = createRulesService(ctx);
  if (service.rules.listByAccount(account.id).length > 0) return 0;
  return service.install(account, DEFAULT_RULE_PACK, 'defaultRulePack').length;
}

/** How much of the demo history the freshly installed rule pack is evaluated over. */
export const DEMO_REPLAY_MINUTES = 30;

/** How long after its minute a replayed evaluation is stored: a live engine commits seconds later. */
export const REPLAY_COMMIT_DELAY_MS = 3_000;

/**
 * Evaluates every enabled rule at each minute boundary of the last `minutes`, as if the engine
 * had been running while that history was written. Used once, when the demo's rule pack is
 * installed over freshly written history, so security events exist from the first second. Each
 * evaluation's events are stored REPLAY_COMMIT_DELAY_MS after its minute (never after now), as
 * a live SIEM would have: a feed client paging in time mode by the newest `httpMessage.start`
 * then moves forward instead of getting the same first page. Minutes are replayed in order, so
 * storage time never decreases along the storage sequence (the writer also refuses to go back).
 * Returns how many events were stored.
 */
export function replayRecentHistory(ctx: SiemContext, minutes: number): number {
  const now = ctx.clock.now();
  const rules = dueRules(ctx, Number.MAX_SAFE_INTEGER);
  let events = 0;
  const first = Math.floor((now - minutes * 60_000) / 60_000) * 60_000 + 60_000;
  for (let t = first; t < now; t += 60_000) {
    const storedAt = Math.min(t + REPLAY_COMMIT_DELAY_MS, now);
    for (const rule of rules) events += evaluateRule(ctx, rule, t, { storedAt }).events.length;
  }
  return events;
}

/**
 * replayRecentHistory with the windows read by `scanner` (worker threads): each minute's scans
 * run in parallel, and their events are stored minute by minute, rule by rule, in the same
 * order as the synchronous replay. A rule whose scan fails is logged and left out.
 */
export async function replayRecentHistoryWith(
  ctx: SiemContext,
  minutes: number,
  scanner: WindowScanner,
  signal?: AbortSignal,
): Promise<number> {
  const now = ctx.clock.now();
  const rules = dueRules(ctx, Number.MAX_SAFE_INTEGER);
  let events = 0;
  const first = Math.floor((now - minutes * 60_000) / 60_000) * 60_000 + 60_000;
  for (let t = first; t < now && !signal?.aborted; t += 60_000) {
    const storedAt = Math.min(t + REPLAY_COMMIT_DELAY_MS, now);
    const scans = await Promise.allSettled(rules.map((rule) => scanner.scan(scanJob(ctx, rule, t))));
    scans.forEach((scan, i) => {
      const rule = rules[i]!;
      if (scan.status === 'fulfilled') {
        events += applyScan(ctx, rule, t, scan.value, storedAt).events.length;
      } else {
        ctx.logger.warn(
          { err: scan.reason as unknown, ruleId: rule.id, at: t },
          'replayed evaluation failed',
        );
      }
    });
  }
  return events;
}

/**
 * Loads a rules file (see loadRulesFile) into a SIEM account (default: the bootstrap one),
 * skipping titles its target configuration already has. For `siemlink serve --rules FILE`.
 */
export function installRulesFile(
  ctx: SiemContext,
  path: string,
  account = bootstrapSiemAccount(ctx),
): number {
  if (!account) return 0;
  const rules = loadRulesFile(path, ctx.clock.now());
  return createRulesService(ctx).install(account, rules, 'rules').length;
}

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
      await evaluateDue(ctx, now, scanner, signal, log);
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

/**
 * One tick's due rules, at most `scanner.concurrency` in flight, yielding between rules so
 * the API keeps answering. Waits for all it started; then rethrows the first failure (a
 * store that refused a write), so the tick backs off with those rules still due.
 */
async function evaluateDue(
  ctx: SiemContext,
  now: number,
  scanner: WindowScanner,
  signal: AbortSignal,
  log: SiemContext['logger'],
): Promise<void> {
  const inFlight = new Set<Promise<void>>();
  let failure: { err: unknown } | undefined;
  for (const rule of dueRules(ctx, now)) {
    while (inFlight.size >= scanner.concurrency) await Promise.race(inFlight);
    if (signal.aborted || failure) break;
    const run: Promise<void> = runScheduledRuleWith(ctx, rule, now, scanner)
      .then(
        (r) => {
          if (r && r.events.length > 0) {
            log.info({ ruleId: rule.id, events: r.events.length, hits: r.hits }, 'security rule triggered');
          }
        },
        (err: unknown) => {
          failure ??= { err };
        },
      )
      .finally(() => inFlight.delete(run));
    inFlight.add(run);
    await new Promise((resolve) => setImmediate(resolve));
  }
  await Promise.all(inFlight);
  if (failure) throw failure.err;
}
