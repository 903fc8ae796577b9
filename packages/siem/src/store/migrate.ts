import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Store } from './store.ts';

const MIGRATIONS_DIR = join(import.meta.dirname, 'migrations');

/**
 * Applies `migrations/NNN_name.sql` in name order, each once, each in its own transaction.
 * Number ranges are per module (001-009 core, 010-019 logs, 020-029 rules, 030-039 events,
 * 040-049 feed) so parallel work never collides.
 */
export function runMigrations(store: Store, dir = MIGRATIONS_DIR): string[] {
  store.db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)',
  );
  const done = new Set(
    (store.db.prepare('SELECT name FROM schema_migrations').all() as { name: string }[]).map((r) => r.name),
  );
  const applied: string[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()) {
    if (done.has(file)) continue;
    const sql = readFileSync(join(dir, file), 'utf8');
    store.tx(() => {
      store.db.exec(sql);
      store.db
        .prepare('INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)')
        .run(file, Date.now());
    });
    applied.push(file);
  }
  return applied;
}
