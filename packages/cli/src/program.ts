import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { registerServe } from './verbs/serve.ts';
import { registerSearchLogs } from './verbs/search-logs.ts';
import { registerGetLogsByEventId } from './verbs/get-logs-by-event-id.ts';
import { registerCreateSiemAccount } from './verbs/create-siem-account.ts';
import { registerSecurityEvents } from './verbs/security-events.ts';
import { registerFetchIncidents } from './verbs/fetch-incidents.ts';
import { registerTest } from './verbs/test.ts';
import { registerUp } from './verbs/up.ts';
import { registerBackfill } from './verbs/backfill.ts';
import { registerSecurityConfigurations } from './verbs/security-configurations.ts';
import { registerUsers } from './verbs/users.ts';
import { registerApiKeys } from './verbs/api-keys.ts';
import { registerIncidents } from './verbs/incidents.ts';
import { registerPlaybooks } from './verbs/playbooks.ts';
import { registerWorker } from './verbs/worker.ts';
import { registerOutbox } from './verbs/outbox.ts';

/** The version of this package, as `siemlink --version` prints it. */
export function cliVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/**
 * Builds the `siemlink` program: thin verbs over the SIEM and the connector packages. Each verb is
 * declared by name, description and options only; its implementation is imported when it runs.
 */
export function buildProgram(): Command {
  const program = new Command('siemlink')
    .description('A local Logz.io-compatible Cloud SIEM and the SOAR integration that reads it')
    .version(cliVersion(), '-V, --version', 'print the siemlink version')
    .showHelpAfterError()
    .exitOverride();
  registerServe(program);
  registerSearchLogs(program);
  registerGetLogsByEventId(program);
  registerCreateSiemAccount(program);
  registerSecurityEvents(program);
  registerSecurityConfigurations(program);
  registerFetchIncidents(program);
  registerTest(program);
  registerBackfill(program);
  registerOutbox(program);
  registerUp(program);
  registerUsers(program);
  registerApiKeys(program);
  registerIncidents(program);
  registerPlaybooks(program);
  registerWorker(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    const e = err as { code?: string; message?: string };
    console.error(`siemlink: ${e.code ? `[${e.code}] ` : ''}${e.message ?? String(err)}`);
    return 1;
  }
}
