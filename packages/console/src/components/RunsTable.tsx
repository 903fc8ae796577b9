import type { PlaybookRun } from '../api/playbook-types.ts';
import { Link } from '../router.tsx';
import { RunStatus } from './RunStatus.tsx';
import { utc } from './format.ts';

/** Runs, one row each, linked to their detail. */
export function RunsTable({ runs, showIncident = true }: { runs: PlaybookRun[]; showIncident?: boolean }) {
  if (runs.length === 0) return <p>No runs.</p>;
  return (
    <div className="table-wrap">
      <table className="runs">
        <thead>
          <tr>
            <th scope="col">Playbook</th>
            <th scope="col">Status</th>
            {showIncident && <th scope="col">Incident</th>}
            <th scope="col">Started by</th>
            <th scope="col">Created</th>
            <th scope="col">Error</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((r) => (
            <tr key={r.id}>
              <td>
                <Link to={`/runs/${encodeURIComponent(r.id)}`}>
                  {r.playbook} v{r.version}
                </Link>
              </td>
              <td>
                <RunStatus status={r.status} />
              </td>
              {showIncident && (
                <td>
                  {r.incidentId ? (
                    <Link to={`/incidents/${encodeURIComponent(r.incidentId)}`}>{r.incidentId}</Link>
                  ) : (
                    '—'
                  )}
                </td>
              )}
              <td>{r.trigger === 'manual' ? r.startedBy : r.trigger}</td>
              <td className="nowrap">{utc(r.createdAt)}</td>
              <td className="error">{r.error ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
