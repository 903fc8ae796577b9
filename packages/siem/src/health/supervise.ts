import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import { backoffMs, DEFAULT_BACKOFF, type Backoff } from './backoff.ts';
import type { ServiceReporter } from './health.ts';

export interface SuperviseOptions {
  name: string;
  reporter: ServiceReporter;
  clock: Clock;
  logger: Logger;
  signal: AbortSignal;
  backoff?: Backoff;
  /** One run of the service; it returns when done (or aborted) and throws when it cannot go on. */
  run: (signal: AbortSignal) => Promise<void>;
}

/**
 * Runs a background service until `signal` aborts, restarting it after a capped backoff
 * whenever it fails, so one failed write (a full disk) never stops it for good. Its state is
 * reported for GET /health.
 */
export async function supervise(opts: SuperviseOptions): Promise<void> {
  const { reporter, clock, signal } = opts;
  while (!signal.aborted) {
    try {
      await opts.run(signal);
      break;
    } catch (err) {
      if (signal.aborted) break;
      const wait = backoffMs(reporter.consecutiveFailures + 1, opts.backoff ?? DEFAULT_BACKOFF);
      reporter.failed(err, wait);
      opts.logger.error(
        { err, service: opts.name, retryInMs: wait },
        'background service failed; restarting',
      );
      try {
        await clock.sleep(wait, signal);
      } catch {
        break;
      }
    }
  }
  reporter.stopped();
}
