import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock, startSiem, type SiemServer } from '@siemlink/siem';
// Tests only: write security events straight into the SIEM's store (the connector never does).
import { insertSecurityEvents } from '../../siem/test/fixtures/security-events.ts';
import { createSqliteConfigurationsRepository } from '../../siem/src/modules/rules/configurations-repository.ts';
import type { Severity } from '@siemlink/contracts';
import { createSiemClient, type SiemlinkClient } from '../src/client/index.ts';
import { systemClock } from '../src/context.ts';
import { openSqliteIncidentStore } from '../src/store/sqlite.ts';
import type { IncidentStore } from '../src/store/types.ts';
import { resolveFetchOptions, type RawFetchOptions } from '../src/fetch/options.ts';
import type { FetchDeps } from '../src/fetch/types.ts';
import { createFeedDecoder } from '../src/fetch/feed-decode/decoder.ts';
import { silent } from './helpers.ts';

/**
 * A store that also lists every event each committed run took from the SIEM as new (before the
 * store's unique key and INSERT OR IGNORE, which would hide an event fetched twice).
 */
export interface TakingStore extends IncidentStore {
  taken: string[];
}

function takingStore(store: IncidentStore): TakingStore {
  const taken: string[] = [];
  return {
    ...store,
    taken,
    async commitRun(input) {
      const out = await store.commitRun(input);
      for (const i of input.incidents) taken.push(i.alertEventId);
      return out;
    },
  };
}

export interface RealSiem {
  siem: SiemServer;
  clock: FakeClock;
  apiUrl: string;
  token: string;
  accountId: number;
  configId: number;
  dataDir: string;
  /** Inserts `n` events with this eventDate (epoch ms), stored now (SIEM clock); returns their ids. */
  insert(n: number, eventDateMs: number, severity?: Severity): string[];
  /** Every alertEventId the SIEM holds for the SIEM account. */
  allIds(): string[];
  client(timeoutMs?: number): SiemlinkClient;
  store(name?: string): TakingStore;
  deps(client: SiemlinkClient, store: IncidentStore, opts?: RawFetchOptions): FetchDeps;
}

/**
 * The real SIEM app on a real port (0), FakeClock, rules engine off, fault injection on; the
 * connector reaches it over HTTP only. Events are written directly (tests only).
 */
export async function startRealSiem(t: { after(fn: () => unknown): void }): Promise<RealSiem> {
  const dataDir = mkdtempSync(join(tmpdir(), 'siemlink-e2e-'));
  const clock = new FakeClock(Date.now());
  const siem = await startSiem(
    { dataDir: join(dataDir, 'siem'), port: 0, listenerPort: 0, rulesEngine: false, faultInjection: true },
    { clock, logger: silent },
  );
  const account = siem.credentials.accounts.find((a) => a.type === 'SIEM')!;
  const configId = createSqliteConfigurationsRepository(siem.ctx.store).ensureDefault(
    account.accountId,
    clock.now(),
  ).id;
  const opened: { close(): Promise<void> }[] = [];
  // Its thread from a response's first batch on (the CLI's waits for a backlog's 2,000 events):
  // the tests' responses are short.
  const feedDecoder = createFeedDecoder({ logger: silent, threads: true, startAfterEvents: 0 });
  opened.push(feedDecoder);
  t.after(async () => {
    for (const o of opened.reverse()) await o.close();
    await siem.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  let n = 0;
  return {
    siem,
    clock,
    apiUrl: siem.ctx.urls.api,
    token: account.apiToken,
    accountId: account.accountId,
    configId,
    dataDir,
    insert(count, eventDateMs, severity = 'HIGH') {
      const ids = Array.from({ length: count }, () => randomUUID());
      insertSecurityEvents(
        siem.ctx.store,
        ids.map((alertEventId) => ({
          alertEventId,
          accountId: account.accountId,
          configId,
          ruleId: 1,
          name: `Rule ${++n % 7}`,
          eventDate: eventDateMs,
          severity,
          groupBy: { 'source.ip': `10.1.${n % 250}.${n % 200}` },
          tags: ['e2e'],
        })),
        clock.now(),
      );
      return ids;
    },
    allIds() {
      return (
        siem.ctx.store.db
          .prepare('SELECT alert_event_id AS id FROM security_events WHERE account_id = ?')
          .all(account.accountId) as { id: string }[]
      ).map((r) => r.id);
    },
    client(timeoutMs = 5_000) {
      const c = createSiemClient(
        {
          apiUrl: siem.ctx.urls.api,
          securityToken: account.apiToken,
          timeoutMs,
          retry: { baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 20, maxAttempts: 4 },
        },
        { logger: silent, clock: systemClock },
      );
      opened.push(c);
      return c;
    },
    store(name = 'connector.db') {
      const s = openSqliteIncidentStore({ path: join(dataDir, name) });
      opened.push(s);
      return takingStore(s);
    },
    deps(client, store, opts = {}) {
      return {
        client,
        store,
        options: resolveFetchOptions(opts, silent),
        logger: silent,
        clock,
        feedDecoder,
      };
    },
  };
}

export async function storedIds(store: IncidentStore): Promise<string[]> {
  return (await store.listIncidents({ page: 1, pageSize: 10_000_000 })).results.map((i) => i.alertEventId);
}

/**
 * The counts behind "zero lost, zero duplicates": `dup` counts incidents stored twice, which the
 * table's unique key makes impossible; `fetchedTwice` counts events that committed runs took from
 * the SIEM more than once (`taken`, from a TakingStore), which is where a duplicate would arise.
 */
export function compare(
  expected: string[],
  got: string[],
  taken: readonly string[] = got,
): { expected: number; got: number; lost: number; dup: number; taken: number; fetchedTwice: number } {
  const gotSet = new Set(got);
  const lost = expected.filter((id) => !gotSet.has(id)).length;
  return {
    expected: expected.length,
    got: got.length,
    lost,
    dup: got.length - gotSet.size,
    taken: taken.length,
    fetchedTwice: taken.length - new Set(taken).size,
  };
}
