/**
 * Hostile-input benchmark (issue 13). Part 1, in process, the same inputs through the old code
 * paths (a RegExp built from the wildcard, the fieldValues that re-sliced the path at every dot,
 * the parser with no limits) and the new ones. Part 2, a real SIEM server in a child process
 * with BENCH_HOSTILE_LOGS logs (default 20000): each hostile request of the issue is sent while a
 * probe calls `GET /v2/whoami` and posts one line to the listener every 200 ms; prints each
 * request's status and answer time and the probe's longest wait. Then the hostile wildcard is
 * saved as a rule, left to run at a minute boundary, the server is SIGKILLed and restarted on
 * the same data, and the rule is read and deleted.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import lucene from 'lucene';
import type { Credentials } from '@siemlink/contracts';
import { fieldValues } from '../packages/siem/src/lucene/text.ts';
import { wildcardMatcher } from '../packages/siem/src/lucene/wildcard.ts';
import { parseLucene } from '../packages/siem/src/lucene/index.ts';
import { HOSTILE_QUERIES } from '../packages/siem/test/fixtures/hostile-queries.ts';
import { ruleRequest } from '../packages/siem/test/modules/rules/fixtures.ts';

const LOGS = Number(process.env.BENCH_HOSTILE_LOGS ?? 20_000);
const HOSTILE_WILDCARD = 'user_agent:M*?*?*?*?*?*?*?*?*z';
const out = (s: string) => process.stdout.write(`${s}\n`);
const ms = (t: number) => `${t.toFixed(1)} ms`;

function time<T>(fn: () => T): [T, number] {
  const t = performance.now();
  const r = fn();
  return [r, performance.now() - t];
}

// ---- Part 1: old vs new code paths on the same inputs ----------------------------------------

/** The wildcard translation this replaced (lucene/text.ts before issue 13). */
function oldWildcardRegExp(pattern: string): RegExp {
  let src = '';
  for (const c of pattern)
    src += c === '*' ? '[^]*' : c === '?' ? '[^]' : c.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
  return new RegExp(`^${src}$`, 'iu');
}

/** The field walk this replaced: re-slices the path's tail at every dot of every level. */
function oldFieldValues(doc: unknown, path: string, out: unknown[] = []): unknown[] {
  if (Array.isArray(doc)) {
    for (const v of doc) oldFieldValues(v, path, out);
    return out;
  }
  if (doc === null || typeof doc !== 'object') return out;
  const obj = doc as Record<string, unknown>;
  if (Object.hasOwn(obj, path)) out.push(obj[path]);
  for (let i = path.indexOf('.'); i > 0; i = path.indexOf('.', i + 1)) {
    const head = path.slice(0, i);
    if (Object.hasOwn(obj, head)) oldFieldValues(obj[head], path.slice(i + 1), out);
  }
  return out;
}

function part1(): void {
  out(
    `machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, load average ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
  out('\n-- wildcard M*?*?*?*?*?*?*?*?*z on "Mozilla/5.0 " + n × "x" --');
  const pattern = 'M*?*?*?*?*?*?*?*?*z';
  const re = oldWildcardRegExp(pattern);
  const m = wildcardMatcher(pattern);
  for (const n of [10, 20, 30]) {
    const s = `Mozilla/5.0 ${'x'.repeat(n)}`;
    const [, old] = time(() => re.test(s));
    const [, now] = time(() => m.test(s));
    out(`  ${String(s.length).padStart(7)} chars: RegExp ${ms(old).padStart(10)}   matcher ${ms(now)}`);
  }
  for (const n of [1_000, 100_000]) {
    const s = `Mozilla/5.0 ${'x'.repeat(n)}`;
    const [, now] = time(() => m.test(s));
    out(`  ${String(s.length).padStart(7)} chars: RegExp  (not run: grows ~n^8)   matcher ${ms(now)}`);
  }

  out('\n-- _exists_ on a 2,000-segment field, 100 documents {a: {a: ...}} --');
  const path = `${'a.'.repeat(1999)}a`;
  const docs = Array.from({ length: 100 }, (_, i) => ({ a: { a: { a: i } }, 'a.a': i }));
  const [, oldWalk] = time(() => docs.forEach((d) => oldFieldValues(d, path)));
  const [, newWalk] = time(() => docs.forEach((d) => fieldValues(d, path)));
  const [err] = time(() => {
    try {
      parseLucene(`_exists_:${path}`);
      return 'accepted';
    } catch (e) {
      return (e as Error).message;
    }
  });
  out(`  old walk ${ms(oldWalk)}   new walk ${ms(newWalk)}   query now: ${err}`);

  out('\n-- "a AND " × 3,000 --');
  const q = `${'a AND '.repeat(3000)}a`;
  const [, rawParse] = time(() => lucene.parse(q));
  const [msg, reject] = time(() => {
    try {
      parseLucene(q);
      return 'accepted';
    } catch (e) {
      return (e as Error).message;
    }
  });
  out(`  parser alone (no limits) ${ms(rawParse)}   now rejected in ${ms(reject)}: ${msg}`);
}

// ---- Part 2: a real server, a probe, the hostile requests -----------------------------------

interface Server {
  child: ChildProcess;
  creds: Credentials;
}

async function startServer(dataDir: string): Promise<Server> {
  const child = spawn(
    process.execPath,
    ['--disable-warning=ExperimentalWarning', join(import.meta.dirname, 'hostile-server.ts'), dataDir],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout! });
  for await (const line of lines) {
    if (line.startsWith('READY ')) return { child, creds: JSON.parse(line.slice(6)) as Credentials };
  }
  throw new Error('server exited before it was ready');
}

function tokens(creds: Credentials) {
  const logs = creds.accounts.find((a) => a.type === 'LOGS')!;
  const siem = creds.accounts.find((a) => a.type === 'SIEM')!;
  return { logsApi: logs.apiToken, shipping: logs.shippingToken!, siemApi: siem.apiToken };
}

/** Calls whoami and the listener every 200 ms (without waiting for earlier calls); keeps the worst wait. */
function startProbe(s: Server) {
  const t = tokens(s.creds);
  let worst = 0;
  let count = 0;
  const inflight = new Set<number>();
  const once = async (fn: () => Promise<Response>) => {
    const start = performance.now();
    inflight.add(start);
    try {
      await (await fn()).arrayBuffer();
    } catch {
      // a refused connection (server being restarted) is a wait too: counted until it ends
    } finally {
      inflight.delete(start);
      worst = Math.max(worst, performance.now() - start);
      count++;
    }
  };
  const timer = setInterval(() => {
    void once(() => fetch(`${s.creds.apiUrl}/v2/whoami`, { headers: { 'x-api-token': t.siemApi } }));
    void once(() =>
      fetch(`${s.creds.listenerUrl}/?token=${t.shipping}&type=probe`, {
        method: 'POST',
        body: '{"message":"probe"}\n',
      }),
    );
  }, 200);
  return {
    /** The longest wait so far, counting calls still in flight; resets the window. */
    take(): { worst: number; calls: number } {
      const now = performance.now();
      let w = worst;
      for (const start of inflight) w = Math.max(w, now - start);
      const r = { worst: w, calls: count };
      worst = 0;
      count = 0;
      return r;
    },
    stop: () => clearInterval(timer),
  };
}

async function ship(s: Server, n: number): Promise<void> {
  const t = tokens(s.creds);
  const now = Date.now();
  for (let i = 0; i < n; i += 2000) {
    const lines = Array.from({ length: Math.min(2000, n - i) }, (_, j) =>
      JSON.stringify({
        '@timestamp': new Date(now - 60_000 + ((i + j) % 50_000)).toISOString(),
        user_agent: `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${100 + ((i + j) % 30)}.0 Safari/537.36`,
        message: `GET /api/orders/${i + j} 200`,
        user: `user${(i + j) % 50}`,
      }),
    ).join('\n');
    const r = await fetch(`${s.creds.listenerUrl}/?token=${t.shipping}&type=web`, {
      method: 'POST',
      body: lines,
    });
    if (r.status !== 200) throw new Error(`shipping failed: ${r.status} ${await r.text()}`);
  }
}

async function request(
  label: string,
  probe: ReturnType<typeof startProbe>,
  fn: () => Promise<Response>,
): Promise<{ status: number; body: string } | null> {
  probe.take();
  const start = performance.now();
  let status = 'timeout (30 s)';
  let res: { status: number; body: string } | null = null;
  let detail = '';
  try {
    const r = await fn();
    const text = await r.text();
    res = { status: r.status, body: text };
    status = String(res.status);
    if (res.status >= 400)
      detail = (JSON.parse(text) as { errorCode?: string; message?: string }).message ?? '';
    else detail = `${text.length} bytes`;
  } catch (e) {
    status = (e as Error).name === 'TimeoutError' ? status : `error ${(e as Error).message}`;
  }
  const took = performance.now() - start;
  await new Promise((r) => setTimeout(r, 400)); // let a probe or two land after the answer
  const p = probe.take();
  out(
    `  ${label.padEnd(38)} ${status.padEnd(4)} ${ms(took).padStart(10)}   probe max wait ${ms(p.worst).padStart(9)}   ${detail.slice(0, 110)}`,
  );
  return res;
}

async function part2(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'siemlink-hostile-'));
  let server = await startServer(dataDir);
  try {
    await ship(server, LOGS);
    out(`\n-- real server (child process), ${LOGS} logs; probe: whoami + listener every 200 ms --`);
    let probe = startProbe(server);
    const api = () => server.creds.apiUrl;
    const t = () => tokens(server.creds);
    const post = (url: string, token: string, body: unknown) =>
      fetch(url, {
        method: 'POST',
        headers: { 'x-api-token': token, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
    await request('baseline: message:orders', probe, () =>
      post(`${api()}/v1/search`, t().logsApi, {
        query: { query_string: { query: 'message:orders' } },
        size: 10,
      }),
    );
    for (const h of HOSTILE_QUERIES) {
      await request(`/v1/search ${h.name}`, probe, () =>
        post(`${api()}/v1/search`, t().logsApi, { query: { query_string: { query: h.query } }, size: 10 }),
      );
    }
    await request('/v1/search sort on a 2,000-segment field', probe, () =>
      post(`${api()}/v1/search`, t().logsApi, {
        query: { match_all: {} },
        sort: [{ [`${'a.'.repeat(1999)}a`]: { order: 'asc' } }],
        size: 10,
      }),
    );
    for (const h of HOSTILE_QUERIES.filter((x) => x.want.status === 400)) {
      await request(`save rule: ${h.name}`, probe, () =>
        post(
          `${api()}/v2/security/rules`,
          t().siemApi,
          ruleRequest({ title: h.name }, { query: h.query, groupBy: [] }),
        ),
      );
    }
    const created = await request('save rule: backtracking wildcard', probe, () =>
      post(
        `${api()}/v2/security/rules`,
        t().siemApi,
        ruleRequest(
          { title: 'hostile wildcard' },
          { query: HOSTILE_WILDCARD, groupBy: [] },
          { operator: 'GREATER_THAN', severityThresholdTiers: { LOW: 0 } },
        ),
      ),
    );
    const ruleId = created?.status === 201 ? (JSON.parse(created.body) as { id: number }).id : undefined;
    // The engine runs rules on minute boundaries: stay until one has passed.
    const wait = 60_000 - (Date.now() % 60_000) + 5_000;
    probe.take();
    await new Promise((r) => setTimeout(r, wait));
    const minute = probe.take();
    out(
      `  ${'engine ran the rule at a minute boundary'.padEnd(38)} waited ${(wait / 1000).toFixed(0)} s   probe max wait ${ms(minute.worst)} over ${minute.calls} calls`,
    );
    const getRule = () =>
      fetch(`${api()}/v2/security/rules/${ruleId}`, { headers: { 'x-api-token': t().siemApi } });
    if (ruleId !== undefined) {
      const r = (await (await getRule()).json()) as { enabled: boolean; engineStatus?: unknown };
      out(`  rule ${ruleId}: enabled ${r.enabled}, engineStatus ${JSON.stringify(r.engineStatus)}`);
    }

    probe.stop();
    server.child.kill('SIGKILL');
    await new Promise((r) => server.child.once('exit', r));
    const restartStart = performance.now();
    server = await startServer(dataDir);
    out(
      `  ${'SIGKILL + restart on the same data'.padEnd(38)} ready in ${ms(performance.now() - restartStart)}`,
    );
    probe = startProbe(server);
    await new Promise((r) => setTimeout(r, 3000));
    const after = probe.take();
    out(`  ${'3 s after restart'.padEnd(38)} probe max wait ${ms(after.worst)} over ${after.calls} calls`);
    if (ruleId !== undefined) {
      await request(`GET rule ${ruleId} after restart`, probe, getRule);
      await request(`DELETE rule ${ruleId}`, probe, () =>
        fetch(`${api()}/v2/security/rules/${ruleId}`, {
          method: 'DELETE',
          headers: { 'x-api-token': t().siemApi },
        }),
      );
    }
    probe.stop();
  } finally {
    server.child.kill('SIGTERM');
    await new Promise((r) => server.child.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

part1();
await part2();
