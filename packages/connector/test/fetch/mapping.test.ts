import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import type { SecurityEvent } from '@siemlink/contracts';
import { eventToIncident } from '../../src/fetch/mapping.ts';
import { silent } from '../helpers.ts';

const event: SecurityEvent = {
  alertId: 453345,
  name: 'AWS EC2 - Brute force SSH login attempts',
  description: 'Suggested next steps',
  alertSummary: "Alert if query '*' results GREATER_THAN_OR_EQUALS 5",
  eventDate: 1587136455.123,
  alertWindowStartDate: 1587132855.123,
  alertWindowEndDate: 1587136455.123,
  severity: 'SEVERE',
  alertEventId: '27cdcf45-ae12-581a-809e-17a6bbc9ae07',
  groupBy: { 'userIdentity.userName': 'admin', alertId: 'spoof' },
  tags: ['network_threat'],
  hits: 30,
  isMuted: false,
  mitreTags: ['T1110'],
};

test('event -> incident: id from alertEventId, name, occurred in UTC ISO, fields, raw kept whole', () => {
  const i = eventToIncident(event, silent);
  assert.equal(i.id, 'logzio:27cdcf45-ae12-581a-809e-17a6bbc9ae07');
  assert.equal(i.name, event.name);
  assert.equal(i.occurred, '2020-04-17T15:14:15.123Z');
  assert.equal(i.severity, 4);
  assert.equal(i.fields.alertId, 453345);
  assert.equal(i.fields.alertSummary, event.alertSummary);
  assert.deepEqual(i.fields.mitreTags, ['T1110']);
  assert.equal(i.fields.hits, 30);
  // groupBy in its own namespace: cannot overwrite alertId.
  assert.equal(i.fields['groupBy.userIdentity.userName'], 'admin');
  assert.equal(i.fields['groupBy.alertId'], 'spoof');
  assert.deepEqual(i.raw, event);
});

test('severity onto the XSOAR scale; unknown is unclassified with a warning, never a failure', () => {
  const scale = { INFO: 0.5, LOW: 1, MEDIUM: 2, HIGH: 3, SEVERE: 4 } as const;
  for (const [s, n] of Object.entries(scale)) {
    assert.equal(eventToIncident({ ...event, severity: s as SecurityEvent['severity'] }, silent).severity, n);
  }
  const lines: string[] = [];
  const logger = pino({ level: 'warn' }, { write: (s: string) => void lines.push(s) });
  const i = eventToIncident({ ...event, severity: 'CRITICAL' as never, groupBy: null }, logger);
  assert.equal(i.severity, 0);
  assert.match(lines.join(''), /unknown severity/);
});
