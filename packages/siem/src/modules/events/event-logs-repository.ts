import type { Store } from '../../store/store.ts';

export interface EventLogsQuery {
  accountId: number;
  alertEventId: string;
  pageNumber: number;
  pageSize: number;
}

export interface EventLogsPage {
  total: number;
  results: Record<string, unknown>[];
}

export interface EventLogsSearcher {
  search(q: EventLogsQuery): EventLogsPage;
}

/**
 * The stored log documents behind one security event of the caller's account, newest
 * `@timestamp` first (then storage order, newest first) as Logz.io's sample shows. Logs gone
 * past retention are neither counted nor returned; an unknown or foreign event is simply empty.
 */
export function createSqliteEventLogsSearcher(store: Store): EventLogsSearcher {
  const from = `FROM security_events e
    JOIN security_event_logs el ON el.event_seq = e.seq
    JOIN logs l ON l.seq = el.log_seq
    WHERE e.alert_event_id = ? AND e.account_id = ?`;
  const count = store.db.prepare(`SELECT count(*) AS n ${from}`);
  const page = store.db.prepare(
    `SELECT l.doc AS doc ${from} ORDER BY l.ts DESC, l.seq DESC LIMIT ? OFFSET ?`,
  );
  return {
    search(q) {
      const { n } = count.get(q.alertEventId, q.accountId) as { n: number };
      const offset = (q.pageNumber - 1) * q.pageSize;
      const rows =
        offset >= n ? [] : (page.all(q.alertEventId, q.accountId, q.pageSize, offset) as { doc: string }[]);
      return { total: n, results: rows.map((r) => JSON.parse(r.doc) as Record<string, unknown>) };
    },
  };
}
