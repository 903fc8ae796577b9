import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sinkFromFlag } from '../../src/sinks/index.ts';
import { cefMessage } from '../../src/sinks/syslog.ts';
import { T0, richIncident, sinkHarness } from './harness.ts';
import { SyslogReceiver } from './syslog-receiver.ts';

const VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

function expected(n: number): string {
  const id = `e-${String(n).padStart(6, '0')}`;
  const occurred = new Date(Date.UTC(2026, 0, 1) + n * 1000);
  return (
    `<83>1 ${occurred.toISOString()} collector-test siemlink - incident ` +
    `[siemlink@32473 incidentId="logzio:${id}" alertEventId="${id}"] ` +
    `CEF:0|siemlink|siemlink|${VERSION}|rule-17|Brute force SSH|8|` +
    `rt=${occurred.getTime()} externalId=logzio:${id} msg=Many failed SSH logins | then one success cat=ssh ` +
    `src=10.0.0.5 suser=alice shost=web-1 cs1Label=alertEventId cs1=${id} cs2Label=groupBy ` +
    `cs2=src_ip:10.0.0.5 user:alice hostname:web-1 cs3Label=incidentUrl ` +
    `cs3=https://console.example/incidents/logzio%3A${id}`
  );
}

const entry = (port: number, protocol: string, extra: Record<string, unknown> = {}) => ({
  kind: 'syslog',
  name: 'cef',
  host: '127.0.0.1',
  port,
  protocol,
  hostname: 'collector-test',
  consoleUrl: 'https://console.example',
  ...extra,
});

test('syslog tcp: RFC 5424 + CEF in octet-counted frames, in order, through the dispatcher', async (t) => {
  const rcv = new SyslogReceiver();
  await rcv.startTcp();
  t.after(() => rcv.stop());
  const { store, dispatcher } = await sinkHarness(t, entry(rcv.port, 'tcp'), {});
  await store.insertIncidents([richIncident(1), richIncident(2), richIncident(3)], T0);
  await dispatcher.drain();
  const got = await rcv.waitFor(3);
  assert.deepEqual(got, [expected(1), expected(2), expected(3)]);
  assert.deepEqual(rcv.badFrames, []);
  assert.equal(rcv.connections, 1);
  assert.equal((await store.outbox.deliveries('logzio:e-000001'))[0]?.sink, 'cef');
});

test('syslog udp: one message per datagram, no framing', async (t) => {
  const rcv = new SyslogReceiver();
  await rcv.startUdp();
  t.after(() => rcv.stop());
  const { store, dispatcher } = await sinkHarness(t, entry(rcv.port, 'udp'), {});
  await store.insertIncidents([richIncident(1), richIncident(2)], T0);
  await dispatcher.drain();
  // UDP may reorder in general; on loopback it does not.
  assert.deepEqual(await rcv.waitFor(2), [expected(1), expected(2)]);
});

test('syslog tcp: a collector down, then back: everything delivered in order, once', async (t) => {
  const probe = new SyslogReceiver();
  await probe.startTcp();
  const port = probe.port;
  await probe.stop();
  const { store, dispatcher, clock } = await sinkHarness(t, entry(port, 'tcp'), {});
  await store.insertIncidents(
    [1, 2, 3, 4].map((n) => richIncident(n)),
    T0,
  );
  for (let i = 0; i < 3; i++) {
    await dispatcher.drain();
    clock.advance(10 * 60_000);
  }
  const [h] = await store.outbox.health(clock.now(), ['cef']);
  assert.equal(h?.backlog, 4);
  assert.match(h?.lastError ?? '', /ECONNREFUSED/);
  const rcv = new SyslogReceiver();
  await rcv.startTcp(undefined, port);
  t.after(() => rcv.stop());
  clock.advance(10 * 60_000);
  await dispatcher.drain();
  assert.deepEqual(await rcv.waitFor(4), [1, 2, 3, 4].map(expected));
  assert.equal((await store.outbox.health(clock.now(), ['cef']))[0]?.backlog, 0);
});

test('syslog tls: octet-counted frames over TLS, server checked against caFile', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'siemlink-tls-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
  } catch {
    t.skip('openssl is not installed');
    return;
  }
  const rcv = new SyslogReceiver();
  await rcv.startTcp({ key: readFileSync(key), cert: readFileSync(cert) });
  t.after(() => rcv.stop());
  const { store, dispatcher } = await sinkHarness(t, entry(rcv.port, 'tls', { tls: { caFile: cert } }), {});
  await store.insertIncidents([richIncident(1), richIncident(2)], T0);
  await dispatcher.drain();
  assert.deepEqual(await rcv.waitFor(2), [expected(1), expected(2)]);
  assert.deepEqual(rcv.badFrames, []);
});

test('syslog tls: an untrusted certificate fails the delivery (retried), nothing sent', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'siemlink-tls-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
      ],
      { stdio: 'ignore' },
    );
  } catch {
    t.skip('openssl is not installed');
    return;
  }
  const rcv = new SyslogReceiver();
  await rcv.startTcp({ key: readFileSync(key), cert: readFileSync(cert) });
  t.after(() => rcv.stop());
  const { store, dispatcher, clock } = await sinkHarness(t, entry(rcv.port, 'tls'), {});
  await store.insertIncidents([richIncident(1)], T0);
  await dispatcher.drain();
  const [h] = await store.outbox.health(clock.now(), ['cef']);
  assert.equal(h?.backlog, 1);
  assert.match(h?.lastError ?? '', /self[- ]signed|certificate/i);
  assert.deepEqual(rcv.messages, []);
});

test('CEF escaping: pipes and backslashes in the header, equals and line breaks in extensions', () => {
  const i = {
    ...richIncident(1),
    name: 'a|b\\c',
    fields: { alertId: 'r|1', description: 'x=1\ny\\z\r' },
    originalSeverity: richIncident(1).severity,
    status: 'new' as const,
    owner: null,
    tags: [],
    closeReason: null,
    closeNotes: null,
    createdAt: '',
    updatedAt: '',
    acknowledgedAt: null,
    closedAt: null,
    timeToAcknowledgeSeconds: null,
    timeToCloseSeconds: null,
  };
  const cef = cefMessage(i, '1.2.3');
  assert.ok(cef.startsWith('CEF:0|siemlink|siemlink|1.2.3|r\\|1|a\\|b\\\\c|8|'), cef);
  assert.match(cef, / msg=x\\=1\\ny\\\\z\\r /);
});

test('syslog: --sink syslog:PROTO://HOST:PORT', () => {
  const c = sinkFromFlag('syslog:tls://siem.example:6514');
  assert.deepEqual([c.settings.protocol, c.settings.host, c.settings.port], ['tls', 'siem.example', 6514]);
  assert.throws(() => sinkFromFlag('syslog:siem.example'), { field: '--sink' });
});
