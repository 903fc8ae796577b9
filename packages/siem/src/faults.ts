/**
 * Fault injection state, off by default. The admin endpoint (modules/admin) changes it; the
 * HTTP hook, the rule engine and the feed read it. One object per app instance, never global.
 */
export interface FaultSettings {
  /** Delay, in ms, between a rule triggering and its event being indexed (committed). */
  lateIndexMs: number;
  /** Share (0..1) of triggered events that are indexed late. */
  lateIndexShare: number;
  /** When > 0, every rule evaluation also emits this many extra events sharing one eventDate. */
  burstSize: number;
  /** Share (0..1) of API requests answered with 429. */
  rate429: number;
  /** Share (0..1) of API requests answered with a 5xx (500, 502, 503 or 504). */
  rate5xx: number;
  /** Share (0..1) of API requests delayed by `slowMs`. */
  slowShare: number;
  slowMs: number;
  /** Share (0..1) of feed responses cut before the offset line. */
  feedCutShare: number;
  /** Offsets older than this many seconds get 416 (default: the real 12 hours). */
  offsetMaxAgeSeconds: number;
  /** Only requests whose path starts with one of these are affected by rate429/rate5xx/slow; empty = all. */
  paths: string[];
}

export const DEFAULT_FAULTS: FaultSettings = {
  lateIndexMs: 0,
  lateIndexShare: 0,
  burstSize: 0,
  rate429: 0,
  rate5xx: 0,
  slowShare: 0,
  slowMs: 0,
  feedCutShare: 0,
  offsetMaxAgeSeconds: 12 * 3600,
  paths: [],
};

export interface Faults {
  get(): Readonly<FaultSettings>;
  set(patch: Partial<FaultSettings>): FaultSettings;
  reset(): FaultSettings;
  /** Random source, injectable so tests are deterministic. */
  random(): number;
}

export function createFaults(random: () => number = Math.random): Faults {
  let current: FaultSettings = { ...DEFAULT_FAULTS };
  return {
    get: () => current,
    set(patch) {
      current = { ...current, ...patch };
      return current;
    },
    reset() {
      current = { ...DEFAULT_FAULTS };
      return current;
    },
    random,
  };
}
