import type { Store } from '../../store/store.ts';
import type { NewSecurityEvent } from './repository.ts';

/** Security events held back by the late-indexing fault until their time comes. */
export interface PendingEventsRepository {
  hold(event: NewSecurityEvent, dueAt: number): void;
  /** Up to `limit` held events due at `now`, oldest due first. */
  due(now: number, limit: number): { id: number; event: NewSecurityEvent }[];
  release(ids: readonly number[]): void;
  count(): number;
}

export function createSqlitePendingEventsRepository(store: Store): PendingEventsRepository {
  const db = store.db;
  const insert = db.prepare('INSERT INTO pending_security_events (due_at, event) VALUES (?, ?)');
  const due = db.prepare(
    'SELECT id, event FROM pending_security_events WHERE due_at <= ? ORDER BY due_at, id LIMIT ?',
  );
  const remove = db.prepare('DELETE FROM pending_security_events WHERE id = ?');
  const count = db.prepare('SELECT count(*) AS n FROM pending_security_events');
  return {
    hold(event, dueAt) {
      insert.run(dueAt, JSON.stringify(event));
    },
    due(now, limit) {
      const rows = due.all(now, limit) as { id: number; event: string }[];
      return rows.map((r) => ({ id: r.id, event: JSON.parse(r.event) as NewSecurityEvent }));
    },
    release(ids) {
      store.tx(() => {
        for (const id of ids) remove.run(id);
      });
    },
    count: () => (count.get() as { n: number }).n,
  };
}
