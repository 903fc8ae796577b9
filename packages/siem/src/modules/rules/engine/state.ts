import type { StatementSync } from 'node:sqlite';
import type { SiemContext } from '../../../context.ts';
import { createSqliteSecurityEventsWriter, type SecurityEventsWriter } from '../../events/repository.ts';
import { createSqliteRulesRepository, type RulesRepository } from '../repository.ts';
import { createScanCache, type ScanCache } from './window-scan.ts';

/** Prepared statements and writers of the rule engine, built once per SIEM context. */
export interface EngineState {
  writer: SecurityEventsWriter;
  rules: RulesRepository;
  /** Statements of window scans done on this thread (the writer's connection). */
  scan: ScanCache;
  stmt: {
    activeSuppressions: StatementSync;
    expireSuppressions: StatementSync;
    upsertSuppression: StatementSync;
    insertPending: StatementSync;
    duePending: StatementSync;
    deletePending: StatementSync;
  };
}

// Keyed by context (not a global registry): each SIEM instance gets its own, collected with it.
const states = new WeakMap<SiemContext, EngineState>();

export function engineState(ctx: SiemContext): EngineState {
  let s = states.get(ctx);
  if (!s) {
    const db = ctx.store.db;
    s = {
      writer: createSqliteSecurityEventsWriter(ctx.store),
      rules: createSqliteRulesRepository(ctx.store),
      scan: createScanCache(db),
      stmt: {
        activeSuppressions: db.prepare(
          'SELECT group_key, until FROM rule_suppressions WHERE rule_id = ? AND until > ?',
        ),
        expireSuppressions: db.prepare('DELETE FROM rule_suppressions WHERE rule_id = ? AND until <= ?'),
        upsertSuppression: db.prepare(
          `INSERT INTO rule_suppressions (rule_id, group_key, until) VALUES (?, ?, ?)
           ON CONFLICT (rule_id, group_key) DO UPDATE SET until = excluded.until`,
        ),
        insertPending: db.prepare('INSERT INTO pending_security_events (due_at, event) VALUES (?, ?)'),
        duePending: db.prepare(
          'SELECT id, event FROM pending_security_events WHERE due_at <= ? ORDER BY due_at, id LIMIT 5000',
        ),
        deletePending: db.prepare('DELETE FROM pending_security_events WHERE id = ?'),
      },
    };
    states.set(ctx, s);
  }
  return s;
}
