import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lineToLog, parseTimestamp } from '../../../src/modules/listener/document.ts';

const NOW = Date.UTC(2026, 0, 1, 12);

test('parseTimestamp: ISO strings, epoch seconds and ms (numbers or digit strings); junk is undefined', () => {
  assert.equal(parseTimestamp('2026-01-01T00:00:00Z'), Date.UTC(2026, 0, 1));
  assert.equal(parseTimestamp(1767225600), Date.UTC(2026, 0, 1));
  assert.equal(parseTimestamp(1767225600.5), Date.UTC(2026, 0, 1) + 500);
  assert.equal(parseTimestamp(1767225600000), Date.UTC(2026, 0, 1));
  assert.equal(parseTimestamp('1767225600'), Date.UTC(2026, 0, 1));
  for (const junk of ['', 'soon', {}, [], true, Number.NaN, 1e300])
    assert.equal(parseTimestamp(junk), undefined);
});

test('an unchanged JSON line is stored exactly as sent; a changed one is re-serialised', () => {
  const line = JSON.stringify({ '@timestamp': '2026-01-01T00:00:00.000Z', type: 'x', a: 1 });
  const out = lineToLog(`  ${line}  `, 'http-bulk', NOW);
  assert.deepEqual(out, { ok: true, log: { ts: Date.UTC(2026, 0, 1), type: 'x', doc: line } });
  const changed = lineToLog('{"a":1}', 'http-bulk', NOW);
  assert.ok(changed.ok === true);
  assert.deepEqual(JSON.parse(changed.log.doc), {
    a: 1,
    type: 'http-bulk',
    '@timestamp': new Date(NOW).toISOString(),
  });
});

test('non-string or empty document types are replaced by the request type', () => {
  for (const type of [42, '', null, { a: 1 }]) {
    const out = lineToLog(JSON.stringify({ type }), 'req-type', NOW);
    assert.ok(out.ok === true);
    assert.equal(out.log.type, 'req-type');
  }
});

test('blank lines are empty, not errors; JSON arrays and strings are malformed', () => {
  assert.deepEqual(lineToLog('   ', 't', NOW), { ok: 'empty' });
  assert.equal(lineToLog('[1]', 't', NOW).ok, false);
  assert.equal(lineToLog('"s"', 't', NOW).ok, false);
  const text = lineToLog('"quoted" then text', 't', NOW);
  assert.ok(text.ok === true);
  assert.equal(JSON.parse(text.log.doc).message, '"quoted" then text');
});
