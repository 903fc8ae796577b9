import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { PROBLEM_TYPE_BASE, type ProblemBody } from '@siemlink/contracts';
import { SiemError, type SiemErrorCode } from '../../errors.ts';

/** The feed's problem types (contract section 7): type suffix, catalogue code (status) and Akamai's title. */
export const FEED_PROBLEMS = {
  'missing-parameters': {
    code: 'FEED_MISSING_PARAMETERS',
    title: 'Missing mandatory parameter(s) or illegal parameter(s) in the request',
  },
  unauthorized: { code: 'FEED_UNAUTHORIZED', title: 'Unauthorized' },
  'not-found': { code: 'FEED_NOT_FOUND', title: 'Not found' },
  'offset-too-old': { code: 'FEED_OFFSET_TOO_OLD', title: 'Expired offset parameter in the request' },
  'too-many-requests': { code: 'FEED_TOO_MANY_REQUESTS', title: 'Too many requests' },
  error: { code: 'FEED_ERROR', title: 'Error' },
  'service-unavailable': { code: 'FEED_SERVICE_UNAVAILABLE', title: 'Service unavailable' },
  /** EdgeGrid clock skew: Akamai's edge answers this before the SIEM API sees the request. */
  'invalid-timestamp': { code: 'FEED_INVALID_TIMESTAMP', title: 'Bad request' },
} as const satisfies Record<string, { code: SiemErrorCode; title: string }>;
export type FeedProblemType = keyof typeof FEED_PROBLEMS;

/** Default detail text per type, as Akamai words it. */
const DEFAULT_DETAIL: Record<FeedProblemType, string> = {
  'missing-parameters': 'Missing mandatory parameter(s) or illegal parameter(s) in the request',
  unauthorized: 'The specified user is unauthorized to access the requested data',
  'not-found': 'The data for the object requested does not exist',
  'offset-too-old': 'Expired offset parameter in the request',
  'too-many-requests': 'Too many requests made from clients of this account',
  error: 'Internal server error',
  'service-unavailable': 'There is no available backend system to respond to the request',
  'invalid-timestamp': 'Invalid timestamp',
};

/** Problem type URIs that do not live under PROBLEM_TYPE_BASE. */
const TYPE_URI: Partial<Record<FeedProblemType, string>> = {
  'invalid-timestamp': 'https://problems.luna.akamaiapis.net/-/pep-authn/request-error',
};

/**
 * Node's reason phrase for 416 is "Range Not Satisfiable"; XSOAR detects an expired offset by
 * the substring "Requested Range Not Satisfiable" in `[416] - <reason>`, so we set the old one.
 */
export const STATUS_TEXT_416 = 'Requested Range Not Satisfiable';

export interface FeedProblemOptions {
  type: FeedProblemType;
  /** Overrides the type's status (401 vs 403 for `unauthorized`, 502/504 for `error`). */
  status?: number;
  detail?: string;
  field?: string;
  headers?: Record<string, string>;
}

/** A feed failure rendered as `application/problem+json`. */
export class FeedProblem extends SiemError {
  readonly problemType: FeedProblemType;

  constructor(opts: FeedProblemOptions) {
    super({
      code: FEED_PROBLEMS[opts.type].code,
      status: opts.status,
      message: opts.detail ?? DEFAULT_DETAIL[opts.type],
      field: opts.field,
      headers: opts.headers,
    });
    this.name = 'FeedProblem';
    this.problemType = opts.type;
  }
}

export const illegalParameter = (field: string, rule: string) =>
  new FeedProblem({ type: 'missing-parameters', field, detail: `${field}: ${rule}` });

/** Maps any error raised on a feed route (SiemError, validation, injected fault) to a problem. */
function toProblem(err: unknown): FeedProblem {
  if (err instanceof FeedProblem) return err;
  if (err instanceof SiemError) {
    const s = err.status;
    const type: FeedProblemType =
      s === 400
        ? 'missing-parameters'
        : s === 401 || s === 403
          ? 'unauthorized'
          : s === 404
            ? 'not-found'
            : s === 429
              ? 'too-many-requests'
              : s === 503
                ? 'service-unavailable'
                : 'error';
    return new FeedProblem({
      type,
      status: s >= 400 ? s : 500,
      detail: s < 500 ? err.message : undefined,
      field: err.field,
      headers: err.headers,
    });
  }
  const fe = err as FastifyError;
  if (fe.validation) {
    const v = fe.validation[0];
    const where = fe.validationContext === 'querystring' ? '' : `${fe.validationContext ?? 'request'}.`;
    const path = (v?.instancePath ?? '').replace(/^\//, '').replaceAll('/', '.');
    const missing = (v?.params as { missingProperty?: string } | undefined)?.missingProperty;
    const field = `${where}${path || missing || 'query'}`.replace(/\.$/, '');
    return illegalParameter(field, `${v?.message ?? 'is invalid'}`);
  }
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
    return new FeedProblem({ type: 'missing-parameters', status: fe.statusCode, detail: fe.message });
  }
  return new FeedProblem({ type: 'error' });
}

/** Builds the body: every key Akamai's problem+json carries, plus `errors[]` naming the field. */
export function problemBody(p: FeedProblem, request: FastifyRequest, nowMs: number): ProblemBody {
  return {
    type: TYPE_URI[p.problemType] ?? `${PROBLEM_TYPE_BASE}${p.problemType}`,
    title: FEED_PROBLEMS[p.problemType].title,
    status: p.status,
    detail: p.message,
    instance: request.url,
    method: request.method,
    serverIp: request.socket?.localAddress ?? '127.0.0.1',
    clientIp: request.ip,
    requestId: String(request.id),
    requestTime: new Date(nowMs).toISOString(),
    ...(p.field ? { errors: [{ field: p.field, message: p.message }] } : {}),
  };
}

/** Error handler of the feed plugin: problem+json instead of the Logz.io error body. */
export function feedErrorHandler(now: () => number) {
  return (err: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const p = toProblem(err);
    if (p.status >= 500 && !(err instanceof SiemError)) request.log.error({ err }, 'feed request failed');
    if (p.headers) reply.headers(p.headers);
    reply.status(p.status);
    if (p.status === 416) reply.raw.statusMessage = STATUS_TEXT_416;
    return reply.type('application/problem+json').send(problemBody(p, request, now()));
  };
}
