import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NEW_ACCOUNT_TOKEN_HEADER } from '@siemlink/contracts';
import { buildTestSiem, type TestSiem } from '../../helpers.ts';

const PATH = '/v2/account-management/siem';

async function setup(t: { after(fn: () => Promise<void>): void }) {
  const siem = await buildTestSiem();
  t.after(() => siem.close());
  return siem;
}

const create = (siem: TestSiem, payload: unknown, token: string | null = siem.logsToken) =>
  siem.api.inject({
    method: 'POST',
    url: PATH,
    headers: { 'content-type': 'application/json', ...(token === null ? {} : { 'x-api-token': token }) },
    payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
  });

const accountCount = (siem: TestSiem) => siem.ctx.accounts.count();
const tokenCount = (siem: TestSiem) =>
  (siem.ctx.store.db.prepare('SELECT count(*) AS n FROM tokens').get() as { n: number }).n;

test('POST /v2/account-management/siem: 200 with exactly the documented body, token in a header', async (t) => {
  const siem = await setup(t);
  const res = await create(siem, {
    accountName: 'SIEM prod',
    email: 'secops@example.com',
    accountsToScan: [siem.logsAccountId],
    isUsingRepositoryAccount: false,
  });
  assert.equal(res.statusCode, 200);
  const body = res.json();
  assert.deepEqual(Object.keys(body).sort(), [
    'accountId',
    'accountName',
    'accountsToScan',
    'createdAt',
    'isUsingRepositoryAccount',
  ]);
  assert.equal(body.accountName, 'SIEM prod');
  assert.deepEqual(body.accountsToScan, [siem.logsAccountId]);
  assert.equal(body.isUsingRepositoryAccount, false);
  assert.match(body.createdAt, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  assert.equal(
    body.createdAt,
    new Date(Math.floor(siem.clock.now() / 1000) * 1000).toISOString().replace('.000', ''),
  );
  const token = res.headers[NEW_ACCOUNT_TOKEN_HEADER];
  assert.equal(typeof token, 'string');
  assert.equal(res.headers['cache-control'], 'no-store');
  // The new token is a working API token of the new SIEM account, stored hashed only.
  const who = await siem.api.inject({
    method: 'GET',
    url: '/v2/whoami',
    headers: { 'x-api-token': String(token) },
  });
  assert.deepEqual(who.json(), { accountName: 'SIEM prod', accountId: body.accountId });
  const hashes = siem.ctx.store.db.prepare('SELECT token_hash FROM tokens').all() as { token_hash: string }[];
  assert.ok(hashes.every((h) => h.token_hash !== token));
  const stored = siem.ctx.accounts.get(body.accountId)!;
  assert.equal(stored.type, 'SIEM');
  assert.equal(stored.ownerId, siem.logsAccountId);
  assert.equal(stored.email, 'secops@example.com');
});

test('accountsToScan defaults to the calling account; repository mode is kept', async (t) => {
  const siem = await setup(t);
  for (const [i, extra] of [{}, { accountsToScan: [] }].entries()) {
    const res = await create(siem, {
      accountName: `sec-${i}`,
      email: 'a@b.co',
      isUsingRepositoryAccount: true,
      ...extra,
    });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json().accountsToScan, [siem.logsAccountId]);
    assert.equal(res.json().isUsingRepositoryAccount, true);
  }
});

test('accountsToScan may name log sub-accounts the caller owns, and numbers sent as strings', async (t) => {
  const siem = await setup(t);
  const sub = siem.ctx.accounts.create(
    { name: 'sub-logs', type: 'LOGS', ownerId: siem.logsAccountId, createdAt: siem.clock.now() },
    [],
  );
  const res = await create(siem, {
    accountName: 'sec.sub_1',
    email: 'a@b.co',
    accountsToScan: [siem.logsAccountId, String(sub.id)],
  });
  assert.equal(res.statusCode, 200);
  assert.deepEqual(res.json().accountsToScan, [siem.logsAccountId, sub.id]);
});

test('foreign, unknown or non-LOGS accountsToScan are a 400 naming the field; nothing written', async (t) => {
  const siem = await setup(t);
  const other = siem.ctx.accounts.create(
    { name: 'someone-else', type: 'LOGS', isMain: true, createdAt: siem.clock.now() },
    [],
  );
  const before = [accountCount(siem), tokenCount(siem)];
  for (const id of [other.id, 999999, siem.siemAccountId]) {
    const res = await create(siem, {
      accountName: 'sec',
      email: 'a@b.co',
      accountsToScan: [siem.logsAccountId, id],
    });
    assert.equal(res.statusCode, 400, String(id));
    const b = res.json();
    assert.equal(b.field, 'body.accountsToScan');
    assert.match(b.message, new RegExp(`account ${id} is not a log account owned by the calling account`));
  }
  assert.deepEqual([accountCount(siem), tokenCount(siem)], before);
});

test('bad bodies get a 400 naming the field, and nothing is written', async (t) => {
  const siem = await setup(t);
  const before = [accountCount(siem), tokenCount(siem)];
  const cases: [unknown, string, RegExp][] = [
    ['{"accountName": "x", ', 'INVALID_JSON', /body/],
    [{ email: 'a@b.co' }, 'VALIDATION_FAILED', /body\.accountName is required/],
    [{ accountName: 'sec' }, 'VALIDATION_FAILED', /body\.email is required/],
    [
      { accountName: 'sec', email: 'not-an-email' },
      'VALIDATION_FAILED',
      /body\.email must match format "email"/,
    ],
    [
      { accountName: 'bad/name', email: 'a@b.co' },
      'VALIDATION_FAILED',
      /body\.accountName must match pattern/,
    ],
    [{ accountName: 'bad<name>', email: 'a@b.co' }, 'VALIDATION_FAILED', /body\.accountName/],
    [{ accountName: 'a?b', email: 'a@b.co' }, 'VALIDATION_FAILED', /body\.accountName/],
    [{ accountName: '', email: 'a@b.co' }, 'VALIDATION_FAILED', /body\.accountName/],
    [{ accountName: '   ', email: 'a@b.co' }, 'INVALID_FIELD', /body\.accountName: must not be blank/],
    [{ accountName: { a: 1 }, email: 'a@b.co' }, 'VALIDATION_FAILED', /body\.accountName must be string/],
    [
      { accountName: 'sec', email: 'a@b.co', accountsToScan: 'abc' },
      'VALIDATION_FAILED',
      /body\.accountsToScan/,
    ],
    [
      { accountName: 'sec', email: 'a@b.co', accountsToScan: ['x'] },
      'VALIDATION_FAILED',
      /body\.accountsToScan\.0/,
    ],
    [
      { accountName: 'sec', email: 'a@b.co', accountsToScan: [1.5] },
      'VALIDATION_FAILED',
      /body\.accountsToScan\.0/,
    ],
    [
      { accountName: 'sec', email: 'a@b.co', isUsingRepositoryAccount: 'maybe' },
      'VALIDATION_FAILED',
      /body\.isUsingRepositoryAccount must be boolean/,
    ],
    [[1, 2], 'VALIDATION_FAILED', /body must be object/],
  ];
  for (const [payload, code, message] of cases) {
    const res = await create(siem, payload);
    assert.equal(res.statusCode, 400, JSON.stringify(payload));
    const b = res.json();
    assert.equal(b.errorCode, code, JSON.stringify(payload));
    assert.match(b.message, message, JSON.stringify(payload));
  }
  assert.deepEqual([accountCount(siem), tokenCount(siem)], before);
});

test('a duplicate accountName is a 409 and writes nothing', async (t) => {
  const siem = await setup(t);
  assert.equal((await create(siem, { accountName: 'dup', email: 'a@b.co' })).statusCode, 200);
  const before = [accountCount(siem), tokenCount(siem)];
  const res = await create(siem, { accountName: 'dup', email: 'c@d.co' });
  assert.equal(res.statusCode, 409);
  assert.equal(res.json().field, 'body.accountName');
  assert.equal(res.headers[NEW_ACCOUNT_TOKEN_HEADER], undefined);
  // Clashing with a LOGS account name is a duplicate too.
  assert.equal((await create(siem, { accountName: 'siemlink-main', email: 'c@d.co' })).statusCode, 409);
  assert.deepEqual([accountCount(siem), tokenCount(siem)], before);
});

test('only the main logs account may create, list or get SIEM accounts', async (t) => {
  const siem = await setup(t);
  const sub = siem.ctx.accounts.create(
    { name: 'sub-logs', type: 'LOGS', ownerId: siem.logsAccountId, createdAt: siem.clock.now() },
    [{ kind: 'API', token: 'sub-logs-api-token' }],
  );
  assert.ok(sub);
  const before = [accountCount(siem), tokenCount(siem)];
  const body = { accountName: 'sec', email: 'a@b.co' };
  const cases: [string | null, number, string][] = [
    [null, 401, 'MISSING_TOKEN'],
    ['wrong-token', 401, 'INVALID_TOKEN'],
    [siem.shippingToken, 401, 'INVALID_TOKEN'],
    [siem.siemToken, 403, 'WRONG_ACCOUNT_TYPE'],
    ['sub-logs-api-token', 403, 'NOT_MAIN_ACCOUNT'],
  ];
  for (const [token, status, code] of cases) {
    const res = await create(siem, body, token);
    assert.equal(res.statusCode, status, String(token));
    assert.equal(res.json().errorCode, code);
    for (const url of [PATH, `${PATH}/${siem.siemAccountId}`]) {
      const r = await siem.api.inject({ method: 'GET', url, headers: token ? { 'x-api-token': token } : {} });
      assert.equal(r.statusCode, status, `${url} ${token}`);
    }
  }
  // Auth comes before body validation.
  const res = await create(siem, { accountName: 'bad/name' }, null);
  assert.equal(res.statusCode, 401);
  assert.deepEqual([accountCount(siem), tokenCount(siem)], before);
});

test('GET list and get return the SIEM accounts the caller owns; foreign ones are 404', async (t) => {
  const siem = await setup(t);
  const created = (await create(siem, { accountName: 'second', email: 'a@b.co' })).json();
  const other = siem.ctx.accounts.create({ name: 'other-main', type: 'LOGS', isMain: true, createdAt: 0 }, [
    { kind: 'API', token: 'other-main-api-token' },
  ]);
  const foreign = siem.ctx.accounts.create(
    { name: 'foreign-siem', type: 'SIEM', ownerId: other.id, accountsToScan: [other.id], createdAt: 0 },
    [],
  );
  const h = { 'x-api-token': siem.logsToken };
  const list = await siem.api.inject({ method: 'GET', url: PATH, headers: h });
  assert.equal(list.statusCode, 200);
  assert.deepEqual(
    list.json().map((a: { accountId: number }) => a.accountId),
    [siem.siemAccountId, created.accountId],
  );
  const one = await siem.api.inject({ method: 'GET', url: `${PATH}/${created.accountId}`, headers: h });
  assert.deepEqual(one.json(), created);
  for (const id of [foreign.id, siem.logsAccountId, 424242]) {
    const r = await siem.api.inject({ method: 'GET', url: `${PATH}/${id}`, headers: h });
    assert.equal(r.statusCode, 404, String(id));
    assert.equal(r.json().errorCode, 'NOT_FOUND');
  }
  const bad = await siem.api.inject({ method: 'GET', url: `${PATH}/abc`, headers: h });
  assert.equal(bad.statusCode, 400);
  assert.equal(bad.json().field, 'params.accountId');
  const otherList = await siem.api.inject({
    method: 'GET',
    url: PATH,
    headers: { 'x-api-token': 'other-main-api-token' },
  });
  assert.deepEqual(
    otherList.json().map((a: { accountId: number }) => a.accountId),
    [foreign.id],
  );
});

test('GET /v2/whoami answers for any valid API token, 401 otherwise', async (t) => {
  const siem = await setup(t);
  for (const [token, id, name] of [
    [siem.logsToken, siem.logsAccountId, 'siemlink-main'],
    [siem.siemToken, siem.siemAccountId, 'siemlink-security'],
  ] as const) {
    const res = await siem.api.inject({
      method: 'GET',
      url: '/v2/whoami',
      headers: { 'x-api-token': token },
    });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { accountName: name, accountId: id });
  }
  const legacy = await siem.api.inject({
    method: 'GET',
    url: '/v2/whoami',
    headers: { 'x-user-token': siem.logsToken },
  });
  assert.equal(legacy.statusCode, 200);
  // The older path, as the logzio-siemplify Ping action sends it (JSON header, no body).
  const v1 = await siem.api.inject({
    method: 'GET',
    url: '/v1/account-management/whoami',
    headers: { 'x-api-token': siem.siemToken, 'content-type': 'application/json' },
  });
  assert.equal(v1.statusCode, 200, v1.body);
  assert.deepEqual(v1.json(), { accountName: 'siemlink-security', accountId: siem.siemAccountId });
  for (const headers of [{}, { 'x-api-token': 'nope' }, { 'x-api-token': siem.shippingToken }]) {
    const res = await siem.api.inject({ method: 'GET', url: '/v2/whoami', headers });
    assert.equal(res.statusCode, 401);
    assert.match(res.json().message, /X-API-TOKEN/);
    assert.ok(!res.body.includes(siem.shippingToken));
  }
});

test('when storing the token fails, the account is not created either (one transaction)', async (t) => {
  const siem = await setup(t);
  siem.ctx.store.db.exec(
    "CREATE TRIGGER fail_token BEFORE INSERT ON tokens BEGIN SELECT RAISE(ABORT, 'disk full'); END",
  );
  const before = [accountCount(siem), tokenCount(siem)];
  const res = await create(siem, { accountName: 'half', email: 'a@b.co' });
  assert.equal(res.statusCode, 500);
  assert.equal(res.headers[NEW_ACCOUNT_TOKEN_HEADER], undefined);
  assert.ok(!res.body.includes('disk full'));
  assert.deepEqual([accountCount(siem), tokenCount(siem)], before);
  assert.equal(siem.ctx.accounts.getByName('half'), undefined);
});
