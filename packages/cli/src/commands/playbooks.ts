// The API's shapes: the connector's schemas (type-only imports, erased at run time, so the CLI
// loads none of the connector for them).
import type { LoadError, PlaybookRun as Run, StepRun } from '@siemlink/connector/playbooks/types.ts';
import { connectorApi, type ApiFlags } from '../connector-api.ts';
import { argumentError } from '../options.ts';
import { formatTable, isTerminal, note, printJson, printText } from '../output.ts';

/** A loaded playbook as `GET /api/playbooks` lists it (as much of it as the CLI prints). */
interface Summary {
  name: string;
  version: number;
  enabled: boolean;
  builtin: boolean;
  file: string;
  description: string | null;
  trigger: { on: string; when?: string } | null;
  inputs: Record<string, { type: string; required?: boolean; default?: unknown }>;
  steps: { id: string; kind: string }[];
}
interface Task {
  runId: string;
  stepId: string;
  incidentId: string | null;
  prompt: string;
  assignee: string | null;
  form: Record<string, { type: string; required?: boolean; options?: string[]; label?: string }> | null;
  createdAt: string;
}

const enc = encodeURIComponent;
const time = (s: string | null) => (s ? s.replace('T', ' ').replace(/\.\d{3}Z$/, 'Z') : '');
const took = (a: string | null, b: string | null) =>
  a && b ? `${Math.max(0, Date.parse(b) - Date.parse(a))} ms` : a ? 'running' : '';

/** `file:line: [CODE] step <id>: message`, the form every tool that reads compiler output knows. */
export function formatLoadError(e: LoadError): string {
  return `${e.file}${e.line != null ? `:${e.line}` : ''}: [${e.code}]${e.step ? ` step ${e.step}:` : ''} ${e.message}`;
}

/** `k=v` pairs; each value typed by `types[k]` when known (number, boolean, array/object as JSON). */
export function parsePairs(
  pairs: string[],
  types: Record<string, string | undefined>,
  what: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq < 1) throw argumentError(`${what} "${pair}" must be name=value`);
    const k = pair.slice(0, eq);
    const v = pair.slice(eq + 1);
    const type = types[k];
    if (type === 'number') {
      if (v.trim() === '' || !Number.isFinite(Number(v)))
        throw argumentError(`${what} ${k} must be a number, got "${v}"`);
      out[k] = Number(v);
    } else if (type === 'boolean') {
      if (v !== 'true' && v !== 'false')
        throw argumentError(`${what} ${k} must be true or false, got "${v}"`);
      out[k] = v === 'true';
    } else if (type === 'array' || type === 'object') {
      try {
        out[k] = JSON.parse(v);
      } catch {
        throw argumentError(`${what} ${k} must be JSON (${type}), got "${v}"`);
      }
    } else out[k] = v;
  }
  return out;
}

function runRow(r: Run) {
  return {
    id: r.id,
    playbook: `${r.playbook}@${r.version}`,
    incident: r.incidentId ?? '',
    status: r.status,
    trigger: r.trigger,
    by: r.startedBy,
    created: time(r.createdAt),
    error: r.error ?? '',
  };
}
const RUN_COLUMNS = ['id', 'playbook', 'incident', 'status', 'trigger', 'by', 'created', 'error'];

function printRun(r: Run) {
  if (isTerminal()) printText(formatTable([runRow(r)], RUN_COLUMNS));
  else printJson(r);
}

/** `playbooks list` */
export async function runPlaybooksList(flags: ApiFlags): Promise<void> {
  const list = await connectorApi(flags)<{ playbooks: Summary[]; errors: LoadError[] }>(
    'GET',
    '/api/playbooks',
  );
  if (!isTerminal()) return printJson(list);
  printText(
    formatTable(
      list.playbooks.map((p) => ({
        name: p.name,
        version: p.version,
        enabled: p.enabled ? 'yes' : 'no',
        trigger: p.trigger ? `${p.trigger.on}${p.trigger.when ? ` when ${p.trigger.when}` : ''}` : 'manual',
        steps: p.steps.length,
        inputs: Object.keys(p.inputs).join(','),
        file: p.builtin ? `(built-in) ${p.file}` : p.file,
      })),
      ['name', 'version', 'enabled', 'trigger', 'steps', 'inputs', 'file'],
    ),
  );
  for (const e of list.errors) note(formatLoadError(e));
  if (list.errors.length) note(`${list.errors.length} load error(s): those files are not loaded`);
}

/** `playbooks run NAME --incident ID [--input k=v]...` */
export async function runPlaybooksRun(
  name: string,
  flags: ApiFlags & { incident: string; input?: string[]; playbookVersion?: number },
): Promise<void> {
  const call = connectorApi(flags);
  const { playbooks } = await call<{ playbooks: Summary[] }>('GET', '/api/playbooks');
  const versions = playbooks.filter((p) => p.name === name);
  const def =
    flags.playbookVersion === undefined
      ? versions.sort((a, b) => b.version - a.version)[0]
      : versions.find((p) => p.version === flags.playbookVersion);
  // Unknown names are the API's to refuse (one message for every surface); types come from the declaration.
  const types = Object.fromEntries(Object.entries(def?.inputs ?? {}).map(([k, d]) => [k, d.type]));
  const inputs = parsePairs(flags.input ?? [], types, '--input');
  const run = await call<Run>('POST', '/api/playbook-runs', {
    playbook: name,
    ...(flags.playbookVersion !== undefined ? { version: flags.playbookVersion } : {}),
    incidentId: flags.incident,
    inputs,
  });
  printRun(run);
}

/** `playbooks runs` */
export async function runPlaybooksRuns(
  flags: ApiFlags & {
    incident?: string;
    status?: string;
    playbook?: string;
    limit?: number;
    before?: string;
  },
): Promise<void> {
  const qs = new URLSearchParams();
  if (flags.incident !== undefined) qs.set('incidentId', flags.incident);
  if (flags.status !== undefined) qs.set('status', flags.status);
  if (flags.playbook !== undefined) qs.set('playbook', flags.playbook);
  if (flags.limit !== undefined) qs.set('limit', String(flags.limit));
  if (flags.before !== undefined) qs.set('before', flags.before);
  const page = await connectorApi(flags)<{ results: Run[]; nextBefore: string | null }>(
    'GET',
    `/api/playbook-runs${qs.size ? `?${qs}` : ''}`,
  );
  if (!isTerminal()) return printJson(page);
  printText(formatTable(page.results.map(runRow), RUN_COLUMNS));
  if (page.nextBefore) note(`more: --before ${page.nextBefore}`);
}

/** `playbooks show RUN` */
export async function runPlaybooksShow(id: string, flags: ApiFlags): Promise<void> {
  const r = await connectorApi(flags)<Run & { steps: StepRun[] }>('GET', `/api/playbook-runs/${enc(id)}`);
  if (!isTerminal()) return printJson(r);
  printText(
    [
      `${r.id}  ${r.playbook}@${r.version}  ${r.status}${r.error ? `: ${r.error}` : ''}`,
      `incident ${r.incidentId ?? '-'}  trigger ${r.trigger}  by ${r.startedBy}  created ${time(r.createdAt)}  ended ${time(r.endedAt) || '-'}`,
      `inputs ${JSON.stringify(r.inputs)}`,
      ...(r.outputs != null ? [`outputs ${JSON.stringify(r.outputs)}`] : []),
      '',
      formatTable(
        r.steps.map((s) => ({
          step: s.item === null ? s.stepId : `${s.stepId}[${s.item}]`,
          kind: s.kind,
          attempt: s.attempt,
          status: s.status,
          started: time(s.startedAt),
          took: took(s.startedAt, s.endedAt),
          input: s.input,
          output: s.output,
          error: s.error ?? '',
        })),
        ['step', 'kind', 'attempt', 'status', 'started', 'took', 'input', 'output', 'error'],
        40,
      ),
    ].join('\n'),
  );
}

/** `playbooks cancel RUN` */
export async function runPlaybooksCancel(id: string, flags: ApiFlags): Promise<void> {
  printRun(await connectorApi(flags)<Run>('POST', `/api/playbook-runs/${enc(id)}/cancel`));
}

/** `playbooks retry RUN` */
export async function runPlaybooksRetry(id: string, flags: ApiFlags): Promise<void> {
  printRun(await connectorApi(flags)<Run>('POST', `/api/playbook-runs/${enc(id)}/retry`));
}

/** `playbooks tasks [--incident ID]` */
export async function runPlaybooksTasks(flags: ApiFlags & { incident?: string }): Promise<void> {
  const qs = flags.incident !== undefined ? `?incidentId=${enc(flags.incident)}` : '';
  const { results } = await connectorApi(flags)<{ results: Task[] }>('GET', `/api/playbook-tasks${qs}`);
  if (!isTerminal()) return printJson(results);
  printText(
    formatTable(
      results.map((t) => ({
        run: t.runId,
        step: t.stepId,
        incident: t.incidentId ?? '',
        assignee: t.assignee ?? '',
        prompt: t.prompt,
        fields: Object.entries(t.form ?? {})
          .map(([k, f]) => `${k}${f.required ? '*' : ''}:${f.options ? f.options.join('|') : f.type}`)
          .join(' '),
      })),
      ['run', 'step', 'incident', 'assignee', 'prompt', 'fields'],
    ),
  );
}

/** `playbooks answer RUN STEP k=v...`: values typed by the step's form. */
export async function runPlaybooksAnswer(
  id: string,
  step: string,
  fields: string[],
  flags: ApiFlags,
): Promise<void> {
  const call = connectorApi(flags);
  const run = await call<Run>('GET', `/api/playbook-runs/${enc(id)}`);
  const qs = run.incidentId ? `?incidentId=${enc(run.incidentId)}` : '';
  const task = (await call<{ results: Task[] }>('GET', `/api/playbook-tasks${qs}`)).results.find(
    (t) => t.runId === id && t.stepId === step,
  );
  const types = Object.fromEntries(Object.entries(task?.form ?? {}).map(([k, f]) => [k, f.type]));
  const answer = parsePairs(fields, types, 'field');
  const done = await call<Run & { steps: StepRun[] }>(
    'POST',
    `/api/playbook-runs/${enc(id)}/steps/${enc(step)}/answer`,
    { answer },
  );
  printRun(done);
}
