import type { FakeClock } from '../../../src/clock.ts';
import { buildTestSiem, type TestSiem } from '../../helpers.ts';
import { createConfig, insertEvents, makeEvent } from '../events/seed.ts';

export interface FeedSiem extends TestSiem {
  fake: FakeClock;
  configId: number;
  /** Stores `n` events of configId, stored now (or at `storedAt`); returns their alertEventIds. */
  add(n: number, opts?: { storedAt?: number; configId?: number; accountId?: number }): string[];
}

let counter = 0;

export async function buildFeedSiem(
  t: import('node:test').TestContext,
  opts: { listen?: boolean; config?: Record<string, unknown> } = {},
): Promise<FeedSiem> {
  const siem = await buildTestSiem(opts);
  t.after(() => siem.close());
  const configId = createConfig(siem, siem.siemAccountId, `config-${++counter}`);
  const add: FeedSiem['add'] = (n, o = {}) => {
    const events = Array.from({ length: n }, () =>
      makeEvent(o.accountId ?? siem.siemAccountId, {
        configId: o.configId ?? configId,
        eventDate: siem.clock.now() - 1000,
      }),
    );
    insertEvents(siem, events, o.storedAt ?? siem.clock.now());
    return events.map((e) => e.alertEventId);
  };
  return Object.assign(siem, { fake: siem.clock as FakeClock, configId, add });
}

export interface ParsedFeed {
  events: Record<string, unknown>[];
  context: { total: number; offset: string; limit?: number } | undefined;
  lastLine: string;
}

/** Splits an NDJSON feed body; the context is the last line when it has `offset`. */
export function parseFeed(body: string): ParsedFeed {
  const lines = body.split('\n');
  const tail = lines.pop();
  if (tail !== '')
    throw new Error(`feed body does not end in a newline: ${JSON.stringify(tail?.slice(0, 80))}`);
  const objs = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  const last = objs[objs.length - 1];
  const isContext = last !== undefined && typeof last.offset === 'string' && 'total' in last;
  return {
    events: isContext ? objs.slice(0, -1) : objs,
    context: isContext ? (last as ParsedFeed['context']) : undefined,
    lastLine: lines[lines.length - 1] ?? '',
  };
}
