import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConnectorConfig } from '../../src/config.ts';
import { silent } from '../helpers.ts';

function withFile(t: { after(fn: () => unknown): void }, data: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'siemlink-sinkcfg-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'c.json');
  writeFileSync(path, JSON.stringify(data));
  return path;
}

const load = (sources: Parameters<typeof loadConnectorConfig>[0]) => loadConnectorConfig(sources, silent);

test('sinks: file entries, SIEMLINK_SINKS and --sink add up; defaults per kind', (t) => {
  const configFile = withFile(t, {
    sinks: [
      {
        name: 'soc',
        kind: 'webhook',
        url: 'https://soc.example/hook',
        secretEnv: 'SOC_SECRET',
        filter: { minSeverity: 3, tags: ['ssh'] },
        retry: { maxAttempts: 5 },
      },
    ],
  });
  const c = load({
    configFile,
    env: { SIEMLINK_SINKS: 'nats:siemlink.a' },
    flags: { sinks: ['webhook:http://127.0.0.1:9/x'] },
  });
  const sinks = c.sinks!;
  assert.deepEqual(
    sinks.map((s) => [s.name.replace(/-[0-9a-f]{8}$/, '-HASH'), s.kind, s.concurrency, s.ordered]),
    [
      ['soc', 'webhook', 8, true],
      ['nats-HASH', 'nats', 256, true],
      ['webhook-HASH', 'webhook', 8, true],
    ],
  );
  assert.equal(sinks[0]!.retry.maxAttempts, 5);
  assert.equal(sinks[0]!.retry.baseDelayMs, 1000);
  assert.deepEqual(sinks[0]!.filter, { minSeverity: 3, tags: ['ssh'] });
  assert.deepEqual(sinks[1]!.settings.servers, ['nats://127.0.0.1:4222']);
  // The flag sink's name is stable: derived from its target.
  assert.equal(load({ flags: { sinks: ['webhook:http://127.0.0.1:9/x'] } }).sinks![0]!.name, sinks[2]!.name);
});

test('sinks: bad entries are config errors naming the field', (t) => {
  const cases: [unknown, string, RegExp][] = [
    [
      { sinks: [{ kind: 'carrier-pigeon' }] },
      'sinks[0].kind',
      /unknown sink kind "carrier-pigeon" \(expected webhook, nats/,
    ],
    [{ sinks: [{ kind: 'webhook', url: 'ftp://x' }] }, 'sinks[0].url', /match/],
    [{ sinks: [{ kind: 'webhook', url: 'http://x', bogus: 1 }] }, 'sinks[0].bogus', /./],
    [
      { sinks: [{ kind: 'webhook', url: 'http://x', filter: { minSeverity: 9 } }] },
      'sinks[0].filter.minSeverity',
      /4/,
    ],
    [{ sinks: [{ kind: 'nats' }] }, 'sinks[0].subject', /required/i],
    [
      {
        sinks: [
          { kind: 'webhook', url: 'http://x', name: 'a' },
          { kind: 'nats', subject: 's', name: 'a' },
        ],
      },
      'sinks',
      /two sinks are named "a"/,
    ],
    [{ sinks: {} }, 'sinks', /must be a list/],
  ];
  for (const [data, field, message] of cases) {
    assert.throws(
      () => load({ configFile: withFile(t, data) }),
      (err: Error & { field?: string }) => {
        assert.equal(err.field, field, JSON.stringify(data));
        assert.match(err.message, message);
        return true;
      },
    );
  }
  assert.throws(
    () => load({ flags: { sinks: ['slack-ish:http://x'] } }),
    /--sink: "slack-ish:…" is not KIND:TARGET/,
  );
  assert.throws(() => load({ flags: { sinks: ['webhook:'] } }), /--sink/);
});
