import { useState, type FormEvent } from 'react';
import { useMutation } from '@tanstack/react-query';
import { logs } from '../api/endpoints.ts';
import { ApiError } from '../api/http.ts';
import { BarChart } from '../components/BarChart.tsx';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { LogsTable } from '../components/LogsTable.tsx';
import { TimeRangePicker, type TimeRange } from '../components/TimeRangePicker.tsx';
import { duration, fieldPaths, utc } from '../components/format.ts';
import { addTerm } from '../components/lucene.ts';

export function SearchPage() {
  const [query, setQuery] = useState('*');
  const [range, setRange] = useState<TimeRange>({ kind: 'relative', from: '24 hours ago', to: 'now' });
  const [columns, setColumns] = useState<string[]>([]);
  const search = useMutation({
    mutationFn: (q: string) => logs.search({ query: q, from: range.from, to: range.to, size: 100 }),
  });

  const run = (q = query) => search.mutate(q);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    run();
  };
  const addValue = (field: string, value: unknown) => {
    const q = addTerm(query, field, value);
    setQuery(q);
    run(q);
  };

  const err = search.error;
  const queryError =
    err instanceof ApiError && err.field === 'body.query'
      ? err.message.replace(/^body\.query:\s*/, '')
      : null;
  const rangeError =
    err instanceof ApiError && err.field?.startsWith('body.') && err.field !== 'body.query'
      ? err.message
      : null;
  const data = search.data;
  const docs = data?.hits.map((h) => h.source) ?? [];
  const available = fieldPaths(docs).filter((f) => f !== '@timestamp');
  const shown = columns.length ? columns : available.slice(0, 4);

  return (
    <section aria-labelledby="search-title">
      <h1 id="search-title">Log search</h1>
      <form onSubmit={submit} className="search-form" aria-label="Search logs">
        <label className="grow">
          Lucene query
          <input
            name="query"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            aria-invalid={queryError ? true : undefined}
            aria-describedby={queryError ? 'query-error' : undefined}
            spellCheck={false}
            autoComplete="off"
          />
        </label>
        {queryError && (
          <p id="query-error" className="error field-error" role="alert">
            {queryError}
          </p>
        )}
        <TimeRangePicker value={range} onChange={setRange} />
        {rangeError && (
          <p className="error" role="alert">
            {rangeError}
          </p>
        )}
        <button type="submit" disabled={search.isPending}>
          {search.isPending ? 'Searching…' : 'Search'}
        </button>
      </form>
      {!queryError && !rangeError && <ErrorNote error={err} />}

      {data && (
        <>
          <p role="status" data-testid="search-summary">
            {data.total} hit(s) from {utc(data.from)} to {utc(data.to)}
            {data.total > data.hits.length ? `; showing the newest ${data.hits.length}` : ''}
          </p>
          <BarChart
            bars={data.histogram.buckets.map((b) => ({ t: b.t, value: b.count }))}
            label={`Hits per ${duration(data.histogram.intervalMs)}`}
            unit="hits"
          />
          {available.length > 0 && (
            <details className="columns">
              <summary>Columns ({shown.length})</summary>
              <div className="column-list" role="group" aria-label="Columns">
                {available.map((f) => (
                  <label key={f}>
                    <input
                      type="checkbox"
                      checked={shown.includes(f)}
                      onChange={(e) =>
                        setColumns(e.target.checked ? [...shown, f] : shown.filter((c) => c !== f))
                      }
                    />
                    {f}
                  </label>
                ))}
              </div>
            </details>
          )}
          <LogsTable logs={docs} columns={shown} onValue={addValue} caption="Search results, newest first" />
        </>
      )}
    </section>
  );
}
