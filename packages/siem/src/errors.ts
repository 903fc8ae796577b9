/**
 * Every error the SIEM raises on purpose. `code` is stable (clients and tests key on it),
 * `kind` says who has to act: the caller (`config`), nobody but time (`transient`), or us (`system`).
 */
export type ErrorKind = 'config' | 'transient' | 'system';

/** One entry of the catalogue: the HTTP status a code is answered with, its kind, what it means. */
export interface ErrorSpec {
  status: number;
  kind: ErrorKind;
  /** What the code means (docs/errors.md); a thrown error's own message says what happened. */
  message: string;
  /** Other statuses the same code may carry (an injected fault's 5xx, Fastify's own 4xx). */
  alsoStatus?: readonly number[];
}

/**
 * The SIEM's error catalogue: every `errorCode` an API body can carry and every `code` of a
 * SiemError. docs/errors.md lists it (test/errors.test.ts keeps the two equal). Feed errors are
 * problem+json bodies: their codes (`FEED_*`) map one-to-one to the feed's problem types.
 */
export const SIEM_ERRORS = {
  // The caller's request (400).
  INVALID_FIELD: {
    status: 400,
    kind: 'config',
    message: 'a request field breaks a rule (the field is named)',
  },
  VALIDATION_FAILED: {
    status: 400,
    kind: 'config',
    message: 'the request does not match the endpoint schema',
  },
  INVALID_JSON: { status: 400, kind: 'config', message: 'the body is not valid JSON' },
  BODY_TOO_DEEP: { status: 400, kind: 'config', message: 'the JSON body is nested too deeply' },
  BAD_REQUEST: {
    status: 400,
    kind: 'config',
    message: 'the HTTP request itself is malformed (rejected before any route ran)',
    alsoStatus: [405, 406, 411, 414, 416, 431],
  },
  INVALID_LUCENE: { status: 400, kind: 'config', message: 'a Lucene query does not parse' },
  LEADING_WILDCARD: { status: 400, kind: 'config', message: 'a Lucene term starts with a wildcard' },
  QUERY_LIMIT_EXCEEDED: { status: 400, kind: 'config', message: 'a query is over one of the Lucene limits' },
  INVALID_QUERY: { status: 400, kind: 'config', message: 'a search DSL element is invalid' },
  FORBIDDEN_QUERY: { status: 400, kind: 'config', message: 'a search DSL construct Logz.io refuses' },
  NOT_ALLOWED_ELEMENTS: { status: 400, kind: 'config', message: 'a search body key Logz.io does not allow' },
  AGGREGATION_NOT_SUPPORTED: {
    status: 400,
    kind: 'config',
    message: 'an aggregation type or option not supported',
  },
  TOO_MANY_BUCKETS: { status: 400, kind: 'config', message: 'an aggregation would return too many buckets' },
  SORT_NOT_ALLOWED: { status: 400, kind: 'config', message: 'sorting on an analysed (text) field' },
  INVALID_SCHEDULE: { status: 400, kind: 'config', message: "a rule's cron schedule is invalid" },
  INVALID_COMPRESSION: { status: 400, kind: 'config', message: 'a compressed body does not decompress' },
  // Configuration of the SIEM process (start-up, rules file): reported by the CLI, not over HTTP.
  INVALID_CONFIG: { status: 400, kind: 'config', message: 'a setting of the SIEM is invalid' },
  INVALID_TLS: { status: 400, kind: 'config', message: 'the TLS certificate or key cannot be used' },
  INVALID_RULES_FILE: { status: 400, kind: 'config', message: 'the rules file is not a valid list of rules' },
  // Who is calling (401, 403).
  MISSING_TOKEN: { status: 401, kind: 'config', message: 'no API (or shipping) token came with the request' },
  INVALID_TOKEN: { status: 401, kind: 'config', message: 'the token is not one of this SIEM' },
  FORBIDDEN: { status: 403, kind: 'config', message: 'the token may not do this' },
  WRONG_ACCOUNT_TYPE: {
    status: 403,
    kind: 'config',
    message: 'the endpoint needs a token of the other account type',
  },
  NOT_MAIN_ACCOUNT: { status: 403, kind: 'config', message: 'the endpoint needs the main logs account' },
  NOT_ADMIN: {
    status: 403,
    kind: 'config',
    message: 'fault injection needs the main logs or a SIEM account',
  },
  // What is asked for (404, 409).
  NOT_FOUND: { status: 404, kind: 'config', message: 'the object does not exist (or is not the caller’s)' },
  RULE_NOT_FOUND: {
    status: 404,
    kind: 'config',
    message: 'no security rule with that id in the caller’s account',
  },
  ROUTE_NOT_FOUND: { status: 404, kind: 'config', message: 'no route for that method and path' },
  CONFLICT: { status: 409, kind: 'config', message: 'the object already exists (the field is named)' },
  // Size and format (413, 415).
  PAYLOAD_TOO_LARGE: { status: 413, kind: 'config', message: 'the body is over the request limit' },
  TOO_MANY_LINES: { status: 413, kind: 'config', message: 'a bulk shipment has more lines than allowed' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, kind: 'config', message: 'the body is not application/json' },
  UNSUPPORTED_CONTENT_ENCODING: {
    status: 415,
    kind: 'config',
    message: 'the Content-Encoding is not gzip or deflate',
  },
  // Try again later (429, 503, 507).
  TOO_MANY_REQUESTS: { status: 429, kind: 'transient', message: 'too many requests; Retry-After says when' },
  TOO_MANY_CONCURRENT_SEARCHES: {
    status: 429,
    kind: 'transient',
    message: 'the account has the maximum of searches running',
  },
  STORAGE_BUSY: { status: 503, kind: 'transient', message: "the SIEM's store is locked by another writer" },
  STORAGE_UNAVAILABLE: {
    status: 503,
    kind: 'transient',
    message: "the SIEM's store failed (I/O, read-only)",
  },
  STORAGE_FULL: { status: 507, kind: 'transient', message: "the SIEM's disk is full" },
  RULE_ENGINE_STOPPING: { status: 503, kind: 'transient', message: 'the rule engine is shutting down' },
  RULE_SCAN_QUEUE_FULL: {
    status: 503,
    kind: 'transient',
    message: 'too many rule windows are waiting to be read',
  },
  SEARCH_QUEUE_FULL: {
    status: 503,
    kind: 'transient',
    message: 'too many broad searches are waiting for a worker thread; Retry-After says when',
  },
  SEARCH_STOPPING: {
    status: 503,
    kind: 'transient',
    message: 'the SIEM is shutting down; the search was not run',
  },
  SEARCH_BUDGET_EXCEEDED: {
    status: 503,
    kind: 'transient',
    message: 'a search was stopped past its time budget; narrow the query or its time range',
  },
  SEARCH_CANCELLED: {
    status: 499,
    kind: 'config',
    message: 'a search was stopped because its client closed the connection (nobody reads the answer)',
  },
  JOB_CANCELLED: {
    status: 503,
    kind: 'transient',
    message: 'a job in a worker thread was cancelled before it finished (client gone, shutdown)',
  },
  INJECTED_FAULT: {
    status: 500,
    kind: 'transient',
    message: 'a fault injected on purpose (--fault-injection)',
    alsoStatus: [502, 503, 504],
  },
  // Ours (500).
  INTERNAL_ERROR: {
    status: 500,
    kind: 'system',
    message: 'a bug or an unexpected failure; see the SIEM log',
  },
  // The security-event feed's problem types (application/problem+json; `type` ends with the suffix).
  FEED_MISSING_PARAMETERS: {
    status: 400,
    kind: 'config',
    message: 'problem type missing-parameters: a parameter is missing or illegal',
    alsoStatus: [405, 406, 411, 413, 414, 415, 431],
  },
  FEED_INVALID_TIMESTAMP: {
    status: 400,
    kind: 'config',
    message: 'EdgeGrid timestamp too far from the clock',
  },
  FEED_UNAUTHORIZED: {
    status: 403,
    kind: 'config',
    message: 'problem type unauthorized: no, a wrong or a foreign credential',
    alsoStatus: [401],
  },
  FEED_NOT_FOUND: {
    status: 404,
    kind: 'config',
    message: 'problem type not-found: an unknown configuration',
  },
  FEED_OFFSET_TOO_OLD: {
    status: 416,
    kind: 'config',
    message: 'problem type offset-too-old: an expired offset',
  },
  FEED_TOO_MANY_REQUESTS: { status: 429, kind: 'transient', message: 'problem type too-many-requests' },
  FEED_SERVICE_UNAVAILABLE: { status: 503, kind: 'transient', message: 'problem type service-unavailable' },
  FEED_ERROR: {
    status: 500,
    kind: 'system',
    message: 'problem type error: any other failure of the feed',
    alsoStatus: [502, 504, 507],
  },
} as const satisfies Record<string, ErrorSpec>;

export type SiemErrorCode = keyof typeof SIEM_ERRORS;

export interface SiemErrorOptions {
  code: SiemErrorCode;
  /** Default: the catalogue's status for the code. */
  status?: number;
  message: string;
  /** Default: the catalogue's kind for the code. */
  kind?: ErrorKind;
  field?: string;
  cause?: unknown;
  headers?: Record<string, string>;
}

export class SiemError extends Error {
  readonly code: SiemErrorCode;
  readonly status: number;
  readonly kind: ErrorKind;
  readonly field: string | undefined;
  readonly headers: Record<string, string> | undefined;

  constructor(opts: SiemErrorOptions) {
    super(opts.message, opts.cause === undefined ? undefined : { cause: opts.cause });
    const spec: ErrorSpec = SIEM_ERRORS[opts.code];
    this.name = 'SiemError';
    this.code = opts.code;
    this.status = opts.status ?? spec.status;
    this.kind = opts.kind ?? spec.kind;
    this.field = opts.field;
    this.headers = opts.headers;
  }
}

/** Whether `code` is in the catalogue (a code that crossed a thread or came from a string). */
export const isSiemErrorCode = (code: unknown): code is SiemErrorCode =>
  typeof code === 'string' && Object.hasOwn(SIEM_ERRORS, code);

type CodeWithStatus<S extends number> = {
  [C in SiemErrorCode]: (typeof SIEM_ERRORS)[C]['status'] extends S ? C : never;
}[SiemErrorCode];

export const badRequest = (field: string, message: string, code: CodeWithStatus<400> = 'INVALID_FIELD') =>
  new SiemError({ code, field, message: `${field}: ${message}` });
export const unauthorized = (message: string, code: CodeWithStatus<401> = 'INVALID_TOKEN') =>
  new SiemError({ code, message });
export const forbidden = (message: string, code: CodeWithStatus<403> = 'FORBIDDEN') =>
  new SiemError({ code, message });
export const notFound = (message: string, code: CodeWithStatus<404> = 'NOT_FOUND') =>
  new SiemError({ code, message });
export const conflict = (field: string, message: string) =>
  new SiemError({ code: 'CONFLICT', field, message: `${field}: ${message}` });
export const tooLarge = (message: string) => new SiemError({ code: 'PAYLOAD_TOO_LARGE', message });
export const tooManyRequests = (message: string, retryAfterSeconds = 1) =>
  new SiemError({
    code: 'TOO_MANY_REQUESTS',
    message,
    headers: { 'retry-after': String(retryAfterSeconds) },
  });

/** SQLite primary result codes worth telling apart (extended codes carry them in the low byte). */
const SQLITE = { BUSY: 5, LOCKED: 6, NOMEM: 7, READONLY: 8, IOERR: 10, CORRUPT: 11, FULL: 13, CANTOPEN: 14 };

/** Seconds a client should wait before retrying a write the store could not take. */
export const STORE_RETRY_AFTER = { full: 60, io: 5, busy: 1 } as const;

/**
 * A store error the caller should see as such: disk full is 507 (Insufficient Storage), I/O
 * and lock trouble 503, each with Retry-After and the store's own message as the cause, so
 * a full disk is never reported as a bare 500. Anything else (constraints, SQL bugs):
 * undefined, and the caller rethrows the original.
 */
export function storeFailure(err: unknown): SiemError | undefined {
  if (err instanceof SiemError) return err;
  const e = err as { code?: unknown; errcode?: unknown; errstr?: unknown } | null;
  if (!e || e.code !== 'ERR_SQLITE_ERROR' || typeof e.errcode !== 'number') return undefined;
  const primary = e.errcode & 0xff;
  const detail = typeof e.errstr === 'string' ? e.errstr : 'store error';
  const retry = (s: number) => ({ 'retry-after': String(s) });
  if (primary === SQLITE.FULL) {
    return new SiemError({
      code: 'STORAGE_FULL',
      message: `the SIEM's disk is full (${detail}); retry later`,
      headers: retry(STORE_RETRY_AFTER.full),
      cause: err,
    });
  }
  if (primary === SQLITE.BUSY || primary === SQLITE.LOCKED) {
    return new SiemError({
      code: 'STORAGE_BUSY',
      message: `the SIEM's store is busy (${detail}); retry later`,
      headers: retry(STORE_RETRY_AFTER.busy),
      cause: err,
    });
  }
  if ([SQLITE.IOERR, SQLITE.NOMEM, SQLITE.READONLY, SQLITE.CANTOPEN, SQLITE.CORRUPT].includes(primary)) {
    return new SiemError({
      code: 'STORAGE_UNAVAILABLE',
      message: `the SIEM's store failed (${detail}); retry later`,
      headers: retry(STORE_RETRY_AFTER.io),
      cause: err,
    });
  }
  return undefined;
}
