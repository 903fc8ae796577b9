import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createOffsetCodec } from '../../../src/modules/feed/offset.ts';
import type { FeedSource } from '../../../src/modules/feed/repository.ts';
import { FEED_CHUNK_ROWS, FEED_WRITE_CHARS, feedBody } from '../../../src/modules/feed/stream.ts';
import type { SecurityEventRow } from '../../../src/modules/events/repository.ts';

function row(seq: number): SecurityEventRow {
  return {
    seq,
    alert_event_id: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
    account_id: 7,
    config_id: 3,
    rule_id: 450001,
    name: 'SSH brute force',
    description: 'x'.repeat(200),
    alert_summary: 'summary',
    event_date: 1_700_000_000_000,
    window_start: 1_700_000_000_000 - 600_000,
    window_end: 1_700_000_000_000,
    severity: 'HIGH',
    severity_rank: 3,
    group_by: '{"source.ip":"10.0.0.1"}',
    tags: '["a"]',
    mitre_tags: '[]',
    hits: 5,
    is_muted: 0,
    stored_at: 1_700_000_000_000,
  } as unknown as SecurityEventRow;
}

test('a large feed response is read and written in bounded pieces, never built whole', async () => {
  const total = 20_000;
  const asked: number[] = [];
  let maxRowsHeld = 0;
  const source: FeedSource = {
    visibleBound: () => total + 1,
    storedRange: () => undefined,
    seqStoredBy: () => 0,
    chunk(_scan, after, n) {
      asked.push(n);
      const rows: SecurityEventRow[] = [];
      for (let s = after + 1; s <= Math.min(total, after + n); s++) rows.push(row(s));
      maxRowsHeld = Math.max(maxRowsHeld, rows.length);
      return rows;
    },
  };
  const codec = createOffsetCodec(new Uint8Array(32).fill(1));
  let lines = 0;
  let largest = 0;
  let writes = 0;
  for await (const piece of feedBody({
    plan: { mode: 'offset', after: { seq: 0, atMs: 0 }, cutoffMs: 0, limit: total },
    accountId: 7,
    configIds: [3],
    source,
    codec,
  } as Parameters<typeof feedBody>[0])) {
    writes++;
    largest = Math.max(largest, piece.length);
    for (const c of piece) if (c === '\n') lines++;
  }
  assert.equal(lines, total + 1, 'every event and the context line');
  // Rows come from SQLite a chunk at a time, and each write is about FEED_WRITE_CHARS (plus one line).
  assert.ok(asked.every((n) => n <= FEED_CHUNK_ROWS));
  assert.ok(maxRowsHeld <= FEED_CHUNK_ROWS);
  assert.ok(largest < FEED_WRITE_CHARS + 4096, `largest write ${largest} chars`);
  assert.ok(writes > total / FEED_CHUNK_ROWS, `${writes} writes`);
});
