import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadPlaybooks } from '@siemlink/connector/playbooks/definition/load.ts';
import { createExpressions } from '@siemlink/connector/playbooks/expressions/expressions.ts';
import { formatLoadError } from '@siemlink/connector/playbooks/definition/load-error.ts';
import { startPlaybookWorker } from '@siemlink/connector/playbooks/service.ts';
import { createExecutors } from '@siemlink/connector/playbooks/steps/index.ts';
import { releaseDeadWorkers } from '@siemlink/connector/playbooks/dead-owners.ts';
import { connectorDbPath, openIncidentStore } from '@siemlink/connector/store/index.ts';
import { openConnector } from '../connector-options.ts';
import { lockConnectorStore } from '../data-dir/locks.ts';
import { note } from '../output.ts';
import type { ConnectionFlags } from '../verbs/connection-options.ts';

interface Flags extends ConnectionFlags {
  playbooks?: string;
  concurrency?: number;
}

/**
 * `siemlink worker`: playbook workers alone against the configured store, until Ctrl-C. Each
 * committed step is said on stderr. With SQLite it takes the data dir's lock (one process per
 * store: `up` already runs a worker); with PostgreSQL any number share the queue.
 */
export async function runWorker(flags: Flags): Promise<void> {
  const rt = openConnector(flags);
  const config = rt.config;
  const lock = lockConnectorStore(config.dataDir, config.store, 'siemlink worker');
  const store = await openIncidentStore(config).catch(async (err: unknown) => {
    lock?.release();
    await rt.close();
    throw err;
  });
  const expressions = createExpressions();
  // As `up` loads them: the built-ins, and the operator's folder (the default one may not exist;
  // a folder named by a flag or the config must).
  const named = flags.playbooks ? resolve(flags.playbooks) : config.playbooksDir;
  const dir = named ?? join(config.dataDir, 'playbooks');
  const loaded = await loadPlaybooks(named !== undefined || existsSync(dir) ? dir : undefined, {
    expressions,
  });
  for (const e of loaded.errors) note(formatLoadError(e));
  await releaseDeadWorkers(store, rt.clock, rt.logger);
  const worker = startPlaybookWorker({
    store,
    playbooks: loaded.playbooks,
    errors: loaded.errors,
    expressions,
    clock: rt.clock,
    logger: rt.logger,
    client: rt.client,
    executors: createExecutors(rt.client.outbound),
    env: process.env,
    sinks: (config.sinks ?? []).map((s) => s.name),
    worker: {
      ...(flags.concurrency !== undefined ? { concurrency: flags.concurrency } : {}),
      onCommitted: (c, result) =>
        note(
          `run ${c.runId} step ${c.stepId}${c.item === null ? '' : `[${c.item}]`}: ${result === 'ok' ? 'committed' : 'lease lost'}`,
        ),
    },
  });
  note(
    `worker ${worker.owner}: ${loaded.playbooks.length} playbook(s) over ${config.store?.kind === 'postgres' ? 'the PostgreSQL store' : connectorDbPath(config.dataDir)}; Ctrl-C stops`,
  );
  try {
    await new Promise<void>((done) => {
      if (rt.signal.aborted) return done();
      rt.signal.addEventListener('abort', () => done(), { once: true });
    });
  } finally {
    await worker.stop();
    await store.close();
    lock?.release();
    await rt.close();
  }
}
