import type { DispatchResponse, HttpDispatcher } from './dispatcher.ts';
import type { Logger } from 'pino';
import type { Clock } from '../context.ts';
import { ConnectorError, HttpError, networkError, redact, timeoutError, badResponse } from '../errors.ts';

/**
 * When and how to retry, as data. The ONLY place the connector retries HTTP calls.
 * - `retryOn`: statuses retried (never 4xx other than 429).
 * - `networkErrors`: retry connection errors and timeouts (before any response body was used).
 * - `maxAttempts`: total attempts including the first.
 * - delay before attempt n+1: Retry-After when the server sent one (capped at `maxRetryAfterMs`),
 *   else `min(maxDelayMs, baseDelayMs * 2^(n-1))`, with full jitter (uniform in [0, that]).
 */
export interface RetryPolicy {
  retryOn: number[];
  networkErrors: boolean;
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  jitter: 'full' | 'none';
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  retryOn: [429, 502, 503, 504],
  networkErrors: true,
  maxAttempts: 5,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  jitter: 'full',
  maxRetryAfterMs: 120_000,
}) as RetryPolicy;

export interface TransportOptions {
  baseUrl: string;
  dispatcher: HttpDispatcher;
  clock: Clock;
  logger: Logger;
  /** Overall budget of one attempt (connect + headers + body for JSON calls; headers for streams). */
  timeoutMs: number;
  retry: RetryPolicy;
  /** Values that must never reach a message (the tokens). */
  secrets: string[];
  userAgent?: string;
  /** Uniform [0,1) source for jitter; injectable for tests. */
  random?: () => number;
}

export interface TransportRequest {
  /** PUT, PATCH and DELETE only for playbook http steps (the Logz.io API uses GET and POST). */
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path below the base URL, starting with '/'; already encoded. */
  path: string;
  query?: Record<string, string | number | undefined>;
  /** Sent as JSON; a string in `bodyText` is sent as it is instead. */
  body?: unknown;
  bodyText?: string;
  /** The API token (`X-API-TOKEN`); absent for calls to other services (playbook http steps). */
  token?: string;
  /** Extra headers (a playbook http step's own, its Idempotency-Key); they override the defaults. */
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /**
   * false for calls that create something: then only 429 (the server did nothing) is retried,
   * never a 5xx or a network error that may have happened after the server acted.
   */
  idempotent?: boolean;
}

export interface JsonResponse<T> {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  data: T;
}

export interface StreamResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: AsyncIterable<Uint8Array> & { destroy(err?: Error): unknown };
}

export interface Transport {
  readonly baseUrl: string;
  json<T>(req: TransportRequest): Promise<JsonResponse<T>>;
  /** Retries until a 2xx arrives, then hands over the unread body; the caller must consume it. */
  stream(req: TransportRequest): Promise<StreamResponse>;
}

const ERROR_BODY_LIMIT = 64 * 1024;

/** Parses Retry-After (delta seconds or an HTTP date) into milliseconds from `nowMs`. */
export function parseRetryAfter(value: string | string[] | undefined, nowMs: number): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v.trim() === '') return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/** Delay before the attempt after `attempt` (1-based) under `policy`. */
export function backoffDelay(
  policy: RetryPolicy,
  attempt: number,
  retryAfterMs: number | undefined,
  random: () => number,
): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, policy.maxRetryAfterMs);
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return policy.jitter === 'full' ? Math.floor(random() * ceiling) : ceiling;
}

export function createTransport(opts: TransportOptions): Transport {
  const random = opts.random ?? Math.random;
  const userAgent = opts.userAgent ?? 'siemlink-connector/0.1';

  function describe(req: TransportRequest): string {
    // A path may hold a secret (a playbook http step's URL): messages and logs never show it.
    return redact(`${req.method} ${req.path}`, opts.secrets);
  }

  const origin = new URL(opts.baseUrl).origin;

  function urlOf(req: TransportRequest): URL {
    const url = new URL(opts.baseUrl + req.path);
    for (const [k, v] of Object.entries(req.query ?? {}))
      if (v !== undefined) url.searchParams.set(k, String(v));
    return url;
  }

  /** One attempt: resolves with the raw response or throws a classified error. */
  async function attempt(req: TransportRequest, stream: boolean) {
    const timeout = AbortSignal.timeout(opts.timeoutMs);
    const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
    const headers: Record<string, string> = {
      ...(req.token !== undefined ? { 'x-api-token': req.token } : {}),
      accept: stream ? 'application/x-ndjson, application/json' : 'application/json',
      // Logz.io recommends compression (strongly for search); the dispatcher does not decode it.
      'accept-encoding': 'gzip, deflate',
      'user-agent': userAgent,
    };
    let body: string | undefined;
    if (req.bodyText !== undefined) {
      headers['content-type'] = 'text/plain; charset=utf-8';
      body = req.bodyText;
    } else if (req.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(req.body);
    }
    for (const [k, v] of Object.entries(req.headers ?? {})) headers[k.toLowerCase()] = v;
    const url = urlOf(req);
    try {
      const res = await opts.dispatcher.request({
        origin,
        path: url.pathname + url.search,
        method: req.method,
        headers,
        body,
        signal: stream ? req.signal : signal,
        headersTimeout: opts.timeoutMs,
        bodyTimeout: opts.timeoutMs,
      });
      return { res, signal, timeout };
    } catch (err) {
      if (req.signal?.aborted) throw req.signal.reason;
      if (timeout.aborted || isTimeout(err)) throw timeoutError(describe(req), opts.timeoutMs, err);
      throw networkError(describe(req), err);
    }
  }

  async function errorFor(req: TransportRequest, res: DispatchResponse): Promise<HttpError> {
    let text = '';
    try {
      text = await readCapped(decoded(res), ERROR_BODY_LIMIT);
    } catch {
      // The status alone is still a useful error.
    }
    let detail = '';
    let remoteCode: string | undefined;
    let field: string | undefined;
    try {
      const b = JSON.parse(text) as Record<string, unknown>;
      remoteCode = str(b.errorCode) ?? str(b.type)?.split('/').pop();
      // The field the server blames: `field` (our 4xx bodies) or `errors[0].field` (problem+json).
      const first = Array.isArray(b.errors)
        ? (b.errors[0] as Record<string, unknown> | undefined)
        : undefined;
      field = str(b.field) ?? str(first?.field);
      detail = str(b.message) ?? str(b.errorMessage) ?? str(b.detail) ?? str(b.title) ?? '';
    } catch {
      detail = text.slice(0, 300);
    }
    const message = redact(
      `HTTP ${res.statusCode} from ${describe(req)}${detail ? `: ${detail}` : ''}${remoteCode ? ` (${remoteCode})` : ''}`,
      opts.secrets,
    );
    return new HttpError({ status: res.statusCode, message, remoteCode, field });
  }

  /** Runs attempts under the retry policy; `use` turns a 2xx response into the result. */
  async function withRetries<R>(
    req: TransportRequest,
    stream: boolean,
    use: (res: DispatchResponse) => Promise<R>,
  ): Promise<R> {
    const policy = opts.retry;
    const idempotent = req.idempotent !== false;
    for (let n = 1; ; n++) {
      let retryAfterMs: number | undefined;
      let failure: ConnectorError;
      try {
        const { res } = await attempt(req, stream);
        if (res.statusCode >= 200 && res.statusCode < 300) {
          try {
            return await use(res);
          } catch (err) {
            if (req.signal?.aborted) throw req.signal.reason;
            if (err instanceof ConnectorError) throw err;
            // Body read failed (reset, timeout): the request may be retried like a network error.
            const e = isTimeout(err)
              ? timeoutError(describe(req), opts.timeoutMs, err)
              : networkError(describe(req), err);
            throw new RetryableBodyError(e);
          }
        }
        retryAfterMs = parseRetryAfter(res.headers['retry-after'], opts.clock.now());
        failure = await errorFor(req, res);
        const retryable = policy.retryOn.includes(res.statusCode) && (idempotent || res.statusCode === 429);
        if (!retryable || n >= policy.maxAttempts) throw failure;
      } catch (err) {
        if (err instanceof RetryableBodyError) failure = err.error;
        else if (err instanceof HttpError) throw err;
        else if (err instanceof ConnectorError && (err.code === 'NETWORK_ERROR' || err.code === 'TIMEOUT')) {
          failure = err;
        } else throw err;
        if (!policy.networkErrors || !idempotent || n >= policy.maxAttempts) throw failure;
      }
      const delay = backoffDelay(policy, n, retryAfterMs, random);
      opts.logger.warn(
        {
          attempt: n,
          maxAttempts: policy.maxAttempts,
          delayMs: delay,
          code: failure.code,
          status: failure.status,
        },
        `retrying ${describe(req)}`,
      );
      await opts.clock.sleep(delay, req.signal);
    }
  }

  return {
    baseUrl: opts.baseUrl,
    json<T>(req: TransportRequest) {
      return withRetries(req, false, async (res) => {
        const text = await readAll(decoded(res));
        let data: T;
        try {
          data = (text === '' ? undefined : JSON.parse(text)) as T;
        } catch (err) {
          throw badResponse(describe(req), `response is not JSON (${text.length} bytes)`, err);
        }
        return { status: res.statusCode, headers: res.headers, data };
      });
    },
    stream(req: TransportRequest) {
      return withRetries(req, true, async (res) => ({
        status: res.statusCode,
        headers: res.headers,
        body: decoded(res),
      }));
    },
  };
}

/** Marks a failure while reading a 2xx body, so the retry loop treats it like a network error. */
class RetryableBodyError extends Error {
  readonly error: ConnectorError;
  constructor(error: ConnectorError) {
    super(error.message);
    this.error = error;
  }
}

/** A dispatcher's timeout: node-dispatcher.ts names it TimeoutError, undici gives codes. */
function isTimeout(err: unknown): boolean {
  const code = (err as { code?: string })?.code;
  return (
    (err as Error)?.name === 'TimeoutError' ||
    code === 'UND_ERR_HEADERS_TIMEOUT' ||
    code === 'UND_ERR_BODY_TIMEOUT' ||
    code === 'UND_ERR_CONNECT_TIMEOUT'
  );
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

async function readCapped(body: Body, limit: number) {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    parts.push(Buffer.from(chunk));
    size += chunk.length;
    if (size >= limit) {
      body.destroy();
      break;
    }
  }
  return Buffer.concat(parts).toString('utf8').slice(0, limit);
}

type Body = AsyncIterable<Uint8Array> & { destroy(err?: Error): unknown };

/** The response body with its content-encoding (gzip, deflate) undone, still streaming. */
function decoded(res: DispatchResponse): Body {
  const enc = String(res.headers['content-encoding'] ?? '')
    .trim()
    .toLowerCase();
  if (enc === 'gzip' || enc === 'x-gzip' || enc === 'deflate') {
    // node:zlib (~2.5 MB) loads with the first compressed answer only.
    const zlib = process.getBuiltinModule('node:zlib');
    const z = enc === 'deflate' ? zlib.createInflate() : zlib.createGunzip();
    res.body.on('error', (err) => z.destroy(err));
    z.on('close', () => res.body.destroy());
    return res.body.pipe(z);
  }
  return res.body;
}

async function readAll(body: AsyncIterable<Uint8Array>): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of body) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts).toString('utf8');
}
