import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { SEVERITIES, Severity } from '@siemlink/contracts';
import type { Logger } from 'pino';
import { invalidFetchOption } from '../errors.ts';

/** The panel caps incidents per run at 50; a larger value is clamped with a warning. */
export const MAX_FETCH_CAP = 50;
/**
 * Feed events read per commit while a response streams. Measured (bench/feed-store.ts, one
 * 100,000-event response): 250 peaks at ~136 MB RSS, 1,000 at ~183 MB (the batch outlives young
 * collections and is promoted), 100 saves no more memory and commits 2.5x as often; CPU the same.
 */
export const FEED_COMMIT_EVENTS = 250;
/**
 * Feed events per request. With commits in batches, memory no longer depends on it; larger
 * responses mean fewer requests and run records (bench/backlog.ts: 1.41x the events/s of 1,000),
 * and a crash re-reads at most one response. The SIEM's and Akamai's own default.
 */
export const FEED_BATCH_LIMIT = 10_000;
/** Largest page `events/search` serves. */
export const SEARCH_MAX_PAGE_SIZE = 1000;

/**
 * Incident fetching options: the integration panel's fields plus the knobs our cursor needs.
 * Numbers may arrive as strings (env vars, flags) and are coerced; `severities` may be a CSV.
 */
export const FetchOptions = Type.Object({
  enabled: Type.Boolean({ default: true, description: 'fetch incidents at all' }),
  searchTerm: Type.Optional(Type.String({ maxLength: 1000, description: 'filter by rule name' })),
  severities: Type.Optional(Type.Array(Severity, { maxItems: 5, description: 'filter by rule severity' })),
  firstFetch: Type.String({
    default: '1 hour',
    description: '`<number> <unit>`: one-time retroactive fetch',
  }),
  maxFetch: Type.Integer({ default: MAX_FETCH_CAP, description: 'incidents per run, 1..50 (search mode)' }),
  bufferMinutes: Type.Number({
    minimum: 0,
    default: 3,
    description: 'newest minutes excluded (indexing time)',
  }),
  overlapMinutes: Type.Number({
    minimum: 0,
    default: 10,
    description: 'minutes before the cursor re-scanned every run for late-indexed events',
  }),
  intervalSeconds: Type.Number({ minimum: 0.01, default: 60, description: 'seconds between runs' }),
  source: Type.Union([Type.Literal('search'), Type.Literal('feed')], { default: 'search' }),
  configIds: Type.Array(Type.String({ minLength: 1 }), {
    default: [],
    description: 'feed mode: configuration ids',
  }),
  feedBatchLimit: Type.Integer({
    minimum: 1,
    maximum: 600000,
    default: FEED_BATCH_LIMIT,
    description: 'feed mode: events per feed request (one request per run; maxFetch is search-mode only)',
  }),
  feedCommitEvents: Type.Integer({
    minimum: 1,
    maximum: 100000,
    default: FEED_COMMIT_EVENTS,
    description:
      'feed mode: events read between two commits while a response streams (bounds memory; a crash re-reads at most one response)',
  }),
  feedDecodeThread: Type.Boolean({
    default: false,
    description:
      'feed mode: decode a backlog on a second thread while the main one commits (up to 14% more events/s on two cores, for 17-45 MB more memory and 8-30% more CPU; bench/feed-store.ts)',
  }),
  searchPageSize: Type.Integer({ minimum: 1, maximum: SEARCH_MAX_PAGE_SIZE, default: SEARCH_MAX_PAGE_SIZE }),
});
export type FetchOptions = Static<typeof FetchOptions>;

/** What callers may pass: every field optional, numbers possibly as strings, severities possibly CSV. */
export type RawFetchOptions = { [K in keyof FetchOptions]?: unknown } & Record<string, unknown>;

const UNIT_MS: Record<string, number> = {
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
  week: 7 * 86_400_000,
  month: 30 * 86_400_000,
  year: 365 * 86_400_000,
};

/**
 * `"12 hours"`, `"7 days"`, `"1 month"` -> milliseconds. Units minutes|hours|days|weeks|months|years,
 * singular or plural, one space (or more). Months are 30 days and years 365 days. Anything else throws
 * a config error naming the accepted format.
 */
export function parseFirstFetch(text: string): number {
  const m = /^\s*(\d+)\s+(minute|hour|day|week|month|year)s?\s*$/i.exec(String(text));
  if (!m) {
    throw invalidFetchOption(
      'firstFetch',
      `"${text}" is not "<number> <unit>" with unit minutes, hours, days, weeks, months or years (e.g. "12 hours", "7 days")`,
    );
  }
  const n = Number(m[1]);
  if (n < 1) throw invalidFetchOption('firstFetch', `"${text}" must be at least 1`);
  return n * UNIT_MS[m[2]!.toLowerCase()]!;
}

/**
 * Validates and completes fetch options. Clamps maxFetch > 50 to 50 with a warning; maxFetch < 1,
 * a bad firstFetch, an unknown severity or a feed source without configIds is a config error.
 */
export function resolveFetchOptions(raw: RawFetchOptions | undefined, logger: Logger): FetchOptions {
  const input: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw ?? {})) if (v !== undefined && v !== null && v !== '') input[k] = v;
  if (typeof input.severities === 'string') {
    input.severities = input.severities
      .split(',')
      .map((s) => s.trim().toUpperCase())
      .filter(Boolean);
  } else if (Array.isArray(input.severities)) {
    input.severities = input.severities.map((s) => (typeof s === 'string' ? s.trim().toUpperCase() : s));
  }
  if (Array.isArray(input.severities)) {
    const bad = input.severities.find((s) => !(SEVERITIES as readonly unknown[]).includes(s));
    if (bad !== undefined) {
      throw invalidFetchOption('severities', `"${String(bad)}" is not one of ${SEVERITIES.join(', ')}`);
    }
  }
  if (typeof input.configIds === 'string') {
    input.configIds = input.configIds
      .split(/[;,]/)
      .map((s) => s.trim())
      .filter(Boolean);
  } else if (Array.isArray(input.configIds)) {
    input.configIds = input.configIds.map(String);
  }
  if (typeof input.enabled === 'string') input.enabled = !/^(false|0|no|off)$/i.test(input.enabled.trim());

  const withDefaults = Value.Default(FetchOptions, Value.Convert(FetchOptions, input)) as Record<
    string,
    unknown
  >;
  if (withDefaults.source !== 'search' && withDefaults.source !== 'feed') {
    throw invalidFetchOption('source', `must be search or feed (got ${JSON.stringify(withDefaults.source)})`);
  }
  const first = Value.Errors(FetchOptions, withDefaults).First();
  if (first) {
    const field = first.path.replace(/^\//, '').split('/')[0] || 'fetch';
    throw invalidFetchOption(field, `${first.message} (got ${JSON.stringify(first.value)})`);
  }
  const opts = withDefaults as FetchOptions;
  parseFirstFetch(opts.firstFetch);
  if (opts.maxFetch < 1) throw invalidFetchOption('maxFetch', `must be at least 1, got ${opts.maxFetch}`);
  if (opts.maxFetch > MAX_FETCH_CAP) {
    logger.warn({ maxFetch: opts.maxFetch, cap: MAX_FETCH_CAP }, `maxFetch clamped to ${MAX_FETCH_CAP}`);
    opts.maxFetch = MAX_FETCH_CAP;
  }
  if (opts.source === 'feed' && opts.configIds.length === 0) {
    throw invalidFetchOption('configIds', 'feed source needs at least one security configuration id');
  }
  return opts;
}
