import { fetchIncidentsOnce, runFetchLoop } from '@siemlink/connector/fetch/fetcher.ts';
import { createFeedDecoder } from '@siemlink/connector/fetch/feed-decode/decoder.ts';
import { incidentJson } from '@siemlink/connector/fetch/feed-decode/decoded-incident.ts';
import type { FetchRunResult } from '@siemlink/connector/fetch/types.ts';
import { connectorDbPath, openIncidentStore } from '@siemlink/connector/store/index.ts';
import { startOutbox } from '@siemlink/connector/outbox/service.ts';
import { openConnector } from '../connector-options.ts';
import type { ConnectionFlags } from '../verbs/connection-options.ts';
import { lockConnectorStore } from '../data-dir/locks.ts';
import { formatTable, isTerminal, note, printLines, printText } from '../output.ts';

interface Flags extends ConnectionFlags {
  search?: string;
  severities?: string;
  firstFetch?: string;
  maxFetch?: string;
  source?: string;
  configIds?: string;
  once?: boolean;
}

function runLine(r: FetchRunResult): string {
  const lag = r.lagMs === null ? '' : `, lag ${Math.round(r.lagMs / 1000)} s`;
  return `${new Date(r.endedAt).toISOString()} run ${r.runId}: ${r.count} new incident(s)${lag}${r.full ? ', more pending' : ''}${r.gaps.length ? `, ${r.gaps.length} gap(s) recorded` : ''}${r.error ? `, error: ${r.error}` : ''}`;
}

/** `fetch-incidents`: security events -> incidents in the local store; `--once` prints them. */
export async function runFetchIncidents(flags: Flags): Promise<void> {
  const rt = openConnector(flags, {
    searchTerm: flags.search,
    severities: flags.severities,
    firstFetch: flags.firstFetch,
    maxFetch: flags.maxFetch,
    source: flags.source,
    configIds: flags.configIds,
  });
  const store = await openIncidentStore(rt.config);
  let onClose = () => {};
  const deps = { client: rt.client, store, options: rt.config.fetch, logger: rt.logger, clock: rt.clock };
  // Delivery onward runs beside fetching: in loop mode continuously, with --once until quiet.
  const outbox = await startOutbox(store, rt.config.sinks ?? [], {
    logger: rt.logger,
    clock: rt.clock,
    env: process.env,
    run: !flags.once,
  }).catch(async (err: unknown) => {
    await store.close();
    await rt.close();
    throw err;
  });
  try {
    if (flags.once) {
      // Piped: every incident, one line each, as its batch commits (a feed run may make many);
      // the run reads on once they are written (a slow reader slows the run, not its memory).
      const tty = isTerminal();
      // Feed mode: with fetch.feedDecodeThread, a backlog is decoded on a thread past its first batch.
      const feedDecoder = createFeedDecoder({ logger: rt.logger, threads: rt.config.fetch.feedDecodeThread });
      const r = await fetchIncidentsOnce({
        ...deps,
        signal: rt.signal,
        feedDecoder,
        onCommit: tty ? undefined : (inserted) => printLines(inserted, undefined, incidentJson),
      }).finally(() => feedDecoder.close());
      if (outbox.sinks.length > 0) {
        const settled = await outbox.dispatcher.drain();
        note(`outbox: ${settled} delivery attempt(s) settled to ${outbox.sinks.join(', ')}`);
      }
      if (tty) {
        const rows = r.incidents.map((i) => ({ ...i }) as Record<string, unknown>);
        printText(
          formatTable(
            rows,
            ['id', 'occurred', 'severity', 'name'].filter((c) => rows.length === 0 || c in rows[0]!),
          ),
        );
        if (r.count > r.incidents.length) note(`(the first ${r.incidents.length} of ${r.count} shown)`);
        note(runLine(r));
      }
      return;
    }
    if (!rt.config.fetch.enabled) {
      note('incident fetching is disabled (fetch.enabled / SIEMLINK_FETCH_ENABLED); nothing to do');
      return;
    }
    // One fetch loop per SQLite store (`--once` and backfill may run beside it).
    const lock = lockConnectorStore(rt.config.dataDir, rt.config.store, 'siemlink fetch-incidents');
    onClose = () => lock?.release();
    note(
      `fetching every ${rt.config.fetch.intervalSeconds} s into ${rt.config.store?.kind === 'postgres' ? 'the PostgreSQL store' : connectorDbPath(rt.config.dataDir)}; Ctrl-C stops`,
    );
    await runFetchLoop(
      {
        ...deps,
        onRun: (r) => {
          if (r.count > 0) outbox.dispatcher.wake();
          note(runLine(r));
        },
      },
      rt.signal,
    );
  } finally {
    await outbox.close();
    await store.close();
    onClose();
    await rt.close();
  }
}
