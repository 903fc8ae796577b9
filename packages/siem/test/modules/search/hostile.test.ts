import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestSiem, type TestSiem } from '../../helpers.ts';
import { FakeClock } from '../../../src/clock.ts';
import { HOSTILE_QUERIES } from '../../fixtures/hostile-queries.ts';
import { insertLogs, search } from './helpers.ts';

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
let siem: TestSiem;

before(async () => {
  siem = await buildTestSiem({ clock: new FakeClock(NOW) });
  insertLogs(
    siem,
    siem.logsAccountId,
    Array.from({ length: 50 }, (_, i) => ({
      ts: NOW - 1000 - i,
      doc: { user_agent: `Mozilla/5.0 ${'x'.repeat(2000)}`, message: 'a'.repeat(500), a: { a: i } },
    })),
  );
});
after(() => siem.close());

for (const h of HOSTILE_QUERIES) {
  test(`/v1/search: ${h.name} answers ${h.want.status}`, async () => {
    const r = await search(siem, { query: { query_string: { query: h.query } } });
    assert.equal(r.status, h.want.status, JSON.stringify(r.body).slice(0, 300));
    if (h.want.status === 400) {
      assert.equal(r.body.errorCode, h.want.errorCode);
      assert.ok(r.body.field, 'names the field');
      if (h.want.limit) assert.match(r.body.message, new RegExp(`${h.want.limit} is \\d+`));
    }
  });
}

test('/v1/search: the JSON DSL has the same limits (wildcard pattern, clauses)', async () => {
  const long = await search(siem, { query: { wildcard: { user_agent: `M${'*?'.repeat(200)}z` } } });
  assert.equal(long.status, 400);
  assert.equal(long.body.errorCode, 'QUERY_LIMIT_EXCEEDED');
  assert.match(long.body.message, /maxPatternLength is 256/);
  const many = await search(siem, {
    query: { bool: { should: Array.from({ length: 1100 }, (_, i) => ({ term: { user: `u${i}` } })) } },
  });
  assert.equal(many.status, 400);
  assert.match(many.body.message, /maxClauses is 1024/);
  const hostile = await search(siem, { query: { wildcard: { user_agent: 'M*?*?*?*?*?*?*?*?*z' } } });
  assert.equal(hostile.status, 200);
});
