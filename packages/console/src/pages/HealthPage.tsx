import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { health } from '../api/endpoints.ts';
import { canWrite } from '../api/types.ts';
import { useSession } from '../session.tsx';
import { BarChart } from '../components/BarChart.tsx';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { JsonView } from '../components/JsonView.tsx';
import { utc } from '../components/format.ts';

export function HealthPage() {
  const { me } = useSession();
  const qc = useQueryClient();
  const summary = useQuery({ queryKey: ['health', 'summary'], queryFn: () => health.summary() });
  const runs = useQuery({ queryKey: ['health', 'runs'], queryFn: () => health.runs() });
  const gaps = useQuery({ queryKey: ['health', 'gaps'], queryFn: () => health.gaps() });
  const backfill = useMutation({
    mutationFn: (id: number) => health.backfill(id),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['health'] });
      void qc.invalidateQueries({ queryKey: ['incidents'] });
    },
  });
  const live = [...(runs.data?.results ?? [])].filter((r) => r.source !== 'backfill').reverse();
  const s = summary.data as
    | {
        status?: string;
        fetching?: boolean;
        lagSeconds?: number | null;
        sinks?: unknown;
        playbooks?: unknown;
      }
    | undefined;
  return (
    <section aria-labelledby="health-title">
      <h1 id="health-title">Health</h1>
      <ErrorNote error={summary.error ?? runs.error ?? gaps.error} />
      {s && (
        <p className="meta" data-testid="health-status">
          Status <b>{s.status}</b> · fetching {s.fetching ? 'on' : 'off'} · lag {s.lagSeconds ?? '—'} s
        </p>
      )}
      <div className="grid">
        <section className="card" aria-labelledby="runs-title">
          <h2 id="runs-title">Fetch runs: incidents per run</h2>
          <BarChart
            bars={live.map((r) => ({ t: Date.parse(r.startedAt), value: r.count, bad: !!r.error }))}
            label="Incidents per run (failed runs in red)"
            unit="incidents"
          />
        </section>
        <section className="card" aria-labelledby="lag-title">
          <h2 id="lag-title">Fetch runs: lag</h2>
          <BarChart
            bars={live.map((r) => ({ t: Date.parse(r.startedAt), value: Math.round((r.lagMs ?? 0) / 1000) }))}
            label="Lag behind the newest event"
            unit="s"
          />
        </section>
      </div>
      <section className="card" aria-labelledby="gaps-title">
        <h2 id="gaps-title">Recorded gaps</h2>
        {(gaps.data?.results ?? []).length === 0 ? (
          <p>No gaps recorded: every window was fetched.</p>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Source</th>
                  <th scope="col">From (UTC)</th>
                  <th scope="col">To (UTC)</th>
                  <th scope="col">Reason</th>
                  <th scope="col">Backfill</th>
                </tr>
              </thead>
              <tbody>
                {gaps.data!.results.map((g) => (
                  <tr key={g.id}>
                    <td>{g.source}</td>
                    <td className="nowrap">{utc(g.from)}</td>
                    <td className="nowrap">{utc(g.to)}</td>
                    <td>{g.reason}</td>
                    <td>
                      {g.backfilledAt ? (
                        `done ${utc(g.backfilledAt)}`
                      ) : canWrite(me) ? (
                        <button
                          type="button"
                          disabled={backfill.isPending}
                          onClick={() => backfill.mutate(g.id)}
                        >
                          Backfill
                        </button>
                      ) : (
                        'open'
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <ErrorNote error={backfill.error} />
        {backfill.data && (
          <p role="status">
            Backfill: {backfill.data.scanned} event(s) scanned, {backfill.data.inserted} new incident(s).
          </p>
        )}
      </section>
      {s?.sinks !== undefined && (
        <section className="card" aria-labelledby="sinks-title">
          <h2 id="sinks-title">Sinks</h2>
          <JsonView value={s.sinks} summary="Sink status" open />
        </section>
      )}
      {s?.playbooks !== undefined && (
        <section className="card" aria-labelledby="playbooks-title">
          <h2 id="playbooks-title">Playbooks</h2>
          <JsonView value={s.playbooks} summary="Playbook status" open />
        </section>
      )}
      <p className="muted">
        Last run: {utc((summary.data?.lastRun as { endedAt?: string } | undefined)?.endedAt)}
      </p>
    </section>
  );
}
