import { Value } from '@sinclair/typebox/value';
import type { Clock } from '../../src/context.ts';
import { Playbook } from '../../src/playbooks/definition/schema.ts';
import { createPlaybookService } from '../../src/playbooks/service.ts';
import { executors as builtin } from '../../src/playbooks/steps/index.ts';
import type { LoadedPlaybook, StepExecutor } from '../../src/playbooks/types.ts';
import type { IncidentStore } from '../../src/store/types.ts';
import type { SiemClient } from '../../src/client/types.ts';
import { silent } from '../helpers.ts';

/** A clock for tests: `sleep` resolves only when `advance` moves time past its end. */
export class ManualClock implements Clock {
  ms: number;
  private sleepers: { until: number; resolve: () => void }[] = [];
  private onSleep: (() => void)[] = [];
  constructor(ms = Date.UTC(2026, 0, 1)) {
    this.ms = ms;
  }
  now(): number {
    return this.ms;
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const s = { until: this.ms + ms, resolve };
      this.sleepers.push(s);
      signal?.addEventListener(
        'abort',
        () => {
          this.sleepers = this.sleepers.filter((x) => x !== s);
          reject(signal.reason);
        },
        { once: true },
      );
      for (const f of this.onSleep.splice(0)) f();
    });
  }
  /** Resolves once someone sleeps (a step waiting on its timeout, say). */
  sleeping(): Promise<void> {
    if (this.sleepers.length) return Promise.resolve();
    return new Promise((r) => this.onSleep.push(r));
  }
  advance(ms: number): void {
    this.ms += ms;
    const due = this.sleepers.filter((s) => s.until <= this.ms);
    this.sleepers = this.sleepers.filter((s) => s.until > this.ms);
    for (const s of due) s.resolve();
  }
}

/** Test-only `set` (the real one is steps/set.ts): renders `values` as the output. */
export const testSet: StepExecutor = {
  kind: 'set',
  async execute(step, ctx) {
    const values = (step as { values: Record<string, unknown> }).values;
    const out = (await ctx.render(values)) as Record<string, unknown>;
    return { input: out, output: out };
  },
};

/** Test-only `http` that never answers (ignores its signal): the anchor's hanging task. */
export const hangingHttp: StepExecutor = {
  kind: 'http',
  execute: () => new Promise(() => {}),
};

/** A playbook from a plain object, checked against the schema (a typo fails the test). */
export function playbook(def: unknown): LoadedPlaybook {
  const withDefaults = Value.Default(Playbook, structuredClone(def));
  if (!Value.Check(Playbook, withDefaults)) {
    const first = [...Value.Errors(Playbook, withDefaults)][0];
    throw new Error(`test playbook invalid at ${first?.path}: ${first?.message}`);
  }
  return {
    file: `${(def as { name: string }).name}.yaml`,
    definition: withDefaults as Playbook,
    builtin: false,
  };
}

/** A service whose worker is not started: tests drive it with `worker.drain()`. */
export function engine(
  store: IncidentStore,
  playbooks: LoadedPlaybook[],
  opts: { clock?: Clock; executors?: StepExecutor[]; sinks?: string[] } = {},
) {
  const clock = opts.clock ?? new ManualClock();
  const service = createPlaybookService({
    store,
    playbooks,
    executors: [...builtin, testSet, ...(opts.executors ?? [])],
    clock,
    logger: silent,
    client: {} as SiemClient,
    env: {},
    sinks: opts.sinks ?? [],
    run: false,
  });
  return { service, worker: service.worker!, clock };
}
