import type { StepKindName } from '../definition/schema.ts';

const UNIT: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `250ms`, `30s`, `5m`, `2h`, `1d` in milliseconds (the schema's Duration pattern). */
export function durationMs(d: string): number {
  const m = /^([0-9]+)(ms|s|m|h|d)$/.exec(d);
  if (!m) throw new Error(`"${d}" is not a duration (like 250ms, 30s, 5m, 2h, 1d)`);
  return Number(m[1]) * UNIT[m[2]!]!;
}

/**
 * A step's timeout when it gives none. Steps that wait on someone or something else (manual,
 * wait, playbook, foreach) have none of their own: the run's deadline bounds them.
 */
export const DEFAULT_TIMEOUT_MS: Partial<Record<StepKindName, number>> = {
  set: 10_000,
  switch: 10_000,
  end: 10_000,
  fail: 10_000,
  'update-incident': 30_000,
  deliver: 30_000,
  http: 60_000,
  command: 120_000,
};

/** The run's deadline when the playbook gives none. */
export const DEFAULT_DEADLINE_MS = 3_600_000;

export function timeoutMs(kind: string, timeout: string | undefined): number | null {
  if (timeout !== undefined) return durationMs(timeout);
  return DEFAULT_TIMEOUT_MS[kind as StepKindName] ?? null;
}

/** Retry backoff: the given base, doubled each attempt, capped at an hour. */
export function backoffMs(base: string | undefined, attempt: number): number {
  const b = base === undefined ? 1000 : durationMs(base);
  return Math.min(b * 2 ** Math.max(0, attempt - 1), 3_600_000);
}
