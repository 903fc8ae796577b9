import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { principal } from '../auth/plugin.ts';
import type { Principal } from '../auth/schemas.ts';
import { encodeCursor } from '../cases/cursor.ts';
import type { Actor, CaseQuery, IncidentLogs } from '../cases/schemas.ts';
import type { Clock } from '../context.ts';
import { apiError } from '../errors.ts';
import type { Incident, IncidentStore, IncidentSummary } from '../store/types.ts';
import { toCaseQuery } from './queue-query.ts';
import {
  BulkBody,
  CasePatch,
  DetailQuery,
  ErrorBody,
  IdParams,
  IncidentDetail,
  IncidentLogs as IncidentLogsSchema,
  Incident as IncidentSchema,
  Note,
  NoteInput,
  NoteParams,
  QueuePage,
  QueueQuery,
  TimelineEntry,
} from './schemas.ts';

export interface IncidentRoutesDeps {
  store: IncidentStore;
  clock: Clock;
  /** Re-reads an incident's triggering logs from the SIEM; absent when the API has no client. */
  refetchLogs?: (incident: Incident, actor: Actor) => Promise<IncidentLogs | null>;
}

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };
const tags = ['incidents'];

export const actorOf = (p: Principal): Actor => ({ kind: p.kind, name: p.name });

const notFound = (id: string) => apiError('INCIDENT_NOT_FOUND', `no incident with id "${id}"`, 'params.id');

function cursorAfter(q: CaseQuery, last: IncidentSummary): string {
  const occurred = Date.parse(last.occurred);
  const keys =
    q.sort === 'severity'
      ? [last.severity, occurred]
      : q.sort === 'updated'
        ? [Date.parse(last.updatedAt)]
        : [occurred];
  return encodeCursor({ sort: q.sort, order: q.order, keys, id: last.id });
}

/** The incident queue and the work on one incident: update, bulk update, notes, logs. */
export function incidentRoutes(app: FastifyInstance, deps: IncidentRoutesDeps): void {
  const { store, clock } = deps;

  app.get<{ Querystring: QueueQuery }>(
    '/api/incidents',
    {
      schema: {
        tags,
        summary:
          'The incident queue: filters, sort, cursor pages; counts by status and severity on the first page',
        querystring: QueueQuery,
        response: { 200: QueuePage, ...errors },
      },
    },
    async (req) => {
      const q = toCaseQuery(req.query, principal(req));
      const { sort: _s, order: _o, limit: _l, after: _a, ...filters } = q;
      // Counts walk every matching incident: the first page shows them, the next pages need not.
      const wantCounts = req.query.counts ?? req.query.cursor === undefined;
      const [rows, counts] = await Promise.all([
        store.queryIncidents(q),
        wantCounts ? store.caseCounts(filters) : null,
      ]);
      const results = rows.slice(0, q.limit);
      const nextCursor = rows.length > q.limit ? cursorAfter(q, results.at(-1)!) : null;
      return {
        results,
        nextCursor,
        total: counts?.total ?? null,
        counts: counts && { byStatus: counts.byStatus, bySeverity: counts.bySeverity },
      };
    },
  );

  app.get<{ Params: IdParams; Querystring: DetailQuery }>(
    '/api/incidents/:id',
    {
      schema: {
        tags,
        summary: 'One incident with its notes, timeline, captured logs and related incidents',
        params: IdParams,
        querystring: DetailQuery,
        response: { 200: IncidentDetail, ...errors },
      },
    },
    async (req) => {
      const id = req.params.id;
      const incident = await store.getIncident(id);
      if (!incident) throw notFound(id);
      const [notes, timeline, logs, related] = await Promise.all([
        store.listNotes(id),
        store.timeline(id),
        store.getIncidentLogs(id),
        store.relatedIncidents(id, req.query.relatedWindowHours * 3600_000, 20),
      ]);
      return { incident, notes, timeline, logs, related };
    },
  );

  app.patch<{ Params: IdParams; Body: CasePatch }>(
    '/api/incidents/:id',
    {
      schema: {
        tags,
        summary: 'Change status, owner, severity, tags; close with a reason (analyst)',
        params: IdParams,
        body: CasePatch,
        response: { 200: IncidentSchema, ...errors },
      },
    },
    async (req) => {
      const updated = await store.updateCase(req.params.id, req.body, actorOf(principal(req)), clock.now());
      if (!updated) throw notFound(req.params.id);
      return updated;
    },
  );

  app.post<{ Body: BulkBody }>(
    '/api/incidents/bulk',
    {
      schema: {
        tags,
        summary: 'The same change on many incidents, in one transaction: all or nothing (analyst)',
        body: BulkBody,
        response: { 200: Type.Object({ results: Type.Array(IncidentSchema) }), ...errors },
      },
    },
    async (req) => ({
      results: await store.bulkUpdateCases(
        req.body.ids,
        req.body.patch,
        actorOf(principal(req)),
        clock.now(),
      ),
    }),
  );

  app.get<{ Params: IdParams }>(
    '/api/incidents/:id/timeline',
    {
      schema: {
        tags,
        summary: 'The append-only history',
        params: IdParams,
        response: { 200: Type.Array(TimelineEntry), ...errors },
      },
    },
    async (req) => {
      if (!(await store.getIncident(req.params.id))) throw notFound(req.params.id);
      return store.timeline(req.params.id);
    },
  );

  app.get<{ Params: IdParams }>(
    '/api/incidents/:id/notes',
    {
      schema: {
        tags,
        summary: 'Notes, oldest first',
        params: IdParams,
        response: { 200: Type.Array(Note), ...errors },
      },
    },
    async (req) => {
      if (!(await store.getIncident(req.params.id))) throw notFound(req.params.id);
      return store.listNotes(req.params.id);
    },
  );

  app.post<{ Params: IdParams; Body: NoteInput }>(
    '/api/incidents/:id/notes',
    {
      schema: {
        tags,
        summary: 'Add a Markdown note (analyst)',
        params: IdParams,
        body: NoteInput,
        response: { 201: Note, ...errors },
      },
    },
    async (req, reply) => {
      const note = await store.addNote(req.params.id, req.body.body, actorOf(principal(req)), clock.now());
      if (!note) throw notFound(req.params.id);
      return reply.status(201).send(note);
    },
  );

  app.patch<{ Params: NoteParams; Body: NoteInput }>(
    '/api/incidents/:id/notes/:noteId',
    {
      schema: {
        tags,
        summary: "Edit one's own note; the earlier text is kept as a revision (analyst)",
        params: NoteParams,
        body: NoteInput,
        response: { 200: Note, ...errors },
      },
    },
    async (req) => {
      const who = principal(req);
      const notes = await store.listNotes(req.params.id);
      const note = notes.find((n) => n.id === req.params.noteId);
      if (!note) {
        throw apiError(
          'NOTE_NOT_FOUND',
          `incident "${req.params.id}" has no note ${req.params.noteId}`,
          'params.noteId',
        );
      }
      if (note.author !== who.name) {
        throw apiError(
          'FORBIDDEN',
          `only its author (${note.author}) may edit note ${note.id}`,
          'params.noteId',
        );
      }
      return (await store.editNote(
        req.params.id,
        req.params.noteId,
        req.body.body,
        actorOf(who),
        clock.now(),
      ))!;
    },
  );

  app.get<{ Params: IdParams }>(
    '/api/incidents/:id/logs',
    {
      schema: {
        tags,
        summary: 'The triggering logs captured with the incident',
        params: IdParams,
        response: { 200: IncidentLogsSchema, ...errors },
      },
    },
    async (req) => {
      if (!(await store.getIncident(req.params.id))) throw notFound(req.params.id);
      const logs = await store.getIncidentLogs(req.params.id);
      return (
        logs ?? {
          incidentId: req.params.id,
          fetchedAt: null,
          count: 0,
          cap: 0,
          truncated: false,
          error: null,
          logs: [],
        }
      );
    },
  );

  app.post<{ Params: IdParams }>(
    '/api/incidents/:id/logs/refetch',
    {
      schema: {
        tags,
        summary: 'Read the triggering logs from the SIEM again (analyst)',
        params: IdParams,
        response: { 200: IncidentLogsSchema, ...errors, 409: ErrorBody },
      },
    },
    async (req) => {
      const incident = await store.getIncident(req.params.id);
      if (!incident) throw notFound(req.params.id);
      if (!deps.refetchLogs)
        throw apiError('NO_SIEM_CLIENT', 'this API has no SIEM client to read logs with');
      return (await deps.refetchLogs(incident, actorOf(principal(req))))!;
    },
  );
}
