import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createOffsetCodec } from '../../../src/modules/feed/offset.ts';
import { contextLine } from '../../../src/modules/feed/lines.ts';

const secret = new Uint8Array(32).fill(7);
const ids = [14227];

test('offset tokens are stable, URL-safe, and round-trip', () => {
  const a = createOffsetCodec(secret);
  const b = createOffsetCodec(new Uint8Array(secret)); // e.g. after a restart
  const pos = { seq: 123_456_789, atMs: 1_785_000_000_123 };
  const token = a.encode(pos, ids);
  assert.equal(token, b.encode(pos, ids));
  assert.match(token, /^[A-Za-z0-9._-]+$/);
  assert.deepEqual(b.decode(token, ids), pos);
  assert.deepEqual(a.decode(a.encode({ seq: 0, atMs: 0 }, ids), ids), { seq: 0, atMs: 0 });
});

test('garbled, truncated or foreign offsets are rejected', () => {
  const codec = createOffsetCodec(secret);
  const token = codec.encode({ seq: 42, atMs: 1_785_000_000_000 }, ids);
  const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'a' ? 'b' : 'a') + s.slice(i + 1);
  for (let i = 0; i < token.length; i++) {
    if (token[i] === '.') continue;
    assert.equal(codec.decode(flip(token, i), ids), undefined, `flipped char ${i}`);
  }
  assert.equal(codec.decode(token.slice(0, -1), ids), undefined);
  assert.equal(codec.decode('', ids), undefined);
  assert.equal(codec.decode('71cca;3phZmEdPj6YEq', ids), undefined);
  assert.equal(createOffsetCodec(new Uint8Array(32)).decode(token, ids), undefined);
});

test('the context line is byte-exact, with "limit" only when given', () => {
  assert.equal(contextLine({ total: 0, offset: 'x' }), '{ "total": 0, "offset": "x" }\n');
  assert.equal(
    contextLine({ total: 2, offset: 'v1.a', limit: 2 }),
    '{ "total": 2, "offset": "v1.a", "limit": 2 }\n',
  );
});
