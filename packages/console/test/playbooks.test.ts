import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { openBrowser, SCREENSHOTS } from './browser.ts';
import { startStack } from './stack.ts';

// DOM waits are bounded generously (a busy CI machine); they wait for a condition, never a time.
const WAIT = 120_000;

/** On every demo incident: a manual task with a form, then a note with the answer. */
const REVIEW = `name: analyst-review
version: 1
description: Asks an analyst for a verdict on every new incident and notes it.
trigger:
  on: incident.created
steps:
  - id: verdict
    name: Analyst verdict
    kind: manual
    prompt: Is this incident benign or malicious?
    form:
      verdict: { type: string, required: true, options: [benign, malicious], label: Verdict }
      score: { type: number, label: Score }
  - id: record
    kind: update-incident
    note: 'Verdict \${ steps.verdict.output.verdict }, score \${ steps.verdict.output.score }'
`;

test("playbooks in Chromium: a demo incident's Handle Logz.io alert run and its steps; a manual task answered with its form (errors per field); no console errors", async (t) => {
  const stack = await startStack(t, { 'analyst-review.yaml': REVIEW });
  const b = await openBrowser(t, { width: 1280, height: 1000 });
  const { page } = b;
  page.setDefaultTimeout(WAIT);
  await page.goto(stack.url);
  await page.getByLabel('User name').fill(stack.users.analyst.username);
  await page.getByLabel('Password').fill(stack.users.analyst.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('whoami').waitFor();
  await stack.firstIncidents;

  // An incident page: its runs (the built-in and ours), and our manual task waiting there.
  const firstRow = page.locator('table.incidents tbody tr a').first();
  await firstRow.waitFor();
  await firstRow.click();
  const panel = page.getByTestId('incident-runs');
  await panel.getByRole('link', { name: 'handle-logzio-alert v1' }).waitFor();
  const task = panel.getByTestId('manual-task');
  await task.waitFor();
  await task.getByText('Is this incident benign or malicious?').waitFor();

  // Errors per field: the browser's check first, then the API's.
  await task.getByLabel('Score').fill('lots');
  await task.getByRole('button', { name: 'Submit answer' }).click();
  await task.locator('.field-error', { hasText: 'Required.' }).waitFor();
  await task.locator('.field-error', { hasText: 'Must be a number.' }).waitFor();
  assert.equal(await task.getByLabel('Verdict *').getAttribute('aria-invalid'), 'true');
  await b.shot('playbook-task');
  await task.getByLabel('Verdict *').selectOption('malicious');
  await task.getByLabel('Score').fill('8');
  await task.getByRole('button', { name: 'Submit answer' }).click();
  await task.waitFor({ state: 'detached' });
  // The run goes on: its note lands on the incident.
  await page.getByTestId('notes').getByText('Verdict malicious, score 8').waitFor();

  // The built-in run's detail: each step with its status; input and output on demand.
  await panel.getByRole('link', { name: 'handle-logzio-alert v1' }).click();
  await page.getByRole('heading', { level: 1, name: 'handle-logzio-alert v1' }).waitFor();
  const steps = page.getByTestId('run-steps');
  await steps.locator('tr[data-step="logs"]').waitFor();
  await page
    .getByTestId('run-status')
    .filter({ hasText: /^(succeeded|failed)$/ })
    .waitFor();
  await steps.getByRole('button', { name: /input and output of logs/ }).click();
  await steps.locator('tr.step-io').getByText('Input').waitFor();
  await b.shot('playbook-run');

  // The runs page: filter by status, every run links to its detail.
  await page.getByRole('link', { name: 'Playbook runs' }).first().click();
  await page.getByRole('heading', { level: 1, name: 'Playbook runs' }).waitFor();
  await page.locator('table.runs tbody tr').first().waitFor();
  await page.getByLabel('Status').selectOption('succeeded');
  // Newest first, 50 a page: the demo's many succeeded built-in runs could push ours off it.
  await page.locator('select[name="playbook"]').selectOption('analyst-review');
  await page.locator('table.runs tbody tr', { hasText: 'analyst-review v1' }).first().waitFor();
  await b.shot('playbook-runs');
  assert.deepEqual(b.errors, []);

  // The screenshots the README shows (docs/screenshots) are this run's.
  if (process.env.SIEMLINK_UPDATE_SCREENSHOTS === '1') {
    const docs = join(import.meta.dirname, '..', '..', '..', 'docs', 'screenshots');
    mkdirSync(docs, { recursive: true });
    for (const name of ['playbook-run', 'playbook-task', 'playbook-runs'])
      copyFileSync(join(SCREENSHOTS, `${name}.png`), join(docs, `console-${name}.png`));
  }
});
