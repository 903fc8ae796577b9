import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { startSiem, type SiemServer } from '@siemlink/siem';
// Tests only: the CLI's own code never reaches into the SIEM.
import { createSqliteConfigurationsRepository } from '../../siem/src/modules/rules/configurations-repository.ts';

/** The real CLI entry point, run in a child process. */
export const BIN = join(import.meta.dirname, '..', 'bin', 'siemlink.ts');

export interface CliSiem {
  siem: SiemServer;
  /** Temp dir: the SIEM's data under `siem/`, HOME and the CLI's data dir. */
  dir: string;
  /** A CLI environment pointed at this SIEM with both tokens. */
  env: Record<string, string>;
  securityAccountId: number;
  /** The SIEM account's default security configuration. */
  configId: number;
  /** The logs account's shipping token (for the listener). */
  shippingToken: string;
  close(): Promise<void>;
}

/** An in-process SIEM (real ports, rules engine off) in a fresh temp dir, for CLI tests. */
export async function startCliSiem(prefix: string): Promise<CliSiem> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const siem = await startSiem(
    { dataDir: join(dir, 'siem'), port: 0, listenerPort: 0, rulesEngine: false },
    { logger: pino({ level: 'silent' }) },
  );
  const logs = siem.credentials.accounts.find((a) => a.type === 'LOGS')!;
  const sec = siem.credentials.accounts.find((a) => a.type === 'SIEM')!;
  const configId = createSqliteConfigurationsRepository(siem.ctx.store).ensureDefault(
    sec.accountId,
    Date.now(),
  ).id;
  return {
    siem,
    dir,
    env: {
      PATH: process.env.PATH!,
      HOME: dir,
      SIEMLINK_API_URL: siem.ctx.urls.api,
      SIEMLINK_SECURITY_TOKEN: sec.apiToken,
      SIEMLINK_OPERATIONS_TOKEN: logs.apiToken,
      SIEMLINK_DATA_DIR: dir,
    },
    securityAccountId: sec.accountId,
    configId,
    shippingToken: logs.shippingToken!,
    async close() {
      await siem.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Runs the real CLI in a child process (stdout is a pipe: JSON output); `extraEnv` overrides
 * `env`, an undefined value removing the variable.
 */
export function runCli(
  args: string[],
  env: Record<string, string>,
  extraEnv: Record<string, string | undefined> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const e: Record<string, string> = { ...env };
  for (const [k, v] of Object.entries(extraEnv))
    if (v === undefined) delete e[k];
    else e[k] = v;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--disable-warning=ExperimentalWarning', BIN, ...args],
      { env: e, timeout: 60_000 },
      (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}
