import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import type { Command } from 'commander';
import type { FastifyInstance } from 'fastify';
import { buildListenerApp, buildSiemApp, createSiemContext, loadSiemConfig } from '@siemlink/siem';
import { buildApiApp, openSqliteIncidentStore, systemClock } from '@siemlink/connector';
import { createIncidentEvents } from '@siemlink/connector/api/console/index.ts';
import { createSiemClient } from '@siemlink/connector/client/index.ts';
import { buildProgram } from '../src/program.ts';

/**
 * The README names CLI verbs, their flags and HTTP routes: each one named there must exist
 * (README -> code only: a verb or route the README leaves out is not an error here).
 */
const README = readFileSync(join(import.meta.dirname, '..', '..', '..', 'README.md'), 'utf8');
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/** Fenced code blocks, and inline code spans of the prose outside them. */
function codeOf(markdown: string): { blocks: string[]; spans: { span: string; line: string }[] } {
  const blocks: string[] = [];
  const spans: { span: string; line: string }[] = [];
  const parts = markdown.split(/^```[^\n]*\n/m);
  parts.forEach((part, i) => {
    if (i % 2 === 1) {
      blocks.push(part);
      return;
    }
    for (const line of part.split('\n'))
      for (const m of line.matchAll(/`([^`\n]+)`/g)) spans.push({ span: m[1]!, line });
  });
  return { blocks, spans };
}

const { blocks, spans } = codeOf(README);

/** `siemlink <verb> [--flags]` as the README writes it (a block line and its indented continuation). */
function namedVerbs(): { verb: string; flags: string[]; where: string }[] {
  const out: { verb: string; flags: string[]; where: string }[] = [];
  const verbAt = /(?:^|[\s(])(?:npx |npm run )?siemlink(?: --)? ([a-z][a-z-]*)/;
  for (const block of blocks) {
    let current: { verb: string; flags: string[]; where: string } | null = null;
    for (const line of block.split('\n')) {
      const m = verbAt.exec(line);
      if (m) {
        current = { verb: m[1]!, flags: [], where: line.trim() };
        out.push(current);
      } else if (!/^\s/.test(line)) current = null;
      if (current) current.flags.push(...flagsOf(m ? line.slice(m.index) : line));
    }
  }
  for (const { span } of spans) {
    const m = verbAt.exec(span);
    if (m) out.push({ verb: m[1]!, flags: flagsOf(span.slice(m.index)), where: span });
  }
  return out;
}

/** Flags of one command line; the part after a verb's description (two spaces then text) is prose. */
function flagsOf(text: string): string[] {
  return [...text.matchAll(/(?<![\w-])--[a-z][a-z-]*/g)].map((m) => m[0]).filter((f) => f !== '--');
}

function optionsOf(cmd: Command): Set<string> {
  return new Set([
    '--help',
    '--version',
    ...cmd.options.flatMap((o) => [o.long ?? '', o.negate ? o.long! : '']),
  ]);
}

test('README: every CLI verb it names exists, with every flag it gives that verb', () => {
  const program = buildProgram();
  const named = namedVerbs();
  assert.ok(named.length >= 10, `parsed only ${named.length} verb mentions`);
  const verbs = new Map(program.commands.map((c) => [c.name(), c]));
  for (const { verb, flags, where } of named) {
    const cmd = verbs.get(verb);
    assert.ok(cmd, `README names "siemlink ${verb}" (in: ${where}), which is not a verb`);
    // A verb with subcommands (`siemlink outbox list [--sink NAME]`): the flags are the subcommands'.
    const known = new Set([...optionsOf(cmd), ...cmd.commands.flatMap((c) => [...optionsOf(c)])]);
    for (const f of flags)
      assert.ok(known.has(f), `README gives "siemlink ${verb}" the flag ${f} (in: ${where})`);
  }
  for (const v of ['up', 'serve', 'search-logs', 'security-configurations', 'backfill']) {
    assert.ok(
      named.some((n) => n.verb === v),
      `the parser found no mention of ${v}`,
    );
  }
});

interface Route {
  app: 'api' | 'listener' | 'connector';
  methods: readonly string[];
  path: string;
  where: string;
}

/** `GET/PUT /v2/x/:id` (or `GET|PUT`), `POST .../search` (after the line's first path), `[/:id]`, `{id;id}`. */
function namedRoutes(): Route[] {
  const routes: Route[] = [];
  const lines = new Map<string, string[]>();
  for (const { span, line } of spans) lines.set(line, [...(lines.get(line) ?? []), span]);
  for (const [line, lineSpans] of lines) {
    let base: string | null = null;
    for (const span of lineSpans) {
      const m =
        /^(?:((?:GET|POST|PUT|PATCH|DELETE)(?:[/|](?:GET|POST|PUT|PATCH|DELETE))*) )?((?:\.\.\.)?\/[^\s]*)/.exec(
          span,
        );
      if (!m) continue;
      let path = m[2]!.split('?')[0]!;
      if (!m[1] && !path.startsWith('...') && !/^\/(api|v\d|siem|admin)\//.test(path)) continue;
      if (path.startsWith('...')) {
        if (!base) continue;
        path = base + path.slice(3);
      } else base ??= path.replace(/\[.*$/, '');
      const app = path.startsWith('/api/') ? 'connector' : /listener:/.test(line) ? 'listener' : 'api';
      const methods = m[1] ? m[1].split(/[/|]/) : METHODS;
      const optional = /^(.*)\[(\/[^\]]+)\]$/.exec(path);
      const paths = optional ? [optional[1]!, optional[1]! + optional[2]!] : [path];
      for (const p of paths) routes.push({ app, methods, path: p, where: span });
    }
  }
  return routes;
}

/** Whether a route answers `method url` at all (a 404 from the router is "no such route"). */
async function routed(app: FastifyInstance, method: string, url: string): Promise<boolean> {
  const res = await app.inject({ method: method as 'GET', url, payload: method === 'GET' ? undefined : {} });
  const body = res.body;
  return !(res.statusCode === 404 && /ROUTE_NOT_FOUND|"NOT_FOUND"|no route/.test(body));
}

test('README: every HTTP route it names is served (SIEM API, listener, integration API)', async (t) => {
  const silent = pino({ level: 'silent' });
  const ctx = createSiemContext(
    loadSiemConfig({ dataDir: ':memory:', faultInjection: true, rulesEngine: false }),
    { logger: silent },
  );
  const store = openSqliteIncidentStore({ path: ':memory:' });
  // The console's routes are part of the connector's API as `up` serves it (no request reaches the SIEM:
  // an unauthenticated request is a 401 before any handler runs).
  const client = createSiemClient({ apiUrl: 'http://127.0.0.1:9' }, { logger: silent, clock: systemClock });
  const apps = {
    api: await buildSiemApp(ctx),
    listener: await buildListenerApp(ctx),
    connector: await buildApiApp({
      store,
      logger: silent,
      clock: systemClock,
      fetching: false,
      console: { client, events: createIncidentEvents(), fetchFilters: {} },
    }),
  };
  t.after(async () => {
    await client.close();
    await Promise.all(Object.values(apps).map((a) => a.close()));
    await store.close();
    ctx.store.close();
  });
  const routes = namedRoutes();
  assert.ok(routes.length >= 15, `parsed only ${routes.length} routes`);
  for (const r of routes) {
    const url = r.path.replace(/\{[^}]*\}/g, '1;2').replace(/:\w+/g, '1');
    const hits = await Promise.all(r.methods.map((m) => routed(apps[r.app], m, url)));
    const ok = r.methods.length === METHODS.length ? hits.some(Boolean) : hits.every(Boolean);
    assert.ok(
      ok,
      `README names ${r.methods.join('/')} ${r.path} on the ${r.app} (in: ${r.where}); not served`,
    );
  }
  // The parser reads the compact forms (relative paths and optional segments) at all.
  const paths = routes.map((r) => `${r.app} ${r.path}`);
  for (const p of [
    'api /v2/security/rules/search',
    'api /v2/account-management/siem/:id',
    'listener /',
    'connector /api/incidents/:id',
  ]) {
    assert.ok(paths.includes(p), `no ${p} among ${paths.join(', ')}`);
  }
});

test('README check can fail: a verb, flag or route that does not exist is caught', async () => {
  const program = buildProgram();
  assert.equal(
    program.commands.find((c) => c.name() === 'no-such-verb'),
    undefined,
  );
  assert.equal(
    optionsOf(program.commands.find((c) => c.name() === 'search-logs')!).has('--no-such-flag'),
    false,
  );
  const ctx = createSiemContext(loadSiemConfig({ dataDir: ':memory:' }), {
    logger: pino({ level: 'silent' }),
  });
  const api = await buildSiemApp(ctx);
  try {
    assert.equal(await routed(api, 'GET', '/v2/no/such/route'), false);
    assert.equal(await routed(api, 'POST', '/v1/search'), true);
  } finally {
    await api.close();
    ctx.store.close();
  }
});
