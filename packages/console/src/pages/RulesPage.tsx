import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { rules } from '../api/endpoints.ts';
import { canWrite } from '../api/types.ts';
import { useSession } from '../session.tsx';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { utc } from '../components/format.ts';

export function RulesPage() {
  const { me } = useSession();
  const qc = useQueryClient();
  const [search, setSearch] = useState('');
  const list = useQuery({ queryKey: ['rules', search], queryFn: () => rules.list(search) });
  const toggle = useMutation({
    mutationFn: ({ id, enabled }: { id: number; enabled: boolean }) => rules.setEnabled(id, enabled),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['rules'] }),
  });
  const writer = canWrite(me);
  return (
    <section aria-labelledby="rules-title">
      <h1 id="rules-title">Security rules</h1>
      <label>
        Filter by title
        <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} />
      </label>
      <ErrorNote error={list.error ?? toggle.error} />
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Title</th>
              <th scope="col">Enabled</th>
              <th scope="col">Tags</th>
              <th scope="col">MITRE</th>
              <th scope="col">Updated (UTC)</th>
            </tr>
          </thead>
          <tbody>
            {(list.data?.results ?? []).map((r) => (
              <tr key={r.id}>
                <td>
                  <b>{r.title}</b>
                  {r.description && <div className="muted">{r.description}</div>}
                </td>
                <td>
                  <label className="switch">
                    <input
                      type="checkbox"
                      checked={r.enabled}
                      disabled={!writer || toggle.isPending}
                      onChange={(e) => toggle.mutate({ id: r.id, enabled: e.target.checked })}
                      aria-label={`${r.title} enabled`}
                    />
                    {r.enabled ? 'on' : 'off'}
                  </label>
                </td>
                <td>{(r.tags ?? []).join(', ')}</td>
                <td>{(r.mitreTags ?? []).join(', ')}</td>
                <td className="nowrap">
                  {utc(r.updatedAt)} by {r.updatedBy}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p>{list.data ? `${list.data.total} rule(s)` : 'Loading…'}</p>
    </section>
  );
}
