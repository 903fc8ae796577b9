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
  | { op: 'effect'; effect: LocalEffect; runId: string; now: number };

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

export interface JournalDb {
  dialect: 'sqlite' | 'postgres';
  /** Runs the body in one transaction of its own. */
  tx<T>(body: () => Tx<T>): Promise<T>;
  /** Runs read-only statements outside any transaction. */
  read<T>(body: () => Tx<T>): Promise<T>;
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
  const drive = <T>(gen: Tx<T>): T => {
    let step = gen.next();
    while (!step.done) {
      const o = step.value;
      let result: unknown;
      if (o.op === 'all') result = prepare(o.sql).all(...args(o.args));
      else if (o.op === 'run') result = Number(prepare(o.sql).run(...args(o.args)).changes);
      else result = applyEffect(o.effect, o.runId, o.now);
      step = gen.next(result);
    }
    return step.value;
  };
  return {
    dialect: 'sqlite',
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
  const drive = async <T>(c: Pick<pg.PoolClient, 'query'>, gen: Tx<T>): Promise<T> => {
    let step = gen.next();
    while (!step.done) {
      const o = step.value;
      let result: unknown;
      if (o.op === 'all') result = (await c.query(translate(o.sql), o.args)).rows;
      else if (o.op === 'run') result = (await c.query(translate(o.sql), o.args)).rowCount ?? 0;
      else result = await applyEffect(c, o.effect, o.runId, o.now);
      step = gen.next(result);
    }
    return step.value;
  };
  return {
    dialect: 'postgres',
    tx: (body) => tx((c) => drive(c, body())),
    read: (body) => drive(pool, body()),
    inTx: (c, body) => drive(c, body()),
  };
}
