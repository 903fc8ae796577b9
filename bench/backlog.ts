/**
 * Backlog drain benchmark: 100,000 security events already in a real SIEM (HTTP on loopback,
 * on-disk stores) drained into incidents by the connector, in each source mode, against the raw
 * rate of the SIEM's own `events/search` endpoint (pages of 1000, same client) in the same run.
 *   - search mode, maxFetch 50 (the panel's cap): slow by design (50 incidents and a commit per
 *     run; the overlap counted every tenth run while runs are full); timed on the first BENCH_BACKLOG_CAPPED incidents only, then extrapolated;
 *   - search mode, maxFetch 1000: a BENCH-ONLY override (options built directly, bypassing the
 *     clamp to 50) to show the cost of the cursor/dedup/commit path itself;
 *   - feed mode, batches of 1000 and of 10000 events per request.
 * Events are spread over the last 10 hours (inside the feed's 12-hour replay window), a tenth of
 * them in bursts of 25 sharing one eventDate. Runs are back to back (a full run starts the next
 * at once, as the loop does). BENCH_BACKLOG_EVENTS scales the run (default 100000).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { FakeClock, startSiem } from '../packages/siem/src/index.ts';
import {
  createSqliteSecurityEventsWriter,
  type NewSecurityEvent,
} from '../packages/siem/src/modules/events/repository.ts';
import { createSqliteConfigurationsRepository } from '../packages/siem/src/modules/rules/configurations-repository.ts';
import { createSiemClient } from '../packages/connector/src/client/index.ts';
import { systemClock } from '../packages/connector/src/context.ts';
import { fetchIncidentsOnce } from '../packages/connector/src/fetch/fetcher.ts';
import { resolveFetchOptions, type FetchOptions } from '../packages/connector/src/fetch/options.ts';
import { openSqliteIncidentStore } from '../packages/connector/src/store/sqlite.ts';

const TOTAL = Number(process.env.BENCH_BACKLOG_EVENTS ?? 100_000);
const CAPPED = Number(process.env.BENCH_BACKLOG_CAPPED ?? Math.min(TOTAL, 5_000));
const SPAN_MS = 10 * 3600_000;
const logger = pino({ level: 'warn' });

const dir = mkdtempSync(join(tmpdir(), 'siemlink-bench-backlog-'));
const clock = new FakeClock(Date.now());
const siem = await startSiem(
  { dataDir: join(dir, 'siem'), port: 0, listenerPort: 0, rulesEngine: false },
  { clock, logger },
);
try {
  const account = siem.credentials.accounts.find((a) => a.type === 'SIEM')!;
  const configId = createSqliteConfigurationsRepository(siem.ctx.store).ensureDefault(
    account.accountId,
    clock.now(),
  ).id;
  const writer = createSqliteSecurityEventsWriter(siem.ctx.store);
  const now = clock.now();
  const t0 = performance.now();
  for (let done = 0; done < TOTAL;) {
    const batch: NewSecurityEvent[] = [];
    while (batch.length < 5000 && done < TOTAL) {
      const burst = done % 250 < 25; // a tenth of the events in bursts of 25 sharing one eventDate
      const eventDate =
        now - 5 * 60_000 - Math.floor(((burst ? done - (done % 25) : done) / TOTAL) * SPAN_MS);
      batch.push({
        alertEventId: randomUUID(),
        accountId: account.accountId,
        configId,
        ruleId: 1 + (done % 8),
        name: `Rule ${done % 8}`,
        description: 'Suggested next steps',
        alertSummary: "Alert if query '*' results GREATER_THAN 5 in 10 minutes",
        eventDate,
        windowStart: eventDate - 600_000,
        windowEnd: eventDate,
        severity: (['INFO', 'LOW', 'MEDIUM', 'HIGH', 'SEVERE'] as const)[done % 5]!,
        groupBy: { 'source.ip': `10.0.${(done >> 8) & 255}.${done & 255}` },
        tags: ['bench'],
        mitreTags: ['T1110'],
        hits: 5,
        isMuted: false,
        logSeqs: [],
      });
      done++;
    }
    writer.insert(batch, clock.now());
  }
  await clock.advance(10_000); // past the feed's 5-second latency
  console.log(
    `backlog: ${TOTAL} security events written in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );

  const client = createSiemClient(
    { apiUrl: siem.ctx.urls.api, securityToken: account.apiToken, timeoutMs: 120_000 },
    { logger, clock: systemClock },
  );

  // Baseline: the SIEM's own search endpoint, pages of 1000, DATE ascending, whole range.
  const b0 = performance.now();
  let raw = 0;
  for (let page = 1; ; page++) {
    const r = await client.searchSecurityEvents({
      filter: { timeRange: { fromDate: (now - SPAN_MS - 3600_000) / 1000, toDate: now / 1000 } },
      sort: [{ field: 'DATE', descending: false }],
      pagination: { pageNumber: page, pageSize: 1000 },
    });
    raw += r.results.length;
    if (r.results.length < 1000) break;
  }
  const baseSeconds = (performance.now() - b0) / 1000;
  const baseRate = raw / baseSeconds;
  console.log(
    `baseline events/search (pages of 1000): ${raw} events in ${baseSeconds.toFixed(1)} s = ${baseRate.toFixed(0)} events/s`,
  );

  const results: { name: string; incidents: number; seconds: number; runs: number; note: string }[] = [];
  async function drain(name: string, options: FetchOptions, limit = Infinity, note = '') {
    const store = openSqliteIncidentStore({ path: join(dir, `${name.replace(/\W+/g, '-')}.db`) });
    const start = performance.now();
    let incidents = 0;
    let runs = 0;
    try {
      for (;;) {
        const r = await fetchIncidentsOnce({ client, store, options, logger, clock });
        runs++;
        incidents += r.count;
        if (!r.full || incidents >= limit) break;
      }
    } finally {
      await store.close();
    }
    const seconds = (performance.now() - start) / 1000;
    results.push({ name, incidents, seconds, runs, note });
    console.log(
      `${name}: ${incidents} incidents in ${seconds.toFixed(1)} s, ${runs} runs = ${(incidents / seconds).toFixed(0)} incidents/s ${note}`,
    );
  }
  const base = { firstFetch: '11 hours', configIds: [String(configId)] };
  await drain(
    'search maxFetch 50',
    resolveFetchOptions({ ...base, source: 'search' }, logger),
    CAPPED,
    `(first ${CAPPED} only)`,
  );
  // BENCH-ONLY: maxFetch above the panel's cap of 50, built without resolveFetchOptions' clamp.
  await drain('search maxFetch 1000 (bench-only override)', {
    ...resolveFetchOptions({ ...base, source: 'search' }, logger),
    maxFetch: 1000,
  });
  await drain(
    'feed batch 1000',
    resolveFetchOptions({ ...base, source: 'feed', feedBatchLimit: 1000 }, logger),
  );
  await drain(
    'feed batch 10000',
    resolveFetchOptions({ ...base, source: 'feed', feedBatchLimit: 10000 }, logger),
  );
  await client.close();

  console.log(
    '\nmode                                        incidents   time s   runs   incidents/s   vs raw search',
  );
  for (const r of results) {
    const rate = r.incidents / r.seconds;
    console.log(
      `${r.name.padEnd(44)}${String(r.incidents).padStart(9)}${r.seconds.toFixed(1).padStart(9)}${String(r.runs).padStart(7)}${rate.toFixed(0).padStart(14)}${(rate / baseRate).toFixed(2).padStart(14)}x`,
    );
  }
  const capped = results[0]!;
  console.log(
    `search maxFetch 50, extrapolated to ${TOTAL}: ~${((TOTAL / capped.incidents) * capped.seconds).toFixed(0)} s of back-to-back runs (${Math.ceil(TOTAL / 50)} runs)`,
  );
  console.log(`baseline: raw events/search ${baseRate.toFixed(0)} events/s (${raw} events, pages of 1000)`);
} finally {
  await siem.close();
  rmSync(dir, { recursive: true, force: true });
}
