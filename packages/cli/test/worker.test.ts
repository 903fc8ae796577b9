import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pino } from 'pino';
import type { SiemClient } from '@siemlink/connector/client/types.ts';
import { systemClock } from '@siemlink/connector/context.ts';
import { createPlaybookService } from '@siemlink/connector/playbooks/service.ts';
import { openIncidentStore } from '@siemlink/connector/store/index.ts';
import { BIN } from './helpers.ts';
import { playbook } from '../../connector/test/playbooks/helpers.ts';

const NOTE = {
  name: 'note-it',
  version: 1,
  trigger: { on: 'incident.created' },
  steps: [
    { id: 'facts', kind: 'set', values: { sev: '${ incident.severity }' } },
    { id: 'note', kind: 'update-incident', note: 'severity ${ steps.facts.output.sev } seen by a worker' },
  ],
};

test('siemlink worker runs the pending runs of the store alone, says each committed step, and stops on SIGTERM', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'siemlink-worker-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'playbooks'));
  writeFileSync(join(dir, 'playbooks', 'note-it.yaml'), JSON.stringify(NOTE));

  // The incident is written with its run (the trigger), as `up` or fetch-incidents would; no worker here.
  const store = await openIncidentStore({ dataDir: dir });
  const service = createPlaybookService({
    store,
    playbooks: [playbook(NOTE)],
    clock: systemClock,
    logger: pino({ level: 'silent' }),
    client: {} as SiemClient,
    worker: false,
  });
  await store.insertIncidents(
    [
      {
        id: 'logzio:w1',
        alertEventId: 'w1',
        name: 'x',
        occurred: new Date().toISOString(),
        severity: 3,
        fields: {},
        raw: {},
      },
    ],
    Date.now(),
  );
  const [run] = await service.runs({ limit: 10 });
  assert.equal(run?.status, 'pending');
  await service.close();
  await store.close();

  const child = spawn(
    process.execPath,
    ['--disable-warning=ExperimentalWarning', BIN, 'worker', '--data-dir', dir],
    {
      env: { PATH: process.env.PATH!, HOME: dir, SIEMLINK_API_URL: 'http://127.0.0.1:9' },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  t.after(() => child.kill('SIGKILL'));
  const lines: string[] = [];
  // Event-driven: read stderr until the last step's commit is said (no timing involved).
  for await (const line of createInterface({ input: child.stderr! })) {
    lines.push(line);
    if (line === `run ${run.id} step note: committed`) break;
  }
  assert.ok(lines.includes(`run ${run.id} step facts: committed`), lines.join('\n'));
  child.kill('SIGTERM');
  assert.equal(await exited, 0, lines.join('\n'));

  const after = await openIncidentStore({ dataDir: dir });
  t.after(() => after.close());
  const notes = await after.listNotes('logzio:w1');
  assert.deepEqual(
    notes.map((n) => n.body),
    ['severity 3 seen by a worker'],
  );
});
