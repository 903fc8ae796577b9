import type { FastifyRequest } from 'fastify';
import type { Clock } from '../../clock.ts';
import { SiemError, tooManyRequests } from '../../errors.ts';
import type { Faults } from '../../faults.ts';

/** The admin endpoint itself is never faulted, or a test could not switch faults off again. */
export const FAULTS_PATH = '/admin/faults';
const INJECTED_5XX = [500, 502, 503, 504] as const;

/**
 * onRequest hook (after auth): with the fault settings of the request's account, answers a share of requests 429 (with
 * Retry-After: 1) or 500/502/503/504, and delays another share by `slowMs` of the injected
 * clock. One random draw picks 429 vs 5xx vs nothing; a second one decides the delay. The
 * error is rendered by the route's own error handler (problem+json on the feed).
 */
export function faultHook(faults: Faults, clock: Clock) {
  return async (request: FastifyRequest): Promise<void> => {
    // Unauthenticated requests get the instance-wide settings only.
    const f = faults.get(request.account?.id);
    if (f.rate429 <= 0 && f.rate5xx <= 0 && (f.slowShare <= 0 || f.slowMs <= 0)) return;
    const path = request.url.split('?')[0]!;
    if (path === FAULTS_PATH || path.startsWith(`${FAULTS_PATH}/`)) return;
    if (f.paths.length > 0 && !f.paths.some((p) => path.startsWith(p))) return;
    const r = faults.random();
    if (r < f.rate429) throw tooManyRequests('injected fault: too many requests', 1);
    if (r < f.rate429 + f.rate5xx) {
      const status = INJECTED_5XX[Math.min(3, Math.floor(faults.random() * 4))]!;
      throw new SiemError({
        code: 'INJECTED_FAULT',
        status,
        message: `injected fault: ${status}`,
        headers: status === 503 ? { 'retry-after': '1' } : undefined,
      });
    }
    if (f.slowShare > 0 && f.slowMs > 0 && faults.random() < f.slowShare) await clock.sleep(f.slowMs);
  };
}
