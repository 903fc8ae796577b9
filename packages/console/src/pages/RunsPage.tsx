import { useState } from 'react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { playbooks } from '../api/playbooks.ts';
import { ENDED, RUN_STATUSES } from '../api/playbook-types.ts';
import { useRouter } from '../router.tsx';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { RunsTable } from '../components/RunsTable.tsx';
import '../playbooks.css';

const PAGE = 50;

/** Every playbook run, newest first, filtered by status and playbook; each links to its steps. */
export function RunsPage() {
  const { loc, navigate } = useRouter();
  const status = loc.search.get('status') ?? '';
  const playbook = loc.search.get('playbook') ?? '';
  const [befores, setBefores] = useState<string[]>([]);
  const before = befores.at(-1);
  const list = useQuery({
    queryKey: ['playbooks', 'runs', { status, playbook, before }],
    queryFn: ({ signal }) => playbooks.runs({ status, playbook, before, limit: PAGE }, signal),
    placeholderData: keepPreviousData,
    refetchInterval: (q) => (q.state.data?.results.some((r) => !ENDED.includes(r.status)) ? 2_000 : false),
  });
  const names = useQuery({
    queryKey: ['playbooks', 'list'],
    queryFn: ({ signal }) => playbooks.list(signal),
  });
  const setFilter = (key: string, value: string) => {
    const p = new URLSearchParams(loc.search);
    if (value) p.set(key, value);
    else p.delete(key);
    setBefores([]);
    navigate(`/runs${p.size ? `?${p}` : ''}`);
  };
  const loadErrors = names.data?.errors ?? [];
  return (
    <section aria-labelledby="runs-page-title">
      <header className="page-head">
        <h1 id="runs-page-title">Playbook runs</h1>
      </header>
      {names.data && !names.data.enabled && (
        <p className="muted" role="note">
          This connector runs no playbook engine.
        </p>
      )}
      {loadErrors.length > 0 && (
        <div className="card" role="note">
          <h2>Playbook files refused at load</h2>
          <ul className="load-errors">
            {loadErrors.map((e, i) => (
              <li key={i}>
                <code>
                  {e.file}
                  {e.line != null ? `:${e.line}` : ''}
                </code>{' '}
                [{e.code}] {e.step ? `step ${e.step}: ` : ''}
                {e.message}
              </li>
            ))}
          </ul>
        </div>
      )}
      <div className="filters">
        <label>
          Status
          <select name="status" value={status} onChange={(e) => setFilter('status', e.target.value)}>
            <option value="">any</option>
            {RUN_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Playbook
          <select name="playbook" value={playbook} onChange={(e) => setFilter('playbook', e.target.value)}>
            <option value="">any</option>
            {[...new Set((names.data?.playbooks ?? []).map((p) => p.name))].map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ErrorNote error={list.error} />
      {list.data ? <RunsTable runs={list.data.results} /> : !list.error && <p role="status">Loading…</p>}
      <div className="pager">
        <button
          type="button"
          disabled={befores.length === 0}
          onClick={() => setBefores(befores.slice(0, -1))}
        >
          Newer
        </button>
        <button
          type="button"
          disabled={!list.data?.nextBefore}
          onClick={() => list.data?.nextBefore && setBefores([...befores, list.data.nextBefore])}
        >
          Older
        </button>
      </div>
    </section>
  );
}
