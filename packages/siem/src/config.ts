import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { SiemError } from './errors.ts';

/** Everything the SIEM process can be told; validated once at start. */
export const SiemConfig = Type.Object({
  dataDir: Type.String({ minLength: 1 }),
  host: Type.String({ default: '127.0.0.1' }),
  port: Type.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
  listenerPort: Type.Integer({ minimum: 0, maximum: 65535, default: 8070 }),
  demo: Type.Boolean({ default: false }),
  /** One log line per HTTP request (off by default: the demo would drown the log). */
  logRequests: Type.Boolean({ default: false }),
  /** Per-line and per-request limits of the log listener (bytes, lines) and its write batches. */
  listener: Type.Object(
    {
      maxLineBytes: Type.Integer({ minimum: 64, default: 500 * 1024 }),
      maxRequestBytes: Type.Integer({ minimum: 1024, default: 10 * 1024 * 1024 }),
      maxLines: Type.Integer({ minimum: 1, default: 100_000 }),
      batchLines: Type.Integer({ minimum: 1, default: 1_000 }),
    },
    { default: {} },
  ),
  /**
   * /v1/search: searches of one account running at once (more: 429). Broad searches (issue 10)
   * run in `workers` threads (0 = on the event loop) at nice `workerNice`, at most `maxQueued`
   * waiting (more: 503 with Retry-After); each stops past `budgetMs` (CPU time in a worker,
   * clock time on the event loop), and a worker still busy `graceMs` later is terminated.
   */
  search: Type.Object(
    {
      maxConcurrentPerAccount: Type.Integer({ minimum: 1, default: 3 }),
      workers: Type.Integer({ minimum: 0, maximum: 16, default: 2 }),
      workerNice: Type.Integer({ minimum: 0, maximum: 19, default: 0 }),
      maxQueued: Type.Integer({ minimum: 0, default: 32 }),
      budgetMs: Type.Integer({ minimum: 1, default: 60_000 }),
      graceMs: Type.Integer({ minimum: 0, default: 10_000 }),
    },
    { default: {} },
  ),
  /** Run the rule scheduler (tests turn it off and drive evaluation by hand). */
  rulesEngine: Type.Boolean({ default: true }),
  /**
   * Rule engine safety (issue 13): each evaluation's time budget; a rule that fails (over budget,
   * or interrupted by a freeze or kill) `maxFailures` times in a row is disabled with the reason;
   * one found interrupted at start waits `quarantineMs` before it runs again. Windows are read
   * by `workers` threads (issue 10; 0 = on the event loop) at nice `workerNice`, at most
   * `maxQueuedScans` waiting; in a worker the budget counts the scan's CPU time, and a worker
   * still busy `scanGraceMs` of wall time past the budget (one long statement) is terminated.
   */
  ruleEngine: Type.Object(
    {
      evaluationBudgetMs: Type.Integer({ minimum: 1, default: 500 }),
      maxFailures: Type.Integer({ minimum: 1, default: 3 }),
      quarantineMs: Type.Integer({ minimum: 0, default: 15 * 60_000 }),
      workers: Type.Integer({ minimum: 0, maximum: 16, default: 1 }),
      workerNice: Type.Integer({ minimum: 0, maximum: 19, default: 10 }),
      maxQueuedScans: Type.Integer({ minimum: 1, default: 64 }),
      scanGraceMs: Type.Integer({ minimum: 0, default: 10_000 }),
    },
    { default: {} },
  ),
  /** A rules file (JSON array of security rules) installed into the bootstrap SIEM account at start. */
  rulesFile: Type.Optional(Type.String({ minLength: 1 })),
  /** Serve the API and the listener over HTTPS with this certificate and key (PEM files). */
  tls: Type.Optional(
    Type.Object({ certFile: Type.String({ minLength: 1 }), keyFile: Type.String({ minLength: 1 }) }),
  ),
  /** Enables the authenticated fault-injection admin endpoint. */
  faultInjection: Type.Boolean({ default: false }),
  /** Preset tokens for the bootstrap accounts (otherwise random). */
  presetTokens: Type.Object(
    {
      logsApiToken: Type.Optional(Type.String({ minLength: 8 })),
      siemApiToken: Type.Optional(Type.String({ minLength: 8 })),
      shippingToken: Type.Optional(Type.String({ minLength: 8 })),
    },
    { default: {} },
  ),
});
export type SiemConfig = Static<typeof SiemConfig>;

export function loadSiemConfig(input: unknown): SiemConfig {
  const withDefaults = Value.Default(SiemConfig, structuredClone(input ?? {}));
  const errors = [...Value.Errors(SiemConfig, withDefaults)];
  if (errors.length > 0) {
    const e = errors[0]!;
    throw new SiemError({
      code: 'INVALID_CONFIG',
      field: e.path || '/',
      message: `config${e.path.replaceAll('/', '.')}: ${e.message}`,
    });
  }
  return withDefaults as SiemConfig;
}
