import type { DatabaseSync } from 'node:sqlite';
import type pg from 'pg';
import type { NewIncident } from '../../store/types.ts';
import { postgresEffects, sqliteEffects } from './effects.ts';
import { createJournal, insertRun, type Journal, type NewRun } from './journal.ts';
import { postgresJournalDb, sqliteJournalDb, type JournalDb } from './ops.ts';

/**
 * Which runs new incidents start: evaluated BEFORE the incidents' transaction (expressions are
 * async), written inside it for the incidents actually inserted. Keyed by incident id.
 */
export type TriggerMatcher = (
  incidents: readonly NewIncident[],
  now: number,
) => Promise<Map<string, NewRun[]>>;

/** The playbook side of the incident store. */
export interface PlaybookStore {
  journal: Journal;
  /** The trigger of the loaded playbooks (null: none); set by the playbook service. */
  setTrigger(m: TriggerMatcher | null): void;
}

/** The journal over either dialect, with the trigger the playbook service sets. */
function triggered(jdb: JournalDb) {
  let matcher: TriggerMatcher | null = null;
  const store: PlaybookStore = {
    journal: createJournal(jdb),
    setTrigger(m) {
      matcher = m;
    },
  };
  return {
    store,
    /** Before the transaction: the runs each candidate incident would start. */
    plan: async (incidents: readonly NewIncident[], now: number) =>
      matcher && incidents.length ? matcher(incidents, now) : null,
  };
}

/** What sqlite.ts calls around its incident inserts. */
export function sqlitePlaybooks(
  db: DatabaseSync,
  tx: <T>(fn: () => T) => T,
  cases: Parameters<typeof sqliteEffects>[1],
) {
  const jdb = sqliteJournalDb(db, tx, sqliteEffects(db, cases));
  return {
    ...triggered(jdb),
    /** Inside the transaction: the runs of the incidents actually inserted (unique per trigger key). */
    write(inserted: readonly NewIncident[], planned: Map<string, NewRun[]> | null, now: number) {
      if (!planned) return;
      for (const i of inserted) {
        for (const r of planned.get(i.id) ?? []) jdb.inTx(() => insertRun(r, now));
      }
    },
  };
}

type Q = Pick<pg.PoolClient, 'query'>;

/** What postgres.ts calls around its incident inserts. */
export function postgresPlaybooks(
  pool: pg.Pool,
  s: string,
  tx: <T>(fn: (c: pg.PoolClient) => Promise<T>) => Promise<T>,
  cases: Parameters<typeof postgresEffects>[1],
) {
  const jdb = postgresJournalDb(pool, s, tx, postgresEffects(s, cases));
  return {
    ...triggered(jdb),
    async write(q: Q, inserted: readonly NewIncident[], planned: Map<string, NewRun[]> | null, now: number) {
      if (!planned) return;
      for (const i of inserted) {
        for (const r of planned.get(i.id) ?? []) await jdb.inTx(q, () => insertRun(r, now));
      }
    },
  };
}
