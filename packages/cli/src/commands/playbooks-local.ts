import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Step } from '@siemlink/connector/playbooks/definition/schema.ts';
import { createExpressions } from '@siemlink/connector/playbooks/expressions/expressions.ts';
import { createPlaybookService } from '@siemlink/connector/playbooks/service.ts';
import { executors } from '@siemlink/connector/playbooks/steps/index.ts';
import { openIncidentStore } from '@siemlink/connector/store/index.ts';
import { openSqliteIncidentStore } from '@siemlink/connector/store/sqlite.ts';
import { openConnector } from '../connector-options.ts';
import type { ConnectionFlags } from '../verbs/connection-options.ts';
import { parsePairs } from './playbooks.ts';
import { loadPlaybookFile, loadPlaybooks } from '@siemlink/connector/playbooks/definition/load.ts';
import { formatLoadErrors } from '@siemlink/connector/playbooks/definition/load-error.ts';
import type { LoadError, StepExecutor } from '@siemlink/connector/playbooks/types.ts';
import { formatTable, isTerminal, note, printJson, printText } from '../output.ts';
import { argumentError } from '../options.ts';

/**
 * `playbooks validate PATH...`: each file (or folder of *.yaml) through the loader the connector
 * uses, built-ins known for sub-playbook steps. One `file:line: [CODE] step <id>: message` per
 * error on stdout; exit 1 on any.
 */
export async function runPlaybooksValidate(paths: string[]): Promise<void> {
  const errors: LoadError[] = [];
  let ok = 0;
  for (const path of paths) {
    const dir = await stat(path).then(
      (s) => s.isDirectory(),
      () => false,
    );
    const r = dir ? await loadPlaybooks(path) : await loadPlaybookFile(path);
    errors.push(...r.errors);
    ok += r.playbooks.filter((p) => !p.builtin).length;
  }
  for (const line of formatLoadErrors(errors)) printText(line);
  note(`${ok} playbook(s) valid, ${errors.length} error(s)`);
  if (errors.length) process.exitCode = 1;
}

const TEST_ACTOR = 'playbooks test';

/**
 * `playbooks test FILE --incident ID`: the playbook (built-ins known for its sub-playbooks) runs on
 * a copy of the incident in a throwaway SQLite store, so nothing of the real store changes. `http`
 * and `deliver` steps are answered by recorded fakes (the request is rendered and shown, nothing
 * is sent); `command` steps query the configured SIEM, which they only read. Runs until nothing is
 * due; a manual or a long wait step leaves the run waiting, which is said.
 */
export async function runPlaybooksTest(
  file: string,
  flags: ConnectionFlags & { incident: string; input?: string[] },
): Promise<void> {
  const own = await loadPlaybookFile(file);
  if (own.errors.length) {
    for (const line of formatLoadErrors(own.errors)) printText(line);
    throw argumentError(`${file}: ${own.errors.length} load error(s)`);
  }
  const target = own.playbooks.find((p) => !p.builtin);
  if (!target) throw argumentError(`${file}: no playbook in the file`);
  const types = Object.fromEntries(
    Object.entries(target.definition.inputs ?? {}).map(([k, d]) => [k, d.type as string]),
  );
  const inputs = parsePairs(flags.input ?? [], types, '--input');

  const rt = openConnector(flags);
  const source = await openIncidentStore(rt.config);
  const incident = await source.getIncident(flags.incident).finally(() => source.close());
  if (!incident) {
    await rt.close();
    throw argumentError(`--incident: no incident "${flags.incident}" in the store`);
  }
  const scratch = await mkdtemp(join(tmpdir(), 'siemlink-playbook-test-'));
  const store = openSqliteIncidentStore({ path: join(scratch, 'connector.db') });
  try {
    const { id, alertEventId, name, occurred, severity, fields, raw } = incident;
    await store.insertIncidents(
      [{ id, alertEventId, name, occurred, severity, fields, raw }],
      rt.clock.now(),
    );
    const expressions = createExpressions();
    const builtins = await loadPlaybooks(undefined, { expressions });
    const playbooks = [
      ...builtins.playbooks.filter(
        (b) =>
          b.definition.name !== target.definition.name || b.definition.version !== target.definition.version,
      ),
      target,
    ];
    const recorded = recordedFakes();
    const service = createPlaybookService({
      store,
      playbooks,
      expressions,
      executors: [...executors.filter((e) => e.kind !== 'http' && e.kind !== 'deliver'), ...recorded],
      clock: rt.clock,
      logger: rt.logger,
      client: rt.client,
      env: process.env,
      // The fake deliver answers for any sink; the configured names are what a real run has.
      sinks: (rt.config.sinks ?? []).map((x) => x.name),
      run: false,
    });
    const run = await service.start({
      playbook: target.definition.name,
      version: target.definition.version,
      incidentId: incident.id,
      inputs,
      startedBy: TEST_ACTOR,
    });
    // Bounded by work: each drain runs what is due; a run that waits stops the loop.
    for (let i = 0; i < 1000 && (await service.worker!.drain()) > 0; i++);
    const detail = await service.run(run.id);
    await service.close();
    if (!detail) throw argumentError(`run ${run.id} vanished`);
    const rows = detail.steps.map((s) => ({
      step: s.item === null ? s.stepId : `${s.stepId}[${s.item}]`,
      kind: s.kind,
      status: s.status,
      input: s.input,
      output: s.output,
      error: s.error ?? '',
    }));
    if (!isTerminal()) printJson({ run: detail });
    else {
      printText(`${detail.playbook}@${detail.version} on a copy of ${incident.id}: ${detail.status}`);
      printText(formatTable(rows, ['step', 'kind', 'status', 'input', 'output', 'error'], 60));
      if (detail.outputs != null) printText(`outputs ${JSON.stringify(detail.outputs)}`);
    }
    if (detail.status === 'waiting' || detail.status === 'running' || detail.status === 'pending')
      note('the run is waiting (a manual task or a wait step): nothing more is due in a test');
    if (detail.status === 'failed' || detail.status === 'timed-out') process.exitCode = 1;
  } finally {
    await store.close();
    await rm(scratch, { recursive: true, force: true });
    await rt.close();
  }
}

/** `http` and `deliver` answered without sending: the rendered request is the step's input. */
function recordedFakes(): StepExecutor[] {
  const http: StepExecutor = {
    kind: 'http',
    async execute(step, ctx) {
      const s = step as Extract<Step, { kind: 'http' }>;
      const secrets = Object.fromEntries(Object.keys(s.secrets ?? {}).map((k) => [k, '[redacted]']));
      const input = {
        method: s.method ?? 'POST',
        url: await ctx.render(s.url, secrets),
        headers: await ctx.render(s.headers ?? {}, secrets),
        body: await ctx.render(s.body, secrets),
        idempotencyKey: ctx.idempotencyKey,
      };
      return { input, output: { status: 200, headers: { 'x-siemlink-fake': 'recorded' }, body: {} } };
    },
  };
  const deliver: StepExecutor = {
    kind: 'deliver',
    async execute(step, ctx) {
      const s = step as Extract<Step, { kind: 'deliver' }>;
      const message = s.message === undefined ? undefined : await ctx.render(s.message);
      return {
        input: { sink: s.sink, message },
        output: {
          sink: s.sink,
          incidentId: ctx.scope.incident?.id ?? null,
          idempotencyKey: ctx.idempotencyKey,
        },
      };
    },
  };
  return [http, deliver];
}
