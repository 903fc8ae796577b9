import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import test from 'node:test';
import { releaseDeadWorkers } from '../../src/playbooks/dead-owners.ts';
import { openSqliteIncidentStore } from '../../src/store/sqlite.ts';
import { silent } from '../helpers.ts';
import { engine, ManualClock, playbook } from './helpers.ts';

test('a restarted process gives back at once the step leases of this machine’s dead workers, not of live or remote ones', async (t) => {
  const store = openSqliteIncidentStore({ path: ':memory:' });
  t.after(() => store.close());
  const clock = new ManualClock();
  const pb = playbook({ name: 'one', version: 1, steps: [{ id: 'a', kind: 'set', values: { x: 1 } }] });
  const { service } = engine(store, [pb], { clock });
  for (let i = 0; i < 3; i++)
    await service.start({ playbook: 'one', incidentId: null, startedBy: 'test', inputs: {} });
  const journal = store.playbooks.journal;
  const dead = `${hostname()}:4242:ab12cd34`;
  const alive = `${hostname()}:4343:ab12cd34`;
  const remote = `elsewhere:4242:ab12cd34`;
  for (const owner of [dead, alive, remote])
    assert.equal((await journal.claim(owner, clock.now(), 60_000, 1)).length, 1);
  assert.deepEqual((await journal.leaseOwners()).sort(), [dead, alive, remote].sort());
  assert.equal(
    await journal.claim('next', clock.now(), 60_000, 3).then((u) => u.length),
    0,
    'all three leased',
  );
  assert.equal(await releaseDeadWorkers(store, clock, silent, (pid) => pid === 4343), 1);
  const again = await journal.claim('next', clock.now(), 60_000, 3);
  assert.equal(again.length, 1, 'only the dead worker’s unit is claimable before its lease runs out');
  assert.equal(again[0]!.row.attempt, 1, 'same attempt: same idempotency key');
});
