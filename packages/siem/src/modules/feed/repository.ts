import type { Store } from '../../store/store.ts';
import type { SecurityEventRow } from '../events/repository.ts';

/** Which events of one account a feed response walks: `afterSeq < seq < beforeSeq`, in seq order. */
export interface FeedScan {
  accountId: number;
  configIds: number[];
  afterSeq: number;
  beforeSeq: number;
  /** Time mode: only events stored in [fromMs, toMs]. */
  stored?: { fromMs: number; toMs: number };
}

export interface FeedSource {
  /**
   * Offset mode's exclusive upper bound: the first seq after `afterSeq` that is not yet visible
   * (stored after `cutoffMs`), else one past the head. Events are never served past an invisible
   * one, so an event committed with a lower seq can never be skipped by a later offset.
   */
  visibleBound(accountId: number, configIds: number[], afterSeq: number, cutoffMs: number): number;
  /** Time mode: the seq range holding the events stored in [fromMs, toMs], or undefined if none. */
  storedRange(
    accountId: number,
    configIds: number[],
    fromMs: number,
    toMs: number,
  ): { min: number; max: number } | undefined;
  /** Seq of the account's last event stored at or before `ms` (0 if none): where time mode ends. */
  seqStoredBy(accountId: number, ms: number): number;
  /** Up to `n` events of the scan after `afterSeq`. */
  chunk(scan: FeedScan, afterSeq: number, n: number): SecurityEventRow[];
}

/** What the feed reads besides its events: the offset key and which configurations have events. */
export interface FeedRepository extends FeedSource {
  /** The HMAC key of offset tokens (created with the database). */
  offsetSecret(): Uint8Array;
  /** Whether the account has any event under `configId` (events outlive their configuration). */
  hasEvents(accountId: number, configId: number): boolean;
}

const placeholders = (n: number) => Array.from({ length: n }, () => '?').join(', ');

/** Reads in small seq-ordered chunks; no statement stays open between chunks (writers go on). */
export function createSqliteFeedRepository(store: Store): FeedRepository {
  const db = store.db;
  const cache = new Map<string, ReturnType<typeof db.prepare>>();
  const stmt = (sql: string) => {
    let s = cache.get(sql);
    if (!s) {
      s = db.prepare(sql);
      if (cache.size > 200) cache.clear();
      cache.set(sql, s);
    }
    return s;
  };
  return {
    offsetSecret() {
      return (stmt('SELECT secret FROM feed_secret WHERE id = 1').get() as { secret: Uint8Array }).secret;
    },
    hasEvents(accountId, configId) {
      return (
        stmt('SELECT 1 FROM security_events WHERE account_id = ? AND config_id = ? LIMIT 1').get(
          accountId,
          configId,
        ) !== undefined
      );
    },
    visibleBound(accountId, configIds, afterSeq, cutoffMs) {
      const pending = stmt(
        // Only the last seconds' events are stored after the cutoff: walk those, not every seq.
        `SELECT min(seq) AS s FROM security_events INDEXED BY security_events_account_stored
         WHERE account_id = ? AND stored_at > ? AND seq > ? AND config_id IN (${placeholders(configIds.length)})`,
      ).get(accountId, cutoffMs, afterSeq, ...configIds) as { s: number | null };
      if (pending.s !== null) return pending.s;
      const head = stmt('SELECT coalesce(max(seq), 0) AS s FROM security_events').get() as { s: number };
      return head.s + 1;
    },
    storedRange(accountId, configIds, fromMs, toMs) {
      const r = stmt(
        `SELECT min(seq) AS lo, max(seq) AS hi FROM security_events
         WHERE account_id = ? AND stored_at BETWEEN ? AND ? AND config_id IN (${placeholders(configIds.length)})`,
      ).get(accountId, fromMs, toMs, ...configIds) as { lo: number | null; hi: number | null };
      return r.lo === null || r.hi === null ? undefined : { min: r.lo, max: r.hi };
    },
    seqStoredBy(accountId, ms) {
      const r = stmt(
        'SELECT seq FROM security_events WHERE account_id = ? AND stored_at <= ? ORDER BY stored_at DESC, seq DESC LIMIT 1',
      ).get(accountId, ms) as { seq: number } | undefined;
      return r?.seq ?? 0;
    },
    chunk(scan, afterSeq, n) {
      const time = scan.stored ? ' AND stored_at BETWEEN ? AND ?' : '';
      const params: number[] = [scan.accountId, afterSeq, scan.beforeSeq, ...scan.configIds];
      if (scan.stored) params.push(scan.stored.fromMs, scan.stored.toMs);
      return stmt(
        `SELECT * FROM security_events INDEXED BY security_events_account_seq
         WHERE account_id = ? AND seq > ? AND seq < ? AND config_id IN (${placeholders(scan.configIds.length)})${time}
         ORDER BY seq LIMIT ?`,
      ).all(...params, n) as unknown as SecurityEventRow[];
    },
  };
}
