import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';
import type pg from 'pg';
import type { LocalEffect } from '../types.ts';

/**
 * The journal's statements are written once, as generators that yield operations, and run by a
 * driver per store: synchronously inside SQLite's BEGIN IMMEDIATE (no await can let another
 * caller's statement into the transaction), asynchronously on a PostgreSQL client.
 *
 * SQL conventions: tables as `S.name` (the PostgreSQL schema; dropped on SQLite), `?` parameters,
 * `{LOCK}` (FOR UPDATE on PostgreSQL) and `{SKIP}` (FOR UPDATE SKIP LOCKED); SQLite needs neither:
 * its one writer serialises every transaction.
 */
export type Op =
  | { op: 'all'; sql: string; args: unknown[] }
  | { op: 'run'; sql: string; args: unknown[] }
  | { op: 'effect'; effect: LocalEffect; runId: string; now: number }
  | { op: 'notify' }
  | { op: 'journal'; row: JournalRow };

/** A pb_journal row: run_id, at, kind, step_id, item, attempt, data. */
export type JournalRow = [string, number, string, string | null, number | null, number | null, string | null];
const JOURNAL_COLUMNS = '(run_id, at, kind, step_id, item, attempt, data)';

/**
 * Appends a journal entry in the transaction. Nothing in a transaction reads the entries it
 * appends, so PostgreSQL sends them together (one statement per transaction, not one per entry).
 */
export function* journal(row: JournalRow): Tx<void> {
  yield { op: 'journal', row };
}

export type Tx<T> = Generator<Op, T, unknown>;

export function* all<R>(sql: string, ...args: unknown[]): Tx<R[]> {
  return (yield { op: 'all', sql, args }) as R[];
}
export function* one<R>(sql: string, ...args: unknown[]): Tx<R | undefined> {
  const rows = (yield { op: 'all', sql, args }) as R[];
  return rows[0];
}
/** Returns the number of rows changed. */
export function* run(sql: string, ...args: unknown[]): Tx<number> {
  return (yield { op: 'run', sql, args }) as number;
}
/** Applies a LocalEffect in the transaction; false when its incident does not exist. */
export function* effect(e: LocalEffect, runId: string, now: number): Tx<boolean> {
  return (yield { op: 'effect', effect: e, runId, now }) as boolean;
}

/**
 * Something became claimable: workers listening wake up at once instead of at their next poll.
 * Delivered after the transaction that yielded it commits (PostgreSQL NOTIFY: to every process;
 * SQLite: to this process, its only writer), at most once per transaction. A wake-up may be
 * spurious (a rolled-back transaction): a worker that finds nothing claims nothing.
 */
export function* notify(): Tx<void> {
  yield { op: 'notify' };
}

/** A subscription to the wake-ups; `ensure` re-opens a listening connection that was lost. */
export interface Wakeups {
  ensure(): Promise<void>;
  close(): Promise<void>;
}

export interface JournalDb {
  dialect: 'sqlite' | 'postgres';
  /** Runs the body in one transaction of its own. */
  tx<T>(body: () => Tx<T>): Promise<T>;
  /** Runs read-only statements outside any transaction. */
  read<T>(body: () => Tx<T>): Promise<T>;
  /** Calls `fn` on each wake-up (see notify()). */
  listen(fn: () => void): Promise<Wakeups>;
}

/** Applies an effect on the SQLite connection, inside the running transaction. */
export type SqliteEffectFn = (e: LocalEffect, runId: string, now: number) => boolean;
/** Applies an effect on a PostgreSQL client, inside its running transaction. */
export type PostgresEffectFn = (
  c: Pick<pg.PoolClient, 'query'>,
  e: LocalEffect,
  runId: string,
  now: number,
) => Promise<boolean>;

export interface SqliteJournalDb extends JournalDb {
  /** Runs the body inside the caller's open transaction (the store's incident insert). */
  inTx<T>(body: () => Tx<T>): T;
}

export function sqliteJournalDb(
  db: DatabaseSync,
  tx: <T>(fn: () => T) => T,
  applyEffect: SqliteEffectFn,
): SqliteJournalDb {
  const cache = new Map<string, StatementSync>();
  const prepare = (sql: string) => {
    let st = cache.get(sql);
    if (!st) {
      st = db.prepare(
        sql
          .replace(/\bS\./g, '')
          .replace(/\{LOCK\}/g, '')
          .replace(/\{SKIP\}/g, ''),
      );
      cache.set(sql, st);
    }
    return st;
  };
  const args = (a: unknown[]) =>
    a.map((v) => (v === undefined ? null : typeof v === 'boolean' ? (v ? 1 : 0) : v)) as SQLInputValue[];
  const listeners = new Set<() => void>();
  let pending = false;
  // Every transaction here is synchronous: a microtask runs after its COMMIT (or ROLLBACK).
  const wake = () => {
    if (pending || listeners.size === 0) return;
    pending = true;
    queueMicrotask(() => {
      pending = false;
      for (const fn of listeners) fn();
    });
  };
  const drive = <T>(gen: Tx<T>): T => {
    let step = gen.next();
    while (!step.done) {
      const o = step.value;
      let result: unknown;
      if (o.op === 'all') result = prepare(o.sql).all(...args(o.args));
      else if (o.op === 'run') result = Number(prepare(o.sql).run(...args(o.args)).changes);
      else if (o.op === 'notify') wake();
      else if (o.op === 'journal')
        prepare(`INSERT INTO pb_journal ${JOURNAL_COLUMNS} VALUES (?, ?, ?, ?, ?, ?, ?)`).run(...args(o.row));
      else result = applyEffect(o.effect, o.runId, o.now);
      step = gen.next(result);
    }
    return step.value;
  };
  return {
    dialect: 'sqlite',
    async listen(fn) {
      listeners.add(fn);
      return { ensure: async () => {}, close: async () => void listeners.delete(fn) };
    },
    async tx(body) {
      return tx(() => drive(body()));
    },
    async read(body) {
      return drive(body());
    },
    inTx(body) {
      return drive(body());
    },
  };
}

export interface PostgresJournalDb extends JournalDb {
  /** Runs the body on the caller's client, inside its open transaction (the store's incident insert). */
  inTx<T>(c: Pick<pg.PoolClient, 'query'>, body: () => Tx<T>): Promise<T>;
}

export function postgresJournalDb(
  pool: pg.Pool,
  schema: string,
  tx: <T>(fn: (c: pg.PoolClient) => Promise<T>) => Promise<T>,
  applyEffect: PostgresEffectFn,
): PostgresJournalDb {
  const cache = new Map<string, string>();
  const translate = (sql: string) => {
    let out = cache.get(sql);
    if (out === undefined) {
      let n = 0;
      out = sql
        .replace(/\bS\./g, `${schema}.`)
        .replace(/\{LOCK\}/g, ' FOR UPDATE')
        .replace(/\{SKIP\}/g, ' FOR UPDATE SKIP LOCKED')
        .replace(/\?/g, () => `$${++n}`);
      cache.set(sql, out);
    }
    return out;
  };
  // One channel per schema (an identifier: letters, digits, underscores, at most 63 bytes).
  const channel = `siemlink_pb_${schema.replace(/[^A-Za-z0-9_]/g, '')}`.slice(0, 63);
  const appendJournal = async (c: Pick<pg.PoolClient, 'query'>, rows: JournalRow[]) => {
    for (let i = 0; i < rows.length; i += 1000) {
      const chunk = rows.slice(i, i + 1000);
      const values = chunk.map((_, k) => `(${[1, 2, 3, 4, 5, 6, 7].map((n) => `$${k * 7 + n}`).join(', ')})`);
      await c.query(
        `INSERT INTO ${schema}.pb_journal ${JOURNAL_COLUMNS} VALUES ${values.join(', ')}`,
        chunk.flat(),
      );
    }
  };
  const drive = async <T>(c: Pick<pg.PoolClient, 'query'>, gen: Tx<T>): Promise<T> => {
    let step = gen.next();
    let notified = false;
    const entries: JournalRow[] = [];
    while (!step.done) {
      const o = step.value;
      let result: unknown;
      if (o.op === 'journal') entries.push(o.row);
      else if (o.op === 'all') result = (await c.query(translate(o.sql), o.args)).rows;
      else if (o.op === 'run') result = (await c.query(translate(o.sql), o.args)).rowCount ?? 0;
      else if (o.op === 'notify') {
        // NOTIFY is delivered at COMMIT, and not at all on ROLLBACK.
        if (!notified) await c.query("SELECT pg_notify($1, '')", [channel]);
        notified = true;
      } else result = await applyEffect(c, o.effect, o.runId, o.now);
      step = gen.next(result);
    }
    if (entries.length) await appendJournal(c, entries);
    return step.value;
  };
  return {
    dialect: 'postgres',
    tx: (body) => tx((c) => drive(c, body())),
    read: (body) => drive(pool, body()),
    inTx: (c, body) => drive(c, body()),
    listen: (fn) => pgListener(pool, channel, fn),
  };
}

/**
 * A LISTEN connection of its own (taken from the pool, given back on close). A lost connection
 * is dropped quietly: the worker polls meanwhile and `ensure` (called on its idle rounds) opens
 * a new one.
 */
async function pgListener(pool: pg.Pool, channel: string, fn: () => void): Promise<Wakeups> {
  let client: pg.PoolClient | null = null;
  let closed = false;
  const drop = (err?: Error) => {
    const c = client;
    client = null;
    c?.release(err ?? true);
  };
  const ensure = async () => {
    if (client || closed) return;
    const c = await pool.connect();
    c.on('error', (err) => {
      if (client === c) drop(err);
    });
    c.on('notification', (m) => {
      if (m.channel === channel) fn();
    });
    try {
      await c.query(`LISTEN "${channel}"`);
    } catch (err) {
      c.release(err as Error);
      throw err;
    }
    if (closed) c.release(true);
    else client = c;
  };
  await ensure();
  return {
    ensure: () => ensure().catch(() => {}),
    async close() {
      closed = true;
      drop();
    },
  };
}
