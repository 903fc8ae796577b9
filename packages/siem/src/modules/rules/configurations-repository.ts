import type { Store } from '../../store/store.ts';
import { conflict } from '../../errors.ts';

/** A security configuration: a named group of one SIEM account's rules (the feed's configId). */
export interface Configuration {
  id: number;
  accountId: number;
  name: string;
  isDefault: boolean;
  /** Epoch ms. */
  createdAt: number;
}

export interface ConfigurationWithCount extends Configuration {
  ruleCount: number;
}

export interface ConfigurationsRepository {
  /** The configuration with this id (any account), or undefined. */
  getConfiguration(id: number): Configuration | undefined;
  /** One account's configurations, default first, each with its rule count. */
  listConfigurations(accountId: number): ConfigurationWithCount[];
  /** The account's default configuration, created on first use. */
  ensureDefault(accountId: number, now: number): Configuration;
  /** A new named configuration; 409 when the account already has one with that name. */
  create(accountId: number, name: string, now: number): Configuration;
}

export const DEFAULT_CONFIGURATION_NAME = 'Default';

interface ConfigurationRow {
  id: number;
  account_id: number;
  name: string;
  is_default: number;
  created_at: number;
  rule_count?: number;
}

function toConfiguration(r: ConfigurationRow): Configuration {
  return {
    id: r.id,
    accountId: r.account_id,
    name: r.name,
    isDefault: r.is_default === 1,
    createdAt: r.created_at,
  };
}

export function createSqliteConfigurationsRepository(store: Store): ConfigurationsRepository {
  const db = store.db;
  const byId = db.prepare('SELECT * FROM security_configurations WHERE id = ?');
  const defaultOf = db.prepare(
    'SELECT * FROM security_configurations WHERE account_id = ? AND is_default = 1',
  );
  const byName = db.prepare('SELECT id FROM security_configurations WHERE account_id = ? AND name = ?');
  const insert = db.prepare(
    'INSERT INTO security_configurations (account_id, name, is_default, created_at) VALUES (?, ?, ?, ?)',
  );
  const repo: ConfigurationsRepository = {
    getConfiguration(id) {
      const r = byId.get(id) as ConfigurationRow | undefined;
      return r && toConfiguration(r);
    },
    listConfigurations(accountId) {
      const rows = db
        .prepare(
          `SELECT c.*, (SELECT count(*) FROM security_rules r WHERE r.config_id = c.id) AS rule_count
           FROM security_configurations c WHERE c.account_id = ? ORDER BY c.is_default DESC, c.id`,
        )
        .all(accountId) as unknown as ConfigurationRow[];
      return rows.map((r) => ({ ...toConfiguration(r), ruleCount: r.rule_count ?? 0 }));
    },
    ensureDefault(accountId, now) {
      const existing = defaultOf.get(accountId) as ConfigurationRow | undefined;
      if (existing) return toConfiguration(existing);
      return store.tx(() => {
        const again = defaultOf.get(accountId) as ConfigurationRow | undefined;
        if (again) return toConfiguration(again);
        // A user-made configuration may already be called "Default".
        const taken = byName.get(accountId, DEFAULT_CONFIGURATION_NAME) !== undefined;
        const name = taken ? `${DEFAULT_CONFIGURATION_NAME} (${accountId})` : DEFAULT_CONFIGURATION_NAME;
        const r = insert.run(accountId, name, 1, now);
        return repo.getConfiguration(Number(r.lastInsertRowid))!;
      });
    },
    create(accountId, name, now) {
      return store.tx(() => {
        if (byName.get(accountId, name) !== undefined) {
          throw conflict('body.name', `a security configuration named '${name}' already exists`);
        }
        const r = insert.run(accountId, name, 0, now);
        return repo.getConfiguration(Number(r.lastInsertRowid))!;
      });
    },
  };
  return repo;
}
