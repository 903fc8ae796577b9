import {
  SEARCH_BODY_KEYS,
  SEARCH_DEFAULT_SIZE,
  SEARCH_MAX_SIZE,
  type SearchSourceFilter,
} from '@siemlink/contracts';
import { SiemError } from '../../errors.ts';
import { invalidQuery } from './dsl/errors.ts';
import { assertNoForbiddenKeys } from './dsl/forbidden.ts';

const ALLOWED = new Set<string>(SEARCH_BODY_KEYS);

/** A `/v1/search` body checked key by key; the DSL parts are compiled by the service. */
export interface SearchInput {
  query: Record<string, unknown>;
  postFilter?: Record<string, unknown>;
  aggs?: Record<string, unknown>;
  aggsKey: 'aggs' | 'aggregations';
  from: number;
  size: number;
  sort?: unknown;
  source?: SearchSourceFilter;
  version: boolean;
  dayOffset: number;
  /** ES `track_total_hits`: true counts exactly, false not at all, a number up to that many. */
  trackTotalHits?: boolean | number;
}

export function parseSearchBody(body: unknown, queryDayOffset: unknown): SearchInput {
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new SiemError({
      code: 'INVALID_JSON',
      status: 400,
      field: 'body',
      message: 'body: must be a JSON object with a "query"',
    });
  }
  const b = body as Record<string, unknown>;
  const unknown = Object.keys(b).filter((k) => !ALLOWED.has(k));
  if (unknown.length > 0) {
    throw new SiemError({
      code: 'NOT_ALLOWED_ELEMENTS',
      status: 400,
      field: unknown[0],
      message: `Found JSON elements which are not allowed [${unknown.join(', ')}]; allowed: ${SEARCH_BODY_KEYS.join(', ')}`,
    });
  }
  if (b.query === undefined) throw invalidQuery('query', 'is required');
  const query = object(b.query, 'query');
  assertNoForbiddenKeys(query, 'query');
  const postFilter = b.post_filter === undefined ? undefined : object(b.post_filter, 'post_filter');
  if (postFilter) assertNoForbiddenKeys(postFilter, 'post_filter');
  if (b.aggs !== undefined && b.aggregations !== undefined)
    throw invalidQuery('aggregations', 'send either aggs or aggregations, not both');
  const aggsKey = b.aggregations !== undefined ? 'aggregations' : 'aggs';
  const aggs = b[aggsKey] === undefined ? undefined : object(b[aggsKey], aggsKey);
  if (aggs) assertNoForbiddenKeys(aggs, aggsKey);
  const from = integer(b.from, 'from', 0, 0, SEARCH_MAX_SIZE);
  const size = integer(b.size, 'size', SEARCH_DEFAULT_SIZE, 0, SEARCH_MAX_SIZE);
  if (from + size > SEARCH_MAX_SIZE) {
    throw invalidQuery(
      'from',
      `Result window is too large: from + size must be <= ${SEARCH_MAX_SIZE}, got ${from + size}`,
    );
  }
  if (b.version !== undefined && typeof b.version !== 'boolean')
    throw invalidQuery('version', 'must be true or false');
  const bodyOffset = integer(b.dayOffset, 'dayOffset', 0, 0, 3650);
  const dayOffset =
    queryDayOffset === undefined ? bodyOffset : integer(queryDayOffset, 'dayOffset', 0, 0, 3650);
  return {
    query,
    postFilter,
    aggs,
    aggsKey,
    from,
    size,
    sort: b.sort,
    source: sourceFilter(b._source),
    version: b.version === true,
    dayOffset,
    trackTotalHits: trackTotalHits(b.track_total_hits),
  };
}

function trackTotalHits(v: unknown): boolean | number | undefined {
  if (v === undefined || typeof v === 'boolean') return v;
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 2_147_483_647) return v;
  throw invalidQuery('track_total_hits', `must be true, false or a count >= 0, got ${JSON.stringify(v)}`);
}

function object(v: unknown, path: string): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v))
    throw invalidQuery(path, 'must be a JSON object');
  return v as Record<string, unknown>;
}

/** Integers, also sent as strings ("20"), within [min, max]. */
function integer(v: unknown, path: string, dflt: number, min: number, max: number): number {
  if (v === undefined) return dflt;
  const n = typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n))
    throw invalidQuery(path, `must be an integer, got ${JSON.stringify(v)}`);
  if (n < min || n > max) throw invalidQuery(path, `must be between ${min} and ${max}, got ${n}`);
  return n;
}

function sourceFilter(v: unknown): SearchSourceFilter | undefined {
  if (v === undefined || typeof v === 'boolean' || typeof v === 'string') return v;
  const strings = (x: unknown, at: string) => {
    if (x === undefined || typeof x === 'string') return;
    if (!Array.isArray(x) || x.some((s) => typeof s !== 'string'))
      throw invalidQuery(at, 'must be a field name or an array of field names');
  };
  if (Array.isArray(v)) {
    strings(v, '_source');
    return v as string[];
  }
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      if (k !== 'includes' && k !== 'excludes' && k !== 'include' && k !== 'exclude')
        throw invalidQuery(`_source.${k}`, 'only includes and excludes are supported');
    }
    const includes = o.includes ?? o.include;
    const excludes = o.excludes ?? o.exclude;
    strings(includes, '_source.includes');
    strings(excludes, '_source.excludes');
    return {
      includes: includes as string | string[] | undefined,
      excludes: excludes as string | string[] | undefined,
    };
  }
  throw invalidQuery('_source', 'must be false, a field list or {includes, excludes}');
}
