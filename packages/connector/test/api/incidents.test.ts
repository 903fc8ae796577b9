import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apiSetup } from './setup.ts';

const enc = encodeURIComponent;

test('GET /api/incidents: filters, free text, sort, cursor pages, counts', async (t) => {
  const s = await apiSetup(t);
  const get = async (qs: string) => {
    const r = await s.app.inject({ url: `/api/incidents${qs}`, headers: s.as('viewer') });
    assert.equal(r.statusCode, 200, `${qs}: ${r.body}`);
    return r.json() as {
      results: { id: string; severity: number; name: string }[];
      nextCursor: string | null;
      total: number;
      counts: { byStatus: Record<string, number>; bySeverity: Record<string, number> };
    };
  };
  const all = await get('');
  assert.equal(all.total, 5);
  assert.equal(all.nextCursor, null);
  assert.deepEqual(all.counts, {
    byStatus: { new: 5, active: 0, closed: 0 },
    bySeverity: { '1': 2, '3': 3 },
  });
  assert.equal((await get('?severity=HIGH')).total, 3);
  assert.equal((await get('?severity=1,3')).total, 5);
  assert.equal((await get('?minSeverity=2')).total, 3);
  assert.equal((await get('?rule=Port%20scan')).total, 2);
  assert.equal((await get('?q=port')).total, 2);
  assert.equal((await get('?q=brute%20ssh')).total, 3);
  assert.equal((await get('?q=10.0.0.1')).total, 2, 'groupBy values are searched');
  const from = new Date(Date.UTC(2026, 0, 1, 12) - 25 * 60_000).toISOString();
  assert.equal((await get(`?from=${from}`)).total, 2);
  s.h.clock.advance(1000);
  await s.app.inject({
    method: 'PATCH',
    url: `/api/incidents/${enc(s.ids[0]!)}`,
    payload: { owner: 'analyst-key', tags: ['vip'], status: 'active' },
    headers: s.as('analyst'),
  });
  assert.deepEqual(
    (await get('?tag=vip')).results.map((i) => i.id),
    [s.ids[0]],
  );
  assert.deepEqual(
    (await get('?owner=ann,analyst-key')).results.map((i) => i.id),
    [s.ids[0]],
  );
  assert.equal((await get('?unassigned=true')).total, 4);
  const mine = await s.app.inject({ url: '/api/incidents?owner=me', headers: s.as('analyst') });
  assert.deepEqual(
    mine.json().results.map((i: { id: string }) => i.id),
    [s.ids[0]],
    'me = the caller',
  );
  const active = await get('?status=active');
  assert.equal(active.total, 1);
  assert.deepEqual(
    active.counts.byStatus,
    { new: 4, active: 1, closed: 0 },
    'facet counts ignore the status filter',
  );
  // Cursor pages over a severity sort: each id once, in order.
  const full = (await get('?sort=severity&order=desc')).results.map((i) => i.id);
  const paged: string[] = [];
  let cursor: string | null = null;
  do {
    const page = await get(`?sort=severity&order=desc&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
    paged.push(...page.results.map((i) => i.id));
    cursor = page.nextCursor;
  } while (cursor);
  assert.deepEqual(paged, full);
  assert.deepEqual(
    (await get('?sort=severity&order=asc')).results.map((i) => i.severity),
    [1, 1, 3, 3, 3],
  );
  assert.equal((await get('?sort=updated')).results[0]!.id, s.ids[0]);
});

test('GET /api/incidents: counts on the first page or when asked; list items without raw and fields', async (t) => {
  const s = await apiSetup(t);
  const get = async (qs: string) => {
    const r = await s.app.inject({ url: `/api/incidents${qs}`, headers: s.as('viewer') });
    assert.equal(r.statusCode, 200, `${qs}: ${r.body}`);
    return r.json() as {
      results: Record<string, unknown>[];
      nextCursor: string | null;
      total: number | null;
      counts: { byStatus: Record<string, number> } | null;
    };
  };
  const first = await get('?limit=2');
  assert.equal(first.total, 5);
  assert.deepEqual(first.counts?.byStatus, { new: 5, active: 0, closed: 0 });
  const next = await get(`?limit=2&cursor=${first.nextCursor}`);
  assert.equal(next.total, null, 'no counts after the first page');
  assert.equal(next.counts, null);
  assert.equal((await get(`?limit=2&cursor=${first.nextCursor}&counts=true`)).total, 5);
  const none = await get('?limit=2&counts=false');
  assert.equal(none.total, null);
  assert.equal(none.counts, null);
  const bad = await s.app.inject({ url: '/api/incidents?counts=maybe', headers: s.as('viewer') });
  assert.equal(bad.statusCode, 400);
  assert.match(bad.json().message, /counts/);
  // The queue's projection: description and groupBy values, never the raw event or the whole fields.
  const item = first.results[0]!;
  assert.equal(item.raw, undefined);
  assert.equal(item.fields, undefined);
  const detail = await s.app.inject({
    url: `/api/incidents/${enc(String(item.id))}`,
    headers: s.as('viewer'),
  });
  const full = detail.json().incident as { fields: Record<string, unknown>; raw: unknown };
  assert.ok(full.raw, 'the detail route keeps the raw event');
  assert.equal(item.description, full.fields.description ?? null);
  const groupBy = Object.fromEntries(
    Object.entries(full.fields)
      .filter(([k]) => k.startsWith('groupBy.'))
      .map(([k, v]) => [k.slice('groupBy.'.length), v]),
  );
  assert.ok(Object.keys(groupBy).length > 0, 'the fixture has groupBy values');
  assert.deepEqual(item.groupBy, groupBy);
});

test('GET /api/incidents: bad input is a 400 naming the field', async (t) => {
  const s = await apiSetup(t);
  const first = (await s.app.inject({ url: '/api/incidents?limit=1', headers: s.as('viewer') })).json()
    .nextCursor;
  for (const [qs, field] of [
    ['?status=open', 'query.status'],
    ['?severity=CRITICAL', 'query.severity'],
    ['?minSeverity=9', 'query.minSeverity'],
    ['?limit=0', 'querystring.limit'],
    ['?limit=201', 'querystring.limit'],
    ['?sort=name', 'querystring.sort'],
    ['?order=up', 'querystring.order'],
    ['?from=yesterday', 'query.from'],
    ['?from=99999999999999999999', 'query.from'],
    ['?to=soon', 'query.to'],
    ['?unassigned=maybe', 'querystring.unassigned'],
    ['?cursor=garbage', 'query.cursor'],
    [`?cursor=${first}&sort=severity`, 'query.cursor'],
    ['?bogus=1', 'querystring.bogus'],
    [`?q=${'x'.repeat(501)}`, 'querystring.q'],
  ] as const) {
    const r = await s.app.inject({ url: `/api/incidents${qs}`, headers: s.as('viewer') });
    assert.equal(r.statusCode, 400, qs);
    assert.equal(r.json().errorCode, 'VALIDATION_FAILED', qs);
    assert.equal(r.json().field, field, qs);
  }
});

test('GET /api/incidents/:id: incident, notes, timeline, logs, related; 404; 400', async (t) => {
  const s = await apiSetup(t);
  const id = s.ids[0]!;
  const d = (await s.app.inject({ url: `/api/incidents/${enc(id)}`, headers: s.as('viewer') })).json();
  assert.equal(d.incident.id, id);
  assert.equal(d.incident.originalSeverity, 3);
  assert.deepEqual(d.notes, []);
  assert.equal(d.timeline[0].kind, 'created');
  assert.equal(d.logs, null);
  // Same rule (alertId 7) and groupBy source.ip 10.0.0.0: the first LOW one; the others differ.
  assert.deepEqual(
    d.related.map((i: { fields: Record<string, unknown> }) => i.fields['groupBy.source.ip']),
    ['10.0.0.0'],
  );
  const missing = await s.app.inject({ url: '/api/incidents/nope', headers: s.as('viewer') });
  assert.equal(missing.statusCode, 404);
  assert.equal(missing.json().errorCode, 'INCIDENT_NOT_FOUND');
  for (const sub of ['timeline', 'notes', 'logs']) {
    assert.equal(
      (await s.app.inject({ url: `/api/incidents/nope/${sub}`, headers: s.as('viewer') })).statusCode,
      404,
    );
  }
  const bad = await s.app.inject({
    url: `/api/incidents/${enc(id)}?relatedWindowHours=-1`,
    headers: s.as('viewer'),
  });
  assert.equal(bad.statusCode, 400);
  assert.equal(bad.json().field, 'querystring.relatedWindowHours');
});

test('PATCH /api/incidents/:id: status, owner, severity override, tags, close with a reason; 400s write nothing', async (t) => {
  const s = await apiSetup(t);
  const url = `/api/incidents/${enc(s.ids[0]!)}`;
  const patch = (payload: Record<string, unknown>) =>
    s.app.inject({ method: 'PATCH', url, payload, headers: s.as('analyst') });
  const r = await patch({ status: 'active', owner: 'al', severity: 4, tags: ['ssh', 'vip'] });
  assert.equal(r.statusCode, 200);
  assert.equal(r.json().severity, 4);
  assert.equal(r.json().originalSeverity, 3);
  assert.deepEqual(r.json().tags, ['ssh', 'vip']);
  assert.ok(r.json().acknowledgedAt);
  for (const [payload, field, code] of [
    [{ status: 'closed' }, 'body.closeReason', 'CLOSE_REASON_REQUIRED'],
    [{ status: 'closed', closeReason: 'fixed' }, 'body.closeReason', 'VALIDATION_FAILED'],
    [{ closeReason: 'resolved' }, 'body.closeReason', 'VALIDATION_FAILED'],
    [{ closeNotes: 'x' }, 'body.closeNotes', 'VALIDATION_FAILED'],
    [{ status: 'done' }, 'body.status', 'VALIDATION_FAILED'],
    [{ severity: 5 }, 'body.severity', 'VALIDATION_FAILED'],
    [{ tags: ['a b'] }, 'body.tags.0', 'VALIDATION_FAILED'],
    [{ tags: ['a', 'a'] }, 'body.tags', 'VALIDATION_FAILED'],
    [{}, 'body', 'VALIDATION_FAILED'],
    [{ owner: 'a', extra: 1 }, 'body.extra', 'VALIDATION_FAILED'],
    // "" is refused, never taken as null (an unassign): null is the one way to unassign.
    [{ owner: '' }, 'body.owner', 'VALIDATION_FAILED'],
  ] as const) {
    const bad = await patch(payload);
    assert.equal(bad.statusCode, 400, JSON.stringify(payload));
    assert.equal(bad.json().errorCode, code, JSON.stringify(payload));
    assert.equal(bad.json().field, field, JSON.stringify(payload));
  }
  const d1 = (await s.app.inject({ url, headers: s.as('viewer') })).json();
  assert.equal(d1.incident.status, 'active', 'nothing half written');
  assert.equal(d1.incident.owner, 'al', 'owner "" unassigned nothing');
  const bulkEmpty = await s.app.inject({
    method: 'POST',
    url: '/api/incidents/bulk',
    payload: { ids: [s.ids[0]], patch: { owner: '' } },
    headers: s.as('analyst'),
  });
  assert.equal(bulkEmpty.statusCode, 400);
  assert.equal(bulkEmpty.json().field, 'body.patch.owner');
  const unassigned = await patch({ owner: null });
  assert.equal(unassigned.json().owner, null, 'null unassigns');
  assert.equal((await patch({ owner: 'al' })).json().owner, 'al');
  const closed = await patch({
    status: 'closed',
    closeReason: 'benign_true_positive',
    closeNotes: 'pen test',
  });
  assert.equal(closed.statusCode, 200);
  assert.equal(closed.json().closeReason, 'benign_true_positive');
  assert.ok(closed.json().timeToCloseSeconds >= 0);
  const d = (await s.app.inject({ url, headers: s.as('viewer') })).json();
  assert.deepEqual(
    d.timeline.map((e: { kind: string }) => e.kind),
    [
      'created',
      'owner_changed',
      'severity_changed',
      'tags_changed',
      'status_changed',
      'owner_changed',
      'owner_changed',
      'closed',
    ],
  );
  assert.equal(
    (
      await s.app.inject({
        method: 'PATCH',
        url: '/api/incidents/nope',
        payload: { owner: 'x' },
        headers: s.as('analyst'),
      })
    ).statusCode,
    404,
  );
  const h = (await s.app.inject({ url: '/api/health', headers: s.as('viewer') })).json();
  assert.equal(h.sla.timeToAcknowledge.count, 1);
  assert.equal(h.sla.timeToClose.count, 1);
});

test('POST /api/incidents/bulk: one transaction; an unknown id or a refused change writes nothing', async (t) => {
  const s = await apiSetup(t);
  const bulk = (payload: Record<string, unknown>) =>
    s.app.inject({ method: 'POST', url: '/api/incidents/bulk', payload, headers: s.as('analyst') });
  const missing = await bulk({ ids: [s.ids[0], 'nope'], patch: { owner: 'al' } });
  assert.equal(missing.statusCode, 404);
  assert.equal(missing.json().field, 'body.ids');
  const noReason = await bulk({ ids: s.ids, patch: { status: 'closed' } });
  assert.equal(noReason.statusCode, 400);
  assert.equal(noReason.json().errorCode, 'CLOSE_REASON_REQUIRED');
  const all = (await s.app.inject({ url: '/api/incidents?owner=al', headers: s.as('viewer') })).json();
  assert.equal(all.total, 0, 'nothing written');
  for (const [payload, field] of [
    [{ ids: [], patch: { owner: 'a' } }, 'body.ids'],
    [{ ids: ['a', 'a'], patch: { owner: 'a' } }, 'body.ids'],
    [{ ids: ['a'] }, 'body.patch'],
    [{ ids: ['a'], patch: {} }, 'body.patch'],
    [{ ids: ['a'], patch: { status: 'x' } }, 'body.patch.status'],
  ] as const) {
    const r = await bulk(payload);
    assert.equal(r.statusCode, 400, JSON.stringify(payload));
    assert.equal(r.json().field, field, JSON.stringify(payload));
  }
  const ok = await bulk({
    ids: s.ids.slice(0, 3),
    patch: { status: 'closed', closeReason: 'duplicate', owner: 'al' },
  });
  assert.equal(ok.statusCode, 200);
  assert.deepEqual(
    ok.json().results.map((i: { status: string }) => i.status),
    ['closed', 'closed', 'closed'],
  );
  assert.equal(
    (await s.app.inject({ url: '/api/incidents?status=closed', headers: s.as('viewer') })).json().total,
    3,
  );
});

test('notes: add (201), list, edit own note keeps the revision, others may not edit (403); 400s; 404s', async (t) => {
  const s = await apiSetup(t);
  const base = `/api/incidents/${enc(s.ids[0]!)}/notes`;
  const al = await s.login('analyst');
  const cookieHeaders = { cookie: al.cookie, 'x-csrf-token': al.csrf };
  const add = await s.app.inject({
    method: 'POST',
    url: base,
    payload: { body: 'Checked **VPN** logs' },
    headers: cookieHeaders,
  });
  assert.equal(add.statusCode, 201);
  assert.equal(add.json().author, 'al');
  const noteUrl = `${base}/${add.json().id}`;
  const edit = await s.app.inject({
    method: 'PATCH',
    url: noteUrl,
    payload: { body: 'Checked VPN and SSO logs' },
    headers: cookieHeaders,
  });
  assert.equal(edit.statusCode, 200);
  assert.equal(edit.json().revisions[0].body, 'Checked **VPN** logs');
  const other = await s.app.inject({
    method: 'PATCH',
    url: noteUrl,
    payload: { body: 'mine now' },
    headers: s.as('admin'),
  });
  assert.equal(other.statusCode, 403);
  const list = (await s.app.inject({ url: base, headers: s.as('viewer') })).json();
  assert.equal(list.length, 1);
  for (const [payload, field] of [
    [{}, 'body.body'],
    [{ body: '' }, 'body.body'],
    [{ body: 'x'.repeat(20_001) }, 'body.body'],
    [{ body: 'x', author: 'y' }, 'body.author'],
  ] as const) {
    const r = await s.app.inject({ method: 'POST', url: base, payload, headers: s.as('analyst') });
    assert.equal(r.statusCode, 400, JSON.stringify(payload));
    assert.equal(r.json().field, field);
  }
  const badId = await s.app.inject({
    method: 'PATCH',
    url: `${base}/abc`,
    payload: { body: 'x' },
    headers: s.as('analyst'),
  });
  assert.equal(badId.statusCode, 400);
  assert.equal(badId.json().field, 'params.noteId');
  assert.equal(
    (
      await s.app.inject({
        method: 'PATCH',
        url: `${base}/999`,
        payload: { body: 'x' },
        headers: s.as('analyst'),
      })
    ).statusCode,
    404,
  );
  assert.equal(
    (
      await s.app.inject({
        method: 'POST',
        url: '/api/incidents/nope/notes',
        payload: { body: 'x' },
        headers: s.as('analyst'),
      })
    ).statusCode,
    404,
  );
  const tl = (
    await s.app.inject({ url: `/api/incidents/${enc(s.ids[0]!)}/timeline`, headers: s.as('viewer') })
  ).json();
  assert.deepEqual(
    tl.slice(-2).map((e: { kind: string; actor: { name: string } }) => [e.kind, e.actor.name]),
    [
      ['note_added', 'al'],
      ['note_edited', 'al'],
    ],
  );
});

test('logs: empty until captured; refetch on demand (analyst) records who; 404', async (t) => {
  const s = await apiSetup(t);
  const url = `/api/incidents/${enc(s.ids[0]!)}/logs`;
  const before = (await s.app.inject({ url, headers: s.as('viewer') })).json();
  assert.equal(before.count, 0);
  assert.equal(before.fetchedAt, null);
  const r = await s.app.inject({ method: 'POST', url: `${url}/refetch`, headers: s.as('analyst') });
  assert.equal(r.statusCode, 200);
  assert.equal(r.json().count, 1);
  assert.deepEqual(s.refetched, [s.ids[0]]);
  assert.equal(
    (await s.app.inject({ url, headers: s.as('viewer') })).json().logs[0].message,
    'failed password',
  );
  assert.equal(
    (
      await s.app.inject({
        method: 'POST',
        url: '/api/incidents/nope/logs/refetch',
        headers: s.as('analyst'),
      })
    ).statusCode,
    404,
  );
  const tl = (
    await s.app.inject({ url: `/api/incidents/${enc(s.ids[0]!)}/timeline`, headers: s.as('viewer') })
  ).json();
  assert.deepEqual(tl.at(-1).actor, { kind: 'api_key', name: 'analyst-key' });
  assert.equal(tl.at(-1).kind, 'logs_fetched');
});
