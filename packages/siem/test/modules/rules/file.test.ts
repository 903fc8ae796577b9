import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SiemError } from '../../../src/errors.ts';
import { createRulesService } from '../../../src/modules/rules/service.ts';
import { installRulesFile } from '../../../src/modules/rules/install-file.ts';
import { loadRulesFile } from '../../../src/modules/rules/file.ts';
import { buildTestSiem } from '../../helpers.ts';
import { ruleRequest } from './fixtures.ts';

const dir = mkdtempSync(join(tmpdir(), 'siemlink-rulesfile-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const file = (content: unknown) => {
  const p = join(dir, `rules-${n++}.json`);
  writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
  return p;
};

function rejects(content: unknown, pattern: RegExp, field?: string) {
  const p = file(content);
  assert.throws(
    () => loadRulesFile(p),
    (err: unknown) => {
      assert.ok(err instanceof SiemError);
      assert.equal(err.code, 'INVALID_RULES_FILE');
      assert.equal(err.kind, 'config');
      assert.match(err.message, pattern);
      assert.ok(err.message.includes(p), 'names the file');
      if (field) assert.equal(err.field, field);
      return true;
    },
  );
}

test('loads a valid file and applies defaults', () => {
  const req = ruleRequest();
  delete (req.subComponents[0]!.queryDefinition as { query?: string }).query;
  delete req.searchTimeFrameMinutes;
  const rules = loadRulesFile(file([req, ruleRequest({ title: 'second' })]));
  assert.equal(rules.length, 2);
  assert.equal(rules[0]!.subComponents[0]!.queryDefinition.query, '*');
  assert.equal(rules[0]!.searchTimeFrameMinutes, 5);
  assert.equal(rules[1]!.title, 'second');
});

test('clear errors naming the file, the rule index and title, and the field', () => {
  rejects('[{"title": ', /is not valid JSON/);
  rejects({ title: 'x' }, /must be a JSON array/);
  rejects(
    [ruleRequest(), { ...ruleRequest({ title: 'no subs' }), subComponents: undefined }],
    /rule 1 \('no subs'\): rules\[1\]\.subComponents/,
    'rules[1].subComponents',
  );
  rejects(
    [ruleRequest({ title: 'bad lucene' }, { query: 'a:(' })],
    /rule 0 \('bad lucene'\): rules\[0\]\.subComponents\.0\.queryDefinition\.query: invalid Lucene/,
    'rules[0].subComponents.0.queryDefinition.query',
  );
  rejects(
    [ruleRequest({}, {}, { severityThresholdTiers: { URGENT: 1 } })],
    /severityThresholdTiers\.URGENT: unknown severity/,
  );
  rejects([ruleRequest({ searchTimeFrameMinutes: 0 })], /rules\[0\]\.searchTimeFrameMinutes/);
  assert.throws(() => loadRulesFile(join(dir, 'missing.json')), /cannot be read \(ENOENT\)/);
});

test('installRulesFile installs into the bootstrap SIEM account, once', async (t) => {
  const s = await buildTestSiem();
  t.after(() => s.close());
  const p = file([ruleRequest({ title: 'from file 1' }), ruleRequest({ title: 'from file 2' })]);
  assert.equal(installRulesFile(s.ctx, p), 2);
  assert.equal(installRulesFile(s.ctx, p), 0, 'titles already present are skipped');
  const account = s.ctx.accounts.get(s.siemAccountId)!;
  const found = createRulesService(s.ctx).search(account, {});
  assert.deepEqual(
    found.results.map((r) => r.title),
    ['from file 1', 'from file 2'],
  );
  // All or nothing: one bad rule, nothing installed.
  const bad = file([ruleRequest({ title: 'ok 3' }), ruleRequest({ title: 'bad', configId: 1 })]);
  assert.throws(() => installRulesFile(s.ctx, bad), /rules\[1\]\.configId/);
  assert.equal(createRulesService(s.ctx).search(account, {}).total, 2);
});
