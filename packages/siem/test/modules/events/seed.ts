import type { NewSecurityEvent } from '../../../src/modules/events/repository.ts';
import { createSqliteConfigurationsRepository } from '../../../src/modules/rules/configurations-repository.ts';
import type { TestSiem } from '../../helpers.ts';
import { insertSecurityEvents, securityEvent } from '../../fixtures/security-events.ts';

/** A security event with sensible defaults; times in epoch ms. */
export function makeEvent(accountId: number, over: Partial<NewSecurityEvent> = {}): NewSecurityEvent {
  return securityEvent({ accountId, ...over });
}

/** Stores events through the real writer (one transaction); returns their seqs. */
export function insertEvents(
  siem: TestSiem,
  events: NewSecurityEvent[],
  storedAt = siem.clock.now(),
): number[] {
  return insertSecurityEvents(siem.ctx.store, events, storedAt);
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
