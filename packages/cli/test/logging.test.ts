import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSiem } from '@siemlink/siem';
import { cliLogger } from '../src/connector-options.ts';

test('the CLI logger (used by up and serve) redacts the shipping token in logged listener URLs', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'siemlink-log-'));
  const lines: string[] = [];
  const logger = cliLogger('debug', { write: (s: string) => void lines.push(s) });
  const siem = await startSiem(
    // What serve and up pass for SIEMLINK_LOG_REQUESTS=1.
    { dataDir: join(dir, 'siem'), port: 0, listenerPort: 0, rulesEngine: false, logRequests: true },
    { logger },
  );
  t.after(async () => {
    await siem.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const logs = siem.credentials.accounts.find((a) => a.type === 'LOGS')!;
  const res = await fetch(`${siem.ctx.urls.listener}/?token=${logs.shippingToken}&type=t`, {
    method: 'POST',
    body: '{"message":"m"}',
  });
  assert.ok(res.ok);
  await fetch(`${siem.ctx.urls.api}/v2/whoami`, { headers: { 'X-API-TOKEN': logs.apiToken } });
  const out = lines.join('');
  assert.match(out, /token=\[REDACTED\]&type=t/, 'the request was logged, token masked');
  for (const secret of [logs.shippingToken!, logs.apiToken]) assert.ok(!out.includes(secret), out);
});
