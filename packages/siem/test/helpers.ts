import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { buildListenerApp, buildSiemApp, type SiemApp } from '../src/app.ts';
import { bootstrapAccounts } from '../src/bootstrap.ts';
import { FakeClock, type Clock } from '../src/clock.ts';
import { loadSiemConfig } from '../src/config.ts';
import type { SiemContext } from '../src/context.ts';
import { createSiemContext } from '../src/server.ts';

export interface TestSiem {
  ctx: SiemContext;
  api: SiemApp;
  listener: SiemApp;
  clock: Clock;
  logsToken: string;
  siemToken: string;
  shippingToken: string;
  logsAccountId: number;
  siemAccountId: number;
  close(): Promise<void>;
}

/**
 * A SIEM in a temp dir with bootstrapped accounts, its apps built but not listening (use
 * `inject`). Pass `listen: true` for a real server on port 0. Close it in `after`.
 */
export async function buildTestSiem(
  opts: { clock?: Clock; config?: Record<string, unknown>; listen?: boolean; logger?: Logger } = {},
): Promise<TestSiem> {
  const dataDir = mkdtempSync(join(tmpdir(), 'siemlink-test-'));
  const config = loadSiemConfig({ dataDir, port: 0, listenerPort: 0, rulesEngine: false, ...opts.config });
  const clock = opts.clock ?? new FakeClock(Date.now());
  const ctx = createSiemContext(config, {
    clock,
    logger: opts.logger ?? pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
  });
  const api = await buildSiemApp(ctx);
  const listener = await buildListenerApp(ctx);
  if (opts.listen) {
    ctx.urls.api = await api.listen({ host: '127.0.0.1', port: 0 });
    ctx.urls.listener = await listener.listen({ host: '127.0.0.1', port: 0 });
  }
  const creds = bootstrapAccounts(ctx);
  const logs = creds.accounts.find((a) => a.type === 'LOGS')!;
  const siem = creds.accounts.find((a) => a.type === 'SIEM')!;
  return {
    ctx,
    api,
    listener,
    clock,
    logsToken: logs.apiToken,
    siemToken: siem.apiToken,
    shippingToken: logs.shippingToken!,
    logsAccountId: logs.accountId,
    siemAccountId: siem.accountId,
    async close() {
      await Promise.allSettled([api.close(), listener.close()]);
      ctx.store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
