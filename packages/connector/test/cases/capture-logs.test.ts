import { test } from 'node:test';
import assert from 'node:assert/strict';
import { captureIncidentLogs } from '../../src/cases/capture-logs.ts';
import { harness, silent } from '../helpers.ts';
import { fetchIncidentsOnce } from '../../src/fetch/fetcher.ts';

const fetchActor = { kind: 'fetch', name: 'fetch' } as const;

test('captureIncidentLogs: keeps up to the cap, says when there were more, keeps old logs when a refetch fails', async (t) => {
  const h = harness(t);
  h.siem.add(1, { eventDate: h.clock.now() - 30 * 60_000 });
  await fetchIncidentsOnce(h.deps());
  const incident = (await h.store.listIncidents({ page: 1, pageSize: 1 })).results[0]!;
  let available = 7;
  let fail = false;
  const asked: number[] = [];
  const client = {
    async *iterateEventLogs(id: string, size: number) {
      assert.equal(id, incident.alertEventId);
      asked.push(size);
      if (fail) throw Object.assign(new Error('SIEM unavailable'), { code: 'HTTP_503' });
      for (let i = 0; i < Math.min(size, available); i++) yield { n: i };
    },
  };
  const deps = { client, store: h.store, clock: h.clock, logger: silent, cap: 5 };
  const first = (await captureIncidentLogs(deps, incident, fetchActor))!;
  assert.deepEqual(asked, [6], 'one more than the cap, to know whether there were more');
  assert.equal(first.count, 5);
  assert.equal(first.truncated, true);
  available = 3;
  const second = (await captureIncidentLogs(deps, incident, { kind: 'user', name: 'al' }))!;
  assert.equal(second.count, 3);
  assert.equal(second.truncated, false);
  fail = true;
  const failed = (await captureIncidentLogs(deps, incident, { kind: 'user', name: 'al' }))!;
  assert.equal(failed.count, 3, 'the earlier capture is kept');
  assert.equal(failed.error, '[HTTP_503] SIEM unavailable');
  const tl = await h.store.timeline(incident.id);
  assert.deepEqual(
    tl.filter((e) => e.kind === 'logs_fetched').map((e) => e.actor.name),
    ['fetch', 'al', 'al'],
  );
});
