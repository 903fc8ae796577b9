import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { lazyLogger } from '../src/lazy-logger.ts';

function recording(level: string) {
  const lines: Record<string, unknown>[] = [];
  let built = 0;
  const logger = lazyLogger(level, () => {
    built++;
    return pino(
      { level },
      { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) },
    );
  });
  return { logger, lines, built: () => built };
}

test('the lazy logger builds pino only at the first line written at its level', () => {
  const r = recording('warn');
  const child = r.logger.child({ component: 'siem-client' }).child({ sink: 's1' });
  child.info('below the level');
  r.logger.debug({ x: 1 }, 'below the level');
  assert.equal(r.logger.level, 'warn');
  assert.equal(child.isLevelEnabled('info'), false);
  assert.equal(child.isLevelEnabled('error'), true);
  assert.equal(r.built(), 0, 'nothing written: pino not built');
  child.warn({ attempt: 2 }, 'retrying');
  assert.equal(r.built(), 1);
  r.logger.error('root line');
  assert.equal(r.built(), 1, 'built once for the root and its children');
  assert.deepEqual(
    r.lines.map((l) => [l.level, l.msg, l.component, l.sink, l.attempt]),
    [
      [40, 'retrying', 'siem-client', 's1', 2],
      [50, 'root line', undefined, undefined, undefined],
    ],
  );
});

test('anything else asked of the lazy logger builds it; silent writes nothing', () => {
  const r = recording('info');
  assert.equal(typeof r.logger.bindings(), 'object');
  assert.equal(r.built(), 1);
  const s = recording('silent');
  s.logger.fatal('never');
  assert.equal(s.built(), 0);
  assert.equal(s.logger.isLevelEnabled('fatal'), false);
});
