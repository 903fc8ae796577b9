/**
 * Fault injection state, off by default. One object per app instance, never global. It has
 * two levels: the instance-wide settings (`set`/`reset` without an account, for the process
 * that runs the SIEM, e.g. tests) and per-account settings, which is all the admin endpoint
 * (modules/admin) can change, so one tenant can only fault its own requests, rules and feeds.
 * Only the fault plugin's request hook and the wrappers around the events writer and the feed
 * (modules/admin; registered with `faultInjection` on) read the settings of the account concerned.
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
  /** The settings in force for `accountId` (its own, else the instance-wide ones), or the instance-wide ones. */
  get(accountId?: number): Readonly<FaultSettings>;
  /** Merges `patch` into the account's settings (starting from what is in force for it), or the instance-wide ones. */
  set(patch: Partial<FaultSettings>, accountId?: number): FaultSettings;
  /** Drops the account's own settings (back to the instance-wide ones), or resets the instance-wide ones. */
  reset(accountId?: number): FaultSettings;
  /** Random source, injectable so tests are deterministic. */
  random(): number;
}

export function createFaults(random: () => number = Math.random): Faults {
  let instance: FaultSettings = { ...DEFAULT_FAULTS };
  const perAccount = new Map<number, FaultSettings>();
  const get = (accountId?: number) =>
    (accountId === undefined ? undefined : perAccount.get(accountId)) ?? instance;
  return {
    get,
    set(patch, accountId) {
      const next = { ...get(accountId), ...patch };
      if (accountId === undefined) instance = next;
      else perAccount.set(accountId, next);
      return next;
    },
    reset(accountId) {
      if (accountId === undefined) instance = { ...DEFAULT_FAULTS };
      else perAccount.delete(accountId);
      return get(accountId);
    },
    random,
  };
}
