import { test } from 'node:test';
import assert from 'node:assert/strict';
import { STORE_FACTORIES } from '../store/factories.ts';
import { createAuth } from '../../src/auth/service.ts';
import { hashPassword } from '../../src/auth/passwords.ts';
import type { IncidentStore } from '../../src/store/types.ts';

const T0 = Date.UTC(2026, 0, 1);

/** A clock the test moves; nothing here waits on it. */
function fakeClock() {
  let t = T0;
  return { now: () => t, sleep: async () => {}, advance: (ms: number) => (t += ms) };
}

const errorCode = async (p: Promise<unknown>) => {
  try {
    await p;
    return 'ok';
  } catch (err) {
    return (err as { code?: string }).code;
  }
};

// The failure counts live in the store: a second store over the same data (a restarted process,
// or another connector on the same PostgreSQL) sees them and refuses too.
for (const { name, openTwo } of STORE_FACTORIES) {
  test(`${name} store: failed logins are limited across processes and restarts`, async (t) => {
    const pair = await openTwo(t);
    if (!pair) return;
    const clock = fakeClock();
    const limiter = { maxFailures: 3, windowMs: 60_000 };
    const auth = (store: IncidentStore) => createAuth({ store, clock, limiter });
    const [one, two] = [auth(pair[0]), auth(pair[1])];
    const password = 'correct horse battery';
    await pair[0].createUser(
      { username: 'ann', role: 'analyst', passwordHash: await hashPassword(password) },
      T0,
    );
    assert.equal(await errorCode(one.login('ann', 'wrong-1', '10.0.0.1')), 'UNAUTHENTICATED');
    assert.equal(await errorCode(two.login('ann', 'wrong-2', '10.0.0.2')), 'UNAUTHENTICATED');
    assert.equal(await errorCode(one.login('ann', 'wrong-3', '10.0.0.3')), 'UNAUTHENTICATED');
    // Three failures on user:ann, from three processes' view: the right password is refused too.
    assert.equal(await errorCode(two.login('ann', password, '10.0.0.4')), 'LOGIN_RATE_LIMITED');
    assert.equal(await errorCode(one.login('ann', password, '10.0.0.4')), 'LOGIN_RATE_LIMITED');
    clock.advance(60_000);
    assert.equal(await errorCode(two.login('ann', password, '10.0.0.4')), 'ok', 'the window ended');
    // One address spraying unknown users is limited by its address.
    for (const u of ['x1', 'x2', 'x3'])
      assert.equal(await errorCode(one.login(u, 'nope', '10.9.9.9')), 'UNAUTHENTICATED');
    assert.equal(await errorCode(two.login('ann', password, '10.9.9.9')), 'LOGIN_RATE_LIMITED');
    assert.equal(await errorCode(two.login('ann', password, '10.0.0.5')), 'ok', 'another address may');
    // A failure window that ended starts again at one.
    assert.equal(await errorCode(one.login('ann', 'wrong', '10.0.0.6')), 'UNAUTHENTICATED');
    clock.advance(60_000);
    for (let i = 0; i < 2; i++)
      assert.equal(await errorCode(one.login('ann', 'wrong', `10.0.1.${i}`)), 'UNAUTHENTICATED');
    assert.equal(
      await errorCode(two.login('ann', password, '10.0.2.1')),
      'ok',
      'two failures in the new window',
    );
  });
}
