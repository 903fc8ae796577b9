import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FEED_LATENCY_SECONDS } from '@siemlink/contracts';
import { startSiem } from '@siemlink/siem';
import { insertSecurityEvents } from '../../../siem/test/fixtures/security-events.ts';
import { createSqliteConfigurationsRepository } from '../../../siem/src/modules/rules/configurations-repository.ts';
import { rng } from '../../../siem/test/lucene/rng.ts';
import { silent } from '../helpers.ts';
import {
  cursorAhead,
  kill,
  landedAt,
  missingEvents,
  spawnChild,
  type ChildRun,
  type Committed,
  type SiemEvent,
} from './fixtures/child-run.ts';

/**
 * The SIGKILL test: a fetch loop in a child process (fixtures/fetch-child.ts) is killed over and
 * over while events keep arriving, then started once more and driven until it has caught up; no
 * event may be lost or fetched twice. Kills are placed by the child's reported phases, not by
 * time, in turn: frozen right after planning a run (between fetch and commit), right after a
 * transaction of its commit became durable, right after the commit, or at once when it reports
 * its m-th line (it runs on until the signal lands: anywhere, mid-request included).
 *
 * `npm test` runs a few kills per mode; `npm run test:chaos` runs SIEMLINK_CHAOS_KILLS (100).
 */

const KILLS = Number(process.env.SIEMLINK_CHAOS_KILLS ?? 8);
const SEED = Number(process.env.SIEMLINK_CHAOS_SEED ?? 20261202);
const KINDS = ['fetched', 'tx', 'committed', 'anywhere'] as const;

test(`SIGKILL at chosen phases of fetching and committing (${KILLS} kills per mode): zero lost, zero fetched twice`, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'siemlink-kill-'));
  const siem = await startSiem(
    { dataDir: join(dir, 'siem'), port: 0, listenerPort: 0, rulesEngine: false, faultInjection: true },
    { logger: silent },
  );
  const live = new Set<ChildRun>();
  t.after(async () => {
    for (const c of live) await kill(c);
    await siem.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const clock = siem.ctx.clock;
  const account = siem.credentials.accounts.find((a) => a.type === 'SIEM')!;
  const configId = createSqliteConfigurationsRepository(siem.ctx.store).ensureDefault(
    account.accountId,
    clock.now(),
  ).id;
  // Slow responses widen the window between fetching and committing.
  siem.ctx.faults.set({ slowShare: 0.5, slowMs: 40, paths: ['/v2/security/rules/events/search'] });

  const insert = (n: number, eventDate: number) =>
    insertSecurityEvents(
      siem.ctx.store,
      Array.from({ length: n }, (_, i) => ({
        accountId: account.accountId,
        configId,
        ruleId: 1,
        name: 'Kill test rule',
        eventDate,
        windowStart: eventDate - 60_000,
        groupBy: { n: String(i) },
      })),
      // Stored as of the feed's latency ago, so the feed serves each event at once: no run waits.
      clock.now() - (FEED_LATENCY_SECONDS + 1) * 1000,
    );
  const siemEvents = () =>
    siem.ctx.store.db
      .prepare(
        'SELECT alert_event_id AS id, event_date AS eventDate, stored_at AS storedAt FROM security_events WHERE account_id = ?',
      )
      .all(account.accountId) as unknown as SiemEvent[];
  // Events arrive as the fetchers work (one batch per run a child finishes), so the backlog keeps
  // the same shape however fast or slow the machine is: a burst sharing one eventDate now and
  // then, and events indexed up to 30 s after their eventDate.
  const producerRandom = rng(SEED);
  let produced = 0;
  const produce = () => {
    produced++;
    const now = clock.now();
    if (produced % 10 === 0) insert(60, now - Math.floor(producerRandom() * 10_000));
    insert(3, now - Math.floor(producerRandom() * 30_000));
  };

  const modes = [
    { name: 'search', db: join(dir, 'search.db'), batch: 50, env: { CHILD_SOURCE: 'search' } },
    {
      name: 'feed',
      db: join(dir, 'feed.db'),
      batch: 40,
      env: { CHILD_SOURCE: 'feed', CHILD_CONFIG_IDS: String(configId) },
    },
  ];
  type Mode = (typeof modes)[number];
  const envFor = (m: Mode, freezeAt?: string) => ({
    // Children after the first reuse its compiled modules: less start-up work per kill.
    NODE_COMPILE_CACHE: join(dir, 'compile-cache'),
    CHILD_DB: m.db,
    CHILD_API_URL: siem.ctx.urls.api,
    CHILD_TOKEN: account.apiToken,
    CHILD_FREEZE_AT: freezeAt,
    ...m.env,
  });
  const stats = new Map(
    modes.map((m) => [
      m,
      { landed: {} as Record<string, number>, runs: 0, fetchedTwice: 0, cursorAhead: 0, midResponse: 0 },
    ]),
  );
  const tally = (m: Mode, run: ChildRun) => {
    const s = stats.get(m)!;
    s.runs += run.committed.length;
    // A committed run that took an event already stored would write fewer incidents than it took.
    for (const c of run.committed) s.fetchedTwice += c.taken - c.inserted;
  };

  /** Starts, and kills, one mode's child KILLS times, each time at the next kind of phase. */
  const killLoop = async (m: Mode, random: () => number) => {
    const s = stats.get(m)!;
    for (let k = 0; k < KILLS; k++) {
      const kind = KINDS[k % KINDS.length]!;
      // Frozen kinds: at that phase of the n-th run that carries incidents.
      const freezeAt = kind === 'anywhere' ? undefined : `${kind}:${1 + Math.floor(random() * 3)}`;
      const mth = 2 + Math.floor(random() * 8);
      const killNow = Promise.withResolvers<void>();
      let seen = 0;
      produce();
      const c = spawnChild(envFor(m, freezeAt), (line) => {
        if (line.startsWith('committed ') || line.startsWith('failed ')) produce();
        if (line === 'frozen' || (kind === 'anywhere' && ++seen === mth)) killNow.resolve();
      });
      live.add(c);
      // A child that dies on its own ends the wait too (the assertions below then fail).
      await Promise.race([killNow.promise, c.gone]);
      await kill(c);
      live.delete(c);
      tally(m, c);
      const where = `${freezeAt ? 'frozen' : 'anywhere'}/${landedAt(c)}`;
      s.landed[where] = (s.landed[where] ?? 0) + 1;
      // Between two batch commits of one feed response: earlier batches durable, offset not yet.
      if (
        c.lines
          .filter((l) => l !== 'frozen')
          .at(-1)
          ?.endsWith(' mid')
      )
        s.midResponse++;
      s.cursorAhead += cursorAhead(m.db, m.name, siemEvents());
    }
  };
  await Promise.all(modes.map((m, i) => killLoop(m, rng(SEED + 1 + i))));
  siem.ctx.faults.reset();

  // Last start: drive each mode until it has caught up, bounded by work: a run that takes
  // nothing new with its cursor at the newest event ends it; so does a number of runs that
  // would drain the whole set twice over.
  const events = siemEvents();
  const newestEventDate = Math.max(...events.map((e) => e.eventDate));
  const newestStoredAt = Math.max(...events.map((e) => e.storedAt));
  const catchUp = async (m: Mode) => {
    const maxRuns = 2 * Math.ceil(events.length / m.batch) + 20;
    const covers = (c: Committed) =>
      m.name === 'feed'
        ? (c.cursor.lastStoredAt ?? 0) >= newestStoredAt
        : (c.cursor.eventDate ?? 0) >= newestEventDate;
    const caughtUp = Promise.withResolvers<boolean>();
    let runs = 0;
    let midResponse = false;
    const c = spawnChild(envFor(m), (line, run) => {
      if (line.startsWith('fetched ')) midResponse = line.endsWith(' mid');
      if (!line.startsWith('committed ') && !line.startsWith('failed ')) return;
      // A batch of a feed response still streaming is not a run of its own.
      if (line.startsWith('committed ') && midResponse) return;
      runs++;
      const last = run.committed.at(-1);
      if (line.startsWith('committed ') && last!.taken === 0 && covers(last!)) caughtUp.resolve(true);
      else if (runs >= maxRuns) caughtUp.resolve(false);
    });
    live.add(c);
    const reached = await Promise.race([caughtUp.promise, c.gone.then(() => false)]);
    await kill(c);
    live.delete(c);
    tally(m, c);
    return { reached, runs };
  };
  const finals = await Promise.all(modes.map(catchUp));

  modes.forEach((m, i) => {
    const { reached, runs } = finals[i]!;
    const s = stats.get(m)!;
    const { incidents, lost, notYetFetched } = missingEvents(m.db, m.name, events);
    const betweenFetchAndCommit = (s.landed['frozen/fetched'] ?? 0) + (s.landed['anywhere/fetched'] ?? 0);
    t.diagnostic(
      `sigkill/${m.name}: seed=${SEED} kills=${KILLS} landed=${JSON.stringify(s.landed)} runsCommitted=${s.runs} ` +
        `events=${events.length} incidents=${incidents} lost=${lost} notYetFetched=${notYetFetched} ` +
        `fetchedTwice=${s.fetchedTwice} cursorAheadAtKill=${s.cursorAhead} midResponse=${s.midResponse} caughtUp=${reached} finalRuns=${runs}`,
    );
    assert.equal(s.cursorAhead, 0, `${m.name}: a kill left the cursor ahead of its incidents`);
    assert.equal(lost, 0, `${m.name}: lost (the cursor passed events that were never stored)`);
    assert.equal(
      notYetFetched,
      0,
      `${m.name}: not yet fetched after ${runs} runs (the fetcher did not catch up; nothing was lost)`,
    );
    assert.ok(reached, `${m.name}: caught up`);
    assert.equal(s.fetchedTwice, 0, `${m.name}: events taken from the SIEM again after they were stored`);
    assert.equal(incidents, events.length, `${m.name}: one incident per event`);
    assert.ok(betweenFetchAndCommit > 0, `${m.name}: some kills landed between fetch and commit`);
    if (m.name === 'feed')
      assert.ok(s.midResponse > 0, 'feed: some kills landed between batches of one response');
  });
});
