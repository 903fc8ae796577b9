import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createFeedLineWriter } from '../../../src/modules/feed/lines.ts';
import type { SecurityEventRow } from '../../../src/modules/events/repository.ts';

const row = (over: Partial<SecurityEventRow> = {}): SecurityEventRow => ({
  seq: 1,
  alert_event_id: '27cdcf45-ae12-581a-809e-17a6bbc9ae07',
  account_id: 100002,
  config_id: 14227,
  rule_id: 450001,
  name: 'Rule "quoted"\nwith newline, tab\t, unicode é 🚨 and \\ backslash',
  description: '</script> \u2028',
  alert_summary: "Alert if query '*' results > 5",
  event_date: 1_587_136_455_123,
  window_start: 1_587_132_855_123,
  window_end: 1_587_136_455_123,
  severity: 'SEVERE',
  severity_rank: 4,
  group_by: '{"sourceIPAddress":"2001:db8::1","user":"a\\"b"}',
  tags: '["network_threat","recon"]',
  mitre_tags: '["T1110"]',
  hits: 30,
  is_muted: 0,
  stored_at: 1_587_136_460_001,
  ...over,
});

test('feed lines are valid JSON for any stored text, one line each, with the same values', () => {
  const w = createFeedLineWriter();
  for (const r of [
    row(),
    row({ group_by: null, tags: '[]', is_muted: 1 }),
    row({ group_by: '{"ip":"10.1.2.3"}' }),
  ]) {
    const line = w.line(r);
    assert.ok(line.endsWith('\n'));
    assert.equal(line.indexOf('\n'), line.length - 1);
    const e = JSON.parse(line);
    assert.equal(e.name, r.name);
    assert.equal(e.description, r.description);
    assert.equal(e.eventDate, 1_587_136_455.123);
    assert.equal(e.storedAt, 1_587_136_460.001);
    assert.deepEqual(e.groupBy, r.group_by === null ? null : JSON.parse(r.group_by));
    assert.equal(e.isMuted, r.is_muted === 1);
    assert.equal(e.configId, '14227');
    assert.equal(e.httpMessage.start, '1587136455');
  }
  assert.equal(JSON.parse(w.line(row())).attackData.clientIP, '2001:db8::1');
  assert.equal(JSON.parse(w.line(row({ group_by: '{"ip":"10.1.2.3"}' }))).attackData.clientIP, '10.1.2.3');
  assert.equal(JSON.parse(w.line(row({ group_by: '{"user":"x"}' }))).attackData.clientIP, '');
});
