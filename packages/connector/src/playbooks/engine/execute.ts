import type { Logger } from 'pino';
import type { SiemClient } from '../../client/types.ts';
import type { Clock } from '../../context.ts';
import type { Incident } from '../../store/types.ts';
import type { ForeachBody, Playbook, Retry, Step } from '../definition/schema.ts';
import type { ClaimedUnit, Completion, Journal, NewRun, NewStep } from '../journal/journal.ts';
import type { StepRow } from '../journal/rows.ts';
import type { LocalEffect, RunScope, StepContext, StepExecutor } from '../types.ts';
import { resolveInputs, type Catalog } from './catalog.ts';
import { backoffMs, DEFAULT_DEADLINE_MS, durationMs, timeoutMs } from './durations.ts';
import type { Expressions } from '../expressions/expressions.ts';

/** What the engine runs a claimed unit with. Given by the worker, never global. */
export interface EngineDeps {
  journal: Journal;
  catalog: Catalog;
  executors: ReadonlyMap<string, StepExecutor>;
  expressions: Expressions;
  clock: Clock;
  logger: Logger;
  client: SiemClient;
  env: Record<string, string | undefined>;
  sinks: readonly string[];
  getIncident(id: string): Promise<Incident | null>;
}

type Def = Step | ForeachBody;

/** The idempotency key sent with every outgoing call of this unit (item `-` when none). */
export function idempotencyKey(runId: string, stepId: string, item: number | null, attempt: number): string {
  return `${runId}:${stepId}:${item ?? '-'}:${attempt}`;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** JSONata's idea of true: false, null, 0, '' and empty arrays are not. */
function truthy(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  return v !== false && v !== null && v !== undefined && v !== 0 && v !== '';
}

function nextOf(pb: Playbook, step: Step): string | null {
  if (step.next !== undefined) return step.next;
  const i = pb.steps.indexOf(step);
  return pb.steps[i + 1]?.id ?? null;
}

/** A new run's (or the next step's) row: ready now. */
export function firstRow(step: Step, now: number): NewStep {
  return { stepId: step.id, kind: step.kind, status: 'ready', dueAt: now };
}

/** The rows a run starts with. */
export function newRun(
  pb: Playbook,
  r: Omit<NewRun, 'playbook' | 'version' | 'deadlineAt' | 'first'>,
  now: number,
): NewRun {
  return {
    ...r,
    playbook: pb.name,
    version: pb.version,
    deadlineAt: now + (pb.deadline ? durationMs(pb.deadline) : DEFAULT_DEADLINE_MS),
    first: firstRow(pb.steps[0]!, now),
  };
}

class Unit {
  readonly deps: EngineDeps;
  readonly u: ClaimedUnit;
  readonly owner: string;
  readonly pb: Playbook;
  readonly step: Step;
  readonly def: Def;
  readonly scope: RunScope;
  constructor(
    deps: EngineDeps,
    u: ClaimedUnit,
    owner: string,
    pb: Playbook,
    step: Step,
    def: Def,
    scope: RunScope,
  ) {
    this.deps = deps;
    this.u = u;
    this.owner = owner;
    this.pb = pb;
    this.step = step;
    this.def = def;
    this.scope = scope;
  }

  /** Read when needed: a step may take long, and due times count from its end. */
  get now(): number {
    return this.deps.clock.now();
  }

  get row(): StepRow {
    return this.u.row;
  }

  base(): Omit<Completion, 'row' | 'events'> {
    return {
      rowId: this.row.id,
      runId: this.u.run.id,
      stepId: this.row.stepId,
      item: this.row.item,
      attempt: this.row.attempt,
      owner: this.owner,
      now: this.now,
    };
  }

  /** The run's outputs (its `outputs` expressions over the final scope), or its failure. */
  async finish(extra: Record<string, RunScope['steps'][string]>): Promise<NonNullable<Completion['run']>> {
    const scope = { ...this.scope, steps: { ...this.scope.steps, ...extra } };
    const outputs: Record<string, unknown> = {};
    for (const [k, expr] of Object.entries(this.pb.outputs ?? {})) {
      try {
        outputs[k] = await this.deps.expressions.evaluate(expr, scope);
      } catch (err) {
        return { status: 'failed', error: `outputs.${k}: ${message(err)}`, failedStep: null };
      }
    }
    return { status: 'succeeded', outputs };
  }

  async succeed(
    output: unknown,
    opts: { input?: unknown; effects?: LocalEffect[]; next?: string | null; end?: boolean } = {},
  ): Promise<Completion> {
    const c: Completion = {
      ...this.base(),
      row: {
        status: 'succeeded',
        output,
        error: null,
        errorKind: null,
        ...(opts.input !== undefined ? { input: opts.input } : {}),
      },
      events: [{ kind: 'step.succeeded' }],
    };
    if (opts.effects?.length) {
      c.effects = opts.effects;
      // The store may refuse a change (an unknown incident, a case rule): the step then fails,
      // with nothing of it applied.
      c.refused = (error) => this.failure(`the store refused the step's change: ${error}`, 'error');
    }
    if (this.row.item !== null) return c;
    const next = opts.end ? null : opts.next !== undefined ? opts.next : nextOf(this.pb, this.step);
    if (next !== null) {
      const s = this.pb.steps.find((x) => x.id === next);
      if (!s) {
        c.run = {
          status: 'failed',
          error: `step "${this.step.id}" goes to "${next}", which does not exist`,
          failedStep: this.step.id,
        };
      } else c.add = [firstRow(s, this.now)];
    } else {
      c.run = await this.finish({ [this.step.id]: { output, status: 'succeeded', error: null } });
    }
    return c;
  }

  /** A failure: retried while the step's retry allows, else on-error, else the run fails. */
  failure(
    error: string,
    errorKind: 'error' | 'timeout',
    retry: Retry | undefined = this.def.retry,
  ): Completion {
    const attempt = this.row.attempt;
    const on = retry?.on ?? ['error', 'timeout'];
    if (retry && attempt <= retry.max && on.includes(errorKind)) {
      return {
        ...this.base(),
        row: {
          status: 'ready',
          phase: 'start',
          attempt: attempt + 1,
          dueAt: this.now + backoffMs(retry.backoff, attempt),
          timeoutAt: null,
          error,
          errorKind,
        },
        events: [{ kind: 'step.retry', data: { error, errorKind, nextAttempt: attempt + 1 } }],
      };
    }
    const c: Completion = {
      ...this.base(),
      row: { status: 'failed', error, errorKind, timeoutAt: null },
      events: [{ kind: 'step.failed', data: { error, errorKind } }],
    };
    if (this.row.item !== null) return c;
    const onError = this.step['on-error'];
    const handler = onError === undefined ? undefined : this.pb.steps.find((s) => s.id === onError);
    if (handler) c.add = [firstRow(handler, this.now)];
    else
      c.run = {
        status: 'failed',
        error: `step "${this.step.id}" failed: ${error}`,
        failedStep: this.step.id,
      };
    return c;
  }

  /** The step waits (a time, a task, a sub-run, its items); it is taken up again in phase `resume`. */
  park(
    wait: { dueAt: number | null; input: unknown; state?: Record<string, unknown>; event: unknown },
    extra: Pick<Completion, 'childRun' | 'items' | 'run'> = {},
  ): Completion {
    return {
      ...this.base(),
      row: {
        status: 'waiting',
        phase: 'resume',
        dueAt: wait.dueAt,
        timeoutAt: this.waitingTimeout(),
        ...(wait.state !== undefined ? { state: wait.state } : {}),
        input: wait.input,
      },
      ...extra,
      events: [{ kind: 'step.waiting', data: wait.event }],
    };
  }

  waitingTimeout(): number | null {
    return this.def.timeout === undefined ? null : this.now + durationMs(this.def.timeout);
  }

  render(t: unknown, secrets?: Record<string, string>): Promise<unknown> {
    return this.deps.expressions.render(t, secrets ? { ...this.scope, secrets } : this.scope);
  }
}

/**
 * Runs one claimed unit (a step or a foreach item, in its phase) and says what to commit. Null
 * when the worker is stopping: nothing is committed, the lease is given back, the same attempt
 * runs again elsewhere.
 */
export async function executeUnit(
  deps: EngineDeps,
  u: ClaimedUnit,
  owner: string,
  signal: AbortSignal,
): Promise<Completion | null> {
  const { run, row } = u;
  const pb = deps.catalog.get(run.playbook, run.version);
  const bare = (error: string): Completion => ({
    rowId: row.id,
    runId: run.id,
    stepId: row.stepId,
    item: row.item,
    attempt: row.attempt,
    owner,
    now: deps.clock.now(),
    row: { status: 'failed', error, errorKind: 'error' },
    events: [{ kind: 'step.failed', data: { error } }],
    run: { status: 'failed', error, failedStep: row.stepId },
  });
  if (!pb) return bare(`playbook "${run.playbook}" version ${run.version} is not loaded by this worker`);
  const step = pb.steps.find((s) => s.id === row.stepId);
  if (!step) return bare(`playbook "${run.playbook}" version ${run.version} has no step "${row.stepId}"`);
  let def: Def = step;
  if (row.item !== null) {
    if (step.kind !== 'foreach') return bare(`step "${row.stepId}" is not a foreach`);
    def = step.do;
  }
  const scope = await scopeOf(deps, u);
  const unit = new Unit(deps, u, owner, pb, step, def, scope);
  if (row.phase === 'timeout') {
    return unit.failure(`timed out after ${def.timeout ?? '?'} waiting`, 'timeout');
  }
  try {
    return await runKind(unit, signal);
  } catch (err) {
    if (signal.aborted) return null;
    return unit.failure(message(err), 'error');
  }
}

async function scopeOf(deps: EngineDeps, u: ClaimedUnit): Promise<RunScope> {
  const steps: RunScope['steps'] = {};
  for (const r of await deps.journal.stepResults(u.run.id)) {
    steps[r.stepId] = { output: r.output, status: r.status, error: r.error };
  }
  const scope: RunScope = {
    incident: u.run.incidentId === null ? null : await deps.getIncident(u.run.incidentId),
    inputs: u.run.inputs,
    steps,
    run: { id: u.run.id, playbook: u.run.playbook, version: u.run.version },
  };
  if (u.row.item !== null) {
    scope.item = u.row.state?.item ?? null;
    scope.index = u.row.item;
  }
  return scope;
}

async function runKind(unit: Unit, signal: AbortSignal): Promise<Completion | null> {
  const { deps, def, row } = unit;
  switch (def.kind) {
    case 'switch': {
      let chosen: number | null = null;
      for (let i = 0; i < def.cases.length; i++) {
        if (truthy(await deps.expressions.evaluate(def.cases[i]!.when, unit.scope))) {
          chosen = i;
          break;
        }
      }
      const next = chosen === null ? def.default : def.cases[chosen]!.next;
      return unit.succeed({ case: chosen, next }, { next });
    }
    case 'end':
      return unit.succeed(null, { end: true });
    case 'fail': {
      const rendered = await unit.render(def.message);
      const text = typeof rendered === 'string' ? rendered : JSON.stringify(rendered);
      return {
        ...unit.base(),
        row: { status: 'failed', error: text, errorKind: 'error', input: { message: text } },
        events: [{ kind: 'step.failed', data: { error: text } }],
        run: { status: 'failed', error: text, failedStep: def.id },
      };
    }
    case 'wait': {
      if (row.phase === 'resume') {
        const until = row.state?.until;
        return unit.succeed({ until: typeof until === 'number' ? new Date(until).toISOString() : null });
      }
      let until: number;
      if (def.duration !== undefined) until = unit.now + durationMs(def.duration);
      else if (def.until !== undefined) {
        const v = await deps.expressions.evaluate(def.until, unit.scope);
        until = typeof v === 'number' ? v : typeof v === 'string' ? Date.parse(v) : NaN;
        if (!Number.isFinite(until)) {
          throw new Error(
            `wait.until: "${def.until}" gave ${JSON.stringify(v)}, not an ISO 8601 time or epoch ms`,
          );
        }
      } else throw new Error('wait needs duration or until');
      return unit.park({
        dueAt: until,
        state: { until },
        input: { until: new Date(until).toISOString() },
        event: { until },
      });
    }
    case 'manual': {
      if (row.phase === 'resume') {
        const st = row.state ?? {};
        const answer = (st.answer ?? {}) as Record<string, unknown>;
        return unit.succeed({ ...answer, answeredBy: st.by ?? null, answeredAt: st.at ?? null });
      }
      const prompt = await unit.render(def.prompt);
      const assignee = def.assignee === undefined ? null : await unit.render(def.assignee);
      return unit.park(
        { dueAt: null, input: { prompt, assignee, form: def.form ?? {} }, event: { manual: true } },
        { run: { status: 'waiting' } },
      );
    }
    case 'playbook':
      return playbookStep(unit, def);
    case 'foreach':
      return foreachStep(unit, def);
    default:
      return executorStep(unit, def, signal);
  }
}

async function playbookStep(unit: Unit, def: Extract<Def, { kind: 'playbook' }>): Promise<Completion> {
  const { deps, row } = unit;
  const run = unit.u.run;
  if (row.phase === 'resume') {
    const childId = row.state?.childRunId;
    const child = typeof childId === 'string' ? await deps.journal.getRun(childId) : null;
    if (!child) throw new Error(`sub-playbook run ${String(childId)} is missing`);
    if (child.status === 'succeeded') return unit.succeed(child.outputs ?? {});
    return unit.failure(
      `sub-playbook "${child.playbook}" run ${child.id} ended ${child.status}${child.error ? `: ${child.error}` : ''}`,
      child.status === 'timed-out' ? 'timeout' : 'error',
    );
  }
  const pb = deps.catalog.get(def.playbook, def.version);
  if (!pb) {
    throw new Error(
      `sub-playbook "${def.playbook}"${def.version === undefined ? '' : ` version ${def.version}`} is not loaded`,
    );
  }
  const given = (await unit.render(def.with ?? {})) as Record<string, unknown>;
  const inputs = resolveInputs(pb, given, `${row.stepId}.with`);
  const childRun = newRun(
    pb,
    {
      id: `${run.id}~${row.stepId}${row.item === null ? '' : `.${row.item}`}~${row.attempt}`,
      incidentId: run.incidentId,
      trigger: 'playbook',
      triggerKey: null,
      startedBy: run.id,
      parent: { runId: run.id, stepId: row.stepId, item: row.item },
      inputs,
    },
    unit.now,
  );
  return unit.park(
    {
      dueAt: null,
      state: { childRunId: childRun.id },
      input: { playbook: pb.name, version: pb.version, inputs },
      event: { childRunId: childRun.id },
    },
    { childRun },
  );
}

async function foreachStep(unit: Unit, def: Extract<Def, { kind: 'foreach' }>): Promise<Completion> {
  const { deps, row } = unit;
  if (row.phase === 'resume') {
    const items = await deps.journal.itemRows(unit.u.run.id, row.stepId);
    const failed = items.filter((i) => i.status !== 'succeeded');
    if (failed.length === 0) return unit.succeed(items.map((i) => i.output));
    const first = failed[0]!;
    return unit.failure(
      `${failed.length} of ${items.length} items failed; item ${first.item}: ${first.error ?? first.status}`,
      failed.every((f) => f.errorKind === 'timeout') ? 'timeout' : 'error',
    );
  }
  const v = await deps.expressions.evaluate(def.items, unit.scope);
  const values = v === null || v === undefined ? [] : Array.isArray(v) ? v : [v];
  // An empty list completes at once: nothing to wait for.
  if (values.length === 0) return unit.succeed([], { input: { count: 0 } });
  return unit.park(
    {
      dueAt: null,
      input: { count: values.length, concurrency: def.concurrency ?? 1 },
      event: { items: values.length },
    },
    { items: { kind: def.do.kind, values, concurrency: def.concurrency ?? 1 } },
  );
}

const TIMEOUT: unique symbol = Symbol('timeout');
const STEP_ENDED = new Error('step ended');

async function executorStep(unit: Unit, def: Def, signal: AbortSignal): Promise<Completion | null> {
  const { deps, row } = unit;
  const executor = deps.executors.get(def.kind);
  if (!executor) throw new Error(`no executor for step kind "${def.kind}" in this worker`);
  // The timeout bounds one execution by a live worker. A unit claimed again after its worker died
  // (same attempt, same idempotency key) gets the full time again, on purpose: charging it the
  // time spent in a dead worker would end the attempt unheard and retry it under a NEW key, which
  // the receiver cannot recognise as the same call. The run's deadline (watchdog) bounds the total,
  // so a step that keeps killing its worker still ends, visibly, as timed-out.
  const limit = timeoutMs(def.kind, def.timeout);
  const stepAbort = new AbortController();
  const onStop = () => stepAbort.abort(signal.reason);
  signal.addEventListener('abort', onStop, { once: true });
  const timer = new AbortController();
  // Removed when the step ends: the worker's signal lives as long as the worker.
  let onStopping: (() => void) | null = null;
  const run = unit.u.run;
  const ctx: StepContext = {
    runId: run.id,
    stepId: row.stepId,
    item: row.item,
    attempt: row.attempt,
    idempotencyKey: idempotencyKey(run.id, row.stepId, row.item, row.attempt),
    signal: stepAbort.signal,
    clock: deps.clock,
    logger: deps.logger.child({ runId: run.id, stepId: row.stepId, item: row.item, attempt: row.attempt }),
    scope: unit.scope,
    render: (t, secrets) => unit.render(t, secrets),
    client: deps.client,
    env: deps.env,
    sinks: deps.sinks,
  };
  try {
    const outcome = executor.execute(def as Step, ctx).then(
      (o) => ({ ok: o }),
      (err: unknown) => ({ err }),
    );
    // A step that hangs (ignores its signal) still ends at its timeout: the race does not wait for it.
    const expiry: Promise<typeof TIMEOUT | null> =
      limit === null
        ? new Promise<never>(() => {})
        : deps.clock.sleep(limit, timer.signal).then(
            () => TIMEOUT,
            () => null,
          );
    // A stopping worker does not wait for a hanging step either: the lease goes back.
    const stopping = new Promise<null>((resolve) => {
      if (signal.aborted) resolve(null);
      onStopping = () => resolve(null);
      signal.addEventListener('abort', onStopping, { once: true });
    });
    const result = await Promise.race([outcome, expiry, stopping]);
    if (signal.aborted) return null;
    if (result === TIMEOUT) {
      stepAbort.abort(new Error(`step timed out after ${limit} ms`));
      return unit.failure(`timed out after ${limit} ms`, 'timeout');
    }
    if (result === null) return null;
    if ('err' in result) return unit.failure(message(result.err), 'error');
    const o = result.ok;
    return await unit.succeed(o.output ?? null, { input: o.input ?? null, effects: o.effects });
  } finally {
    timer.abort(STEP_ENDED);
    signal.removeEventListener('abort', onStop);
    if (onStopping) signal.removeEventListener('abort', onStopping);
  }
}
