import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { connect } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { startUp, type UpOptions } from '../../src/commands/up.ts';
import { siemConfigFrom } from '../../src/commands/serve.ts';
import { runCli } from '../helpers.ts';

/** A self-signed certificate for 127.0.0.1/localhost, and a second key that does not fit it. */
function makeCertificate(dir: string) {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  const otherKey = join(dir, 'other-key.pem');
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      ...ec,
      ...['-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=localhost'],
      ...['-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'],
    ],
    { stdio: 'ignore' },
  );
  execFileSync(
    'openssl',
    ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', otherKey],
    {
      stdio: 'ignore',
    },
  );
  return { cert, key, otherKey };
}

function options(dir: string, extra: Partial<UpOptions>): UpOptions {
  return {
    dataDir: join(dir, 'data'),
    host: '127.0.0.1',
    port: 0,
    listenerPort: 0,
    connectorPort: 0,
    demo: false,
    faultInjection: false,
    intervalSeconds: '0.05',
    ...extra,
  };
}

/** POSTs one NDJSON line over HTTPS, trusting only `ca`. */
function shipOverTls(url: string, ca: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', ca }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('TLS: API and listener over HTTPS; the connector (up) and the CLI verify the certificate with --ca-file', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'siemlink-tls-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const pem = makeCertificate(dir);
  const runs: string[] = [];
  const firstRun = Promise.withResolvers<void>();
  const up = await startUp(options(dir, { tlsCert: pem.cert, tlsKey: pem.key }), {
    logger: pino({ level: 'silent' }),
    print: (line) => {
      runs.push(line);
      firstRun.resolve();
    },
  });
  t.after(() => up.close());
  const api = up.siem.ctx.urls.api;
  assert.match(api, /^https:\/\/127\.0\.0\.1:\d+$/);
  assert.match(up.siem.ctx.urls.listener, /^https:\/\//);
  // The connector's fetch loop reaches the SIEM over TLS, trusting its certificate.
  await firstRun.promise;
  assert.doesNotMatch(runs[0]!, /fetch failed/, runs[0]);

  const creds = up.siem.credentials.accounts;
  const logs = creds.find((a) => a.type === 'LOGS')!;
  const sec = creds.find((a) => a.type === 'SIEM')!;
  const ca = readFileSync(pem.cert, 'utf8');
  const status = await shipOverTls(
    `${up.siem.ctx.urls.listener}/?token=${logs.shippingToken}&type=tls-test`,
    ca,
    '{"message":"over tls"}\n',
  );
  assert.equal(status, 200);

  const env = { PATH: process.env.PATH!, HOME: dir, SIEMLINK_DATA_DIR: join(dir, 'cli') };
  const target = ['--api-url', api, '--security-token', sec.apiToken, '--operations-token', logs.apiToken];
  const ok = await runCli(['test', ...target, '--ca-file', pem.cert], env);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(JSON.parse(ok.stdout).ok, true);
  // Without the CA the certificate is refused, not silently accepted.
  const refused = await runCli(['test', ...target], env);
  assert.equal(refused.code, 1);
  assert.match(refused.stdout, /self-signed|certificate/i);

  // TLS 1.2 is the floor, 1.3 is negotiated when the client can.
  const proto = (maxVersion: 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3') =>
    new Promise<string>((resolve) => {
      const port = Number(new URL(api).port);
      const s = connect({ host: '127.0.0.1', port, ca, minVersion: 'TLSv1', maxVersion }, () => {
        resolve(s.getProtocol() ?? '');
        s.end();
      });
      s.on('error', () => resolve('refused'));
    });
  assert.equal(await proto('TLSv1.3'), 'TLSv1.3');
  assert.equal(await proto('TLSv1.2'), 'TLSv1.2');
  assert.equal(await proto('TLSv1.1'), 'refused');
});

test('TLS: a missing, unreadable, non-PEM or mismatched certificate/key is a clear error naming the flag', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'siemlink-tls-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const pem = makeCertificate(dir);
  const notPem = join(dir, 'not.pem');
  writeFileSync(notPem, 'hello');
  const base = options(dir, {});
  const check = (extra: Partial<UpOptions>, code: string, message: RegExp) =>
    assert.throws(() => siemConfigFrom({ ...base, ...extra }), { code, message });
  check(
    { tlsCert: join(dir, 'nope.pem'), tlsKey: pem.key },
    'INVALID_TLS',
    /--tls-cert .*nope\.pem: cannot read the file \(ENOENT\)/,
  );
  check({ tlsCert: pem.cert, tlsKey: dir }, 'INVALID_TLS', /--tls-key .*: cannot read the file \(EISDIR\)/);
  check({ tlsCert: notPem, tlsKey: pem.key }, 'INVALID_TLS', /--tls-cert .*not\.pem: not a PEM certificate/);
  check(
    { tlsCert: pem.cert, tlsKey: pem.cert },
    'INVALID_TLS',
    /--tls-key .*cert\.pem: not a PEM private key/,
  );
  check(
    { tlsCert: pem.cert, tlsKey: pem.otherKey },
    'INVALID_TLS',
    /--tls-key .*other-key\.pem does not fit --tls-cert/,
  );
  check({ tlsCert: pem.cert }, 'INVALID_ARGUMENT', /--tls-cert needs --tls-key/);
  check({ tlsKey: pem.key }, 'INVALID_ARGUMENT', /--tls-key needs --tls-cert/);
});

test('serve --tls-cert with a key that does not fit exits 1 with the reason, before listening', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'siemlink-tls-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const pem = makeCertificate(dir);
  const r = await runCli(
    ['serve', '--data-dir', join(dir, 'data'), '--port', '0', '--listener-port', '0'],
    { PATH: process.env.PATH!, HOME: dir },
    { SIEMLINK_TLS_CERT: pem.cert, SIEMLINK_TLS_KEY: pem.otherKey },
  );
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^siemlink: \[INVALID_TLS\] --tls-key .*other-key\.pem does not fit/m);
  assert.doesNotMatch(r.stderr, /PRIVATE KEY/);
});
