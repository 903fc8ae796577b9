import type { SecurityRuleRequest } from '@siemlink/contracts';
import type { Store } from '../../store/store.ts';

/** What a rule says, as validated and with defaults applied (configId and enabled are columns). */
export type RuleDefinition = Omit<SecurityRuleRequest, 'configId' | 'enabled'>;

export interface StoredRule {
  id: number;
  accountId: number;
  configId: number;
  enabled: boolean;
  definition: RuleDefinition;
  /** Highest severity rank among the rule's tiers (sort by SEVERITY). */
  maxSeverityRank: number;
  /** Epoch ms. */
  createdAt: number;
  updatedAt: number;
  createdBy: string;
  updatedBy: string;
  /** When the scheduler next evaluates the rule (epoch ms). */
  nextRunAt: number;
  lastRunAt: number | null;
  engine: RuleEngineHealth;
}

/** How the engine fares with the rule (migration 025); epoch ms. */
export interface RuleEngineHealth {
  /** Set while an evaluation runs; still set at start means the last one never finished. */
  evalStartedAt: number | null;
  failures: number;
  lastFailure: string | null;
  lastFailureAt: number | null;
  disabledReason: string | null;
  quarantinedUntil: number | null;
}

/** A failed evaluation: counted; at `disable` the rule is turned off with the reason. */
export interface RuleFailure {
  at: number;
  reason: string;
  nextRunAt: number;
  disable: boolean;
  quarantinedUntil?: number;
}

export interface NewRule {
  accountId: number;
  configId: number;
  enabled: boolean;
  definition: RuleDefinition;
  maxSeverityRank: number;
  at: number;
  by: string;
  nextRunAt: number;
}

export interface RuleChange {
  configId: number;
  enabled: boolean;
  definition: RuleDefinition;
  maxSeverityRank: number;
  at: number;
  by: string;
  nextRunAt: number;
}

export interface RulesRepository {
  insert(rule: NewRule): StoredRule;
  get(id: number): StoredRule | undefined;
  listByAccount(accountId: number): StoredRule[];
  update(id: number, change: RuleChange): StoredRule;
  /** Deletes the rule and its suppression state; its past events stay. */
  delete(id: number): void;
  /** Enabled rules whose next run is due at `now`, earliest first. */
  due(now: number): StoredRule[];
  /** Records a run and the next one; a successful run ends a streak of failures. */
  markRun(id: number, ranAt: number, nextRunAt: number): void;
  /** Committed before an evaluation, so an evaluation that never ends is known at restart. */
  markStarted(id: number, at: number): void;
  /** Records a failed evaluation (budget exceeded, interrupted); returns the consecutive count. */
  markFailure(id: number, f: RuleFailure): number;
  /** Rules whose last evaluation started and never finished. */
  interrupted(): StoredRule[];
}

interface RuleRow {
  id: number;
  account_id: number;
  config_id: number;
  title: string;
  enabled: number;
  max_severity_rank: number;
  definition: string;
  created_at: number;
  updated_at: number;
  created_by: string;
  updated_by: string;
  next_run_at: number;
  last_run_at: number | null;
  eval_started_at: number | null;
  failures: number;
  last_failure: string | null;
  last_failure_at: number | null;
  disabled_reason: string | null;
  quarantined_until: number | null;
}

function toRule(r: RuleRow): StoredRule {
  return {
    id: r.id,
    accountId: r.account_id,
    configId: r.config_id,
    enabled: r.enabled === 1,
    definition: JSON.parse(r.definition) as RuleDefinition,
    maxSeverityRank: r.max_severity_rank,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    createdBy: r.created_by,
    updatedBy: r.updated_by,
    nextRunAt: r.next_run_at,
    lastRunAt: r.last_run_at,
    engine: {
      evalStartedAt: r.eval_started_at,
      failures: r.failures,
      lastFailure: r.last_failure,
      lastFailureAt: r.last_failure_at,
      disabledReason: r.disabled_reason,
      quarantinedUntil: r.quarantined_until,
    },
  };
}

export function createSqliteRulesRepository(store: Store): RulesRepository {
  const db = store.db;
  const byId = db.prepare('SELECT * FROM security_rules WHERE id = ?');
  const ins = db.prepare(
    `INSERT INTO security_rules (account_id, config_id, title, enabled, max_severity_rank, definition,
       created_at, updated_at, created_by, updated_by, next_run_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const upd = db.prepare(
    `UPDATE security_rules SET config_id = ?, title = ?, enabled = ?, max_severity_rank = ?, definition = ?,
       updated_at = ?, updated_by = ?, next_run_at = ?,
       failures = 0, quarantined_until = NULL,
       disabled_reason = CASE WHEN ? = 1 THEN NULL ELSE disabled_reason END
     WHERE id = ?`,
  );
  const dueStmt = db.prepare(
    'SELECT * FROM security_rules WHERE enabled = 1 AND next_run_at <= ? ORDER BY next_run_at, id',
  );
  const mark = db.prepare(
    `UPDATE security_rules SET last_run_at = ?, next_run_at = ?, eval_started_at = NULL, failures = 0,
       quarantined_until = NULL WHERE id = ?`,
  );
  const started = db.prepare('UPDATE security_rules SET eval_started_at = ? WHERE id = ?');
  const failed = db.prepare(
    `UPDATE security_rules SET eval_started_at = NULL, failures = failures + 1, last_failure = ?,
       last_failure_at = ?, next_run_at = ?, quarantined_until = ?,
       enabled = CASE WHEN ? = 1 THEN 0 ELSE enabled END,
       disabled_reason = CASE WHEN ? = 1 THEN ? ELSE disabled_reason END
     WHERE id = ? RETURNING failures`,
  );
  const interruptedStmt = db.prepare(
    'SELECT * FROM security_rules WHERE eval_started_at IS NOT NULL ORDER BY id',
  );
  const repo: RulesRepository = {
    insert(n) {
      const r = ins.run(
        n.accountId,
        n.configId,
        n.definition.title,
        n.enabled ? 1 : 0,
        n.maxSeverityRank,
        JSON.stringify(n.definition),
        n.at,
        n.at,
        n.by,
        n.by,
        n.nextRunAt,
      );
      return repo.get(Number(r.lastInsertRowid))!;
    },
    get(id) {
      const r = byId.get(id) as RuleRow | undefined;
      return r && toRule(r);
    },
    listByAccount(accountId) {
      const rows = db
        .prepare('SELECT * FROM security_rules WHERE account_id = ? ORDER BY id')
        .all(accountId) as unknown as RuleRow[];
      return rows.map(toRule);
    },
    update(id, c) {
      upd.run(
        c.configId,
        c.definition.title,
        c.enabled ? 1 : 0,
        c.maxSeverityRank,
        JSON.stringify(c.definition),
        c.at,
        c.by,
        c.nextRunAt,
        c.enabled ? 1 : 0,
        id,
      );
      return repo.get(id)!;
    },
    delete(id) {
      store.tx(() => {
        db.prepare('DELETE FROM rule_suppressions WHERE rule_id = ?').run(id);
        db.prepare('DELETE FROM security_rules WHERE id = ?').run(id);
      });
    },
    due(now) {
      return (dueStmt.all(now) as unknown as RuleRow[]).map(toRule);
    },
    markRun(id, ranAt, nextRunAt) {
      mark.run(ranAt, nextRunAt, id);
    },
    markStarted(id, at) {
      started.run(at, id);
    },
    markFailure(id, f) {
      const d = f.disable ? 1 : 0;
      const r = failed.get(f.reason, f.at, f.nextRunAt, f.quarantinedUntil ?? null, d, d, f.reason, id) as
        { failures: number } | undefined;
      return r?.failures ?? 0;
    },
    interrupted() {
      return (interruptedStmt.all() as unknown as RuleRow[]).map(toRule);
    },
  };
  return repo;
}
