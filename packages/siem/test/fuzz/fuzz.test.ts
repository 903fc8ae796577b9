import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, request as httpRequest } from 'node:http';
import { createSqliteConfigurationsRepository } from '../../src/modules/rules/configurations-repository.ts';
import { buildTestSiem, type TestSiem } from '../helpers.ts';
import { families, type Template, type Tokens } from './endpoints.ts';
import {
  createDraw,
  encodeBody,
  hostileValue,
  junkPath,
  junkQuery,
  mutateJson,
  ODD_METHODS,
  type Draw,
} from './hostile.ts';

/**
 * Hostile requests against every endpoint family of a real SIEM (API and listener on port 0):
 * no answer may be a 5xx, none may hang (each request is aborted after FUZZ_ABORT_MS, which
 * fails the test: the bound is a hang detector, not a timing assertion), and whoami must
 * answer 200 after each. Seeded: SIEMLINK_FUZZ_SEED and SIEMLINK_FUZZ_COUNT (requests per
 * family) reproduce or widen a run; a failure names the seed.
 */
const SEED = Number(process.env.SIEMLINK_FUZZ_SEED ?? 20261202);
const COUNT = Number(process.env.SIEMLINK_FUZZ_COUNT ?? 30);
const ABORT_MS = Number(process.env.SIEMLINK_FUZZ_ABORT_MS ?? 30_000);

let siem: TestSiem;
let tokens: Tokens;
const agent = new Agent({ keepAlive: true, maxSockets: 4 });

before(async () => {
  siem = await buildTestSiem({ listen: true, config: { faultInjection: true } });
  const now = siem.clock.now();
  const lines = Array.from({ length: 30 }, (_, i) =>
    JSON.stringify({
      '@timestamp': new Date(now - i * 60_000).toISOString(),
      message: `hello ${i}`,
      user: i % 2 ? 'root' : 'alice',
      outcome: 'failure',
    }),
  ).join('\n');
  const shipped = await send({
    server: 'listener',
    method: 'POST',
    path: `/?token=${siem.shippingToken}`,
    headers: {},
    payload: Buffer.from(lines),
  });
  assert.equal(shipped.status, 200);
  const created = await send({
    server: 'api',
    method: 'POST',
    path: '/v2/security/rules',
    headers: { 'x-api-token': siem.siemToken, 'content-type': 'application/json' },
    payload: Buffer.from(JSON.stringify(families({} as Tokens).rules[0]!.body)),
  });
  assert.equal(created.status, 201, created.body);
  const configId = createSqliteConfigurationsRepository(siem.ctx.store).ensureDefault(
    siem.siemAccountId,
    now,
  ).id;
  tokens = {
    logs: siem.logsToken,
    siem: siem.siemToken,
    shipping: siem.shippingToken,
    ruleId: (JSON.parse(created.body) as { id: number }).id,
    configId,
    siemAccountId: siem.siemAccountId,
  };
});
after(async () => {
  agent.destroy();
  await siem.close();
});

interface Sent {
  server: 'api' | 'listener';
  method: string;
  path: string;
  headers: Record<string, string>;
  payload?: Buffer;
}

/** One request on a real socket, aborted (and so failed) after ABORT_MS. */
function send(r: Sent): Promise<{ status: number; body: string }> {
  const base = new URL(r.server === 'api' ? siem.ctx.urls.api : siem.ctx.urls.listener);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: base.hostname,
        port: base.port,
        method: r.method,
        path: r.path,
        agent,
        headers: { ...r.headers, ...(r.payload ? { 'content-length': String(r.payload.length) } : {}) },
        signal: AbortSignal.timeout(ABORT_MS),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(r.payload);
  });
}

function tokenHeader(d: Draw, t: Template): Record<string, string> {
  if (t.token === 'none' || t.token === 'shipping') return {};
  const own = tokens[t.token];
  const token = d.chance(0.85)
    ? own
    : d.pick([
        tokens.logs,
        tokens.siem,
        tokens.shipping,
        '',
        ' ',
        'bogus',
        own.toUpperCase(),
        `${own}\u0000`,
        own.repeat(50),
      ]);
  // Header values must be latin1 without control characters, or the client itself refuses them.
  return /^[\x20-\x7e]*$/.test(token) ? { [d.chance(0.9) ? 'x-api-token' : 'x-user-token']: token } : {};
}

/** One hostile request built from a valid template. */
function hostile(d: Draw, t: Template): Sent {
  let method = t.method;
  let path = t.path;
  if (t.token === 'shipping') {
    const sep = path.includes('?') ? '&' : '?';
    path += d.chance(0.9) ? `${sep}token=${tokens.shipping}` : `${sep}token[]=${tokens.shipping}`;
  }
  const roll = d();
  if (roll < 0.12) method = d.pick(ODD_METHODS);
  else if (roll < 0.27) path = junkPath(d, path);
  else if (roll < 0.35) path += `${path.includes('?') ? '&' : '?'}${junkQuery(d)}`;
  const headers: Record<string, string> = { ...tokenHeader(d, t) };
  let payload: Buffer | undefined;
  if (t.ndjson) {
    const docs = (t.body as unknown[]).map((doc) => (d.chance(0.6) ? mutateJson(d, doc) : hostileValue(d)));
    const text = docs
      .map((x) => (typeof x === 'string' && d.chance(0.5) ? x : (JSON.stringify(x) ?? '')))
      .join(d.pick(['\n', '\r\n', '\n\n', '']));
    const body = encodeBody(d, undefined);
    payload = d.chance(0.7) ? Buffer.from(text) : body.payload;
    if (body.contentEncoding && d.chance(0.5)) headers['content-encoding'] = body.contentEncoding;
    if (body.contentType) headers['content-type'] = body.contentType;
  } else if (t.body !== undefined || d.chance(0.2)) {
    const json =
      t.body === undefined ? hostileValue(d) : d.chance(0.85) ? mutateJson(d, t.body) : hostileValue(d);
    const body = encodeBody(d, json);
    payload = body.payload;
    if (body.contentType !== undefined) headers['content-type'] = body.contentType;
    if (body.contentEncoding) headers['content-encoding'] = body.contentEncoding;
  }
  return { server: t.server, method, path, headers, payload };
}

/** The request as a failure message shows it, with the run's tokens replaced by their names. */
function describe(r: Sent): string {
  const body = r.payload ? r.payload.subarray(0, 300).toString('utf8') : '';
  let text = `${r.server} ${r.method} ${r.path.slice(0, 300)} headers=${JSON.stringify(r.headers)} body[${r.payload?.length ?? 0}]=${JSON.stringify(body)}`;
  for (const name of ['logs', 'siem', 'shipping'] as const) {
    text = text
      .replaceAll(tokens[name], `<${name} token>`)
      .replaceAll(tokens[name].toUpperCase(), `<${name} TOKEN>`);
  }
  return text;
}

/** Derives a family's own stream from the seed, so changing one family's inputs leaves the others alone. */
function familySeed(name: string): number {
  let h = SEED >>> 0;
  for (const c of name) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  return h;
}

for (const family of ['accounts', 'listener', 'search', 'rules', 'events', 'feed', 'admin']) {
  test(`fuzz ${family}: ${COUNT} hostile requests, no 5xx, no hang, whoami answers after each (seed ${SEED})`, async (t) => {
    const d = createDraw(familySeed(family));
    const templates = families(tokens)[family]!;
    const statuses = new Map<number, number>();
    for (let i = 0; i < COUNT; i++) {
      const r = hostile(d, d.pick(templates));
      const where = `seed ${SEED} (SIEMLINK_FUZZ_SEED=${SEED} SIEMLINK_FUZZ_COUNT=${COUNT}), ${family} #${i}: ${describe(r)}`;
      let res;
      try {
        res = await send(r);
      } catch (err) {
        assert.fail(`no answer (${(err as Error).message}) — ${where}`);
      }
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      assert.ok(res.status < 500, `${res.status} ${res.body.slice(0, 500)} — ${where}`);
      // Valid fault settings are valid input: take them back so they cannot fault what follows.
      if (family === 'admin') {
        siem.ctx.faults.reset(siem.siemAccountId);
        siem.ctx.faults.reset(siem.logsAccountId);
      }
      const whoami = await send({
        server: 'api',
        method: 'GET',
        path: '/v2/whoami',
        headers: { 'x-api-token': tokens.logs },
      });
      assert.equal(whoami.status, 200, `whoami after — ${where}`);
    }
    t.diagnostic(
      `${family}: statuses ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))}`,
    );
  });
}
