import type { SortField } from '@siemlink/contracts';
import type { Store } from '../../store/store.ts';
import { toSecurityEvent, type SecurityEventRow } from './repository.ts';
import { searchTermToLike, type SecurityEventPage, type SecurityEventQuery } from './search.ts';

const SORT_COLUMN: Record<SortField, string> = { DATE: 'event_date', SEVERITY: 'severity_rank' };

export interface SecurityEventSearcher {
  search(q: SecurityEventQuery): SecurityEventPage;
}

/**
 * Events of one account, filtered, sorted (sort keys in array order, then `seq` in the first
 * key's direction so equal dates page stably) and paged. Parameters are bound, never spliced.
 */
export function createSqliteSecurityEventSearcher(store: Store): SecurityEventSearcher {
  return {
    search(q) {
      const where: string[] = ['account_id = ?'];
      const params: (string | number)[] = [q.accountId];
      if (q.searchTerm !== undefined && q.searchTerm !== '*') {
        where.push("lower(name) LIKE ? ESCAPE '\\'");
        params.push(searchTermToLike(q.searchTerm));
      }
      if (q.severities) {
        where.push(`severity IN (${q.severities.map(() => '?').join(', ')})`);
        params.push(...q.severities);
      }
      if (q.fromMs !== undefined) {
        where.push('event_date >= ?');
        params.push(q.fromMs);
      }
      if (q.toMs !== undefined) {
        where.push('event_date <= ?');
        params.push(q.toMs);
      }
      if (!q.includeMuted) where.push('is_muted = 0');
      const whereSql = where.join(' AND ');
      const { n } = store.db
        .prepare(`SELECT count(*) AS n FROM security_events WHERE ${whereSql}`)
        .get(...params) as {
        n: number;
      };
      const order = q.sort.map((s) => `${SORT_COLUMN[s.field]} ${s.descending ? 'DESC' : 'ASC'}`);
      order.push(`seq ${q.sort[0]!.descending ? 'DESC' : 'ASC'}`);
      const offset = (q.pageNumber - 1) * q.pageSize;
      const rows =
        offset >= n
          ? []
          : (store.db
              .prepare(
                `SELECT * FROM security_events WHERE ${whereSql} ORDER BY ${order.join(', ')} LIMIT ? OFFSET ?`,
              )
              .all(...params, q.pageSize, offset) as unknown as SecurityEventRow[]);
      return { total: n, results: rows.map(toSecurityEvent) };
    },
  };
}
