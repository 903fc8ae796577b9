import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, runCli, startCliSiem } from './helpers.ts';
import { bundledCli } from '../bin/cli-bundle.js';
import { buildProgram } from '../src/program.ts';
import { VERB_DESCRIPTIONS, BACKFILL_MARGIN_MINUTES } from '../src/verbs/descriptions.ts';
import { ROLE_NAMES } from '../src/verbs/roles.ts';

/**
 * Start-up cost is what a verb imports: `--help` loads only commander and the verb declarations,
 * and the connector's verbs never load the SIEM, Fastify or the PostgreSQL driver (timings are in
 * bench/startup.ts; this checks the cause, which is deterministic).
 */

/** A preload that writes the URL of every module loaded (ESM and CommonJS) to a file at exit. */
const TRACE = `data:text/javascript,${encodeURIComponent(
  `import { registerHooks } from 'node:module';
import { writeFileSync } from 'node:fs';
const urls = [];
registerHooks({ load(url, context, next) { urls.push(url); return next(url, context); } });
process.on('exit', () => writeFileSync(process.env.TRACE_FILE, urls.join('\\n')));`,
)}`;

function loadedModules(args: string[], env: Record<string, string>, bin = BIN): Promise<string[]> {
  const file = join(env.HOME!, `trace-${args[0]}.txt`);
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--disable-warning=ExperimentalWarning', '--import', TRACE, bin, ...args],
      { env: { ...env, TRACE_FILE: file }, timeout: 60_000 },
      (err, _stdout, stderr) => {
        if (err) return reject(new Error(`${args.join(' ')}: ${stderr}`));
        resolve(readFileSync(file, 'utf8').split('\n'));
      },
    );
  });
}

const matching = (urls: string[], re: RegExp) => urls.filter((u) => re.test(u));

/** The `siemlink` command as installed (package.json "bin"): it runs the CLI bundle when current. */
const LAUNCHER = join(import.meta.dirname, '..', 'bin', 'siemlink.js');

/** The sink kinds' implementations (their declarations are under sinks/kinds/). */
const SINK_IMPLEMENTATIONS =
  /packages\/connector\/src\/sinks\/(webhook|nats|slack|syslog|thehive|xsoar)\.ts$/;

test('siemlink --help loads the verb declarations only: no connector, SIEM, HTTP client or server', async (t) => {
  const cli = await startCliSiem('siemlink-startup-');
  t.after(() => cli.close());
  const urls = await loadedModules(['--help'], cli.env);
  assert.ok(matching(urls, /\/commander\//).length > 0, 'the trace sees modules');
  assert.deepEqual(
    matching(
      urls,
      /packages\/(siem|connector|contracts)\/|node_modules\/(fastify|undici|pg|pino|@sinclair)\//,
    ),
    [],
  );
  assert.deepEqual(matching(urls, /packages\/cli\/src\/commands\//), []);
});

test('fetch-incidents --once loads neither the SIEM nor Fastify nor pg (default SQLite store)', async (t) => {
  const cli = await startCliSiem('siemlink-startup-');
  t.after(() => cli.close());
  const urls = await loadedModules(['fetch-incidents', '--once'], cli.env);
  assert.ok(matching(urls, /packages\/connector\/src\/fetch\/fetcher\.ts$/).length === 1, 'the fetcher ran');
  // The SIEM's logger factory (pino + token redaction, a leaf module) is shared with `serve`.
  assert.deepEqual(matching(urls, /packages\/siem\/(?!src\/logger\.ts$)/), []);
  assert.deepEqual(
    matching(urls, /node_modules\/(fastify|@fastify\/[^/]+|avvio|find-my-way|pg|pg-[a-z]+)\//),
    [],
  );
  // Only the verb that runs is imported.
  assert.deepEqual(
    matching(urls, /packages\/cli\/src\/commands\//).map((u) => u.replace(/.*\//, '')),
    ['fetch-incidents.ts'],
  );
  // No sink is configured: the kinds' declarations (schemas) load, no implementation or client.
  assert.ok(
    matching(urls, /packages\/connector\/src\/sinks\/kinds\/nats\.ts$/).length === 1,
    'the kinds load',
  );
  assert.deepEqual(matching(urls, SINK_IMPLEMENTATIONS), []);
  assert.deepEqual(matching(urls, /node_modules\/@nats-io\//), []);
  // Nothing is logged at the default level (warn), so pino is never built.
  assert.deepEqual(matching(urls, /node_modules\/(pino|thread-stream|sonic-boom)\//), []);
  // The client goes out through node:http (client/node-dispatcher.ts), not undici.
  assert.ok(
    matching(urls, /packages\/connector\/src\/client\/node-dispatcher\.ts$/).length === 1,
    'the client',
  );
  assert.deepEqual(matching(urls, /node_modules\/undici\//), []);
});

test('fetch-incidents --once with a webhook sink loads that sink kind only', async (t) => {
  const cli = await startCliSiem('siemlink-startup-');
  t.after(() => cli.close());
  // Nothing is new, so nothing is delivered: the port need not answer.
  const urls = await loadedModules(
    ['fetch-incidents', '--once', '--sink', 'webhook:http://127.0.0.1:9/in'],
    cli.env,
  );
  assert.deepEqual(
    matching(urls, SINK_IMPLEMENTATIONS).map((u) => u.replace(/.*\//, '')),
    ['webhook.ts'],
  );
  assert.deepEqual(matching(urls, /node_modules\/@nats-io\//), []);
});

test('the help texts kept beside the verbs match the connector commands they describe', async () => {
  const connector = {
    'search-logs': (await import('@siemlink/connector/commands/search-logs.ts')).searchLogsCommand,
    'get-logs-by-event-id': (await import('@siemlink/connector/commands/get-logs-by-event-id.ts'))
      .getLogsByEventIdCommand,
    'create-siem-account': (await import('@siemlink/connector/commands/create-siem-account.ts'))
      .createSiemAccountCommand,
    'security-events': (await import('@siemlink/connector/commands/security-events.ts'))
      .securityEventsCommand,
    'security-configurations': (await import('@siemlink/connector/commands/list-security-configurations.ts'))
      .listSecurityConfigurationsCommand,
    test: (await import('@siemlink/connector/commands/test-connection.ts')).testCommand,
    backfill: (await import('@siemlink/connector/commands/backfill.ts')).backfillCommand,
  };
  for (const [verb, command] of Object.entries(connector)) {
    assert.equal(VERB_DESCRIPTIONS[verb as keyof typeof VERB_DESCRIPTIONS], command.description, verb);
  }
  const { BACKFILL_DEFAULT_MARGIN_MINUTES } = await import('@siemlink/connector/commands/backfill.ts');
  assert.equal(BACKFILL_MARGIN_MINUTES, BACKFILL_DEFAULT_MARGIN_MINUTES);
  const { ROLES } = await import('@siemlink/connector/auth/schemas.ts');
  assert.deepEqual(ROLE_NAMES, ROLES);
});

test('bin/siemlink.js runs fetch-incidents --once from the CLI bundle: one file per chunk, no package', async (t) => {
  if (!bundledCli(['node', LAUNCHER, 'fetch-incidents'])) {
    return t.skip('the CLI bundle is missing or older than the sources: npm run build -w packages/cli');
  }
  const cli = await startCliSiem('siemlink-startup-');
  t.after(() => cli.close());
  const urls = await loadedModules(['fetch-incidents', '--once'], cli.env, LAUNCHER);
  assert.ok(matching(urls, /packages\/cli\/dist\/cli\/run\.mjs$/).length === 1, 'the bundle ran');
  // Ours, commander and TypeBox are in the bundle; nothing else is needed for this run.
  assert.deepEqual(matching(urls, /packages\/[a-z]+\/src\/|node_modules\//), []);
  assert.ok(matching(urls, /^file:/).length < 20, urls.join('\n'));
});

test('bin/siemlink.js prints the same help from the bundle as the sources do', async (t) => {
  if (!bundledCli(['node', LAUNCHER, '--help'])) {
    return t.skip('the CLI bundle is missing or older than the sources: npm run build -w packages/cli');
  }
  const cli = await startCliSiem('siemlink-startup-');
  t.after(() => cli.close());
  for (const args of [['--help'], ['fetch-incidents', '--help'], ['--version']]) {
    const fromSources = await runCli(args, cli.env);
    const fromBundle = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, [LAUNCHER, ...args], { env: cli.env }, (err, stdout) =>
        err ? reject(err) : resolve(stdout),
      ),
    );
    assert.equal(fromBundle, fromSources.stdout, args.join(' '));
  }
});

test('a run declares its verb alone, with the same options and help as in the whole program', () => {
  const all = buildProgram();
  assert.ok(all.commands.length >= 16);
  for (const verb of all.commands) {
    const alone = buildProgram(verb.name());
    assert.deepEqual(
      alone.commands.map((c) => c.name()),
      [verb.name()],
    );
    assert.equal(alone.commands[0]!.helpInformation(), verb.helpInformation(), verb.name());
  }
  // No verb, `help` or a typo: all of them (the help lists them, a typo gets a suggestion).
  for (const word of [undefined, 'help', 'fetch-incident']) {
    assert.equal(buildProgram(word).commands.length, all.commands.length, String(word));
  }
});
