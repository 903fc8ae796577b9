import { connectorApi, type ApiFlags } from '../connector-api.ts';
import { argumentError } from '../options.ts';
import { formatTable, isTerminal, note, printJson, printText } from '../output.ts';

interface Incident {
  id: string;
  name: string;
  occurred: string;
  severity: number;
  originalSeverity: number;
  status: string;
  owner: string | null;
  tags: string[];
  closeReason: string | null;
  closeNotes: string | null;
  fields: Record<string, unknown>;
}
interface Page {
  results: Omit<Incident, 'fields'>[];
  nextCursor: string | null;
  /** null on pages after the first */
  total: number | null;
  counts: { byStatus: Record<string, number>; bySeverity: Record<string, number> } | null;
}
interface Detail {
  incident: Incident;
  notes: { id: number; author: string; body: string; createdAt: string }[];
  timeline: { at: string; actor: { name: string }; kind: string; before: unknown; after: unknown }[];
  logs: { count: number; truncated: boolean } | null;
  related: Incident[];
}

const LABEL: Record<string, string> = {
  '0': '-',
  '0.5': 'INFO',
  '1': 'LOW',
  '2': 'MEDIUM',
  '3': 'HIGH',
  '4': 'SEVERE',
};
const sev = (n: number) => LABEL[String(n)] ?? String(n);
const enc = encodeURIComponent;
const short = (v: unknown) =>
  v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);

function row(i: Omit<Incident, 'fields'>) {
  return {
    id: i.id,
    occurred: i.occurred.replace('.000Z', 'Z'),
    severity: sev(i.severity),
    status: i.status === 'closed' && i.closeReason ? `closed (${i.closeReason})` : i.status,
    owner: i.owner ?? '',
    name: i.name,
    tags: i.tags.join(','),
  };
}

interface ListFlags extends ApiFlags {
  status?: string;
  severity?: string;
  owner?: string;
  unassigned?: boolean;
  rule?: string;
  tag?: string;
  query?: string;
  from?: string;
  to?: string;
  sort?: string;
  order?: string;
  limit?: string;
  cursor?: string;
}

interface UpdateFlags extends ApiFlags {
  status?: string;
  owner?: string;
  unassign?: boolean;
  severity?: string;
  tags?: string;
}

function severityValue(text: string): number {
  const byLabel = Object.entries(LABEL).find(([, l]) => l === text.toUpperCase());
  const n = byLabel ? Number(byLabel[0]) : Number(text);
  if (![0, 0.5, 1, 2, 3, 4].includes(n) || text.trim() === '') {
    throw argumentError(`--severity must be 0, 0.5, 1, 2, 3, 4 or INFO..SEVERE, got "${text}"`);
  }
  return n;
}

/** `incidents list`: the incident queue: filters, sort, one page. */
export async function runIncidentsList(flags: ListFlags): Promise<void> {
  const call = connectorApi(flags);
  const qs = new URLSearchParams();
  const map: [keyof ListFlags, string][] = [
    ['status', 'status'],
    ['severity', 'severity'],
    ['owner', 'owner'],
    ['rule', 'rule'],
    ['tag', 'tag'],
    ['query', 'q'],
    ['from', 'from'],
    ['to', 'to'],
    ['sort', 'sort'],
    ['order', 'order'],
    ['limit', 'limit'],
    ['cursor', 'cursor'],
  ];
  for (const [flag, param] of map) if (flags[flag] !== undefined) qs.set(param, String(flags[flag]));
  if (flags.unassigned) qs.set('unassigned', 'true');
  const page = await call<Page>('GET', `/api/incidents${qs.size ? `?${qs}` : ''}`);
  if (!isTerminal()) return printJson(page);
  printText(
    formatTable(page.results.map(row), ['id', 'occurred', 'severity', 'status', 'owner', 'name', 'tags']),
  );
  const c = page.counts?.byStatus;
  if (c) printText(`${page.total} matching; new ${c.new}, active ${c.active}, closed ${c.closed}`);
  if (page.nextCursor) note(`more: --cursor ${page.nextCursor}`);
}

/** `incidents show`: one incident: fields, notes, timeline, logs, related. */
export async function runIncidentsShow(id: string, flags: ApiFlags): Promise<void> {
  const d = await connectorApi(flags)<Detail>('GET', `/api/incidents/${enc(id)}`);
  if (!isTerminal()) return printJson(d);
  const i = d.incident;
  const lines = [
    `${i.id}  ${i.name}`,
    `occurred ${i.occurred}  severity ${sev(i.severity)}${i.severity !== i.originalSeverity ? ` (was ${sev(i.originalSeverity)})` : ''}  status ${i.status}${i.closeReason ? ` (${i.closeReason})` : ''}  owner ${i.owner ?? '-'}`,
    `tags ${i.tags.join(', ') || '-'}`,
    ...Object.entries(i.fields)
      .filter(([k]) => k.startsWith('groupBy.') || k === 'description')
      .map(([k, v]) => `${k}: ${short(v)}`),
    `logs ${d.logs ? `${d.logs.count}${d.logs.truncated ? '+' : ''} captured` : 'not captured yet'}; ${d.related.length} related`,
    '',
    'Notes',
    ...(d.notes.length ? d.notes.map((n) => `  ${n.createdAt} ${n.author}: ${n.body}`) : ['  (none)']),
    '',
    'Timeline',
    formatTable(
      d.timeline.map((e) => ({
        at: e.at,
        who: e.actor.name,
        what: e.kind,
        before: short(e.before),
        after: short(e.after),
      })),
      ['at', 'who', 'what', 'before', 'after'],
      40,
    ),
  ];
  printText(lines.join('\n'));
}

/** `incidents update`: change status, owner, severity or tags. */
export async function runIncidentsUpdate(id: string, flags: UpdateFlags): Promise<void> {
  const patch: Record<string, unknown> = {};
  if (flags.status !== undefined) {
    if (flags.status === 'closed')
      throw argumentError('close with: siemlink incidents close ID --reason REASON');
    patch.status = flags.status;
  }
  if (flags.owner !== undefined && flags.unassign)
    throw argumentError('--owner and --unassign exclude each other');
  if (flags.owner?.trim() === '')
    throw argumentError('--owner must name a user; use --unassign to leave the incident unassigned');
  if (flags.owner !== undefined) patch.owner = flags.owner;
  if (flags.unassign) patch.owner = null;
  if (flags.severity !== undefined) patch.severity = severityValue(flags.severity);
  if (flags.tags !== undefined)
    patch.tags = flags.tags
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean);
  if (Object.keys(patch).length === 0)
    throw argumentError('nothing to change: give --status, --owner, --unassign, --severity or --tags');
  const i = await connectorApi(flags)<Incident>('PATCH', `/api/incidents/${enc(id)}`, patch);
  if (isTerminal()) printText(formatTable([row(i)], ['id', 'severity', 'status', 'owner', 'tags']));
  else printJson(i);
}

/** `incidents note`: add a Markdown note. */
export async function runIncidentsNote(id: string, text: string[], flags: ApiFlags): Promise<void> {
  const n = await connectorApi(flags)<{ id: number; author: string; createdAt: string }>(
    'POST',
    `/api/incidents/${enc(id)}/notes`,
    { body: text.join(' ') },
  );
  if (isTerminal()) printText(`note ${n.id} added by ${n.author} at ${n.createdAt}`);
  else printJson(n);
}

/** `incidents close`: close with a reason. */
export async function runIncidentsClose(
  id: string,
  flags: ApiFlags & { reason: string; notes?: string },
): Promise<void> {
  const i = await connectorApi(flags)<Incident>('PATCH', `/api/incidents/${enc(id)}`, {
    status: 'closed',
    closeReason: flags.reason,
    ...(flags.notes !== undefined ? { closeNotes: flags.notes } : {}),
  });
  if (isTerminal()) printText(formatTable([row(i)], ['id', 'severity', 'status', 'owner']));
  else printJson(i);
}
