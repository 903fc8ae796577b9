import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { SiemError } from '../errors.ts';

/** Path (`body.pagination.pageSize`) of the first number in `value` that is not finite. */
export function nonFinitePath(value: unknown, path: string): string | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : path;
  if (value === null || typeof value !== 'object') return undefined;
  const entries = Array.isArray(value) ? value.entries() : Object.entries(value);
  for (const [k, v] of entries) {
    const found = nonFinitePath(v, `${path}.${k}`);
    if (found) return found;
  }
  return undefined;
}

/**
 * Numbers sent as strings are coerced by the validator, but Ajv coerces "Infinity",
 * "-Infinity" and "1e400" to ±Infinity and then skips minimum/maximum for non-finite values:
 * `"pageSize":"Infinity"` passed `maximum: 1000` and reached SQLite (500), and a rule's
 * `"searchTimeFrameMinutes":"Infinity"` was stored. This runs after validation, on the coerced
 * values, and answers 400 like a schema failure. Installed once at the app's root.
 */
export const finiteNumbersPlugin = fp(rejectNonFiniteNumbers, { name: 'siemlink-finite-numbers' });

async function rejectNonFiniteNumbers(app: FastifyInstance): Promise<void> {
  app.addHook('preHandler', async (request) => {
    const parts: [string, unknown][] = [
      ['body', request.body],
      ['querystring', request.query],
      ['params', request.params],
    ];
    for (const [part, value] of parts) {
      const field = nonFinitePath(value, part);
      if (field) {
        throw new SiemError({
          code: 'VALIDATION_FAILED',
          field,
          message: `${field} must be a finite number`,
        });
      }
    }
  });
}
