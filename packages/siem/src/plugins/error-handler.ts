import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { SIEM_ERRORS, SiemError, storeFailure, type SiemErrorCode } from '../errors.ts';
import { redactUrl } from '../logger.ts';

/** Turns an Ajv validation error into `body.pagination.pageSize must be <= 1000` style text. */
function describeValidation(err: FastifyError): { field: string; message: string } {
  const v = err.validation?.[0];
  if (!v) return { field: err.validationContext ?? 'body', message: err.message };
  const base = err.validationContext ?? 'body';
  const path = v.instancePath.replace(/^\//, '').replaceAll('/', '.');
  let field = path ? `${base}.${path}` : base;
  const params = v.params as Record<string, unknown>;
  if (v.keyword === 'required' && typeof params.missingProperty === 'string') {
    field = `${field}.${params.missingProperty}`;
    return { field, message: `${field} is required` };
  }
  if (v.keyword === 'enum' && Array.isArray(params.allowedValues)) {
    return { field, message: `${field} must be one of ${params.allowedValues.join(', ')}` };
  }
  // A TypeBox union of literals (Severity, SortField, TriggerOperator...) is an anyOf of
  // consts: Ajv reports one `const` error per branch, so list every allowed value.
  if (v.keyword === 'const') {
    const allowed = (err.validation ?? [])
      .filter((e) => e.keyword === 'const' && e.instancePath === v.instancePath)
      .map((e) => String((e.params as { allowedValue?: unknown }).allowedValue));
    const rule = allowed.length > 1 ? `must be one of ${allowed.join(', ')}` : `must be ${allowed[0]}`;
    return { field, message: `${field} ${rule}` };
  }
  return { field, message: `${field} ${v.message ?? 'is invalid'}` };
}

/** An error body `{errorCode, message, field?}`; the status is the catalogue's unless given. */
export function sendError(
  reply: FastifyReply,
  code: SiemErrorCode,
  message: string,
  opts: { field?: string; status?: number } = {},
) {
  return reply
    .status(opts.status ?? SIEM_ERRORS[code].status)
    .type('application/json')
    .send({ errorCode: code, message, ...(opts.field ? { field: opts.field } : {}) });
}

/** JSON error bodies with stable codes for every failure; 5xx details stay in the log. */
export const errorHandlerPlugin = fp(errorHandler, { name: 'siemlink-error-handler' });

async function errorHandler(app: FastifyInstance): Promise<void> {
  app.setErrorHandler((thrown: FastifyError | SiemError, request: FastifyRequest, reply: FastifyReply) => {
    // A store failure outside a transaction (a read hitting an I/O error) names its cause too.
    const err = storeFailure(thrown) ?? thrown;
    if (err instanceof SiemError) {
      if (err.headers) reply.headers(err.headers);
      if (err.status >= 500) request.log.error({ err }, 'request failed');
      return sendError(reply, err.code, err.message, { field: err.field, status: err.status });
    }
    const fe = err as FastifyError;
    if (fe.validation) {
      const { field, message } = describeValidation(fe);
      return sendError(reply, 'VALIDATION_FAILED', message, { field });
    }
    if (
      fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY' ||
      fe.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ||
      (fe.statusCode === 400 && fe instanceof SyntaxError)
    ) {
      return sendError(reply, 'INVALID_JSON', `body: ${fe.message}`);
    }
    if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || fe.statusCode === 413) {
      return sendError(reply, 'PAYLOAD_TOO_LARGE', 'body: request body is too large');
    }
    if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || fe.statusCode === 415) {
      return sendError(reply, 'UNSUPPORTED_MEDIA_TYPE', 'Content-Type: send application/json');
    }
    const status = fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500 ? fe.statusCode : 500;
    if (status >= 500) {
      request.log.error({ err }, 'request failed');
      return sendError(reply, 'INTERNAL_ERROR', 'internal error; see the SIEM log');
    }
    // Fastify's own 4xx (a bad Content-Length, a malformed URL): one catalogue code, its status kept.
    return sendError(reply, 'BAD_REQUEST', fe.message, { status });
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(
      reply,
      'ROUTE_NOT_FOUND',
      `no route for ${request.method} ${redactUrl(request.url.split('?')[0]!)}`,
    ),
  );
}
