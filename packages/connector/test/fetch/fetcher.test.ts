import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fetchIncidentsOnce } from '../../src/fetch/fetcher.ts';
import { resolveFetchOptions } from '../../src/fetch/options.ts';
import type { FetchDeps } from '../../src/fetch/types.ts';
import { openSqliteIncidentStore } from '../../src/store/sqlite.ts';
import type { IncidentStore } from '../../src/store/types.ts';
import { FakeSiem, MIN, TestClock, silent } from '../helpers.ts';

for (const source of ['search', 'feed'] as const) {
  test(`two connector processes on one data dir (${source} mode): racing runs never lose or duplicate an event`, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'siemlink-two-'));
    const clock = new TestClock(Date.UTC(2026, 0, 1, 12));
    const siem = new FakeSiem(clock);
    // Two connections on one file, as two processes would have.
    const stores = [0, 1].map(() => openSqliteIncidentStore({ path: join(dir, 'connector.db') }));
    t.after(async () => {
      for (const s of stores) await s.close();
      rmSync(dir, { recursive: true, force: true });
    });
    const options = resolveFetchOptions(
      source === 'feed' ? { source, configIds: '1', feedBatchLimit: 30 } : {},
      silent,
    );
    const deps = (store: IncidentStore): FetchDeps => ({
      client: siem,
      store,
      options,
      logger: silent,
      clock,
    });
    let conflicts = 0;
    let quiet = 0;
    for (let round = 0; quiet < 2 && round < 50; round++) {
      if (round < 6) siem.add(40, { eventDate: clock.now() - 20 * MIN, step: 10 });
      clock.advance(MIN);
      const runs = await Promise.allSettled(stores.map((s) => fetchIncidentsOnce(deps(s))));
      conflicts += runs.filter((r) => r.status === 'rejected').length;
      const took = runs.reduce((n, r) => n + (r.status === 'fulfilled' ? r.value.count : 0), 0);
      quiet = round >= 6 && took === 0 ? quiet + 1 : 0;
    }
    assert.ok(conflicts > 0, 'the runs did race');
    const ids = (await stores[0]!.listIncidents({ page: 1, pageSize: 1_000_000 })).results.map(
      (i) => i.alertEventId,
    );
    assert.equal(new Set(ids).size, ids.length, 'duplicates');
    assert.deepEqual([...ids].sort(), [...siem.allIds()].sort(), 'lost');
  });
}
