import { useQuery } from '@tanstack/react-query';
import { playbooks } from '../api/playbooks.ts';
import { ENDED } from '../api/playbook-types.ts';
import { canWrite } from '../api/types.ts';
import { useSession } from '../session.tsx';
import { ErrorNote } from './ErrorNote.tsx';
import { ManualTaskForm } from './ManualTaskForm.tsx';
import { RunsTable } from './RunsTable.tsx';
import { StartPlaybookForm } from './StartPlaybookForm.tsx';
import '../playbooks.css';

/** While a run is still going its steps change on the server: ask again until every run has ended. */
const POLL_MS = 2_000;

/** The incident page's playbooks: its runs, the manual tasks waiting on it, and a form to start one. */
export function PlaybookRunsPanel({ incidentId }: { incidentId: string }) {
  const { me } = useSession();
  const writer = canWrite(me);
  const runs = useQuery({
    queryKey: ['playbooks', 'runs', { incidentId }],
    queryFn: ({ signal }) => playbooks.runs({ incidentId, limit: 50 }, signal),
    refetchInterval: (q) => (q.state.data?.results.some((r) => !ENDED.includes(r.status)) ? POLL_MS : false),
  });
  const tasks = useQuery({
    queryKey: ['playbooks', 'tasks', incidentId],
    queryFn: ({ signal }) => playbooks.tasks(incidentId, signal),
    refetchInterval: () => (runs.data?.results.some((r) => !ENDED.includes(r.status)) ? POLL_MS : false),
  });
  const list = useQuery({ queryKey: ['playbooks', 'list'], queryFn: ({ signal }) => playbooks.list(signal) });
  const waiting = tasks.data?.results ?? [];
  // A connector without the engine: no panel (the API says so with enabled: false).
  if (list.data && !list.data.enabled) return null;
  return (
    <section aria-labelledby="runs-title" className="card" data-testid="incident-runs">
      <h2 id="runs-title">Playbook runs</h2>
      <ErrorNote error={runs.error ?? tasks.error} />
      {runs.data && <RunsTable runs={runs.data.results} showIncident={false} />}
      {waiting.length > 0 && (
        <>
          <h3>Waiting for an analyst</h3>
          {waiting.map((t) => (
            <ManualTaskForm
              key={`${t.runId}/${t.stepId}`}
              task={t}
              canAnswer={writer && (!t.assignee || t.assignee === me.username || me.role === 'admin')}
            />
          ))}
        </>
      )}
      {writer && (
        <details className="start">
          <summary>Start a playbook</summary>
          <StartPlaybookForm incidentId={incidentId} />
        </details>
      )}
    </section>
  );
}
