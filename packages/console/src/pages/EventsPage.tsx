import { useState, type FormEvent } from 'react';
import { useQuery } from '@tanstack/react-query';
import { securityEvents } from '../api/endpoints.ts';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { TimeRangePicker, type TimeRange } from '../components/TimeRangePicker.tsx';
import { JsonView } from '../components/JsonView.tsx';
import { utc } from '../components/format.ts';

export function EventsPage() {
  const [text, setText] = useState('');
  const [range, setRange] = useState<TimeRange>({ kind: 'relative', from: '24 hours ago', to: 'now' });
  const [params, setParams] = useState({ search: '', from: range.from, to: range.to, page: 1 });
  const q = useQuery({ queryKey: ['security-events', params], queryFn: () => securityEvents.search(params) });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setParams({ search: text, from: range.from, to: range.to, page: 1 });
  };
  const pages = q.data ? Math.max(1, Math.ceil(q.data.total / 50)) : 1;
  return (
    <section aria-labelledby="events-title">
      <h1 id="events-title">Security events</h1>
      <form onSubmit={submit} className="search-form" aria-label="Search security events">
        <label className="grow">
          Rule name
          <input type="search" value={text} onChange={(e) => setText(e.target.value)} />
        </label>
        <TimeRangePicker value={range} onChange={setRange} />
        <button type="submit">Search</button>
      </form>
      <ErrorNote error={q.error} />
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Event date (UTC)</th>
              <th scope="col">Rule</th>
              <th scope="col">Severity</th>
              <th scope="col">Hits</th>
              <th scope="col">Group-by</th>
              <th scope="col">Event</th>
            </tr>
          </thead>
          <tbody>
            {(q.data?.results ?? []).map((e) => (
              <tr key={e.alertEventId}>
                <td className="nowrap">{utc(e.eventDate)}</td>
                <td>{e.name}</td>
                <td>
                  <span className={`sev sev-${String(e.severity).toLowerCase()}`}>{e.severity}</span>
                </td>
                <td>{e.hits}</td>
                <td>
                  {Object.entries(e.groupBy ?? {})
                    .map(([k, v]) => `${k}=${String(v)}`)
                    .join(', ')}
                </td>
                <td>
                  <JsonView value={e} summary="JSON" />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="pager">
        <span>{q.data ? `${q.data.total} event(s)` : 'Loading…'}</span>
        <button
          type="button"
          disabled={params.page <= 1}
          onClick={() => setParams((p) => ({ ...p, page: p.page - 1 }))}
        >
          Previous
        </button>
        <span>
          page {params.page} of {pages}
        </span>
        <button
          type="button"
          disabled={params.page >= pages}
          onClick={() => setParams((p) => ({ ...p, page: p.page + 1 }))}
        >
          Next
        </button>
      </div>
    </section>
  );
}
