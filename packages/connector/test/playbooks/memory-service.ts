import { apiError } from '../../src/errors.ts';
import type { Playbook } from '../../src/playbooks/definition/schema.ts';
import type {
  LoadError,
  ManualTask,
  PlaybookRun,
  PlaybookService,
  RunDetail,
  RunStatus,
  StepRun,
} from '../../src/playbooks/types.ts';

/**
 * A PlaybookService in memory for the surfaces' tests before the engine is there: a run stops at
 * its first manual step (waiting) or fails at a `fail` step, otherwise succeeds at once. Records
 * who did what, so the routes' `startedBy` / `by` can be checked.
 */
export class MemoryPlaybookService implements PlaybookService {
  runsById = new Map<string, RunDetail>();
  calls: string[] = [];
  private seq = 0;
  private readonly playbooks: Playbook[];
  private readonly loadErrors: LoadError[];
  private readonly now = () => Date.UTC(2026, 0, 1, 12);
  incidentExists?: (id: string) => Promise<boolean>;
  constructor(playbooks: Playbook[], loadErrors: LoadError[] = []) {
    this.playbooks = playbooks;
    this.loadErrors = loadErrors;
  }

  list() {
    return {
      playbooks: this.playbooks.map((definition) => ({
        file: `/playbooks/${definition.name}.yaml`,
        definition,
        builtin: false,
      })),
      errors: this.loadErrors,
    };
  }

  async start(req: Parameters<PlaybookService['start']>[0]): Promise<PlaybookRun> {
    const def = this.playbooks.find(
      (p) => p.name === req.playbook && (req.version === undefined || p.version === req.version),
    );
    // The engine's refusals, with its codes (service.ts).
    if (!def) throw apiError(404, 'PLAYBOOK_NOT_FOUND', `no playbook "${req.playbook}"`, 'body.playbook');
    for (const k of Object.keys(req.inputs ?? {}))
      if (!def.inputs?.[k])
        throw apiError(400, 'PLAYBOOK_INVALID_INPUT', `body.inputs.${k}: not an input`, `body.inputs.${k}`);
    if (req.incidentId !== null && this.incidentExists && !(await this.incidentExists(req.incidentId)))
      throw apiError(404, 'INCIDENT_NOT_FOUND', `no incident with id "${req.incidentId}"`, 'body.incidentId');
    const at = new Date(this.now() + this.seq).toISOString();
    const id = `run-${String(++this.seq).padStart(4, '0')}`;
    this.calls.push(`start ${id} by ${req.startedBy}`);
    const steps: StepRun[] = [];
    let status: PlaybookRun['status'] = 'succeeded';
    let error: string | null = null;
    for (const s of def.steps) {
      const step: StepRun = {
        stepId: s.id,
        kind: s.kind,
        item: null,
        attempt: 1,
        status: 'succeeded',
        input: null,
        output: null,
        error: null,
        startedAt: at,
        endedAt: at,
        dueAt: null,
      };
      steps.push(step);
      if (s.kind === 'manual') {
        Object.assign(step, { status: 'waiting', endedAt: null });
        status = 'waiting';
        break;
      }
      if (s.kind === 'fail') {
        Object.assign(step, { status: 'failed', error: String(s.message), endedAt: at });
        status = 'failed';
        error = String(s.message);
        break;
      }
    }
    const run: RunDetail = {
      id,
      playbook: def.name,
      version: def.version,
      incidentId: req.incidentId,
      status,
      trigger: 'manual',
      startedBy: req.startedBy,
      parentRunId: null,
      inputs: req.inputs ?? {},
      outputs: null,
      error,
      createdAt: at,
      updatedAt: at,
      deadlineAt: at,
      endedAt: status === 'waiting' ? null : at,
      steps,
    };
    this.runsById.set(id, run);
    const { steps: _s, ...row } = run;
    return row;
  }

  async runs(q: Parameters<PlaybookService['runs']>[0]): Promise<PlaybookRun[]> {
    let all = [...this.runsById.values()].reverse();
    if (q.before) all = all.filter((r) => r.id < q.before!);
    return all
      .filter((r) => q.incidentId === undefined || r.incidentId === q.incidentId)
      .filter((r) => q.status === undefined || q.status.includes(r.status as RunStatus))
      .filter((r) => q.playbook === undefined || r.playbook === q.playbook)
      .slice(0, q.limit)
      .map(({ steps: _s, ...row }) => row);
  }

  async run(id: string): Promise<RunDetail | null> {
    return this.runsById.get(id) ?? null;
  }

  async cancel(id: string, by: string): Promise<PlaybookRun | null> {
    const r = this.runsById.get(id);
    if (!r) return null;
    if (r.endedAt !== null) throw apiError(409, 'PLAYBOOK_RUN_STATE', `run is ${r.status}`, 'params.id');
    this.calls.push(`cancel ${id} by ${by}`);
    r.status = 'cancelled';
    r.endedAt = r.updatedAt;
    const { steps: _s, ...row } = r;
    return row;
  }

  async retry(id: string, by: string): Promise<PlaybookRun | null> {
    const r = this.runsById.get(id);
    if (!r) return null;
    if (!['failed', 'timed-out', 'cancelled'].includes(r.status))
      throw apiError(409, 'PLAYBOOK_RUN_STATE', `run is ${r.status}`, 'params.id');
    this.calls.push(`retry ${id} by ${by}`);
    r.status = 'running';
    r.endedAt = null;
    const { steps: _s, ...row } = r;
    return row;
  }

  async tasks(q: { incidentId?: string }): Promise<ManualTask[]> {
    const out: ManualTask[] = [];
    for (const r of this.runsById.values()) {
      if (q.incidentId !== undefined && r.incidentId !== q.incidentId) continue;
      for (const s of r.steps) {
        if (s.status !== 'waiting') continue;
        const def = this.playbooks.find((p) => p.name === r.playbook)!.steps.find((d) => d.id === s.stepId)!;
        if (def.kind !== 'manual') continue;
        out.push({
          runId: r.id,
          stepId: s.stepId,
          incidentId: r.incidentId,
          prompt: String(def.prompt),
          assignee: def.assignee === undefined ? null : String(def.assignee),
          form: def.form ?? null,
          createdAt: s.startedAt!,
        });
      }
    }
    return out;
  }

  async answer(runId: string, stepId: string, answer: Record<string, unknown>, by: string) {
    const r = this.runsById.get(runId);
    const s = r?.steps.find((x) => x.stepId === stepId && x.status === 'waiting');
    if (!r) return null;
    if (!s) throw apiError(404, 'PLAYBOOK_TASK_NOT_FOUND', `no task at ${stepId}`, 'params.stepId');
    const form =
      (
        this.playbooks.find((p) => p.name === r.playbook)!.steps.find((d) => d.id === stepId) as {
          form?: Record<string, { type: string; required?: boolean; options?: string[] }>;
        }
      ).form ?? {};
    for (const k of Object.keys(answer))
      if (!(k in form))
        throw apiError(400, 'PLAYBOOK_INVALID_ANSWER', `body.answer.${k}: no such field`, `body.answer.${k}`);
    for (const [k, f] of Object.entries(form)) {
      const v = answer[k];
      const bad = (m: string) =>
        apiError(400, 'PLAYBOOK_INVALID_ANSWER', `body.answer.${k}: ${m}`, `body.answer.${k}`);
      if (v === undefined || v === '') {
        if (f.required) throw bad('is required');
      } else if (typeof v !== f.type) throw bad(`must be a ${f.type}`);
      else if (f.options && !f.options.includes(String(v)))
        throw bad(`must be one of ${f.options.join(', ')}`);
    }
    this.calls.push(`answer ${runId}/${stepId} by ${by}`);
    Object.assign(s, { status: 'succeeded', output: answer, endedAt: s.startedAt });
    r.status = 'succeeded';
    return r;
  }

  async close(): Promise<void> {}
}
