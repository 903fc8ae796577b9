import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test, type TestContext } from 'node:test';
import { Agent } from 'undici';
import type { ConnectorError } from '../../src/errors.ts';
import { commandExecutor } from '../../src/playbooks/steps/command.ts';
import { createHttpExecutor } from '../../src/playbooks/steps/http.ts';
import { setExecutor } from '../../src/playbooks/steps/set.ts';
import type { Step } from '../../src/playbooks/definition/schema.ts';
import { DEFAULT_RETRY_POLICY } from '../../src/client/transport.ts';
import { createSiemClient } from '../../src/client/index.ts';
import { systemClock } from '../../src/context.ts';
import { createExecutors } from '../../src/playbooks/steps/index.ts';
import { silent } from '../helpers.ts';
import { forwardingProxy } from '../client/helpers.ts';
import { startRealSiem } from '../real-siem.ts';
import { stepContext } from './step-context.ts';

type Http = Extract<Step, { kind: 'http' }>;

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A real HTTP server on port 0: `answer` decides each response; every request is recorded. */
async function receiver(t: TestContext, answer: (req: Seen, n: number, res: ServerResponse) => void) {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const s = { method: req.method!, url: req.url!, headers: req.headers, body };
      seen.push(s);
      answer(s, seen.length, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const dispatcher = new Agent();
  t.after(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await dispatcher.close();
  });
  return { seen, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, dispatcher };
}

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

const fastRetry = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 1, maxDelayMs: 1 };

test('http: rendered request, Idempotency-Key, secret from the environment, redacted input, parsed output', async (t) => {
  const r = await receiver(t, (_req, _n, res) => json(res, 201, { blocked: true, echo: 'tok-SECRET-123' }));
  const step: Http = {
    id: 'call',
    kind: 'http',
    method: 'POST',
    url: `${r.base}/block/\${ incident.fields.ip }?key=\${ secrets.token }`,
    secrets: { token: 'BLOCK_TOKEN' },
    headers: { authorization: 'Bearer ${ secrets.token }', 'x-incident': '${ incident.id }' },
    body: { ip: '${ incident.fields.ip }', users: '${ inputs.users }', note: 'by ${ run.playbook }' },
  };
  const ctx = stepContext({
    scope: {
      incident: { id: 'logzio:e1', fields: { ip: '95.163.1.2' } } as never,
      inputs: { users: ['al', 'bo'] },
    },
    env: { BLOCK_TOKEN: 'tok-SECRET-123' },
  });
  const out = await createHttpExecutor({ dispatcher: r.dispatcher }).execute(step, ctx);
  assert.equal(r.seen.length, 1);
  const req = r.seen[0];
  assert.equal(req.method, 'POST');
  assert.equal(req.url, '/block/95.163.1.2?key=tok-SECRET-123');
  assert.equal(req.headers['idempotency-key'], 'run-1:call:-:1');
  assert.equal(req.headers.authorization, 'Bearer tok-SECRET-123');
  assert.equal(req.headers['x-incident'], 'logzio:e1');
  assert.equal(req.headers['x-api-token'], undefined, 'no Logz.io token goes to another service');
  assert.deepEqual(JSON.parse(req.body), { ip: '95.163.1.2', users: ['al', 'bo'], note: 'by test' });
  const output = out.output as { status: number; headers: Record<string, string>; body: unknown };
  assert.equal(output.status, 201);
  assert.equal(output.headers['content-type'], 'application/json');
  assert.deepEqual(output.body, { blocked: true, echo: '[redacted]' });
  assert.deepEqual(out.input, {
    method: 'POST',
    url: `${r.base}/block/95.163.1.2?key=[redacted]`,
    headers: { authorization: 'Bearer [redacted]', 'x-incident': 'logzio:e1' },
    body: { ip: '95.163.1.2', users: ['al', 'bo'], note: 'by test' },
  });
  assert.ok(!JSON.stringify(out).includes('tok-SECRET-123'), 'the secret is nowhere in what is stored');
});

test('http: 503 then 200 is retried by the transport with the same Idempotency-Key; text bodies stay text', async (t) => {
  const r = await receiver(t, (_req, n, res) => {
    if (n === 1) return json(res, 503, { message: 'busy' });
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok');
  });
  const step: Http = { id: 'call', kind: 'http', method: 'PUT', url: `${r.base}/x`, body: 'raw text' };
  const out = await createHttpExecutor({ dispatcher: r.dispatcher, retry: fastRetry }).execute(
    step,
    stepContext({ attempt: 3 }),
  );
  assert.equal(r.seen.length, 2);
  assert.deepEqual(
    r.seen.map((s) => s.headers['idempotency-key']),
    ['run-1:call:-:3', 'run-1:call:-:3'],
  );
  assert.equal(r.seen[1].body, 'raw text');
  assert.equal(r.seen[1].headers['content-type'], 'text/plain; charset=utf-8');
  assert.deepEqual((out.output as { body: unknown }).body, 'ok');
});

test('http: a non-2xx answer fails the step naming the status, without the secret; not retried', async (t) => {
  const r = await receiver(t, (_req, _n, res) => json(res, 404, { message: 'no route for tok-SECRET-123' }));
  const step: Http = {
    id: 'call',
    kind: 'http',
    url: `${r.base}/hook?t=\${ secrets.t }`,
    secrets: { t: 'HOOK_T' },
  };
  await assert.rejects(
    createHttpExecutor({ dispatcher: r.dispatcher, retry: fastRetry }).execute(
      step,
      stepContext({ env: { HOOK_T: 'tok-SECRET-123' } }),
    ),
    (e: ConnectorError) => {
      assert.equal(e.status, 404);
      assert.match(e.message, /HTTP 404 from POST \/hook\?t=\*\*\*/);
      assert.ok(!e.message.includes('tok-SECRET-123'), e.message);
      return true;
    },
  );
  assert.equal(r.seen.length, 1);
});

test('http: a secret whose variable is unset fails before any request; bad URLs name the field', async (t) => {
  const r = await receiver(t, (_req, _n, res) => json(res, 200, {}));
  const http = createHttpExecutor({ dispatcher: r.dispatcher });
  await assert.rejects(
    http.execute(
      {
        id: 'call',
        kind: 'http',
        url: `${r.base}/`,
        secrets: { t: 'UNSET_VAR' },
        headers: { a: '${ secrets.t }' },
      },
      stepContext({ env: {} }),
    ),
    (e: ConnectorError) =>
      e.code === 'PLAYBOOK_SECRET_MISSING' &&
      /secrets\.t: environment variable UNSET_VAR is not set/.test(e.message),
  );
  await assert.rejects(
    http.execute({ id: 'call', kind: 'http', url: 'not a url' }, stepContext({})),
    (e: ConnectorError) => e.code === 'PLAYBOOK_STEP_INPUT' && e.field === 'url',
  );
  await assert.rejects(
    http.execute({ id: 'call', kind: 'http', url: 'file:///etc/passwd' }, stepContext({})),
    /must be http or https/,
  );
  assert.equal(r.seen.length, 0);
});

test('http: the step signal (timeout, cancel) aborts a request the receiver never answers', async (t) => {
  const ac = new AbortController();
  const r = await receiver(t, () => ac.abort(new Error('step timed out')));
  await assert.rejects(
    createHttpExecutor({ dispatcher: r.dispatcher }).execute(
      { id: 'call', kind: 'http', method: 'GET', url: `${r.base}/slow` },
      stepContext({ signal: ac.signal }),
    ),
    /step timed out/,
  );
  assert.equal(r.seen.length, 1);
});

test('set: values rendered with their own types', async () => {
  const out = await setExecutor.execute(
    { id: 's', kind: 'set', values: { n: '${ 1 + 1 }', s: 'x${ 1 }', list: ['${ inputs.a }'], lit: true } },
    stepContext({ scope: { inputs: { a: { b: 1 } } } }),
  );
  assert.deepEqual(out.output, { n: 2, s: 'x1', list: [{ b: 1 }], lit: true });
});

test('command: security-events and get-logs-by-event-id against the real SIEM; argument errors name with.<arg>', async (t) => {
  const siem = await startRealSiem(t);
  const ids = siem.insert(3, siem.clock.now() - 60_000);
  // The feed leaves out the last 5 s of storage (late commits): move past it.
  siem.clock.advance(10_000);
  const client = siem.client();
  const ctx = stepContext({
    client,
    clock: siem.clock,
    scope: { inputs: { config: String(siem.configId) } },
  });
  const feed = await commandExecutor.execute(
    {
      id: 'feed',
      kind: 'command',
      command: 'security-events',
      with: { configIds: ['${ inputs.config }'], from: '10 minutes ago' },
    },
    ctx,
  );
  const output = feed.output as { events: { alertEventId: string }[]; context: { offset: string } | null };
  assert.deepEqual(output.events.map((e) => e.alertEventId).sort(), [...ids].sort());
  assert.ok(output.context && output.context.offset.length > 0, 'the offset context comes with the events');
  assert.deepEqual(feed.input, { configIds: [String(siem.configId)], from: '10 minutes ago' });

  const logs = await commandExecutor.execute(
    { id: 'logs', kind: 'command', command: 'get-logs-by-event-id', with: { id: ids[0], size: 5 } },
    ctx,
  );
  assert.deepEqual(logs.output, { alertEventId: ids[0], logs: [] });

  await assert.rejects(
    commandExecutor.execute(
      { id: 'logs', kind: 'command', command: 'get-logs-by-event-id', with: { id: ids[0], size: 0 } },
      ctx,
    ),
    (e: ConnectorError) =>
      e.code === 'INVALID_ARGUMENT' && e.field === 'with.size' && /^with\.size:/.test(e.message),
  );
  await assert.rejects(
    commandExecutor.execute(
      { id: 'feed', kind: 'command', command: 'security-events', with: { configIds: ['1'], follow: true } },
      ctx,
    ),
    /follow is not allowed/,
  );
});

test('http: the executors `up` and `siemlink worker` build go out through the Logz.io client connection settings (its proxy)', async (t) => {
  const r = await receiver(t, (_req, _n, res) => json(res, 200, { ok: true }));
  const proxy = await forwardingProxy(t);
  const client = createSiemClient(
    { apiUrl: 'http://127.0.0.1:9', proxyUrl: proxy.url },
    { logger: silent, clock: systemClock },
  );
  t.after(() => client.close());
  const http = createExecutors(client.outbound).find((e) => e.kind === 'http')!;
  const step: Http = { id: 'call', kind: 'http', url: `${r.base}/hook`, body: { a: 1 } };
  const out = await http.execute(step, stepContext({}));
  assert.deepEqual(
    proxy.seen.map((x) => `${x.method} ${x.url}`),
    [`POST ${r.base}/hook`],
  );
  assert.equal(r.seen.length, 1);
  assert.equal((out.output as { status: number }).status, 200);
});
