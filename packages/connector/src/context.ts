import type { Logger } from 'pino';

/**
 * Time for the connector: injectable so fetch schedules, windows and backoff are testable
 * without sleeps. (The connector never imports SIEM internals, so it has its own.)
 */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Resolves after `ms`; rejects with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal!.reason);
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

/** What every connector operation runs with: passed down, never global. */
export interface RunContext {
  logger: Logger;
  clock: Clock;
  signal: AbortSignal;
}
