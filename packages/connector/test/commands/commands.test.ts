import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SiemClient, SearchLogsResponse, FeedItem, FeedRequest } from '../../src/client/types.ts';
import {
  MissingTokenError,
  HttpError,
  ConnectorError,
  OffsetExpiredError,
  OffsetRejectedError,
} from '../../src/errors.ts';
import {
  searchLogsCommand,
  getLogsByEventIdCommand,
  createSiemAccountCommand,
  securityEventsCommand,
  testCommand,
  type CommandDeps,
} from '../../src/commands/index.ts';
import { instantClock, memoryLogger } from '../client/helpers.ts';

const NOW = Date.UTC(2026, 10, 22, 13, 30, 0);

function deps(client: Partial<SiemClient>): CommandDeps {
  return { client: client as SiemClient, clock: instantClock(NOW), logger: memoryLogger().logger };
}

/** A /v1/search stand-in holding `n` hits per query, honouring from/size like the API. */
function searchServer(n: number) {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- ES DSL bodies are read loosely here
  const bodies: Record<string, any>[] = [];
  const searchLogs = async (body: Record<string, unknown>): Promise<SearchLogsResponse> => {
    bodies.push(body);
    const from = body.from as number;
    const size = body.size as number;
    if (from + size > 10_000) throw new Error('from+size > 10000');
    const count = Math.max(0, Math.min(size, n - from));
    return {
      hits: {
        total: n,
        hits: Array.from({ length: count }, (_, i) => ({ _id: String(from + i), _source: { i: from + i } })),
      },
    };
  };
  return { bodies, searchLogs };
}

test('search-logs pages past 1000 hits with from/size and returns exactly size', async () => {
  const s = searchServer(5000);
  const r = await searchLogsCommand.invoke(
    { query: 'error', size: '2500' },
    deps({ searchLogs: s.searchLogs }),
  );
  assert.equal(r.hits.length, 2500);
  assert.deepEqual(
    s.bodies.map((b) => [b.from, b.size]),
    [
      [0, 1000],
      [1000, 1000],
      [2000, 500],
    ],
  );
  assert.deepEqual(r.hits.at(-1), { i: 2499 });
  assert.equal(r.total, 5000);
  const q = s.bodies[0]!.query.bool.must;
  assert.deepEqual(q[0], { query_string: { query: 'error' } });
  // default window: yesterday 00:00 UTC .. now
  assert.deepEqual(q[1], { range: { '@timestamp': { gte: Date.UTC(2026, 10, 21), lte: NOW } } });
  assert.deepEqual(r.notes, []);
});

test('search-logs defaults to query * and stops at the 10,000 from+size window, saying so', async () => {
  const s = searchServer(50_000);
  const r = await searchLogsCommand.invoke(
    { size: 12_000, fromTime: 'yesterday' },
    deps({ searchLogs: s.searchLogs }),
  );
  assert.equal(s.bodies[0]!.query.bool.must[0].query_string.query, '*');
  assert.equal(r.hits.length, 10_000);
  assert.equal(s.bodies.length, 10);
  assert.match(r.notes[0]!, /at most from\+size=10000/);
});

test('search-logs splits a long range into <=2-day queries, oldest first, and stops once size is reached', async () => {
  const s = searchServer(3);
  const r = await searchLogsCommand.invoke(
    { fromTime: '2026-11-15T06:00:00Z', toTime: String(Date.UTC(2026, 10, 20, 18) / 1000), size: 7 },
    deps({ searchLogs: s.searchLogs }),
  );
  const ranges = s.bodies.map((b) => b.query.bool.must[1].range['@timestamp']);
  assert.deepEqual(ranges, [
    { gte: Date.UTC(2026, 10, 15, 6), lte: Date.UTC(2026, 10, 17) - 1 },
    { gte: Date.UTC(2026, 10, 17), lte: Date.UTC(2026, 10, 19) - 1 },
    { gte: Date.UTC(2026, 10, 19), lte: Date.UTC(2026, 10, 20, 18) },
  ]);
  assert.equal(r.hits.length, 7);
  assert.equal(r.from, '2026-11-15T06:00:00.000Z');
  assert.equal(r.to, '2026-11-20T18:00:00.000Z'); // 10-digit epoch read as seconds
});

test('search-logs argument errors name the flag', async () => {
  const d = deps({});
  await assert.rejects(searchLogsCommand.invoke({ size: 0 }, d), /--size/);
  await assert.rejects(searchLogsCommand.invoke({ size: 'lots' }, d), /--size/);
  await assert.rejects(searchLogsCommand.invoke({ fromTime: 'soon' }, d), /--from-time/);
  await assert.rejects(
    searchLogsCommand.invoke({ fromTime: 'now', toTime: '1 hour ago' }, d),
    /--from-time: .* is after --to-time/,
  );
});

test('get-logs-by-event-id passes size and page size through exactly', async () => {
  const calls: unknown[][] = [];
  const client = {
    async *iterateEventLogs(id: string, size: number, pageSize: number) {
      calls.push([id, size, pageSize]);
      for (let i = 0; i < size; i++) yield { i };
    },
  };
  const r = await getLogsByEventIdCommand.invoke({ id: 'e-1', size: '7', pageSize: '5' }, deps(client));
  assert.equal(r.logs.length, 7);
  assert.deepEqual(calls, [['e-1', 7, 5]]);
  await assert.rejects(getLogsByEventIdCommand.invoke({ size: 3 }, deps(client)), /--id/);
  await assert.rejects(
    getLogsByEventIdCommand.invoke({ id: 'x', pageSize: 5000 }, deps(client)),
    /--page-size/,
  );
});

test('create-siem-account builds the documented request and returns the token if any', async () => {
  const sent: unknown[] = [];
  const client = {
    async createSiemAccount(req: unknown) {
      sent.push(req);
      return {
        account: {
          accountId: 5,
          accountName: 'soc',
          accountsToScan: [1, 2],
          createdAt: 'x',
          isUsingRepositoryAccount: true,
        },
        apiToken: 't',
      };
    },
  };
  const r = await createSiemAccountCommand.invoke(
    { name: 'soc', email: 'a@b.io', accountsToScan: ['1', '2'], repositoryAccount: true },
    deps(client),
  );
  assert.deepEqual(sent, [
    { accountName: 'soc', email: 'a@b.io', accountsToScan: [1, 2], isUsingRepositoryAccount: true },
  ]);
  assert.equal(r.apiToken, 't');
  await assert.rejects(
    createSiemAccountCommand.invoke({ name: 'a/b', email: 'a@b.io' }, deps(client)),
    /--name/,
  );
  await assert.rejects(
    createSiemAccountCommand.invoke({ name: 'a', email: 'nope' }, deps(client)),
    /--email/,
  );
});

test('security-events yields events then each context; time mode sends epoch seconds', async () => {
  const reqs: FeedRequest[] = [];
  const client = {
    async *feed(req: FeedRequest): AsyncGenerator<FeedItem> {
      reqs.push(req);
      yield { kind: 'event', event: { alertEventId: 'a' } as never };
      yield { kind: 'context', context: { total: 1, offset: 'o1' } };
    },
  };
  const items: FeedItem[] = [];
  for await (const i of await securityEventsCommand.invoke(
    { configIds: ['1', '2'], from: '2 hours ago' },
    deps(client),
  ))
    items.push(i);
  assert.deepEqual(
    items.map((i) => i.kind),
    ['event', 'context'],
  );
  assert.deepEqual(reqs, [{ configIds: ['1', '2'], from: NOW / 1000 - 7200, to: undefined, limit: 10000 }]);
  await assert.rejects(
    securityEventsCommand.invoke({ configIds: ['1'], from: '13 hours ago' }, deps(client)),
    /--from: must lie within the last 12 hours/,
  );
  await assert.rejects(
    securityEventsCommand.invoke({ configIds: ['1'], offset: 'x', from: 'now' }, deps(client)),
    /--offset/,
  );
  await assert.rejects(securityEventsCommand.invoke({ configIds: [] }, deps(client)), /--config-ids/);
});

test('security-events: a refused offset says so (not "expired"); an expired one says what was lost', async () => {
  const failWith = (err: Error): Partial<SiemClient> => ({
    async *feed() {
      throw err;
    },
  });
  const drain = async (client: Partial<SiemClient>) => {
    for await (const _ of await securityEventsCommand.invoke(
      { configIds: ['1'], offset: 'garbage' },
      deps(client),
    ));
  };
  await assert.rejects(
    drain(failWith(new OffsetRejectedError('garbage', 'HTTP 400: offset is not valid'))),
    (e: Error) => {
      assert.match(e.message, /does not accept this offset/);
      assert.doesNotMatch(e.message, /12 h|lost/);
      return true;
    },
  );
  await assert.rejects(
    drain(failWith(new OffsetExpiredError('old', 'HTTP 416'))),
    /older than the 12 h replay window/,
  );
});

test('test checks each token on its own and says which works and why not', async () => {
  const client: Partial<SiemClient> = {
    async whoami(kind) {
      if (kind === 'operations') throw new MissingTokenError('operations', 'whoami');
      return { accountName: 'siemlink-security', accountId: 100002 };
    },
    async searchSecurityEvents() {
      return { total: 0, results: [], pagination: { pageNumber: 1, pageSize: 1 } };
    },
  };
  const r = await testCommand.invoke({}, deps(client));
  assert.equal(r.ok, true);
  assert.deepEqual(
    r.checks.map((c) => c.detail),
    ['OK (account siemlink-security 100002)', 'not set'],
  );

  const bad: Partial<SiemClient> = {
    async whoami(kind) {
      if (kind === 'security')
        throw new HttpError({ status: 401, message: 'HTTP 401 from GET /v2/whoami: invalid token' });
      return { accountName: 'main', accountId: 1 };
    },
    async searchLogs() {
      return { hits: { total: 0, hits: [] } };
    },
  };
  const r2 = await testCommand.invoke({}, deps(bad));
  assert.equal(r2.ok, false);
  assert.equal(r2.checks[0]!.status, 'failed');
  assert.match(r2.checks[0]!.detail, /^401: .*invalid token/);
  assert.equal(r2.checks[1]!.detail, 'OK (account main 1)');

  const none: Partial<SiemClient> = {
    async whoami(kind) {
      throw new MissingTokenError(kind, 'whoami');
    },
  };
  assert.equal((await testCommand.invoke({}, deps(none))).ok, false);
  assert.ok(new ConnectorError({ code: 'INVALID_CONFIG', kind: 'config', message: 'm' }));
});
