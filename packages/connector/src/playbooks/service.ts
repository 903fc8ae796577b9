import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { SiemClient } from '../client/types.ts';
import type { Clock } from '../context.ts';
import {
  apiError,
  playbookInvalidAnswer,
  playbookNotFound,
  playbookRunNotFound,
  playbookRunState,
  playbookTaskNotFound,
} from '../errors.ts';
import type { IncidentStore } from '../store/types.ts';
import type { FormField } from './definition/schema.ts';
import { createCatalog, resolveInputs } from './engine/catalog.ts';
import { DEFAULT_DEADLINE_MS, durationMs } from './engine/durations.ts';
import { newRun, type EngineDeps } from './engine/execute.ts';
import { createExpressions, type Expressions } from './expressions/expressions.ts';
import { createWorker, type PlaybookWorker, type WorkerOptions } from './engine/worker.ts';
import { executors as builtinExecutors } from './steps/index.ts';
import { incidentCreatedTrigger } from './triggers/incident-created.ts';
import type { LoadedPlaybook, LoadError, PlaybookService, StepExecutor } from './types.ts';

export interface PlaybookEngineOptions {
  store: IncidentStore;
  playbooks: readonly LoadedPlaybook[];
  errors?: readonly LoadError[];
  /** Executor step kinds; default steps/index.ts. */
  executors?: readonly StepExecutor[];
  expressions?: Expressions;
  clock: Clock;
  logger: Logger;
  client: SiemClient;
  env?: Record<string, string | undefined>;
  /** Configured sink names (deliver steps to others fail). */
  sinks?: readonly string[];
}

function engineDeps(opts: PlaybookEngineOptions): EngineDeps {
  const executors = new Map<string, StepExecutor>();
  for (const e of opts.executors ?? builtinExecutors) executors.set(e.kind, e);
  return {
    journal: opts.store.playbooks.journal,
    catalog: createCatalog(opts.playbooks),
    executors,
    expressions: opts.expressions ?? createExpressions(),
    clock: opts.clock,
    logger: opts.logger,
    client: opts.client,
    env: opts.env ?? process.env,
    sinks: opts.sinks ?? [],
    getIncident: (id) => opts.store.getIncident(id),
  };
}

/**
 * A worker alone (`siemlink worker`, the benchmark, the chaos test): claims steps of every run in
 * the store. It does not install the trigger: incidents are written by whoever fetches them.
 */
export function startPlaybookWorker(
  opts: PlaybookEngineOptions & { worker?: WorkerOptions },
): PlaybookWorker {
  const worker = createWorker(engineDeps(opts), opts.worker);
  worker.start();
  return worker;
}

function checkAnswer(
  form: Record<string, FormField>,
  answer: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(answer)) {
    if (!(k in form)) {
      throw playbookInvalidAnswer(
        `body.answer.${k}`,
        `the form has no field "${k}"${Object.keys(form).length ? ` (it has: ${Object.keys(form).join(', ')})` : ''}`,
      );
    }
  }
  for (const [k, f] of Object.entries(form)) {
    const v = answer[k];
    const field = `body.answer.${k}`;
    if (v === undefined || v === null || v === '') {
      if (f.required) throw playbookInvalidAnswer(field, 'is required');
      continue;
    }
    if (typeof v !== f.type) throw playbookInvalidAnswer(field, `must be a ${f.type}, got ${typeof v}`);
    if (f.options && !f.options.includes(String(v))) {
      throw playbookInvalidAnswer(field, `must be one of ${f.options.join(', ')}`);
    }
    out[k] = v;
  }
  return out;
}

/**
 * The playbook engine as `up`, the API and the CLI use it: the loaded playbooks, the trigger on
 * new incidents (installed in the store), runs started, listed, cancelled, retried, manual tasks
 * answered, and (with `worker`) one in-process worker.
 */
export function createPlaybookService(
  opts: PlaybookEngineOptions & {
    /** The in-process worker's options; false for none. */
    worker?: WorkerOptions | false;
    /** false: the worker is made but not started (tests drive it with drain()). Default true. */
    run?: boolean;
  },
): PlaybookService & { worker: PlaybookWorker | null } {
  const deps = engineDeps(opts);
  const { journal, catalog, clock } = deps;
  opts.store.playbooks.setTrigger(
    incidentCreatedTrigger({
      playbooks: opts.playbooks.map((p) => p.definition),
      expressions: deps.expressions,
      logger: opts.logger,
    }),
  );
  const worker = opts.worker === false ? null : createWorker(deps, opts.worker);
  if (opts.run !== false) worker?.start();
  const deadlineOf = (name: string, version: number) => {
    const pb = catalog.get(name, version);
    return clock.now() + (pb?.deadline ? durationMs(pb.deadline) : DEFAULT_DEADLINE_MS);
  };

  return {
    worker,
    list() {
      return { playbooks: catalog.list(), errors: [...(opts.errors ?? [])] };
    },
    async start(req) {
      const pb = catalog.get(req.playbook, req.version);
      if (!pb) throw playbookNotFound(req.playbook, req.version);
      const inputs = resolveInputs(pb, req.inputs);
      if (req.incidentId !== null && !(await opts.store.getIncident(req.incidentId))) {
        throw apiError('INCIDENT_NOT_FOUND', `no incident with id "${req.incidentId}"`, 'body.incidentId');
      }
      const now = clock.now();
      const r = newRun(
        pb,
        {
          id: randomUUID(),
          incidentId: req.incidentId,
          trigger: 'manual',
          triggerKey: null,
          startedBy: req.startedBy,
          parent: null,
          inputs,
        },
        now,
      );
      await journal.startRun(r, now);
      worker?.wake();
      return (await journal.apiRun(r.id))!;
    },
    runs: (q) => journal.runs(q),
    run: (id) => journal.detail(id),
    async cancel(id, by) {
      const run = await journal.apiRun(id);
      if (!run) return null;
      if (run.endedAt !== null) throw playbookRunState(id, run.status, 'cancelled');
      await journal.cancel(id, by, clock.now());
      return journal.apiRun(id);
    },
    async retry(id, by) {
      const run = await journal.getRun(id);
      if (!run) return null;
      if (run.parent !== null)
        throw playbookRunState(id, 'a sub-playbook run', 'retried on its own (retry its parent)');
      if (!['failed', 'timed-out', 'cancelled'].includes(run.status))
        throw playbookRunState(id, run.status, 'retried');
      await journal.retry(id, by, clock.now(), deadlineOf(run.playbook, run.version));
      worker?.wake();
      return journal.apiRun(id);
    },
    tasks: (q) => journal.tasks(q),
    async answer(runId, stepId, answer, by) {
      const run = await journal.getRun(runId);
      if (!run) throw playbookRunNotFound(runId);
      const task = (await journal.tasks({})).find((t) => t.runId === runId && t.stepId === stepId);
      if (!task) throw playbookTaskNotFound(runId, stepId);
      const checked = checkAnswer((task.form ?? {}) as Record<string, FormField>, answer);
      if (!(await journal.answer(runId, stepId, checked, by, clock.now())))
        throw playbookTaskNotFound(runId, stepId);
      worker?.wake();
      return journal.detail(runId);
    },
    async close() {
      opts.store.playbooks.setTrigger(null);
      await worker?.stop();
    },
  };
}
