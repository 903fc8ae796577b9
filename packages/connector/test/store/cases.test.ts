import { test } from 'node:test';
import assert from 'node:assert/strict';
import { STORE_FACTORIES } from './factories.ts';
import { commit } from './fixtures.ts';
import type { NewIncident } from '../../src/store/types.ts';
import type { CaseQuery } from '../../src/cases/schemas.ts';

const ann = { kind: 'user', name: 'ann' } as const;
const bob = { kind: 'user', name: 'bob' } as const;
const T0 = Date.UTC(2026, 0, 1);

/** A brute-force style incident: rule r1, grouped by user; n seconds after T0. */
const bf = (n: number, user: string, severity = 3, rule = 'r1'): NewIncident => ({
  id: `logzio:e${n}`,
  alertEventId: `e${n}`,
  name: rule === 'r1' ? 'Brute force login' : 'Malware beacon',
  occurred: new Date(T0 + n * 1000).toISOString(),
  severity,
  fields: { alertId: rule, description: `Failed logins for ${user} from 10.0.0.${n}`, 'groupBy.user': user },
  raw: { alertEventId: `e${n}` },
});

const q = (over: Partial<CaseQuery> = {}): CaseQuery => ({
  sort: 'occurred',
  order: 'desc',
  limit: 50,
  ...over,
});
const ids = (list: { id: string }[]) => list.map((i) => i.id);

// Case management, run against every store implementation.
for (const { name, open } of STORE_FACTORIES) {
  test(`${name} store: a fetched incident has its "created" timeline entry and original severity`, async (t) => {
    const store = await open(t);
    if (!store) return;
    await store.commitRun(commit([bf(1, 'alice')], null, 'c1'));
    const tl = await store.timeline('logzio:e1');
    assert.equal(tl.length, 1);
    assert.equal(tl[0]!.kind, 'created');
    assert.deepEqual(tl[0]!.actor, { kind: 'fetch', name: 'fetch' });
    const i = (await store.getIncident('logzio:e1'))!;
    assert.equal(i.originalSeverity, 3);
    assert.deepEqual(i.tags, []);
    assert.equal(i.closeReason, null);
  });

  test(`${name} store: update writes state and one timeline entry per change; close needs a reason; reopen clears it`, async (t) => {
    const store = await open(t);
    if (!store) return;
    await store.commitRun(commit([bf(1, 'alice')], null, 'c1'));
    const a = (await store.updateCase(
      'logzio:e1',
      { owner: 'ann', severity: 4, tags: ['b', 'a'] },
      ann,
      T0 + 60_000,
    ))!;
    assert.equal(a.owner, 'ann');
    assert.equal(a.severity, 4);
    assert.equal(a.originalSeverity, 3);
    assert.deepEqual(a.tags, ['a', 'b']);
    assert.equal(a.acknowledgedAt, new Date(T0 + 60_000).toISOString());
    await assert.rejects(store.updateCase('logzio:e1', { status: 'closed' }, ann, T0 + 70_000), {
      code: 'CLOSE_REASON_REQUIRED',
    });
    await assert.rejects(store.updateCase('logzio:e1', { closeReason: 'duplicate' }, ann, T0 + 70_000), {
      code: 'VALIDATION_FAILED',
    });
    const c = (await store.updateCase(
      'logzio:e1',
      { status: 'closed', closeReason: 'false_positive', closeNotes: 'test account' },
      bob,
      T0 + 120_000,
    ))!;
    assert.equal(c.status, 'closed');
    assert.equal(c.closeReason, 'false_positive');
    assert.equal(c.closedAt, new Date(T0 + 120_000).toISOString());
    const noop = (await store.updateCase('logzio:e1', { owner: 'ann' }, ann, T0 + 130_000))!;
    assert.equal(noop.updatedAt, c.updatedAt);
    const r = (await store.updateCase('logzio:e1', { status: 'active' }, ann, T0 + 180_000))!;
    assert.equal(r.closeReason, null);
    assert.equal(r.closedAt, null);
    const tl = await store.timeline('logzio:e1');
    assert.deepEqual(
      tl.map((e) => [e.kind, e.actor.name]),
      [
        ['created', 'fetch'],
        ['owner_changed', 'ann'],
        ['severity_changed', 'ann'],
        ['tags_changed', 'ann'],
        ['closed', 'bob'],
        ['reopened', 'ann'],
      ],
    );
    assert.deepEqual(tl[2]!.before, 3);
    assert.deepEqual(tl[2]!.after, 4);
    assert.deepEqual(tl[4]!.after, {
      status: 'closed',
      closeReason: 'false_positive',
      closeNotes: 'test account',
    });
    assert.equal(await store.updateCase('logzio:nope', { owner: 'x' }, ann, 1), null);
  });

  test(`${name} store: bulk update is all or nothing`, async (t) => {
    const store = await open(t);
    if (!store) return;
    await store.commitRun(commit([bf(1, 'alice'), bf(2, 'bob')], null, 'c1'));
    await assert.rejects(store.bulkUpdateCases(['logzio:e1', 'logzio:missing'], { owner: 'ann' }, ann, T0), {
      code: 'INCIDENT_NOT_FOUND',
    });
    assert.equal((await store.getIncident('logzio:e1'))!.owner, null);
    assert.equal((await store.timeline('logzio:e1')).length, 1);
    const done = await store.bulkUpdateCases(
      ['logzio:e1', 'logzio:e2'],
      { status: 'closed', closeReason: 'duplicate' },
      ann,
      T0,
    );
    assert.deepEqual(
      done.map((i) => i.status),
      ['closed', 'closed'],
    );
  });

  test(`${name} store: notes keep their revisions; timeline records them`, async (t) => {
    const store = await open(t);
    if (!store) return;
    await store.commitRun(commit([bf(1, 'alice')], null, 'c1'));
    const n = (await store.addNote('logzio:e1', 'first **draft**', ann, T0 + 1000))!;
    assert.equal(n.author, 'ann');
    const e = (await store.editNote('logzio:e1', n.id, 'final text', ann, T0 + 2000))!;
    assert.equal(e.body, 'final text');
    assert.deepEqual(e.revisions, [
      { body: 'first **draft**', author: 'ann', at: new Date(T0 + 1000).toISOString() },
    ]);
    assert.equal(await store.addNote('logzio:nope', 'x', ann, 1), null);
    assert.equal(await store.editNote('logzio:e1', 999, 'x', ann, 1), null);
    assert.equal((await store.listNotes('logzio:e1')).length, 1);
    assert.deepEqual(
      (await store.timeline('logzio:e1')).map((x) => x.kind),
      ['created', 'note_added', 'note_edited'],
    );
  });

  test(`${name} store: queue filters, free text, sort and keyset pages; counts`, async (t) => {
    const store = await open(t);
    if (!store) return;
    const list = [
      bf(1, 'alice', 3),
      bf(2, 'bob', 1),
      bf(3, 'alice', 4),
      bf(4, 'carol', 3, 'r2'),
      bf(5, 'alice', 2),
    ];
    await store.commitRun(commit(list, null, 'c1'));
    await store.updateCase('logzio:e2', { owner: 'ann', tags: ['vip'] }, ann, T0 + 10_000);
    await store.updateCase('logzio:e4', { status: 'closed', closeReason: 'resolved' }, ann, T0 + 20_000);
    assert.deepEqual(ids(await store.queryIncidents(q())), [
      'logzio:e5',
      'logzio:e4',
      'logzio:e3',
      'logzio:e2',
      'logzio:e1',
    ]);
    assert.deepEqual(ids(await store.queryIncidents(q({ text: 'alice' }))), [
      'logzio:e5',
      'logzio:e3',
      'logzio:e1',
    ]);
    assert.deepEqual(ids(await store.queryIncidents(q({ text: 'brut ALI' }))), [
      'logzio:e5',
      'logzio:e3',
      'logzio:e1',
    ]);
    assert.deepEqual(ids(await store.queryIncidents(q({ text: '10.0.0.4' }))), ['logzio:e4']);
    assert.deepEqual(ids(await store.queryIncidents(q({ text: '...' }))).length, 5);
    assert.deepEqual(ids(await store.queryIncidents(q({ owners: ['ann'] }))), ['logzio:e2']);
    assert.deepEqual(ids(await store.queryIncidents(q({ owners: [null], status: ['new'] }))), [
      'logzio:e5',
      'logzio:e3',
      'logzio:e1',
    ]);
    assert.deepEqual(ids(await store.queryIncidents(q({ tags: ['vip'] }))), ['logzio:e2']);
    assert.deepEqual(ids(await store.queryIncidents(q({ names: ['Malware beacon'] }))), ['logzio:e4']);
    assert.deepEqual(ids(await store.queryIncidents(q({ severities: [3, 4] }))), [
      'logzio:e4',
      'logzio:e3',
      'logzio:e1',
    ]);
    assert.deepEqual(ids(await store.queryIncidents(q({ occurredFrom: T0 + 2000, occurredTo: T0 + 3000 }))), [
      'logzio:e3',
      'logzio:e2',
    ]);
    // severity sort: severity, then occurred, then id; keyset pages of 2 cover all, no repeats
    const bySev = ids(await store.queryIncidents(q({ sort: 'severity' })));
    assert.deepEqual(bySev, ['logzio:e3', 'logzio:e4', 'logzio:e1', 'logzio:e5', 'logzio:e2']);
    const seen: string[] = [];
    let after: CaseQuery['after'];
    for (;;) {
      const page = await store.queryIncidents(q({ sort: 'severity', limit: 2, after }));
      seen.push(...ids(page.slice(0, 2)));
      if (page.length <= 2) break;
      const last = page[1]!;
      after = { keys: [last.severity, Date.parse(last.occurred)], id: last.id };
    }
    assert.deepEqual(seen, bySev);
    assert.deepEqual(ids(await store.queryIncidents(q({ sort: 'updated', order: 'desc', limit: 2 }))), [
      'logzio:e4',
      'logzio:e2',
      'logzio:e5',
    ]);
    const counts = await store.caseCounts({ text: 'alice', status: ['closed'] });
    assert.deepEqual(counts.byStatus, { new: 3, active: 0, closed: 0 });
    assert.deepEqual(counts.bySeverity, { '2': 1, '3': 1, '4': 1 });
  });

  test(`${name} store: related incidents, captured logs, SLA percentiles`, async (t) => {
    const store = await open(t);
    if (!store) return;
    await store.commitRun(
      commit(
        [bf(1, 'alice'), bf(2, 'alice'), bf(3, 'bob'), bf(4, 'alice', 3, 'r2'), bf(7200, 'alice')],
        null,
        'c1',
      ),
    );
    assert.deepEqual(ids(await store.relatedIncidents('logzio:e1', 3600_000, 10)), ['logzio:e2']);
    assert.deepEqual(ids(await store.relatedIncidents('logzio:e1', 86_400_000, 10)), [
      'logzio:e7200',
      'logzio:e2',
    ]);
    assert.deepEqual(await store.relatedIncidents('logzio:nope', 1, 10), []);
    assert.equal(await store.getIncidentLogs('logzio:e1'), null);
    assert.ok(
      await store.putIncidentLogs(
        'logzio:e1',
        { logs: [{ message: 'x' }], cap: 100, truncated: false, error: null },
        { kind: 'fetch', name: 'fetch' },
        T0,
      ),
    );
    assert.ok(
      await store.putIncidentLogs(
        'logzio:e1',
        { logs: [{ a: 1 }, { a: 2 }], cap: 2, truncated: true, error: null },
        ann,
        T0 + 1,
      ),
    );
    const logs = (await store.getIncidentLogs('logzio:e1'))!;
    assert.equal(logs.count, 2);
    assert.equal(logs.truncated, true);
    assert.equal(
      await store.putIncidentLogs('logzio:nope', { logs: [], cap: 1, truncated: false, error: null }, ann, 1),
      false,
    );
    assert.ok(
      await store.appendTimeline(
        'logzio:e1',
        { kind: 'playbook_run', actor: { kind: 'playbook', name: 'run-1' }, after: { ok: true } },
        T0,
      ),
    );
    assert.equal(await store.appendTimeline('logzio:nope', { kind: 'delivered', actor: ann }, T0), false);
    const created = Date.parse((await store.getIncident('logzio:e1'))!.createdAt);
    await store.updateCase('logzio:e1', { status: 'active' }, ann, created + 10_000);
    await store.updateCase('logzio:e2', { status: 'active' }, ann, created + 30_000);
    await store.updateCase('logzio:e2', { status: 'closed', closeReason: 'resolved' }, ann, created + 90_000);
    const sla = await store.caseSla();
    assert.deepEqual(sla.timeToAcknowledge, { count: 2, p50Seconds: 10, p90Seconds: 30, p95Seconds: 30 });
    assert.deepEqual(sla.timeToClose, { count: 1, p50Seconds: 90, p90Seconds: 90, p95Seconds: 90 });
    const i = (await store.getIncident('logzio:e2'))!;
    assert.equal(i.timeToAcknowledgeSeconds, 30);
    assert.equal(i.timeToCloseSeconds, 90);
  });

  test(`${name} store: users, sessions and API keys`, async (t) => {
    const store = await open(t);
    if (!store) return;
    assert.equal(await store.countUsers(), 0);
    assert.ok(await store.createUser({ username: 'ann', role: 'analyst', passwordHash: 'h1' }, T0));
    assert.equal(await store.createUser({ username: 'ann', role: 'admin', passwordHash: 'h2' }, T0), false);
    assert.equal((await store.getUser('ann'))!.passwordHash, 'h1');
    await store.createSession({ idHash: 's1', username: 'ann', csrfToken: 'c', expiresAt: T0 + 100 }, T0);
    assert.equal((await store.getSession('s1', T0 + 50))!.role, 'analyst');
    assert.equal(await store.getSession('s1', T0 + 100), null);
    await store.createSession({ idHash: 's2', username: 'ann', csrfToken: 'c', expiresAt: T0 + 100 }, T0);
    assert.ok(await store.setPassword('ann', 'h3', T0));
    assert.equal(await store.getSession('s2', T0), null, 'a password reset ends sessions');
    const k = await store.createApiKey(
      { id: 'k1', name: 'soar', role: 'viewer', keyHash: 'kh', createdBy: 'ann' },
      T0,
    );
    assert.equal(k.revokedAt, null);
    assert.equal((await store.useApiKey('kh', T0 + 5))!.lastUsedAt, new Date(T0 + 5).toISOString());
    assert.ok(await store.revokeApiKey('k1', T0 + 6));
    assert.equal(await store.revokeApiKey('k1', T0 + 7), false);
    assert.equal(await store.useApiKey('kh', T0 + 8), null);
    assert.equal((await store.listApiKeys()).length, 1);
    assert.equal(await store.removeUser('ann'), 'done');
    assert.deepEqual(await store.listUsers(), []);
  });
}
