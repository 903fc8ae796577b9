import { randomUUID } from 'node:crypto';
import type { Severity } from '@siemlink/contracts';
import {
  createSqliteSecurityEventsWriter,
  type NewSecurityEvent,
} from '../../../src/modules/events/repository.ts';
import { createSqliteConfigurationsRepository } from '../../../src/modules/rules/configurations.ts';
import type { TestSiem } from '../../helpers.ts';

/** A security event with sensible defaults; times in epoch ms. */
export function makeEvent(accountId: number, over: Partial<NewSecurityEvent> = {}): NewSecurityEvent {
  const eventDate = over.eventDate ?? Date.UTC(2026, 0, 1, 12);
  return {
    alertEventId: randomUUID(),
    accountId,
    configId: 14227,
    ruleId: 450001,
    name: 'AWS EC2 - Brute force SSH login attempts',
    description: 'Suggested next steps',
    alertSummary: "Alert if query '*' results GREATER_THAN_OR_EQUALS 5.00 in 10 minutes",
    eventDate,
    windowStart: eventDate - 600_000,
    windowEnd: eventDate,
    severity: 'HIGH' as Severity,
    groupBy: { sourceIPAddress: '122.17.45.15', 'userIdentity.userName': 'admin' },
    tags: ['network_threat', 'recon'],
    mitreTags: ['T1110'],
    hits: 30,
    isMuted: false,
    logSeqs: [],
    ...over,
  };
}

/** Stores events through the real writer (one transaction); returns their seqs. */
export function insertEvents(
  siem: TestSiem,
  events: NewSecurityEvent[],
  storedAt = siem.clock.now(),
): number[] {
  return createSqliteSecurityEventsWriter(siem.ctx.store).insert(events, storedAt);
}

/** A new security configuration of `accountId` (through the rules module's repository). */
export function createConfig(siem: TestSiem, accountId: number, name: string): number {
  return createSqliteConfigurationsRepository(siem.ctx.store).create(accountId, name, siem.clock.now()).id;
}

/** Stores a log document directly (as the listener would) and returns its seq. */
export function insertLog(siem: TestSiem, accountId: number, doc: Record<string, unknown>): number {
  const ts = Date.parse(String(doc['@timestamp']));
  const r = siem.ctx.store.db
    .prepare('INSERT INTO logs (account_id, ts, stored_at, type, doc) VALUES (?, ?, ?, ?, ?)')
    .run(accountId, ts, siem.clock.now(), String(doc.type ?? 'log'), JSON.stringify(doc));
  return Number(r.lastInsertRowid);
}
