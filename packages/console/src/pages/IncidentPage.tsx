import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { incidents, type IncidentPatch } from '../api/endpoints.ts';
import {
  CLOSE_REASONS,
  SEVERITIES,
  canWrite,
  type Incident,
  type IncidentDetail,
  type Note,
} from '../api/types.ts';
import { Link } from '../router.tsx';
import { useSession } from '../session.tsx';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { JsonView } from '../components/JsonView.tsx';
import { LogsTable } from '../components/LogsTable.tsx';
import { Markdown } from '../components/Markdown.tsx';
import { SeverityBadge } from '../components/SeverityBadge.tsx';
import { PlaybookRunsPanel } from '../components/PlaybookRunsPanel.tsx';
import { cell, utc } from '../components/format.ts';

const LOGS_POLL_MS = 2_000;

export function IncidentPage({ id }: { id: string }) {
  const q = useQuery({
    queryKey: ['incidents', 'one', id],
    queryFn: ({ signal }) => incidents.get(id, signal),
    // Triggering logs are captured after the fetch run commits (a new incident opened at once has
    // none yet) and no stream event says when: look again until they are there.
    refetchInterval: (query) => (query.state.data && query.state.data.logs == null ? LOGS_POLL_MS : false),
  });
  if (q.error) return <ErrorNote error={q.error} />;
  if (!q.data) return <p role="status">Loading…</p>;
  return <IncidentView detail={q.data} />;
}

function IncidentView({ detail }: { detail: IncidentDetail }) {
  const i = detail.incident;
  const { me } = useSession();
  const writer = canWrite(me);
  const groupBy = Object.entries(i.fields).filter(([k]) => k.startsWith('groupBy.'));
  const mitre = (i.fields.mitreTags as string[] | undefined) ?? [];
  const tags = i.tags.length ? i.tags : ((i.fields.tags as string[] | undefined) ?? []);
  return (
    <article aria-labelledby="incident-title" className="incident">
      <p className="crumbs">
        <Link to="/">← Incidents</Link>
      </p>
      <header className="page-head">
        <h1 id="incident-title">{i.name}</h1>
        <p className="meta">
          <SeverityBadge value={i.severity} />{' '}
          <span className={`status status-${i.status}`} data-testid="incident-status">
            {i.status}
          </span>{' '}
          owner <b data-testid="incident-owner">{i.owner ?? 'nobody'}</b> · occurred {utc(i.occurred)}
        </p>
      </header>

      {writer && <Actions incident={i} />}

      <div className="grid">
        <section aria-labelledby="fields-title" className="card">
          <h2 id="fields-title">Fields</h2>
          <dl className="fields">
            <dt>Incident id</dt>
            <dd>{i.id}</dd>
            <dt>alertEventId</dt>
            <dd>{i.alertEventId}</dd>
            <dt>Rule id</dt>
            <dd>{cell(i.fields.alertId)}</dd>
            <dt>Description</dt>
            <dd>{cell(i.fields.description)}</dd>
            <dt>Condition</dt>
            <dd>{cell(i.fields.alertSummary)}</dd>
            <dt>Hits</dt>
            <dd>{cell(i.fields.hits)}</dd>
            {i.originalSeverity !== i.severity && (
              <>
                <dt>Original severity</dt>
                <dd>
                  <SeverityBadge value={i.originalSeverity} />
                </dd>
              </>
            )}
            {i.closeReason && (
              <>
                <dt>Close reason</dt>
                <dd data-testid="close-reason">
                  {CLOSE_REASONS.find(([v]) => v === i.closeReason)?.[1] ?? i.closeReason}
                  {i.closeNotes ? ` — ${i.closeNotes}` : ''}
                </dd>
              </>
            )}
            <dt>Tags</dt>
            <dd>
              {tags.length
                ? tags.map((t) => (
                    <span key={t} className="tag">
                      {t}
                    </span>
                  ))
                : '—'}
            </dd>
            <dt>MITRE ATT&amp;CK</dt>
            <dd>
              {mitre.length
                ? mitre.map((t) => (
                    <span key={t} className="tag mitre">
                      {t}
                    </span>
                  ))
                : '—'}
            </dd>
          </dl>
          <h3>Group-by values</h3>
          {groupBy.length ? (
            <dl className="fields">
              {groupBy.map(([k, v]) => (
                <div key={k} className="pair">
                  <dt>{k.slice('groupBy.'.length)}</dt>
                  <dd>{cell(v)}</dd>
                </div>
              ))}
            </dl>
          ) : (
            <p>None: the rule does not group.</p>
          )}
          <JsonView value={i.raw} summary="Raw security event" />
        </section>

        <section aria-labelledby="timeline-title" className="card">
          <h2 id="timeline-title">Timeline</h2>
          <ol className="timeline" data-testid="timeline">
            {detail.timeline.map((t) => (
              <li key={t.id}>
                <time>{utc(t.at)}</time> <b>{t.actor.name}</b> {t.kind.replaceAll('_', ' ')}
                <Change before={t.before} after={t.after} />
              </li>
            ))}
          </ol>
        </section>
      </div>

      <section aria-labelledby="logs-title" className="card">
        <h2 id="logs-title">Triggering logs ({detail.logs?.count ?? 0})</h2>
        {detail.logs?.truncated && (
          <p className="muted">The SIEM had more; the first {detail.logs.cap} are kept.</p>
        )}
        {detail.logs?.error && <p className="error">Last capture failed: {detail.logs.error}</p>}
        {detail.logs?.logs.length ? (
          <LogsTable logs={detail.logs.logs} caption="Logs that triggered the rule" />
        ) : (
          <p>{detail.logs ? 'No logs kept with this incident.' : 'Logs not captured yet.'}</p>
        )}
      </section>

      <PlaybookRunsPanel incidentId={i.id} />

      <Notes id={i.id} notes={detail.notes} writer={writer} />

      <section aria-labelledby="related-title" className="card">
        <h2 id="related-title">Related incidents</h2>
        {detail.related.length ? (
          <ul>
            {detail.related.map((r) => (
              <li key={r.id}>
                <Link to={`/incidents/${encodeURIComponent(r.id)}`}>{r.name}</Link> · {r.status} ·{' '}
                {utc(r.occurred)}
              </li>
            ))}
          </ul>
        ) : (
          <p>None: no other incident of this rule with the same group-by values nearby.</p>
        )}
      </section>
    </article>
  );
}

function useUpdate(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (patch: IncidentPatch) => incidents.update(id, patch),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['incidents'] }),
  });
}

function Change({ before, after }: { before: unknown; after: unknown }) {
  if ((before === null || before === undefined) && (after === null || after === undefined)) return null;
  return (
    <span className="change">
      {': '}
      {before !== null && before !== undefined && (
        <>
          <s>{cell(before)}</s> →{' '}
        </>
      )}
      {cell(after)}
    </span>
  );
}

function Actions({ incident: i }: { incident: Incident }) {
  const { me } = useSession();
  const update = useUpdate(i.id);
  const [reason, setReason] = useState('');
  const [closeNotes, setCloseNotes] = useState('');
  const close = (e: FormEvent) => {
    e.preventDefault();
    update.mutate({ status: 'closed', closeReason: reason, ...(closeNotes ? { closeNotes } : {}) });
  };
  return (
    <section aria-label="Actions" className="actions card">
      <button
        type="button"
        disabled={i.owner === me.username}
        onClick={() => update.mutate({ owner: me.username })}
      >
        Assign to me
      </button>
      <label>
        Status
        <select
          value={i.status}
          onChange={(e) => update.mutate({ status: e.target.value as Incident['status'] })}
          disabled={i.status === 'closed'}
        >
          <option value="new">new</option>
          <option value="active">active</option>
          {i.status === 'closed' && <option value="closed">closed</option>}
        </select>
      </label>
      <label>
        Severity
        <select
          value={String(i.severity)}
          onChange={(e) => update.mutate({ severity: Number(e.target.value) })}
        >
          {SEVERITIES.map((s) => (
            <option key={s.label} value={String(s.value)}>
              {s.label}
            </option>
          ))}
          {!SEVERITIES.some((s) => s.value === i.severity) && (
            <option value={String(i.severity)}>UNCLASSIFIED</option>
          )}
        </select>
      </label>
      {i.status === 'closed' ? (
        <button type="button" onClick={() => update.mutate({ status: 'active' })}>
          Reopen
        </button>
      ) : (
        <form onSubmit={close} className="close-form" aria-label="Close incident">
          <label>
            Close reason
            <select name="closeReason" value={reason} onChange={(e) => setReason(e.target.value)} required>
              <option value="">choose…</option>
              {CLOSE_REASONS.map(([v, l]) => (
                <option key={v} value={v}>
                  {l}
                </option>
              ))}
            </select>
          </label>
          <label>
            Close notes
            <input name="closeNotes" value={closeNotes} onChange={(e) => setCloseNotes(e.target.value)} />
          </label>
          <button type="submit" disabled={!reason}>
            Close
          </button>
        </form>
      )}
      <ErrorNote error={update.error} />
    </section>
  );
}

function Notes({ id, notes, writer }: { id: string; notes: Note[]; writer: boolean }) {
  const qc = useQueryClient();
  const [text, setText] = useState('');
  const add = useMutation({
    mutationFn: () => incidents.addNote(id, text),
    onSuccess: () => {
      setText('');
      void qc.invalidateQueries({ queryKey: ['incidents', 'one', id] });
    },
  });
  return (
    <section aria-labelledby="notes-title" className="card">
      <h2 id="notes-title">Notes</h2>
      <ul className="notes" data-testid="notes">
        {notes.map((n) => (
          <li key={n.id}>
            <p className="note-meta">
              <b>{n.author}</b> · {utc(n.createdAt)}
              {n.updatedAt && n.updatedAt !== n.createdAt ? ` · edited ${utc(n.updatedAt)}` : ''}
            </p>
            <Markdown text={n.body} />
          </li>
        ))}
        {notes.length === 0 && <li>No notes yet.</li>}
      </ul>
      {writer && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            add.mutate();
          }}
          aria-label="Add a note"
        >
          <label>
            Note (Markdown)
            <textarea name="note" rows={4} value={text} onChange={(e) => setText(e.target.value)} required />
          </label>
          <button type="submit" disabled={!text.trim() || add.isPending}>
            Add note
          </button>
          <ErrorNote error={add.error} />
        </form>
      )}
    </section>
  );
}
