import type { FastifyError, FastifyInstance } from 'fastify';
import { ConnectorError } from '../errors.ts';

/** Every error as `{errorCode, message, field?}`; validation names the field; 5xx details only in the log. */
export function installApiErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | ConnectorError, request, reply) => {
    // 503 is said plainly too: a part switched off, not a failure to hide.
    if (
      err instanceof ConnectorError &&
      err.status !== undefined &&
      (err.status < 500 || err.status === 503)
    ) {
      return reply
        .status(err.status)
        .send({ errorCode: err.code, message: err.message, ...(err.field ? { field: err.field } : {}) });
    }
    const fe = err as FastifyError;
    if (fe.validation) {
      const v = fe.validation[0]!;
      const base = fe.validationContext ?? 'body';
      const params = v.params as Record<string, unknown>;
      const path = v.instancePath.replace(/^\//, '').replaceAll('/', '.');
      let field = path ? `${base}.${path}` : base;
      if (typeof params.missingProperty === 'string') field = `${field}.${params.missingProperty}`;
      if (typeof params.additionalProperty === 'string') {
        field = `${field}.${params.additionalProperty}`;
        return reply
          .status(400)
          .send({ errorCode: 'VALIDATION_FAILED', message: `${field} is not allowed`, field });
      }
      // A union of literals (TypeBox) fails as one `const` error per branch: list them all.
      const consts = fe.validation
        .filter((e) => e.keyword === 'const' && e.instancePath === v.instancePath)
        .map((e) => String((e.params as { allowedValue?: unknown }).allowedValue));
      const allowed = Array.isArray(params.allowedValues)
        ? ` (one of ${params.allowedValues.join(', ')})`
        : '';
      const message = consts.length
        ? `${field} must be one of ${consts.join(', ')}`
        : `${field} ${v.message ?? 'is invalid'}${allowed}`;
      return reply.status(400).send({ errorCode: 'VALIDATION_FAILED', message, field });
    }
    if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
      return reply.status(fe.statusCode).send({ errorCode: fe.code ?? 'BAD_REQUEST', message: fe.message });
    }
    request.log.error({ err }, 'request failed');
    return reply.status(500).send({ errorCode: 'INTERNAL', message: 'internal error' });
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .status(404)
      .send({ errorCode: 'NOT_FOUND', message: `no route ${request.method} ${request.url.split('?')[0]}` }),
  );
}
