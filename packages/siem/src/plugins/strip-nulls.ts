import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { SiemError } from '../errors.ts';

/** Deeper JSON bodies are refused: no endpoint needs them, and walking them would overflow the stack. */
export const MAX_BODY_DEPTH = 1000;

/**
 * Real clients (FortiSOAR) send `"timeRange":{"fromDate":null}` meaning "absent". Removing
 * nulls before validation makes every nested null behave like a missing key. A body nested
 * more than MAX_BODY_DEPTH levels is a 400 (naming `body`), not a stack overflow.
 */
export function stripNulls(value: unknown, depth = 1): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth > MAX_BODY_DEPTH) {
    throw new SiemError({
      code: 'BODY_TOO_DEEP',
      field: 'body',
      message: `body: JSON is nested more than ${MAX_BODY_DEPTH} levels deep`,
    });
  }
  if (Array.isArray(value)) return value.filter((v) => v !== null).map((v) => stripNulls(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== null) out[k] = stripNulls(v, depth + 1);
  return out;
}

/** Strips nulls from every JSON body before validation. Installed once at the app's root. */
export const stripNullsPlugin = fp(
  async (app: FastifyInstance) => {
    app.addHook('preValidation', async (request) => {
      if (request.body && typeof request.body === 'object') request.body = stripNulls(request.body);
    });
  },
  { name: 'siemlink-strip-nulls' },
);
