import type { Logger } from 'pino';

const LEVELS: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };

/**
 * A pino logger built on first use: the first line at an enabled level (or anything else asked of
 * it beyond the log methods, `child` and `level`) calls `make`. A one-shot verb that writes no log
 * line at its level (warn by default), as `fetch-incidents --once` with nothing new, then never
 * loads pino and its transport machinery (worker threads): ~8 MB and ~50 ms of a CLI start.
 * Children are recorded and replayed on the real logger, so bindings are kept.
 */
export function lazyLogger(level: string, make: () => Logger): Logger {
  let root: Logger | undefined;
  return view(level, () => (root ??= make()), []);
}

function view(level: string, root: () => Logger, bindings: Record<string, unknown>[]): Logger {
  let real: Logger | undefined;
  const get = () => (real ??= bindings.reduce<Logger>((l, b) => l.child(b), root()));
  const threshold = LEVELS[level] ?? Infinity; // 'silent' (or unknown: pino rejects it on first use)
  const noop = () => {};
  return new Proxy({} as Logger, {
    get(_target, prop) {
      if (typeof prop === 'string' && prop in LEVELS && !real) {
        if (LEVELS[prop]! < threshold) return noop;
      }
      if (prop === 'level' && !real) return level;
      if (prop === 'isLevelEnabled' && !real) return (l: string) => (LEVELS[l] ?? -1) >= threshold;
      if (prop === 'child' && !real) {
        return (b: Record<string, unknown>, options?: unknown) =>
          options === undefined ? view(level, root, [...bindings, b]) : get().child(b, options as never);
      }
      const l = get();
      const v = Reflect.get(l, prop) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(l) : v;
    },
    set(_target, prop, value) {
      return Reflect.set(get(), prop, value);
    },
  });
}
