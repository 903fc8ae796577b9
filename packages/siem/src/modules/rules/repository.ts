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
  /** Records a run and the next one. */
  markRun(id: number, ranAt: number, nextRunAt: number): void;
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
       updated_at = ?, updated_by = ?, next_run_at = ? WHERE id = ?`,
  );
  const dueStmt = db.prepare(
    'SELECT * FROM security_rules WHERE enabled = 1 AND next_run_at <= ? ORDER BY next_run_at, id',
  );
  const mark = db.prepare('UPDATE security_rules SET last_run_at = ?, next_run_at = ? WHERE id = ?');
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
  };
  return repo;
}
