import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';

/** Rows per statement: well under SQLite's bound-parameter limit for the widest row (15 values). */
export const ROWS_PER_STATEMENT = 100;

/**
 * One INSERT of many rows (`head VALUES row, row, ... tail`), prepared once per row count: a
 * batch of incidents costs a statement per table, not one per incident and table (the statement
 * overhead, not the row, dominated the store's insert time). `row` is the SQL of one row, e.g.
 * `(?, ?, 'new')`; `values` holds each row's bound values. Returns the RETURNING rows, if any.
 */
export function multiRowInsert(db: DatabaseSync, head: string, row: string, tail = '') {
  const prepared = new Map<number, StatementSync>();
  const statement = (n: number) => {
    let s = prepared.get(n);
    if (!s) {
      s = db.prepare(`${head} VALUES ${Array<string>(n).fill(row).join(', ')} ${tail}`);
      prepared.set(n, s);
    }
    return s;
  };
  return (values: readonly SQLInputValue[][]): Record<string, SQLInputValue>[] => {
    const out: Record<string, SQLInputValue>[] = [];
    for (let at = 0; at < values.length; at += ROWS_PER_STATEMENT) {
      const chunk = values.slice(at, at + ROWS_PER_STATEMENT);
      const s = statement(chunk.length);
      const flat = chunk.flat();
      if (tail) out.push(...(s.all(...flat) as Record<string, SQLInputValue>[]));
      else s.run(...flat);
    }
    return out;
  };
}
