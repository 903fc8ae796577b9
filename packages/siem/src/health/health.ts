import { Type, type Static } from '@sinclair/typebox';
import type { Clock } from '../clock.ts';

/**
 * `running`: working; `retrying`: its last attempt failed, it waits (capped backoff) and tries
 * again; `stopped`: it ended (shutdown, or nothing to do).
 */
export const ServiceState = Type.Union([
  Type.Literal('starting'),
  Type.Literal('running'),
  Type.Literal('retrying'),
  Type.Literal('stopped'),
]);

export const ServiceHealth = Type.Object({
  state: ServiceState,
  /** ISO 8601 time the service entered this state. */
  since: Type.String(),
  /** Failures in a row (0 once an attempt succeeds). */
  consecutiveFailures: Type.Integer(),
  /** The last failure's message (a store error says what failed, e.g. "database or disk is full"). */
  lastError: Type.Optional(Type.String()),
  lastErrorAt: Type.Optional(Type.String()),
  /** When the next attempt is due, while retrying. */
  nextAttemptAt: Type.Optional(Type.String()),
});
export type ServiceHealth = Static<typeof ServiceHealth>;

/** What a background service reports about itself. */
export interface ServiceReporter {
  running(): void;
  /** An attempt failed; the service retries in `retryInMs`. */
  failed(err: unknown, retryInMs: number): void;
  stopped(): void;
  readonly consecutiveFailures: number;
}

export interface Health {
  /** The reporter of service `name` (created on first use; the same one afterwards). */
  service(name: string): ServiceReporter;
  snapshot(): Record<string, ServiceHealth>;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** The state of the SIEM's background services (demo generator, rule engine), for GET /health. */
export function createHealth(clock: Clock): Health {
  const services = new Map<string, ServiceHealth>();
  const reporters = new Map<string, ServiceReporter>();
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    service(name) {
      const known = reporters.get(name);
      if (known) return known;
      const entry: ServiceHealth = { state: 'starting', since: iso(clock.now()), consecutiveFailures: 0 };
      services.set(name, entry);
      const enter = (state: ServiceHealth['state']) => {
        if (entry.state !== state) entry.since = iso(clock.now());
        entry.state = state;
      };
      const reporter: ServiceReporter = {
        running() {
          enter('running');
          entry.consecutiveFailures = 0;
          delete entry.nextAttemptAt;
        },
        failed(err, retryInMs) {
          enter('retrying');
          entry.consecutiveFailures++;
          entry.lastError = message(err);
          entry.lastErrorAt = iso(clock.now());
          entry.nextAttemptAt = iso(clock.now() + retryInMs);
        },
        stopped() {
          enter('stopped');
          delete entry.nextAttemptAt;
        },
        get consecutiveFailures() {
          return entry.consecutiveFailures;
        },
      };
      reporters.set(name, reporter);
      return reporter;
    },
    snapshot() {
      return Object.fromEntries([...services].map(([k, v]) => [k, { ...v }]));
    },
  };
}
