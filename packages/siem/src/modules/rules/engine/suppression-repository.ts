import type { Store } from '../../../store/store.ts';

/** Suppression periods of rules' groups (`output.suppressNotificationsMinutes`). */
export interface SuppressionRepository {
  /** Group keys of `ruleId` still suppressed at `now`. */
  active(ruleId: number, now: number): Set<string>;
  /** Drops the rule's periods that ended by `now`, then suppresses `keys` until `until`. */
  renew(ruleId: number, now: number, keys: readonly string[], until: number): void;
}

export function createSqliteSuppressionRepository(store: Store): SuppressionRepository {
  const db = store.db;
  const active = db.prepare('SELECT group_key FROM rule_suppressions WHERE rule_id = ? AND until > ?');
  const expire = db.prepare('DELETE FROM rule_suppressions WHERE rule_id = ? AND until <= ?');
  const upsert = db.prepare(
    `INSERT INTO rule_suppressions (rule_id, group_key, until) VALUES (?, ?, ?)
     ON CONFLICT (rule_id, group_key) DO UPDATE SET until = excluded.until`,
  );
  return {
    active(ruleId, now) {
      const rows = active.all(ruleId, now) as { group_key: string }[];
      return new Set(rows.map((r) => r.group_key));
    },
    renew(ruleId, now, keys, until) {
      store.tx(() => {
        expire.run(ruleId, now);
        for (const key of keys) upsert.run(ruleId, key, until);
      });
    },
  };
}
