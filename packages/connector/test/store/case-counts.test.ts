import { test } from 'node:test';
import assert from 'node:assert/strict';
import { STORE_FACTORIES } from './factories.ts';
import { commit } from './fixtures.ts';
import type { IncidentStore, NewIncident } from '../../src/store/types.ts';
import type { CaseQuery } from '../../src/cases/schemas.ts';

const ann = { kind: 'user', name: 'ann' } as const;
const T0 = Date.UTC(2026, 0, 1);

const incident = (n: number, user: string, severity: number, rule = 'Brute force login'): NewIncident => ({
  id: `logzio:c${n}`,
  alertEventId: `c${n}`,
  name: rule,
  occurred: new Date(T0 + n * 1000).toISOString(),
  severity,
  fields: { description: `${rule} for ${user}`, 'groupBy.user': user },
  raw: { alertEventId: `c${n}` },
});

type Filters = Omit<CaseQuery, 'sort' | 'order' | 'limit' | 'after'>;

/** The counts as the queue's own rows give them: what the counts table and cache must equal. */
async function truth(store: IncidentStore, f: Filters) {
  const { status: _s, severities: _v, minSeverity: _m, ...rest } = f;
  const rows = await store.queryIncidents({ ...rest, sort: 'occurred', order: 'desc', limit: 1000 });
  const byStatus = { new: 0, active: 0, closed: 0 };
  const bySeverity: Record<string, number> = {};
  for (const r of rows) {
    byStatus[r.status]++;
    bySeverity[String(r.severity)] = (bySeverity[String(r.severity)] ?? 0) + 1;
  }
  const total = rows.filter(
    (r) =>
      (!f.status?.length || f.status.includes(r.status)) &&
      (f.minSeverity === undefined || r.severity >= f.minSeverity),
  ).length;
  return { byStatus, bySeverity, total };
}

const FILTERS: Filters[] = [
  {},
  { status: ['new', 'active'], minSeverity: 2 },
  { text: 'alice' },
  { text: 'alice', status: ['closed'] },
  { names: ['Malware beacon'] },
  { occurredFrom: T0 + 3000 },
  { owners: ['ann'] },
];

async function expectExact(reader: IncidentStore, writer: IncidentStore, step: string) {
  for (const f of FILTERS) {
    assert.deepEqual(await reader.caseCounts(f), await truth(writer, f), `${step}: ${JSON.stringify(f)}`);
  }
}

// The counts table (kept by triggers) and the per-filter cache (kept while the counts' generation
// stays) must equal a count of the rows after every kind of write, also when another process
// (a second store over the same data) writes.
for (const { name, openTwo } of STORE_FACTORIES) {
  test(`${name} store: queue counts stay exact across inserts, updates, bulk updates and a second writer`, async (t) => {
    const pair = await openTwo(t);
    if (!pair) return;
    const [reader, writer] = pair;
    await writer.commitRun(
      commit(
        [
          incident(1, 'alice', 3),
          incident(2, 'bob', 1),
          incident(3, 'alice', 4),
          incident(4, 'carol', 2, 'Malware beacon'),
          incident(5, 'alice', 2),
        ],
        null,
        'c1',
      ),
    );
    await expectExact(reader, writer, 'after the first commit');
    await writer.updateCase('logzio:c1', { status: 'active' }, ann, T0 + 10_000);
    await expectExact(reader, writer, 'after a status change');
    await writer.updateCase('logzio:c3', { severity: 1 }, ann, T0 + 11_000);
    await expectExact(reader, writer, 'after a severity override');
    await writer.updateCase('logzio:c2', { owner: 'ann' }, ann, T0 + 12_000);
    await expectExact(reader, writer, 'after an assignment');
    await writer.bulkUpdateCases(
      ['logzio:c1', 'logzio:c5', 'logzio:c4'],
      { status: 'closed', closeReason: 'resolved' },
      ann,
      T0 + 13_000,
    );
    await expectExact(reader, writer, 'after a bulk close');
    await writer.insertIncidents([incident(6, 'alice', 3), incident(7, 'dave', 0.5)], T0 + 14_000);
    await expectExact(reader, writer, 'after a backfill insert');
    // A backlog's group of runs (one transaction, the counts bumped once for all of them; an id
    // taken twice counts once), then a group refused on its cursor chain, which counts nothing.
    const erin = (n: number) => incident(n, 'erin', (n % 4) + 1);
    await writer.commitRuns([
      commit([erin(8), erin(9)], 'c1', 'c2'),
      commit([erin(9), erin(10)], 'c2', 'c3'),
      commit([erin(11)], 'c3', 'c4'),
    ]);
    await expectExact(reader, writer, 'after a group of runs');
    await assert.rejects(
      writer.commitRuns([commit([erin(12)], 'c4', 'c5'), commit([erin(13)], 'c4', 'c6')]),
      {
        code: 'CURSOR_CONFLICT',
      },
    );
    await expectExact(reader, writer, 'after a refused group of runs');
    // A refused bulk change writes nothing, counts included.
    await assert.rejects(
      writer.bulkUpdateCases(['logzio:c6', 'logzio:nope'], { status: 'active' }, ann, T0 + 15_000),
    );
    await expectExact(reader, writer, 'after a refused bulk change');
    // The reader's own writes too.
    await reader.updateCase('logzio:c6', { status: 'closed', closeReason: 'duplicate' }, ann, T0 + 16_000);
    await expectExact(writer, reader, "after the reader's write");
    await expectExact(reader, writer, "after the reader's write (reader side)");
  });
}
