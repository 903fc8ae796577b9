import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError } from '../api/http.ts';
import { playbooks } from '../api/playbooks.ts';
import type { InputDecl, PlaybookRun, PlaybookSummary } from '../api/playbook-types.ts';
import { Link } from '../router.tsx';
import { ErrorNote } from './ErrorNote.tsx';

type Values = Record<string, string | boolean>;

/** Inputs typed by their declarations; a problem per input. */
function toInputs(decls: Record<string, InputDecl>, values: Values) {
  const inputs: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const [name, d] of Object.entries(decls)) {
    const v = values[name];
    if (d.type === 'boolean') {
      if (v !== undefined) inputs[name] = v === true;
      continue;
    }
    const text = typeof v === 'string' ? v.trim() : '';
    if (text === '') {
      if (d.required && d.default === undefined) errors[name] = 'Required.';
      continue;
    }
    if (d.type === 'number') {
      const n = Number(text);
      if (Number.isFinite(n)) inputs[name] = n;
      else errors[name] = 'Must be a number.';
    } else if (d.type === 'array' || d.type === 'object') {
      try {
        const parsed: unknown = JSON.parse(text);
        if (
          d.type === 'array'
            ? Array.isArray(parsed)
            : parsed && typeof parsed === 'object' && !Array.isArray(parsed)
        )
          inputs[name] = parsed;
        else errors[name] = `Must be a JSON ${d.type}.`;
      } catch {
        errors[name] = `Must be a JSON ${d.type}.`;
      }
    } else inputs[name] = text;
  }
  return { inputs, errors };
}

const keyOf = (p: PlaybookSummary) => `${p.name}@${p.version}`;

/** Start a playbook on this incident: choose it, fill its declared inputs (defaults shown). */
export function StartPlaybookForm({ incidentId }: { incidentId: string }) {
  const qc = useQueryClient();
  const list = useQuery({ queryKey: ['playbooks', 'list'], queryFn: ({ signal }) => playbooks.list(signal) });
  const [chosen, setChosen] = useState('');
  const [values, setValues] = useState<Values>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [started, setStarted] = useState<PlaybookRun | null>(null);
  const all = list.data?.playbooks ?? [];
  const pb = all.find((p) => keyOf(p) === chosen);
  const start = useMutation({
    mutationFn: (inputs: Record<string, unknown>) =>
      playbooks.start({ playbook: pb!.name, version: pb!.version, incidentId, inputs }),
    onSuccess: (run) => {
      setStarted(run);
      setValues({});
      void qc.invalidateQueries({ queryKey: ['playbooks'] });
      void qc.invalidateQueries({ queryKey: ['incidents', 'one', incidentId] });
    },
    onError: (err) => {
      // The engine names a bad input as `inputs.<name>` (or `body.inputs.<name>`).
      const m =
        err instanceof ApiError ? /(?:^|\.)inputs\.([A-Za-z_][A-Za-z0-9_]*)/.exec(err.field ?? '') : null;
      if (m) setErrors({ [m[1]!]: err.message });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!pb) return;
    const { inputs, errors: problems } = toInputs(pb.inputs, values);
    setErrors(problems);
    setStarted(null);
    if (Object.keys(problems).length === 0) start.mutate(inputs);
  };
  if (list.error) return <ErrorNote error={list.error} />;
  const generalError =
    start.error instanceof ApiError && /(?:^|\.)inputs\./.test(start.error.field ?? '') ? null : start.error;
  return (
    <form onSubmit={submit} aria-label="Start a playbook" className="start-playbook" noValidate>
      <div className="task-field">
        <label htmlFor="start-playbook">Playbook</label>
        <select
          id="start-playbook"
          value={chosen}
          onChange={(e) => {
            setChosen(e.target.value);
            setValues({});
            setErrors({});
          }}
        >
          <option value="">choose…</option>
          {all.map((p) => (
            <option key={keyOf(p)} value={keyOf(p)}>
              {p.name} v{p.version}
            </option>
          ))}
        </select>
      </div>
      {pb?.description && <p className="muted">{pb.description}</p>}
      {pb &&
        Object.entries(pb.inputs).map(([name, d]) => {
          const id = `start-input-${name}`;
          const err = errors[name];
          const common = {
            id,
            name,
            'aria-invalid': err ? ('true' as const) : undefined,
            'aria-describedby': err ? `${id}-error` : undefined,
          };
          const label = `${name}${d.required ? ' *' : ''} (${d.type})`;
          const placeholder = d.default === undefined ? undefined : `default: ${JSON.stringify(d.default)}`;
          return (
            <div key={name} className="task-field">
              {d.type === 'boolean' ? (
                <label htmlFor={id}>
                  <input
                    type="checkbox"
                    {...common}
                    checked={values[name] === true || (values[name] === undefined && d.default === true)}
                    onChange={(e) => setValues({ ...values, [name]: e.target.checked })}
                  />{' '}
                  {label}
                </label>
              ) : (
                <>
                  <label htmlFor={id}>{label}</label>
                  <input
                    type="text"
                    {...common}
                    placeholder={placeholder}
                    value={String(values[name] ?? '')}
                    onChange={(e) => setValues({ ...values, [name]: e.target.value })}
                  />
                </>
              )}
              {d.description && <p className="muted">{d.description}</p>}
              {err && (
                <p id={`${id}-error`} className="error field-error" role="alert">
                  {err}
                </p>
              )}
            </div>
          );
        })}
      <button type="submit" disabled={!pb || start.isPending}>
        Start
      </button>
      {started && (
        <p role="status">
          Started <Link to={`/runs/${encodeURIComponent(started.id)}`}>{started.id}</Link>.
        </p>
      )}
      <ErrorNote error={generalError} />
    </form>
  );
}
