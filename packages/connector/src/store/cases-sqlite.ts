import type { DatabaseSync, SQLInputValue } from 'node:sqlite';
import { applyPatch, type CaseState } from '../cases/apply-patch.ts';
import { percentiles } from '../cases/percentiles.ts';
import type { Actor, CasePatch, CaseQuery, IncidentLogs, Note, TimelineEntry } from '../cases/schemas.ts';
import { ftsMatch, groupKey, searchText } from '../cases/text.ts';
import { apiError } from '../errors.ts';
import type { CaseStore } from './case-types.ts';
import { countsCacheKey, createCountsCache, type FacetRow } from './counts-cache.ts';
import { caseConditions, facetsOnly, INCIDENT_COLUMNS, queueSql, sqliteDialect } from './case-query.ts';
import { toIncident, toSummary, type IncidentRow, type SummaryRow } from './rows.ts';
import type { NewIncident } from './types.ts';
import {
  caseState,
  createdEntry,
  toLogs,
  toNote,
  toTimeline,
  type CreatedRow,
  type LogsRow,
  type NoteRow,
  type RevisionRow,
  type TimelineRow,
} from './case-rows.ts';

/** Up to this many free-text matches the queue sorts them; above, it walks the sort index. */
const SORT_MATCHES_UP_TO = 2000;

/**
 * Case management on the SQLite store. Runs inside the store's transactions (`tx`); `afterInsert`
 * is called for every incident the fetcher inserts, in the same transaction, so the search index
 * is never missing for a stored incident. The "created" timeline entry is read from the row.
 */
export function sqliteCases(db: DatabaseSync, tx: <T>(fn: () => T) => T) {
  const byId = db.prepare(`SELECT ${INCIDENT_COLUMNS} FROM incidents WHERE id = ?`);
  const exists = db.prepare('SELECT 1 AS x FROM incidents WHERE id = ?');
  const insTimeline = db.prepare(
    'INSERT INTO incident_timeline (incident_id, at, actor_kind, actor, kind, before, after) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const createdOf = db.prepare(
    'SELECT id, created_at, original_severity, severity FROM incidents WHERE id = ?',
  );
  const timelineOf = db.prepare('SELECT * FROM incident_timeline WHERE incident_id = ? ORDER BY id');
  const setIndexed = db.prepare(
    'UPDATE incidents SET original_severity = COALESCE(original_severity, severity), group_key = ?, search_text = ? WHERE id = ?',
  );
  const insFts = db.prepare('INSERT INTO incidents_text (rowid, search_text) VALUES (?, ?)');
  const insPending = db.prepare('INSERT INTO incidents_text_pending (incident_rowid) VALUES (?)');
  const pendingCount = db.prepare('SELECT COUNT(*) AS n FROM incidents_text_pending');
  const indexPending = db.prepare(
    `INSERT INTO incidents_text (rowid, search_text)
       SELECT i.rowid, i.search_text FROM incidents_text_pending p JOIN incidents i ON i.rowid = p.incident_rowid`,
  );
  const clearPending = db.prepare('DELETE FROM incidents_text_pending');
  /** Puts every incident inserted since the last time into the full-text index (in the caller's transaction). */
  const indexText = () => {
    indexPending.run();
    clearPending.run();
  };
  const hasPending = () => (pendingCount.get() as { n: number }).n > 0;
  const countMatches = db.prepare('SELECT COUNT(*) AS n FROM incidents_text WHERE incidents_text MATCH ?');
  const facetCounts = db.prepare('SELECT status, severity, n FROM incident_counts WHERE n > 0');
  const countsVersion = db.prepare('SELECT v FROM incident_counts_version');
  const addCount = db.prepare(
    `INSERT INTO incident_counts (status, severity, n) VALUES ('new', ?, ?)
     ON CONFLICT (status, severity) DO UPDATE SET n = n + excluded.n`,
  );
  const bumpCounts = db.prepare('UPDATE incident_counts_version SET v = v + 1');
  const countsCache = createCountsCache();
  const manyMatches = (text: string | undefined) => {
    const m = text === undefined ? null : ftsMatch(text);
    return m !== null && (countMatches.get(m) as { n: number }).n > SORT_MATCHES_UP_TO;
  };

  const json = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));
  const timeline = (id: string, kind: string, actor: Actor, before: unknown, after: unknown, now: number) =>
    insTimeline.run(id, now, actor.kind, actor.name, kind, json(before), json(after));

  const index = (
    i: { id: string; name: string; fields: Record<string, unknown> },
    rowid: number | bigint,
  ) => {
    const words = searchText(i);
    setIndexed.run(groupKey(i), words, i.id);
    insFts.run(rowid, words);
  };

  const getRow = (id: string) => byId.get(id) as IncidentRow | undefined;

  const update = (id: string, patch: CasePatch, actor: Actor, now: number) => {
    const row = getRow(id);
    if (!row) return null;
    const { next, changes } = applyPatch(caseState(row), patch, now);
    if (changes.length === 0) return toIncident(row);
    write(id, next, now);
    for (const c of changes) timeline(id, c.kind, actor, c.before, c.after, now);
    return toIncident(getRow(id)!);
  };

  // Prepared once: an analyst's or a playbook's update runs these on every change.
  const setCase = db.prepare(
    `UPDATE incidents SET status = ?, owner = ?, severity = ?, tags = ?, close_reason = ?, close_notes = ?,
       acknowledged_at = ?, closed_at = ?, updated_at = ? WHERE id = ?`,
  );
  const clearTags = db.prepare('DELETE FROM incident_tags WHERE incident_id = ?');
  const addTag = db.prepare('INSERT INTO incident_tags (tag, incident_id) VALUES (?, ?)');
  const write = (id: string, s: CaseState, now: number) => {
    setCase.run(
      s.status,
      s.owner,
      s.severity,
      JSON.stringify(s.tags),
      s.closeReason,
      s.closeNotes,
      s.acknowledgedAt,
      s.closedAt,
      now,
      id,
    );
    clearTags.run(id);
    for (const t of s.tags) addTag.run(t, id);
  };

  const notes = (incidentId: string, noteId?: number): Note[] => {
    const rows = (noteId === undefined
      ? db.prepare('SELECT * FROM incident_notes WHERE incident_id = ? ORDER BY id').all(incidentId)
      : db
          .prepare('SELECT * FROM incident_notes WHERE incident_id = ? AND id = ?')
          .all(incidentId, noteId)) as unknown as NoteRow[];
    const revs = db.prepare('SELECT * FROM incident_note_revisions WHERE note_id = ? ORDER BY id');
    return rows.map((n) => toNote(n, revs.all(n.id) as unknown as RevisionRow[]));
  };

  const cases: CaseStore = {
    async queryIncidents(q) {
      if (q.text !== undefined && hasPending()) tx(indexText);
      const args: unknown[] = [];
      // Few matches: sort them. Many: walk the sort index, probing each row against the matches,
      // which stops after a page's worth (a common word matched 20% of 100,000 incidents).
      const sql = queueSql(q, sqliteDialect(args, { manyMatches: manyMatches(q.text) }));
      return (db.prepare(sql).all(...(args as SQLInputValue[])) as unknown as SummaryRow[]).map(toSummary);
    },
    async caseCounts(q) {
      if (facetsOnly(q)) return countsFrom(facetCounts.all() as unknown as FacetRow[], q);
      const key = countsCacheKey(q);
      const generation = String((countsVersion.get() as { v: number }).v);
      const cached = key === null ? undefined : countsCache.get(key, generation);
      if (cached) return countsFrom(cached, q);
      if (q.text !== undefined && hasPending()) tx(indexText);
      const args: unknown[] = [];
      const where = caseConditions(q, sqliteDialect(args, { manyMatches: manyMatches(q.text) }), false);
      const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
      const rows = db
        .prepare(`SELECT status, severity, COUNT(*) AS n FROM incidents ${clause} GROUP BY status, severity`)
        .all(...(args as SQLInputValue[])) as unknown as FacetRow[];
      if (key !== null) countsCache.set(key, generation, rows);
      return countsFrom(rows, q);
    },
    async updateCase(id, patch, actor, now) {
      return tx(() => update(id, patch, actor, now));
    },
    async bulkUpdateCases(ids, patch, actor, now) {
      return tx(() =>
        ids.map((id) => {
          const r = update(id, patch, actor, now);
          if (!r)
            throw apiError(
              'INCIDENT_NOT_FOUND',
              `no incident with id "${id}"; nothing was changed`,
              'body.ids',
            );
          return r;
        }),
      );
    },
    async addNote(incidentId, body, actor, now) {
      return tx(() => {
        if (!exists.get(incidentId)) return null;
        const id = Number(
          db
            .prepare(
              'INSERT INTO incident_notes (incident_id, author, body, created_at, updated_at) VALUES (?, ?, ?, ?, ?)',
            )
            .run(incidentId, actor.name, body, now, now).lastInsertRowid,
        );
        timeline(incidentId, 'note_added', actor, null, { noteId: id, body }, now);
        return notes(incidentId, id)[0]!;
      });
    },
    async editNote(incidentId, noteId, body, actor, now) {
      return tx(() => {
        const row = db
          .prepare('SELECT * FROM incident_notes WHERE incident_id = ? AND id = ?')
          .get(incidentId, noteId) as NoteRow | undefined;
        if (!row) return null;
        if (row.body === body) return notes(incidentId, noteId)[0]!;
        db.prepare('INSERT INTO incident_note_revisions (note_id, author, body, at) VALUES (?, ?, ?, ?)').run(
          noteId,
          row.author,
          row.body,
          row.updated_at,
        );
        db.prepare('UPDATE incident_notes SET body = ?, updated_at = ? WHERE id = ?').run(body, now, noteId);
        timeline(incidentId, 'note_edited', actor, { noteId, body: row.body }, { noteId, body }, now);
        return notes(incidentId, noteId)[0]!;
      });
    },
    async listNotes(incidentId) {
      return notes(incidentId);
    },
    async timeline(incidentId): Promise<TimelineEntry[]> {
      const created = createdOf.get(incidentId) as CreatedRow | undefined;
      const rows = timelineOf.all(incidentId) as unknown as TimelineRow[];
      return [...(created ? [createdEntry(created)] : []), ...rows.map(toTimeline)];
    },
    async appendTimeline(incidentId, e, now) {
      return tx(() => {
        if (!exists.get(incidentId)) return false;
        timeline(incidentId, e.kind, e.actor, e.before ?? null, e.after ?? null, now);
        return true;
      });
    },
    async putIncidentLogs(incidentId, l, actor, now) {
      return tx(() => {
        if (!exists.get(incidentId)) return false;
        db.prepare(
          `INSERT INTO incident_logs (incident_id, fetched_at, cap, truncated, error, logs) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (incident_id) DO UPDATE SET fetched_at = excluded.fetched_at, cap = excluded.cap,
             truncated = excluded.truncated, error = excluded.error, logs = excluded.logs`,
        ).run(incidentId, now, l.cap, l.truncated ? 1 : 0, l.error, JSON.stringify(l.logs));
        timeline(
          incidentId,
          'logs_fetched',
          actor,
          null,
          { count: l.logs.length, truncated: l.truncated, error: l.error },
          now,
        );
        return true;
      });
    },
    async getIncidentLogs(incidentId): Promise<IncidentLogs | null> {
      const row = db.prepare('SELECT * FROM incident_logs WHERE incident_id = ?').get(incidentId) as
        LogsRow | undefined;
      return row ? toLogs(row) : null;
    },
    async relatedIncidents(incidentId, windowMs, limit) {
      const me = db.prepare('SELECT group_key, occurred_ms FROM incidents WHERE id = ?').get(incidentId) as
        { group_key: string | null; occurred_ms: number } | undefined;
      if (!me?.group_key) return [];
      return (
        db
          .prepare(
            `SELECT ${INCIDENT_COLUMNS} FROM incidents WHERE group_key = ? AND occurred_ms BETWEEN ? AND ? AND id <> ?
             ORDER BY occurred_ms DESC, id DESC LIMIT ?`,
          )
          .all(
            me.group_key,
            me.occurred_ms - windowMs,
            me.occurred_ms + windowMs,
            incidentId,
            limit,
          ) as unknown as IncidentRow[]
      ).map(toIncident);
    },
    async caseSla() {
      const durations = (col: string) =>
        (
          db
            .prepare(`SELECT ${col} - created_at AS d FROM incidents WHERE ${col} IS NOT NULL ORDER BY d`)
            .all() as { d: number }[]
        ).map((r) => r.d);
      return {
        timeToAcknowledge: percentiles(durations('acknowledged_at')),
        timeToClose: percentiles(durations('closed_at')),
      };
    },
  };

  return {
    cases,
    /** updateCase's work inside a running transaction (a playbook step's effect). */
    updateInTx: update,
    /** addNote's work inside a running transaction; false when there is no such incident. */
    noteInTx(incidentId: string, body: string, actor: Actor, now: number): boolean {
      if (!exists.get(incidentId)) return false;
      const id = Number(
        db
          .prepare(
            'INSERT INTO incident_notes (incident_id, author, body, created_at, updated_at) VALUES (?, ?, ?, ?, ?)',
          )
          .run(incidentId, actor.name, body, now, now).lastInsertRowid,
      );
      timeline(incidentId, 'note_added', actor, null, { noteId: id, body }, now);
      return true;
    },
    /**
     * In the insert's transaction, for an incident just inserted (its related key and search text
     * went in with the row): its full-text entry, pending until `indexInserted` (or a text query).
     */
    afterInsert(rowid: number | bigint) {
      insPending.run(rowid);
    },
    /**
     * In the insert's transaction, after its inserts: the new incidents go into the full-text
     * index now, unless `deferUpTo` allows leaving up to that many for later. FTS5 writes a segment
     * per transaction and merges them as they pile up, so 50 rows indexed per commit cost several
     * times what 2,000 at once do (bench/store-write.ts); a backlog's fetch commits defer, and any
     * free-text query indexes what is pending first, so a search never misses an incident.
     */
    indexInserted(deferUpTo = 0) {
      if (deferUpTo <= 0 || (pendingCount.get() as { n: number }).n > deferUpTo) indexText();
    },
    /** Indexes what a crash or a deferring commit left pending (on open). */
    indexPendingText() {
      if (hasPending()) tx(indexText);
    },
    /** In the insert's transaction: the new incidents in the counts (the UPDATE/DELETE triggers do the rest). */
    countInserted(inserted: readonly NewIncident[]) {
      if (inserted.length === 0) return;
      const bySeverity = new Map<number, number>();
      for (const i of inserted) bySeverity.set(i.severity, (bySeverity.get(i.severity) ?? 0) + 1);
      for (const [severity, n] of bySeverity) addCount.run(severity, n);
      bumpCounts.run();
    },
    /** Indexes rows stored before case management existed (their timeline entry came with the migration). */
    backfill() {
      const rows = db
        .prepare('SELECT rowid, id, name, fields FROM incidents WHERE search_text IS NULL')
        .all() as {
        rowid: number;
        id: string;
        name: string;
        fields: string;
      }[];
      if (rows.length === 0) return;
      tx(() => {
        for (const r of rows)
          index({ id: r.id, name: r.name, fields: JSON.parse(r.fields) as Record<string, unknown> }, r.rowid);
      });
    },
  };
}

/** Facet counts from (status, severity, n) rows; `total` applies the status and severity filters too. */
export function countsFrom(
  rows: readonly FacetRow[],
  q: Pick<CaseQuery, 'status' | 'severities' | 'minSeverity'>,
) {
  const byStatus = { new: 0, active: 0, closed: 0 };
  const bySeverity: Record<string, number> = {};
  let total = 0;
  for (const r of rows) {
    const n = Number(r.n);
    const sev = Number(r.severity);
    byStatus[r.status] += n;
    bySeverity[String(sev)] = (bySeverity[String(sev)] ?? 0) + n;
    if (
      (!q.status?.length || q.status.includes(r.status)) &&
      (!q.severities?.length || q.severities.includes(sev)) &&
      (q.minSeverity === undefined || sev >= q.minSeverity)
    ) {
      total += n;
    }
  }
  return { byStatus, bySeverity, total };
}
