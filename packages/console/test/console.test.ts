import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { openBrowser } from './browser.ts';
import { login, startStack } from './stack.ts';

// DOM waits are bounded generously (a busy CI machine); they wait for a condition, never a time.
const WAIT = 120_000;

async function signIn(page: Page, url: string, user: { username: string; password: string }) {
  await page.goto(url);
  await page.getByLabel('User name').fill(user.username);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('whoami').waitFor();
}

test('console in Chromium: an analyst works a demo incident to closed and searches logs; a viewer cannot change anything; narrow and keyboard', async (t) => {
  const stack = await startStack(t);
  const b = await openBrowser(t);
  const { page } = b;
  page.setDefaultTimeout(WAIT);

  // Login
  await page.goto(stack.url);
  await page.getByRole('heading', { name: 'siemlink console' }).waitFor();
  await b.shot('login');
  await page.getByLabel('User name').fill(stack.users.analyst.username);
  await page.getByLabel('Password').fill('wrong-password-xx');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('alert').waitFor();
  b.errors.length = 0; // the refused login's 401 is the point of that step
  await page.getByLabel('Password').fill(stack.users.analyst.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  assert.equal(await page.getByTestId('whoami').textContent(), 'ana (analyst)');

  // The queue fills from the demo's first fetch run (live through SSE if it lands after the page).
  await stack.firstIncidents;
  const firstRow = page.locator('table.incidents tbody tr a').first();
  await firstRow.waitFor();
  await page.getByTestId('count-new').waitFor();
  await b.shot('queue');

  // Incident page: fields, triggering logs (expand one), note, assign, close, timeline
  const name = (await firstRow.textContent())!;
  await firstRow.click();
  await page.getByRole('heading', { level: 1, name }).waitFor();
  const logRow = page.locator('table.logs tbody tr').first();
  await logRow.waitFor();
  await page.getByRole('button', { name: 'Show log 1 as JSON' }).click();
  assert.match((await page.getByTestId('log-json').first().textContent())!, /@timestamp/);

  await page
    .getByLabel('Note (Markdown)')
    .fill('**Checked** the source: <script>alert(1)</script> a scanner.');
  await page.getByRole('button', { name: 'Add note' }).click();
  await page.getByTestId('notes').locator('strong', { hasText: 'Checked' }).waitFor();
  assert.equal(await page.getByTestId('notes').locator('script').count(), 0);

  await page.getByRole('button', { name: 'Assign to me' }).click();
  await page.getByTestId('incident-owner').filter({ hasText: 'ana' }).waitFor();

  await page.getByLabel('Close reason').selectOption('false_positive');
  await page.getByLabel('Close notes').fill('internal scanner');
  await page.getByRole('button', { name: 'Close', exact: true }).click();
  await page.getByTestId('incident-status').filter({ hasText: 'closed' }).waitFor();
  await page.getByTestId('close-reason').filter({ hasText: 'False positive' }).waitFor();
  const timeline = page.getByTestId('timeline');
  for (const kind of ['created', 'note added', 'owner changed', 'closed'])
    await timeline.locator('li', { hasText: kind }).first().waitFor();
  await b.shot('incident');

  // Log search: run, click a value into the query, and see a query error where it was typed
  await page.getByRole('link', { name: 'Log search' }).click();
  await page.getByRole('heading', { name: 'Log search' }).waitFor();
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await page.getByTestId('search-summary').waitFor();
  const value = page.locator('table.logs button.value').first();
  await value.waitFor();
  const [field, clicked] = [await value.getAttribute('title'), await value.textContent()];
  await value.click();
  const query = page.getByLabel('Lucene query');
  await page.waitForFunction(
    `document.querySelector('input[name=query]').value.includes(${JSON.stringify(`"${clicked}"`)})`,
  );
  assert.ok(field?.includes(clicked!));
  await page.getByTestId('search-summary').waitFor();
  await b.shot('search');
  await query.fill('message:(');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await page.locator('#query-error').waitFor();
  assert.equal(await query.getAttribute('aria-invalid'), 'true');
  b.errors.length = 0; // the 400 of the bad query is expected

  // Rules, security events, health
  await page.getByRole('link', { name: 'Rules' }).click();
  await page.locator('table tbody tr').first().waitFor();
  await b.shot('rules');
  await page.getByRole('link', { name: 'Security events' }).click();
  await page.locator('table tbody tr').first().waitFor();
  await b.shot('events');
  await page.getByRole('link', { name: 'Health' }).click();
  await page.getByTestId('health-status').waitFor();
  await page.locator('.chart svg rect').first().waitFor();
  await b.shot('health');
  assert.deepEqual(b.errors, []);

  // A viewer: reads everything, no control to change anything, and the API refuses writes.
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByLabel('User name').waitFor();
  await signIn(page, stack.url, stack.users.viewer);
  await page.locator('table.incidents tbody tr a').first().click();
  await page.getByRole('heading', { name: 'Triggering logs' }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Assign to me' }).count(), 0);
  assert.equal(await page.getByLabel('Note (Markdown)').count(), 0);
  assert.equal(await page.getByLabel('Close reason').count(), 0);
  await page.getByRole('link', { name: 'Rules' }).click();
  await page.locator('table tbody tr').first().waitFor();
  for (const box of await page.locator('table tbody input[type=checkbox]').all())
    assert.ok(await box.isDisabled());
  const viewer = await login(stack.url, stack.users.viewer.username, stack.users.viewer.password);
  const write = await fetch(`${stack.url}/api/rules/1/disable`, {
    method: 'POST',
    headers: { cookie: viewer.cookie, 'x-csrf-token': viewer.csrf },
  });
  assert.equal(write.status, 403);
  assert.deepEqual(b.errors, []);

  // A narrow window (a phone): no page-wide horizontal scroll; keyboard reaches the navigation.
  const n = await openBrowser(t, { width: 390, height: 844 });
  n.page.setDefaultTimeout(WAIT);
  await signIn(n.page, stack.url, stack.users.analyst);
  await n.page.locator('table.incidents tbody tr a').first().waitFor();
  const overflow = await n.page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
  assert.ok(overflow <= 0, `page is ${overflow}px wider than the window`);
  await n.page.keyboard.press('Tab');
  assert.equal(await n.page.evaluate<string>('document.activeElement?.textContent'), 'Skip to content');
  await n.page.keyboard.press('Tab');
  await n.page.keyboard.press('Tab');
  assert.equal(await n.page.evaluate<string>('document.activeElement?.textContent'), 'Log search');
  await n.page.keyboard.press('Enter');
  await n.page.getByRole('heading', { name: 'Log search' }).waitFor();
  await n.shot('narrow-search');
  assert.deepEqual(n.errors, []);
});

test('console in Chromium: bulk assign and close from the queue; a new incident appears live (SSE) without a reload', async (t) => {
  const stack = await startStack(t);
  const b = await openBrowser(t);
  const { page } = b;
  page.setDefaultTimeout(WAIT);
  await signIn(page, stack.url, stack.users.analyst);
  await stack.firstIncidents;
  const links = page.locator('table.incidents tbody tr a');
  await links.nth(2).waitFor();

  // Select two incidents by their links (fetch runs may add rows above them meanwhile).
  const hrefs = [(await links.nth(1).getAttribute('href'))!, (await links.nth(2).getAttribute('href'))!];
  const row = (href: string) =>
    page.locator('table.incidents tbody tr', { has: page.locator(`a[href="${href}"]`) });
  // Columns: select, severity, name, status, owner, occurred.
  const cell = (href: string, column: number) => row(href).locator(`td:nth-child(${column})`);
  for (const href of hrefs) await row(href).getByRole('checkbox').check();
  const bulk = page.getByRole('region', { name: 'Bulk actions' });
  await bulk.getByText('2 selected').waitFor();
  await bulk.getByRole('button', { name: 'Assign to me' }).click();
  for (const href of hrefs) {
    await cell(href, 5).filter({ hasText: 'ana' }).waitFor();
    await cell(href, 4).filter({ hasText: 'active' }).waitFor();
  }
  await bulk.waitFor({ state: 'detached' }); // the selection is cleared after the change

  for (const href of hrefs) await row(href).getByRole('checkbox').check();
  await bulk.getByLabel('Close reason').selectOption('duplicate');
  await bulk.getByRole('button', { name: 'Close selected' }).click();
  for (const href of hrefs) await cell(href, 4).filter({ hasText: 'closed' }).waitFor();

  // The API agrees: both closed as duplicates by ana, on their timelines.
  const session = await login(stack.url, stack.users.analyst.username, stack.users.analyst.password);
  for (const href of hrefs) {
    const id = decodeURIComponent(href.slice('/incidents/'.length));
    const detail = (await (
      await fetch(`${stack.url}/api/incidents/${encodeURIComponent(id)}`, {
        headers: { cookie: session.cookie },
      })
    ).json()) as {
      incident: { status: string; owner: string; closeReason: string };
      timeline: { kind: string; actor: { name: string } }[];
    };
    assert.deepEqual(
      [detail.incident.status, detail.incident.owner, detail.incident.closeReason],
      ['closed', 'ana', 'duplicate'],
    );
    assert.ok(detail.timeline.some((e) => e.kind === 'closed' && e.actor.name === 'ana'));
  }

  // Live refresh: an incident written server-side, published the way a fetch run publishes its
  // incidents, appears at the top of the open queue; the page is not reloaded (the marker stays).
  await page.evaluate('window.__noReload = true');
  const live = {
    id: 'logzio:live-sse-1',
    alertEventId: 'live-sse-1',
    name: 'Live refresh check',
    occurred: new Date().toISOString(),
    severity: 4,
    fields: { description: 'written by the test while the queue is open', 'groupBy.user': 'sse' },
    raw: { alertEventId: 'live-sse-1' },
  };
  const inserted = await stack.connector.store.insertIncidents([live], Date.now());
  assert.equal(inserted.length, 1);
  stack.connector.events.publish({ origin: 'fetch', ids: [live.id], at: new Date().toISOString() });
  await page.locator('table.incidents tbody tr a', { hasText: 'Live refresh check' }).waitFor();
  await page
    .getByRole('status')
    .filter({ hasText: /new incident\(s\) arrived/ })
    .waitFor();
  assert.equal(await page.evaluate('window.__noReload'), true, 'no reload');
  assert.deepEqual(b.errors, []);
});
