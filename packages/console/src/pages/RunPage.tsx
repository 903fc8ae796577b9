import { Fragment, useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { playbooks } from '../api/playbooks.ts';
import { ENDED, RETRYABLE, type RunDetail, type StepRun } from '../api/playbook-types.ts';
import { canWrite } from '../api/types.ts';
import { Link } from '../router.tsx';
import { useSession } from '../session.tsx';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { JsonView } from '../components/JsonView.tsx';
import { ManualTaskForm } from '../components/ManualTaskForm.tsx';
import { RunStatus } from '../components/RunStatus.tsx';
import { utc } from '../components/format.ts';
import '../playbooks.css';

function took(s: StepRun): string {
  if (!s.startedAt) return '—';
  if (!s.endedAt) return 'running';
  const ms = Math.max(0, Date.parse(s.endedAt) - Date.parse(s.startedAt));
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** One run: its steps (status, input, output, error, timing), cancel / retry, and its waiting task. */
export function RunPage({ id }: { id: string }) {
  const q = useQuery({
    queryKey: ['playbooks', 'run', id],
    queryFn: ({ signal }) => playbooks.run(id, signal),
    refetchInterval: (query) =>
      query.state.data && !ENDED.includes(query.state.data.status) ? 2_000 : false,
  });
  if (q.error) return <ErrorNote error={q.error} />;
  if (!q.data) return <p role="status">Loading…</p>;
  return <RunView run={q.data} />;
}

function RunView({ run }: { run: RunDetail }) {
  const { me } = useSession();
  const writer = canWrite(me);
  const qc = useQueryClient();
  const [open, setOpen] = useState<Set<string>>(new Set());
  const done = () => void qc.invalidateQueries({ queryKey: ['playbooks'] });
  const cancel = useMutation({ mutationFn: () => playbooks.cancel(run.id), onSuccess: done });
  const retry = useMutation({ mutationFn: () => playbooks.retry(run.id), onSuccess: done });
  const waiting =
    run.status === 'waiting' || run.steps.some((s) => s.status === 'waiting' && s.kind === 'manual');
  const tasks = useQuery({
    queryKey: ['playbooks', 'tasks', run.incidentId ?? ''],
    queryFn: ({ signal }) => playbooks.tasks(run.incidentId ?? undefined, signal),
    enabled: waiting,
  });
  const mine = (tasks.data?.results ?? []).filter((t) => t.runId === run.id);
  const key = (s: StepRun) => `${s.stepId}#${s.item ?? '-'}#${s.attempt}`;
  const toggle = (k: string) => {
    const next = new Set(open);
    if (next.has(k)) next.delete(k);
    else next.add(k);
    setOpen(next);
  };
  return (
    <article aria-labelledby="run-title">
      <p className="crumbs">
        <Link to="/runs">← Playbook runs</Link>
        {run.incidentId && (
          <>
            {' · '}
            <Link to={`/incidents/${encodeURIComponent(run.incidentId)}`}>incident {run.incidentId}</Link>
          </>
        )}
      </p>
      <header className="page-head">
        <h1 id="run-title">
          {run.playbook} v{run.version}
        </h1>
        <p className="meta">
          <RunStatus status={run.status} testId="run-status" /> ·{' '}
          {run.trigger === 'manual' ? `started by ${run.startedBy}` : `trigger ${run.trigger}`} · created{' '}
          {utc(run.createdAt)} ·{' '}
          {run.endedAt ? `ended ${utc(run.endedAt)}` : `deadline ${utc(run.deadlineAt)}`}
          {run.cancelledBy && <span data-testid="run-cancelled-by"> · cancelled by {run.cancelledBy}</span>}
        </p>
        {run.error && (
          <p className="error" data-testid="run-error">
            {run.error}
          </p>
        )}
      </header>
      {writer && (
        <section aria-label="Run actions" className="actions card">
          <button
            type="button"
            disabled={ENDED.includes(run.status) || cancel.isPending}
            onClick={() => cancel.mutate()}
          >
            Cancel run
          </button>
          <button
            type="button"
            disabled={!RETRYABLE.includes(run.status) || retry.isPending}
            onClick={() => retry.mutate()}
          >
            Retry from failed step
          </button>
          <ErrorNote error={cancel.error ?? retry.error} />
        </section>
      )}
      {mine.map((t) => (
        <section key={t.stepId} className="card" aria-label="Waiting for an analyst">
          <ManualTaskForm
            task={t}
            canAnswer={writer && (!t.assignee || t.assignee === me.username || me.role === 'admin')}
          />
        </section>
      ))}
      <section aria-labelledby="steps-title" className="card">
        <h2 id="steps-title">Steps</h2>
        <div className="table-wrap">
          <table className="steps" data-testid="run-steps">
            <thead>
              <tr>
                <th scope="col">Step</th>
                <th scope="col">Kind</th>
                <th scope="col">Status</th>
                <th scope="col">Attempt</th>
                <th scope="col">Started</th>
                <th scope="col">Took</th>
                <th scope="col">Error</th>
                <th scope="col">
                  <span className="visually-hidden">Details</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {run.steps.map((s) => {
                const k = key(s);
                const label = s.item === null ? s.stepId : `${s.stepId}[${s.item}]`;
                return (
                  <Fragment key={k}>
                    <tr data-step={s.stepId}>
                      <td>
                        <code>{label}</code>
                      </td>
                      <td>{s.kind}</td>
                      <td>
                        <RunStatus status={s.status} />
                        {s.dueAt && s.status !== 'succeeded' ? ` until ${utc(s.dueAt)}` : ''}
                      </td>
                      <td>{s.attempt}</td>
                      <td className="nowrap">{utc(s.startedAt)}</td>
                      <td className="nowrap">{took(s)}</td>
                      <td className="error">{s.error ?? ''}</td>
                      <td>
                        <button
                          type="button"
                          className="expand"
                          aria-expanded={open.has(k)}
                          onClick={() => toggle(k)}
                        >
                          {open.has(k) ? 'Hide' : 'Show'}{' '}
                          <span className="visually-hidden">input and output of {label}</span>
                        </button>
                      </td>
                    </tr>
                    {open.has(k) && (
                      <tr className="step-io">
                        <td colSpan={8}>
                          <JsonView value={s.input} summary="Input" open />
                          <JsonView value={s.output} summary="Output" open />
                        </td>
                      </tr>
                    )}
                  </Fragment>
                );
              })}
            </tbody>
          </table>
        </div>
        {run.steps.length === 0 && <p>No step has started yet.</p>}
      </section>
      <section aria-labelledby="io-title" className="card">
        <h2 id="io-title">Inputs and outputs</h2>
        <JsonView value={run.inputs} summary="Inputs" open />
        <JsonView value={run.outputs} summary="Outputs" />
      </section>
    </article>
  );
}
