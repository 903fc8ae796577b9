import { Agent } from 'undici';
import { parseRetryAfter } from '../client/transport.ts';
import { configError } from '../errors.ts';
import type { Incident } from '../store/types.ts';
import { keptBody, sinkSecret, sinkUrl, type SinkContext, type SinkInstance } from './define.ts';
import { XSOAR8_PREFIX, type XsoarSettings } from './kinds/xsoar.ts';
import { consoleLink, groupByValues, tags, text } from './incident-view.ts';
import { jsonPoster } from './json-post.ts';
import { messageText } from './message.ts';

/**
 * The event as the Logz.io XSOAR integration puts it in `rawJSON`: group-by fields lifted to the
 * top level, `hits` dropped, `datasource: "Logz.Io"` (so existing mappers and playbooks work).
 */
export function xsoarRawEvent(incident: Incident): Record<string, unknown> {
  const event: Record<string, unknown> = { ...incident.raw };
  const groupBy = event.groupBy;
  if (groupBy && typeof groupBy === 'object' && !Array.isArray(groupBy)) {
    Object.assign(event, groupBy);
    delete event.groupBy;
  }
  delete event.hits;
  event.datasource = 'Logz.Io';
  return event;
}

export function xsoarIncident(
  incident: Incident,
  s: { type: string; dedupField: string; consoleUrl: string; createInvestigation: boolean },
  message?: unknown,
): Record<string, unknown> {
  const labels = [
    { type: 'alertEventId', value: incident.alertEventId },
    { type: 'siemlinkIncidentId', value: incident.id },
    ...tags(incident).map((value) => ({ type: 'tag', value })),
    ...groupByValues(incident).map((v) => ({ type: v.field, value: v.value })),
  ];
  return {
    name: incident.name,
    type: s.type,
    // Already the XSOAR scale (0, 0.5, 1..4), as the Logz.io integration maps Logz.io severities.
    severity: incident.severity,
    // Second precision, as the Logz.io integration sends it.
    occurred: new Date(Date.parse(incident.occurred)).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    details: [
      message === undefined ? '' : messageText(message),
      text(incident, 'description') ?? '',
      consoleLink(s.consoleUrl, incident),
    ]
      .filter(Boolean)
      .join('\n\n'),
    labels,
    rawJSON: JSON.stringify(xsoarRawEvent(incident)),
    CustomFields: xsoarCustomFields(incident, s.dedupField),
    createInvestigation: s.createInvestigation,
  };
}

/**
 * CustomFields as the Logz.io pack's incoming mapper fills them (`Logz.io - Incoming Mapper`):
 * Logz.Io Alert ID (`logzioalertid`) <- alertId, Logz.io Alert Event ID (`logzioalerteventid`)
 * <- alertEventId, Logz.io Alert Summary (`logzioalertsummary`) <- alertSummary, Logz.io Tags
 * (`logziotags`, multi-select) <- tags; plus `dedupField` (the field searched before create)
 * holding the alert event id. Absent values are left out, not sent empty.
 */
export function xsoarCustomFields(incident: Incident, dedupField: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const alertId = incident.fields.alertId;
  if (typeof alertId === 'string' || typeof alertId === 'number') out.logzioalertid = String(alertId);
  out.logzioalerteventid = incident.alertEventId;
  const summary = text(incident, 'alertSummary');
  if (summary) out.logzioalertsummary = summary;
  const t = tags(incident);
  if (t.length) out.logziotags = t;
  out[dedupField] = incident.alertEventId;
  return out;
}

/**
 * `POST /incident/batch` takes an UpdateDataBatch: the incident's fields in `data` and its custom
 * fields in `CustomFields` (one map each, so one incident per request); it answers an
 * IncidentSearchResponseWrapper, `{total, data: [incident]}`.
 */
export function xsoarBatchBody(body: Record<string, unknown>): Record<string, unknown> {
  const { CustomFields, ...data } = body;
  return { data, CustomFields };
}

/** XSOAR's query syntax: a quoted value with `"` and `\` escaped. */
const quoted = (v: string) => `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`;

/** Opens a xsoar sink (declared in kinds/xsoar.ts, which imports this file only when one is configured). */
export async function createXsoarSink(settings: XsoarSettings, ctx: SinkContext): Promise<SinkInstance> {
  const base = sinkUrl(ctx, 'url', settings.url);
  const key = sinkSecret(ctx, 'apiKeyEnv', settings.apiKeyEnv);
  if (settings.xsoar8 && !settings.authId) {
    throw configError(`sinks.${ctx.name}.authId`, 'XSOAR 8 needs the API key id (x-xdr-auth-id)');
  }
  const prefix = base.pathname.replace(/\/+$/, '') + (settings.xsoar8 ? XSOAR8_PREFIX : '');
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/json',
    authorization: key,
    'user-agent': 'siemlink-connector/0.1',
  };
  if (settings.xsoar8) headers['x-xdr-auth-id'] = settings.authId!;
  const agent = new Agent({ keepAliveTimeout: 30_000, connections: 4 });
  const post = jsonPoster(agent, base, prefix, headers);
  const failure = (what: string, r: Awaited<ReturnType<typeof post>>) => {
    const auth = r.status === 401 || r.status === 403;
    return {
      ok: false as const,
      status: r.status,
      error: auth
        ? `XSOAR refused the API key from ${settings.apiKeyEnv} (HTTP ${r.status}) on ${what}: check the key${settings.xsoar8 ? ' and authId' : ''}`
        : `HTTP ${r.status} from XSOAR ${base.host} on ${what}`,
      retryAfterMs: parseRetryAfter(r.headers['retry-after'], ctx.clock.now()),
      body: keptBody(r.text),
      ...(r.status >= 400 && r.status < 500 && r.status !== 408 && r.status !== 429
        ? { permanent: true }
        : {}),
    };
  };
  const idOf = (t: string): string | null => {
    try {
      const id = (JSON.parse(t) as { id?: unknown }).id;
      return typeof id === 'string' || typeof id === 'number' ? String(id) : null;
    } catch {
      return null;
    }
  };
  const batchIdOf = (t: string): string | null => {
    try {
      const id = (JSON.parse(t) as { data?: { id?: unknown }[] | null }).data?.[0]?.id;
      return typeof id === 'string' || typeof id === 'number' ? String(id) : null;
    } catch {
      return null;
    }
  };
  return {
    async deliver(item, signal) {
      const query = `${settings.dedupField}:${quoted(item.incident.alertEventId)}`;
      const found = await post('/incidents/search', { filter: { query, page: 0, size: 1 } }, signal);
      if (found.status < 200 || found.status >= 300) return failure('search', found);
      try {
        const data = (JSON.parse(found.text) as { data?: { id?: unknown }[] | null }).data;
        const id = data?.[0]?.id;
        if (typeof id === 'string' || typeof id === 'number') return { ok: true, remoteId: String(id) };
      } catch {
        return {
          ok: false,
          status: found.status,
          error: 'XSOAR search answered non-JSON',
          body: keptBody(found.text),
        };
      }
      const body = xsoarIncident(item.incident, settings, item.message);
      const created = settings.batch
        ? await post('/incident/batch', xsoarBatchBody(body), signal)
        : await post('/incident', body, signal);
      if (created.status < 200 || created.status >= 300) return failure('create', created);
      return { ok: true, remoteId: settings.batch ? batchIdOf(created.text) : idOf(created.text) };
    },
    async close() {
      await agent.close();
    },
  };
}
