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
