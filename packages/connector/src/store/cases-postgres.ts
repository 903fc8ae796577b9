import type pg from 'pg';
import { applyPatch, type CaseState } from '../cases/apply-patch.ts';
import { percentiles } from '../cases/percentiles.ts';
import type { Actor, CasePatch, Note } from '../cases/schemas.ts';
import { groupKey, searchText } from '../cases/text.ts';
import { apiError } from '../errors.ts';
import type { CaseStore } from './case-types.ts';
import { caseConditions, facetsOnly, INCIDENT_COLUMNS, postgresDialect, queueSql } from './case-query.ts';
import { countsFrom } from './cases-sqlite.ts';
import { countsCacheKey, createCountsCache, type FacetRow } from './counts-cache.ts';
import { toIncident, toSummary, type IncidentRow, type SummaryRow } from './rows.ts';
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

type Q = Pick<pg.PoolClient, 'query'>;

/** Past this many delta rows a read folds them into one row per (status, severity). */
const FOLD_DELTAS_OVER = 500;
const ms = (n: number) => Math.floor(n);

/**
 * Case management on the PostgreSQL store (`s` is the quoted schema). Writes run in the store's
 * transactions; an update locks its incident row (FOR UPDATE) so two analysts' changes serialise.
 */
export function postgresCases(
  pool: pg.Pool,
  s: string,
  tx: <T>(fn: (c: pg.PoolClient) => Promise<T>) => Promise<T>,
) {
  const json = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));
  const timeline = (
    q: Q,
    id: string,
    kind: string,
    actor: Actor,
    before: unknown,
    after: unknown,
    now: number,
  ) =>
    q.query(
      `INSERT INTO ${s}.incident_timeline (incident_id, at, actor_kind, actor, kind, before, after) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [id, ms(now), actor.kind, actor.name, kind, json(before), json(after)],
    );
  const index = (q: Q, i: { id: string; name: string; fields: Record<string, unknown> }) => {
    const words = searchText(i);
    return q.query(
      `UPDATE ${s}.incidents SET original_severity = COALESCE(original_severity, severity), group_key = $2,
         search_text = $3, search_tsv = to_tsvector('simple', $3) WHERE id = $1`,
      [i.id, groupKey(i), words],
    );
  };
  const getRow = async (q: Q, id: string, lock = false) =>
    (
      await q.query<IncidentRow>(
        `SELECT ${INCIDENT_COLUMNS} FROM ${s}.incidents WHERE id = $1${lock ? ' FOR UPDATE' : ''}`,
        [id],
      )
    ).rows[0];
  const exists = async (q: Q, id: string) =>
    ((await q.query(`SELECT 1 FROM ${s}.incidents WHERE id = $1 FOR UPDATE`, [id])).rowCount ?? 0) > 0;

  const write = async (q: Q, id: string, st: CaseState, now: number) => {
    await q.query(
      `UPDATE ${s}.incidents SET status = $2, owner = $3, severity = $4, tags = $5, close_reason = $6, close_notes = $7,
         acknowledged_at = $8, closed_at = $9, updated_at = $10 WHERE id = $1`,
      [
        id,
        st.status,
        st.owner,
        st.severity,
        JSON.stringify(st.tags),
        st.closeReason,
        st.closeNotes,
        st.acknowledgedAt === null ? null : ms(st.acknowledgedAt),
        st.closedAt === null ? null : ms(st.closedAt),
        ms(now),
      ],
    );
    await q.query(`DELETE FROM ${s}.incident_tags WHERE incident_id = $1`, [id]);
    for (const t of st.tags)
      await q.query(`INSERT INTO ${s}.incident_tags (tag, incident_id) VALUES ($1, $2)`, [t, id]);
  };

  const update = async (q: Q, id: string, patch: CasePatch, actor: Actor, now: number) => {
    const row = await getRow(q, id, true);
    if (!row) return null;
    const { next, changes } = applyPatch(caseState(row), patch, now);
    if (changes.length === 0) return toIncident(row);
    await write(q, id, next, now);
    for (const c of changes) await timeline(q, id, c.kind, actor, c.before, c.after, now);
    return toIncident((await getRow(q, id))!);
  };

  const notes = async (q: Q, incidentId: string, noteId?: number): Promise<Note[]> => {
    const { rows } =
      noteId === undefined
        ? await q.query<NoteRow>(`SELECT * FROM ${s}.incident_notes WHERE incident_id = $1 ORDER BY id`, [
            incidentId,
          ])
        : await q.query<NoteRow>(`SELECT * FROM ${s}.incident_notes WHERE incident_id = $1 AND id = $2`, [
            incidentId,
            noteId,
          ]);
    const out: Note[] = [];
    for (const n of rows) {
      const revs = await q.query<RevisionRow>(
        `SELECT * FROM ${s}.incident_note_revisions WHERE note_id = $1 ORDER BY id`,
        [n.id],
      );
      out.push(toNote(n, revs.rows));
    }
    return out;
  };

  const countsCache = createCountsCache();
  /**
   * Counts by status and severity summed from the deltas the triggers append, and their generation:
   * the deltas' count and id sum, which any new delta (ids only grow) changes.
   */
  const facetCounts = async () => {
    const { rows } = await pool.query<FacetRow & { k: string; ids: string }>(
      `SELECT status, severity, SUM(n) AS n, COUNT(*) AS k, SUM(id) AS ids
       FROM ${s}.incident_count_deltas GROUP BY status, severity`,
    );
    let k = 0n;
    let ids = 0n;
    for (const r of rows) {
      k += BigInt(r.k);
      ids += BigInt(r.ids);
    }
    if (k > FOLD_DELTAS_OVER) {
      await pool.query(
        `WITH d AS (DELETE FROM ${s}.incident_count_deltas RETURNING status, severity, n)
         INSERT INTO ${s}.incident_count_deltas (status, severity, n)
         SELECT status, severity, SUM(n) FROM d GROUP BY status, severity HAVING SUM(n) <> 0`,
      );
    }
    return { rows: rows.filter((r) => Number(r.n) > 0), generation: `${k}:${ids}` };
  };

  const cases: CaseStore = {
    async queryIncidents(q) {
      const args: unknown[] = [];
      const sql = queueSql(q, postgresDialect(args, s));
      return (await pool.query<SummaryRow>(sql, args)).rows.map(toSummary);
    },
    async caseCounts(q) {
      const facets = await facetCounts();
      if (facetsOnly(q)) return countsFrom(facets.rows, q);
      const key = countsCacheKey(q);
      const cached = key === null ? undefined : countsCache.get(key, facets.generation);
      if (cached) return countsFrom(cached, q);
      const args: unknown[] = [];
      const where = caseConditions(q, postgresDialect(args, s), false);
      const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
      const { rows } = await pool.query<FacetRow>(
        `SELECT status, severity, COUNT(*) AS n FROM ${s}.incidents ${clause} GROUP BY status, severity`,
        args,
      );
      if (key !== null) countsCache.set(key, facets.generation, rows);
      return countsFrom(rows, q);
    },
    async updateCase(id, patch, actor, now) {
      return tx((c) => update(c, id, patch, actor, now));
    },
    async bulkUpdateCases(ids, patch, actor, now) {
      return tx(async (c) => {
        const out = [];
        for (const id of ids) {
          const r = await update(c, id, patch, actor, now);
          if (!r)
            throw apiError(
              'INCIDENT_NOT_FOUND',
              `no incident with id "${id}"; nothing was changed`,
              'body.ids',
            );
          out.push(r);
        }
        return out;
      });
    },
    async addNote(incidentId, body, actor, now) {
      return tx(async (c) => {
        if (!(await exists(c, incidentId))) return null;
        const { rows } = await c.query<{ id: string }>(
          `INSERT INTO ${s}.incident_notes (incident_id, author, body, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) RETURNING id`,
          [incidentId, actor.name, body, ms(now)],
        );
        const id = Number(rows[0]!.id);
        await timeline(c, incidentId, 'note_added', actor, null, { noteId: id, body }, now);
        return (await notes(c, incidentId, id))[0]!;
      });
    },
    async editNote(incidentId, noteId, body, actor, now) {
      return tx(async (c) => {
        const { rows } = await c.query<NoteRow>(
          `SELECT * FROM ${s}.incident_notes WHERE incident_id = $1 AND id = $2 FOR UPDATE`,
          [incidentId, noteId],
        );
        const row = rows[0];
        if (!row) return null;
        if (row.body !== body) {
          await c.query(
            `INSERT INTO ${s}.incident_note_revisions (note_id, author, body, at) VALUES ($1, $2, $3, $4)`,
            [noteId, row.author, row.body, row.updated_at],
          );
          await c.query(`UPDATE ${s}.incident_notes SET body = $1, updated_at = $2 WHERE id = $3`, [
            body,
            ms(now),
            noteId,
          ]);
          await timeline(
            c,
            incidentId,
            'note_edited',
            actor,
            { noteId, body: row.body },
            { noteId, body },
            now,
          );
        }
        return (await notes(c, incidentId, noteId))[0]!;
      });
    },
    async listNotes(incidentId) {
      return notes(pool, incidentId);
    },
    async timeline(incidentId) {
      const [created, { rows }] = await Promise.all([
        pool.query<CreatedRow>(
          `SELECT id, created_at, original_severity, severity FROM ${s}.incidents WHERE id = $1`,
          [incidentId],
        ),
        pool.query<TimelineRow>(`SELECT * FROM ${s}.incident_timeline WHERE incident_id = $1 ORDER BY id`, [
          incidentId,
        ]),
      ]);
      const first = created.rows[0];
      return [...(first ? [createdEntry(first)] : []), ...rows.map(toTimeline)];
    },
    async appendTimeline(incidentId, e, now) {
      return tx(async (c) => {
        if (!(await exists(c, incidentId))) return false;
        await timeline(c, incidentId, e.kind, e.actor, e.before ?? null, e.after ?? null, now);
        return true;
      });
    },
    async putIncidentLogs(incidentId, l, actor, now) {
      return tx(async (c) => {
        if (!(await exists(c, incidentId))) return false;
        await c.query(
          `INSERT INTO ${s}.incident_logs (incident_id, fetched_at, cap, truncated, error, logs) VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (incident_id) DO UPDATE SET fetched_at = excluded.fetched_at, cap = excluded.cap,
             truncated = excluded.truncated, error = excluded.error, logs = excluded.logs`,
          [incidentId, ms(now), l.cap, l.truncated, l.error, JSON.stringify(l.logs)],
        );
        await timeline(
          c,
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
    async getIncidentLogs(incidentId) {
      const { rows } = await pool.query<LogsRow>(`SELECT * FROM ${s}.incident_logs WHERE incident_id = $1`, [
        incidentId,
      ]);
      return rows[0] ? toLogs(rows[0]) : null;
    },
    async relatedIncidents(incidentId, windowMs, limit) {
      const me = (
        await pool.query<{ group_key: string | null; occurred_ms: string }>(
          `SELECT group_key, occurred_ms FROM ${s}.incidents WHERE id = $1`,
          [incidentId],
        )
      ).rows[0];
      if (!me?.group_key) return [];
      const at = Number(me.occurred_ms);
      const { rows } = await pool.query<IncidentRow>(
        `SELECT ${INCIDENT_COLUMNS} FROM ${s}.incidents WHERE group_key = $1 AND occurred_ms BETWEEN $2 AND $3 AND id <> $4
         ORDER BY occurred_ms DESC, id COLLATE "C" DESC LIMIT $5`,
        [me.group_key, ms(at - windowMs), ms(at + windowMs), incidentId, limit],
      );
      return rows.map(toIncident);
    },
    async caseSla() {
      const durations = async (col: string) =>
        (
          await pool.query<{ d: string }>(
            `SELECT ${col} - created_at AS d FROM ${s}.incidents WHERE ${col} IS NOT NULL ORDER BY d`,
          )
        ).rows.map((r) => Number(r.d));
      return {
        timeToAcknowledge: percentiles(await durations('acknowledged_at')),
        timeToClose: percentiles(await durations('closed_at')),
      };
    },
  };

  return {
    cases,
    /** updateCase's work on a client inside its running transaction (a playbook step's effect). */
    updateInTx: update,
    /** addNote's work on a client inside its running transaction; false when there is no such incident. */
    async noteInTx(q: Q, incidentId: string, body: string, actor: Actor, now: number): Promise<boolean> {
      if (!(await exists(q, incidentId))) return false;
      const { rows } = await q.query<{ id: string }>(
        `INSERT INTO ${s}.incident_notes (incident_id, author, body, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) RETURNING id`,
        [incidentId, actor.name, body, ms(now)],
      );
      await timeline(q, incidentId, 'note_added', actor, null, { noteId: Number(rows[0]!.id), body }, now);
      return true;
    },
    /** Indexes rows stored before case management existed. */
    async backfill() {
      const { rows } = await pool.query<{ id: string; name: string; fields: string }>(
        `SELECT id, name, fields FROM ${s}.incidents WHERE search_text IS NULL`,
      );
      if (rows.length === 0) return;
      await tx(async (c) => {
        for (const r of rows)
          await index(c, { id: r.id, name: r.name, fields: JSON.parse(r.fields) as Record<string, unknown> });
      });
    },
  };
}
