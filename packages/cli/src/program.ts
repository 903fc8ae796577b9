import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { stdout } from './output.ts';
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

/** Each verb's declaration, in the order `--help` lists them. */
const VERBS: Record<string, (program: Command) => unknown> = {
  serve: registerServe,
  'search-logs': registerSearchLogs,
  'get-logs-by-event-id': registerGetLogsByEventId,
  'create-siem-account': registerCreateSiemAccount,
  'security-events': registerSecurityEvents,
  'security-configurations': registerSecurityConfigurations,
  'fetch-incidents': registerFetchIncidents,
  test: registerTest,
  backfill: registerBackfill,
  outbox: registerOutbox,
  up: registerUp,
  users: registerUsers,
  'api-keys': registerApiKeys,
  incidents: registerIncidents,
  playbooks: registerPlaybooks,
  worker: registerWorker,
};

/**
 * Builds the `siemlink` program: thin verbs over the SIEM and the connector packages. Each verb is
 * declared by name, description and options only; its implementation is imported when it runs.
 * Given the verb that runs, only that one is declared: declaring all sixteen is ~15 ms of a
 * one-shot run (the first run of commander's code), and parsing a verb's arguments needs only it.
 */
export function buildProgram(verb?: string): Command {
  const program = new Command('siemlink')
    .description('A local Logz.io-compatible Cloud SIEM and the SOAR integration that reads it')
    .version(cliVersion(), '-V, --version', 'print the siemlink version')
    .showHelpAfterError()
    .configureOutput({ writeOut: (text) => stdout().write(text) })
    .exitOverride();
  const only = verb !== undefined && Object.hasOwn(VERBS, verb) ? VERBS[verb] : undefined;
  for (const register of only ? [only] : Object.values(VERBS)) register(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  // The verb is the first word (the program's own options, --help and --version, take no value);
  // none, `help` or an unknown word declares them all (help lists them, a typo gets suggestions).
  const program = buildProgram(argv.slice(2).find((a) => !a.startsWith('-')));
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
