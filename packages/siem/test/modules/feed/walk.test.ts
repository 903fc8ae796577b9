import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import { insertSecurityEvents, securityEvent } from '../../fixtures/security-events.ts';
import { buildFeedSiem, parseFeed } from './feed-helpers.ts';

/** Deterministic pseudo-random numbers (mulberry32), so a failure replays. */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('concurrent ingest while a consumer walks the feed by offset: every event once, in seq order', async (t) => {
  const siem = await buildFeedSiem(t, { listen: true });
  const random = rng(20261122);
  const inserted: { seq: number; id: string }[] = [];
  const start = Math.floor(siem.clock.now() / 1000) - 10;
  let writing = true;

  const write = async () => {
    for (let round = 0; round < 300; round++) {
      const n = Math.floor(random() * 6);
      const events = Array.from({ length: n }, () =>
        securityEvent({ accountId: siem.siemAccountId, configId: siem.configId }),
      );
      // Now and then a commit carries an older storage time (a slow writer): it must not let
      // the offset jump over events committed before it that are still inside the 5 s latency.
      const storedAt = random() < 0.1 ? siem.clock.now() - Math.floor(random() * 20_000) : siem.clock.now();
      const seqs = insertSecurityEvents(siem.ctx.store, events, storedAt);
      seqs.forEach((seq, i) => inserted.push({ seq, id: events[i]!.alertEventId }));
      await siem.fake.advance(Math.floor(random() * 1500));
      await tick();
    }
    writing = false;
  };

  const seen: string[] = [];
  let calls = 0;
  const read = async () => {
    const url = (q: string) => `${siem.ctx.urls.api}/siem/v1/configs/${siem.configId}?${q}`;
    const get = async (q: string) => {
      calls++;
      const res = await fetch(url(q), { headers: { 'x-api-token': siem.siemToken } });
      assert.equal(res.status, 200);
      const page = parseFeed(await res.text());
      // The 5-second latency holds in offset mode too (the clock only moves forward).
      const newest = siem.clock.now() - 5000;
      for (const e of page.events)
        assert.ok((e.storedAt as number) * 1000 <= newest, 'served inside the latency');
      return page;
    };
    let page = await get(`from=${start}&limit=5`);
    seen.push(...page.events.map((e) => e.alertEventId as string));
    let quietAfterWriter = 0;
    while (quietAfterWriter < 2) {
      const limit = 1 + Math.floor(random() * 12);
      page = await get(`offset=${encodeURIComponent(page.context!.offset)}&limit=${limit}`);
      seen.push(...page.events.map((e) => e.alertEventId as string));
      if (!writing && page.context!.total === 0) {
        quietAfterWriter++;
        await siem.fake.advance(30_000); // let everything pass the 5 s latency, then drain
      }
    }
  };

  await Promise.all([write(), read()]);
  assert.ok(inserted.length > 500, `only ${inserted.length} events inserted`);
  assert.ok(calls > 50, `only ${calls} feed calls`);
  const expected = [...inserted].sort((a, b) => a.seq - b.seq).map((e) => e.id);
  assert.equal(new Set(seen).size, seen.length, 'an event was served twice');
  assert.deepEqual(seen, expected);
});
