import { useState, type FormEvent } from 'react';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { incidents, type IncidentFilters } from '../api/endpoints.ts';
import { CLOSE_REASONS, SEVERITIES, canWrite, type IncidentList } from '../api/types.ts';
import { Link, useRouter } from '../router.tsx';
import { useSession } from '../session.tsx';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { SeverityBadge } from '../components/SeverityBadge.tsx';
import { utc } from '../components/format.ts';
import { useIncidentStream } from '../components/useIncidentStream.ts';

const FILTER_KEYS = [
  'status',
  'severity',
  'owner',
  'rule',
  'tag',
  'q',
  'from',
  'to',
  'sort',
  'order',
] as const;

/** The sort choices, as `sort:order` of the API. */
const SORTS = [
  ['occurred:desc', 'newest first'],
  ['occurred:asc', 'oldest first'],
  ['severity:desc', 'severity, highest first'],
  ['updated:desc', 'recently updated'],
] as const;

export function QueuePage() {
  const { loc, navigate } = useRouter();
  const { me } = useSession();
  const qc = useQueryClient();
  const arrived = useIncidentStream();
  const filters: IncidentFilters = {};
  for (const k of FILTER_KEYS) {
    const v = loc.search.get(k);
    if (v) filters[k] = v;
  }
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors.at(-1);
  const list = useQuery({
    queryKey: ['incidents', 'list', filters, cursor],
    queryFn: ({ signal }) => incidents.list({ ...filters, cursor, limit: 50 }, signal),
    placeholderData: keepPreviousData,
  });
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [closeReason, setCloseReason] = useState('');

  const setFilter = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const data = new FormData(e.currentTarget);
    const p = new URLSearchParams();
    for (const k of FILTER_KEYS) {
      const v = String(data.get(k) ?? '').trim();
      if (v && k !== 'sort' && k !== 'order') p.set(k, v);
    }
    const [sort, order] = String(data.get('sortOrder') ?? 'occurred:desc').split(':');
    if (sort !== 'occurred' || order !== 'desc') {
      p.set('sort', sort!);
      p.set('order', order!);
    }
    setCursors([]);
    navigate(`/?${p.toString()}`);
  };

  const bulk = useMutation({
    mutationFn: (patch: Parameters<typeof incidents.bulk>[1]) => incidents.bulk([...selected], patch),
    onSuccess: () => {
      setSelected(new Set());
      void qc.invalidateQueries({ queryKey: ['incidents'] });
      void qc.invalidateQueries({ queryKey: ['health'] });
    },
  });

  const rows = list.data?.results ?? [];
  // Later pages come without counts: show the first page's (same filters).
  const first = list.data?.counts
    ? list.data
    : qc.getQueryData<IncidentList>(['incidents', 'list', filters, undefined]);
  const statusCounts = first?.counts?.byStatus ?? {};
  const severityCounts = first?.counts?.bySeverity ?? {};
  const toggle = (id: string) =>
    setSelected((s) => {
      const n = new Set(s);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });
  const writer = canWrite(me);

  return (
    <section aria-labelledby="queue-title">
      <div className="page-head">
        <h1 id="queue-title">Incidents</h1>
        <p className="counts" aria-label="Counts">
          {['new', 'active', 'closed'].map((s) => (
            <span key={s} className={`count status-${s}`} data-testid={`count-${s}`}>
              {s} <b>{statusCounts[s] ?? 0}</b>
            </span>
          ))}
          {SEVERITIES.filter(
            (s) => severityCounts[String(s.value)] !== undefined || severityCounts[s.label] !== undefined,
          ).map((s) => (
            <span key={s.label} className="count">
              {s.label} <b>{severityCounts[String(s.value)] ?? severityCounts[s.label]}</b>
            </span>
          ))}
        </p>
        <p className="live" role="status" aria-live="polite">
          {arrived > 0
            ? `${arrived} new incident(s) arrived; the list is up to date.`
            : 'Live: new incidents appear as fetch runs bring them.'}
        </p>
      </div>

      <form className="filters" onSubmit={setFilter} aria-label="Filters" key={loc.search.toString()}>
        <label>
          Status
          <select name="status" defaultValue={filters.status ?? ''}>
            <option value="">any</option>
            <option value="new,active">open (new, active)</option>
            <option value="new">new</option>
            <option value="active">active</option>
            <option value="closed">closed</option>
          </select>
        </label>
        <label>
          Severity
          <select name="severity" defaultValue={filters.severity ?? ''}>
            <option value="">any</option>
            {SEVERITIES.map((s) => (
              <option key={s.label} value={s.label}>
                {s.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Owner
          <input name="owner" defaultValue={filters.owner ?? ''} placeholder="user name" />
        </label>
        <label>
          Rule
          <input name="rule" defaultValue={filters.rule ?? ''} placeholder="rule name" />
        </label>
        <label>
          Tag
          <input name="tag" defaultValue={filters.tag ?? ''} />
        </label>
        <label className="grow">
          Text
          <input
            name="q"
            type="search"
            defaultValue={filters.q ?? ''}
            placeholder="name, description, groupBy values"
          />
        </label>
        <label>
          From (UTC)
          <input name="from" defaultValue={filters.from ?? ''} placeholder="2026-12-01T00:00Z" />
        </label>
        <label>
          To (UTC)
          <input name="to" defaultValue={filters.to ?? ''} placeholder="now" />
        </label>
        <label>
          Sort
          <select name="sortOrder" defaultValue={`${filters.sort ?? 'occurred'}:${filters.order ?? 'desc'}`}>
            {SORTS.map(([v, l]) => (
              <option key={v} value={v}>
                {l}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">Apply</button>
      </form>

      {writer && selected.size > 0 && (
        <div className="bulk" role="region" aria-label="Bulk actions">
          <span>{selected.size} selected</span>
          <button type="button" onClick={() => bulk.mutate({ owner: me.username, status: 'active' })}>
            Assign to me
          </button>
          <label>
            Close reason
            <select value={closeReason} onChange={(e) => setCloseReason(e.target.value)}>
              <option value="">choose…</option>
              {CLOSE_REASONS.map(([v, l]) => (
                <option key={v} value={v}>
                  {l}
                </option>
              ))}
            </select>
          </label>
          <button
            type="button"
            disabled={!closeReason}
            onClick={() => bulk.mutate({ status: 'closed', closeReason })}
          >
            Close selected
          </button>
          <ErrorNote error={bulk.error} />
        </div>
      )}

      <ErrorNote error={list.error} />
      <div className="table-wrap">
        <table className="incidents">
          <thead>
            <tr>
              {writer && (
                <th scope="col">
                  <input
                    type="checkbox"
                    aria-label="Select all on this page"
                    checked={rows.length > 0 && rows.every((r) => selected.has(r.id))}
                    onChange={(e) =>
                      setSelected(e.target.checked ? new Set(rows.map((r) => r.id)) : new Set())
                    }
                  />
                </th>
              )}
              <th scope="col">Severity</th>
              <th scope="col">Name</th>
              <th scope="col">Status</th>
              <th scope="col">Owner</th>
              <th scope="col">Occurred (UTC)</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((i) => (
              <tr key={i.id}>
                {writer && (
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`Select ${i.name}`}
                      checked={selected.has(i.id)}
                      onChange={() => toggle(i.id)}
                    />
                  </td>
                )}
                <td>
                  <SeverityBadge value={i.severity} />
                </td>
                <td>
                  <Link to={`/incidents/${encodeURIComponent(i.id)}`}>{i.name}</Link>
                </td>
                <td>
                  <span className={`status status-${i.status}`}>{i.status}</span>
                </td>
                <td>{i.owner ?? '—'}</td>
                <td>{utc(i.occurred)}</td>
              </tr>
            ))}
            {rows.length === 0 && !list.isPending && (
              <tr>
                <td colSpan={6}>No incidents match.</td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      <div className="pager">
        <span>{list.data ? `${first?.total ?? '…'} incident(s)` : 'Loading…'}</span>
        <button
          type="button"
          disabled={cursors.length === 0}
          onClick={() => setCursors((c) => c.slice(0, -1))}
        >
          Previous
        </button>
        <button
          type="button"
          disabled={!list.data?.nextCursor}
          onClick={() => setCursors((c) => [...c, list.data!.nextCursor!])}
        >
          Next
        </button>
      </div>
    </section>
  );
}
