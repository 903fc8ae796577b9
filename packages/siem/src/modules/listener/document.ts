import type { NewLog } from '../logs/repository.ts';

export type LineOutcome = { ok: true; log: NewLog } | { ok: false; reason: string } | { ok: 'empty' };

/** Below this a numeric timestamp is taken as epoch seconds, above as epoch ms (1e11 s is year 5138). */
const SECONDS_CUTOFF = 1e11;

/**
 * Deepest nesting a stored document may have. SQLite's JSON functions (the free-text index
 * trigger reads every log with json_tree) refuse more than 1000 levels, failing the whole
 * batch, and JSON.stringify overflows the stack long before 100k; real logs stay far below.
 */
export const MAX_DOC_DEPTH = 100;

/** True when objects/arrays in `value` nest deeper than `max` levels; recursion stops at `max`. */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (max <= 0) return true;
  if (Array.isArray(value)) {
    for (const v of value) if (nestsDeeperThan(v, max - 1)) return true;
  } else {
    for (const k in value) if (nestsDeeperThan((value as Record<string, unknown>)[k], max - 1)) return true;
  }
  return false;
}

/** Epoch ms of an ISO 8601 string or an epoch number (seconds or ms), or undefined. */
export function parseTimestamp(v: unknown): number | undefined {
  let ms: number;
  if (typeof v === 'number') ms = v < SECONDS_CUTOFF ? v * 1000 : v;
  else if (typeof v === 'string' && v.trim() !== '') {
    const s = v.trim();
    ms = /^-?\d+(\.\d+)?$/.test(s) ? (parseTimestamp(Number(s)) ?? NaN) : Date.parse(s);
  } else return undefined;
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? Math.trunc(ms) : undefined;
}

/**
 * Turns one body line into a stored log, Logz.io-style:
 * - a JSON object is the document; a line starting with '{' that is not valid JSON, or valid
 *   JSON array or string (not an object), is malformed; any other text becomes `{message: line}`;
 * - `type`: the document's own non-empty string `type` wins (as Logz.io documents, and as
 *   logzio-nodejs relies on: it puts `type` in every document and none in the URL), else the
 *   `type` query parameter, else `http-bulk`;
 * - `@timestamp` (ISO 8601, or epoch s/ms) is normalised to ISO 8601 UTC; when absent, a
 *   parseable `timestamp` field is used, else the time of receipt. An `@timestamp` that is
 *   present but not a date makes the line malformed rather than silently re-dated.
 */
export function lineToLog(line: string, defaultType: string, receivedAt: number): LineOutcome {
  const trimmed = line.trim();
  if (trimmed === '') return { ok: 'empty' };
  let doc: Record<string, unknown>;
  if (trimmed.charCodeAt(0) === 123 /* { */) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch (err) {
      return { ok: false, reason: `line starts with '{' but is not valid JSON (${(err as Error).message})` };
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      return { ok: false, reason: 'line is JSON but not an object' };
    }
    if (nestsDeeperThan(parsed, MAX_DOC_DEPTH)) {
      return { ok: false, reason: `document is nested more than ${MAX_DOC_DEPTH} levels deep` };
    }
    doc = parsed as Record<string, unknown>;
  } else {
    let parsed: unknown = undefined;
    if (trimmed.charCodeAt(0) === 91 /* [ */ || trimmed.charCodeAt(0) === 34 /* " */) {
      try {
        parsed = JSON.parse(trimmed);
      } catch {
        parsed = undefined;
      }
    }
    if (parsed !== undefined) return { ok: false, reason: 'line is JSON but not an object' };
    doc = { message: line };
  }

  let changed = false;
  const type = typeof doc.type === 'string' && doc.type !== '' ? doc.type : defaultType;
  if (doc.type !== type) {
    doc.type = type;
    changed = true;
  }
  let ts: number;
  const given = doc['@timestamp'];
  if (given !== undefined && given !== null) {
    const parsed = parseTimestamp(given);
    if (parsed === undefined)
      return { ok: false, reason: '@timestamp is not an ISO 8601 date or epoch time' };
    ts = parsed;
  } else {
    ts = parseTimestamp(doc.timestamp) ?? receivedAt;
  }
  const iso = new Date(ts).toISOString();
  if (given !== iso) {
    doc['@timestamp'] = iso;
    changed = true;
  }
  // Unchanged JSON lines are stored as sent: no second serialisation on the hot path.
  return { ok: true, log: { ts, type, doc: changed ? JSON.stringify(doc) : trimmed } };
}
