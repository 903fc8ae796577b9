/**
 * Every error the SIEM raises on purpose. `code` is stable (clients and tests key on it),
 * `kind` says who has to act: the caller (`config`), nobody but time (`transient`), or us (`system`).
 */
export type ErrorKind = 'config' | 'transient' | 'system';

export interface SiemErrorOptions {
  code: string;
  status: number;
  message: string;
  kind?: ErrorKind;
  field?: string;
  cause?: unknown;
  headers?: Record<string, string>;
}

export class SiemError extends Error {
  readonly code: string;
  readonly status: number;
  readonly kind: ErrorKind;
  readonly field: string | undefined;
  readonly headers: Record<string, string> | undefined;

  constructor(opts: SiemErrorOptions) {
    super(opts.message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'SiemError';
    this.code = opts.code;
    this.status = opts.status;
    this.kind = opts.kind ?? (opts.status >= 500 ? 'system' : opts.status === 429 ? 'transient' : 'config');
    this.field = opts.field;
    this.headers = opts.headers;
  }
}

export const badRequest = (field: string, message: string, code = 'INVALID_FIELD') =>
  new SiemError({ code, status: 400, field, message: `${field}: ${message}` });
export const unauthorized = (message: string, code = 'INVALID_TOKEN') =>
  new SiemError({ code, status: 401, message });
export const forbidden = (message: string, code = 'FORBIDDEN') =>
  new SiemError({ code, status: 403, message });
export const notFound = (message: string, code = 'NOT_FOUND') =>
  new SiemError({ code, status: 404, message });
export const conflict = (field: string, message: string, code = 'CONFLICT') =>
  new SiemError({ code, status: 409, field, message: `${field}: ${message}` });
export const tooLarge = (message: string, code = 'PAYLOAD_TOO_LARGE') =>
  new SiemError({ code, status: 413, message });
export const tooManyRequests = (message: string, retryAfterSeconds = 1) =>
  new SiemError({
    code: 'TOO_MANY_REQUESTS',
    status: 429,
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
      status: 507,
      kind: 'transient',
      message: `the SIEM's disk is full (${detail}); retry later`,
      headers: retry(STORE_RETRY_AFTER.full),
      cause: err,
    });
  }
  if (primary === SQLITE.BUSY || primary === SQLITE.LOCKED) {
    return new SiemError({
      code: 'STORAGE_BUSY',
      status: 503,
      kind: 'transient',
      message: `the SIEM's store is busy (${detail}); retry later`,
      headers: retry(STORE_RETRY_AFTER.busy),
      cause: err,
    });
  }
  if ([SQLITE.IOERR, SQLITE.NOMEM, SQLITE.READONLY, SQLITE.CANTOPEN, SQLITE.CORRUPT].includes(primary)) {
    return new SiemError({
      code: 'STORAGE_UNAVAILABLE',
      status: 503,
      kind: 'transient',
      message: `the SIEM's store failed (${detail}); retry later`,
      headers: retry(STORE_RETRY_AFTER.io),
      cause: err,
    });
  }
  return undefined;
}
