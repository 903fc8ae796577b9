import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteIncidentStore } from '../../src/store/sqlite.ts';
import { openPostgresIncidentStore } from '../../src/store/postgres.ts';
import type { IncidentStore, NewIncident } from '../../src/store/types.ts';
import type { OutboxRoute } from '../../src/outbox/routing.ts';
import { DEFAULT_SINK_RETRY } from '../../src/outbox/retry.ts';
import type { DispatchedSink } from '../../src/outbox/dispatcher.ts';
import type { DeliveryItem, DeliveryResult, SinkInstance } from '../../src/sinks/define.ts';
import { PG_URL, pgTestSchema } from '../store/factories.ts';

interface TestCtx {
  after(fn: () => unknown): void;
  skip(message?: string): void;
}

export interface RoutedStoreFactory {
  name: string;
  /** A fresh store writing outbox rows for `routes`; `again()` opens a second one on the same data. */
  open(
    t: TestCtx,
    routes: readonly OutboxRoute[],
  ): Promise<{ store: IncidentStore; again(): Promise<IncidentStore> } | null>;
}

export const ROUTED_STORES: RoutedStoreFactory[] = [
  {
    name: 'sqlite',
    async open(t, routes) {
      const dir = mkdtempSync(join(tmpdir(), 'siemlink-outbox-'));
      const path = join(dir, 'c.db');
      const opened: IncidentStore[] = [];
      const open = () => {
        const s = openSqliteIncidentStore({ path, routes });
        opened.push(s);
        return s;
      };
      t.after(async () => {
        await Promise.allSettled(opened.map((s) => s.close()));
        rmSync(dir, { recursive: true, force: true });
      });
      return { store: open(), again: async () => open() };
    },
  },
  {
    name: 'postgres',
    async open(t, routes) {
      const db = await pgTestSchema(t);
      if (db === null) return null;
      const open = async () =>
        db.track(await openPostgresIncidentStore({ connectionString: PG_URL, schema: db.schema, routes }));
      return { store: await open(), again: open };
    },
  },
];

/** Incident n at `base + n` seconds; severity and tags as given. */
export function incident(
  n: number,
  init: { severity?: number; name?: string; tags?: string[]; base?: number } = {},
): NewIncident {
  const id = `e-${String(n).padStart(6, '0')}`;
  return {
    id: `logzio:${id}`,
    alertEventId: id,
    name: init.name ?? 'Brute force SSH',
    occurred: new Date((init.base ?? Date.UTC(2026, 0, 1)) + n * 1000).toISOString(),
    severity: init.severity ?? 3,
    fields: { tags: init.tags ?? ['ssh'] },
    raw: { n },
  };
}

/**
 * A sink whose answers the test scripts: `script` is consulted per delivery (default ok), and
 * every attempt is recorded in order.
 */
export class ScriptedSink implements SinkInstance {
  attempts: DeliveryItem[] = [];
  delivered: string[] = [];
  script: ((item: DeliveryItem) => DeliveryResult | Promise<DeliveryResult>) | undefined;
  inFlight = 0;
  maxInFlight = 0;
  async deliver(item: DeliveryItem): Promise<DeliveryResult> {
    this.attempts.push(item);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await new Promise<void>((r) => setImmediate(r));
      const r = (await this.script?.(item)) ?? { ok: true, remoteId: `r-${item.incident.id}` };
      if (r.ok) this.delivered.push(item.incident.id);
      return r;
    } finally {
      this.inFlight--;
    }
  }
  async close() {}
}

export function dispatched(
  name: string,
  instance: SinkInstance,
  over: Partial<DispatchedSink> = {},
): DispatchedSink {
  return {
    name,
    instance,
    concurrency: 1,
    batchSize: 10,
    ordered: true,
    leaseMs: 60_000,
    timeoutMs: 10_000,
    retry: { ...DEFAULT_SINK_RETRY, jitter: 'none' },
    ...over,
  };
}
