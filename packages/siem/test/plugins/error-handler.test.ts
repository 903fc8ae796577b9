import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestSiem } from '../helpers.ts';

test('a value outside a union of literals names the allowed values, not "must be equal to constant"', async (t) => {
  const siem = await buildTestSiem();
  t.after(() => siem.close());
  const cases: [string, unknown, string, string][] = [
    [
      '/v2/security/rules/events/search',
      { filter: { severities: [''] } },
      'body.filter.severities.0',
      'must be one of INFO, LOW, MEDIUM, HIGH, SEVERE',
    ],
    [
      '/v2/security/rules/events/search',
      { sort: [{ field: 'NAME', descending: true }] },
      'body.sort.0.field',
      'must be one of DATE, SEVERITY',
    ],
    [
      '/v2/security/rules',
      {
        title: 't',
        subComponents: [
          {
            queryDefinition: { query: '*' },
            trigger: { operator: 'BIGGER', severityThresholdTiers: { HIGH: 1 } },
          },
        ],
      },
      'body.subComponents.0.trigger.operator',
      'must be one of LESS_THAN, GREATER_THAN, LESS_THAN_OR_EQUALS, GREATER_THAN_OR_EQUALS, EQUALS, NOT_EQUALS',
    ],
  ];
  for (const [url, payload, field, rule] of cases) {
    const r = await siem.api.inject({
      method: 'POST',
      url,
      headers: { 'x-api-token': siem.siemToken, 'content-type': 'application/json' },
      payload: JSON.stringify(payload),
    });
    assert.equal(r.statusCode, 400, r.body);
    assert.deepEqual(r.json(), { errorCode: 'VALIDATION_FAILED', message: `${field} ${rule}`, field });
  }
});
