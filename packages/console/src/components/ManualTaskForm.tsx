import { useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { ApiError } from '../api/http.ts';
import { playbooks } from '../api/playbooks.ts';
import type { FormField, ManualTask } from '../api/playbook-types.ts';
import { ErrorNote } from './ErrorNote.tsx';
import { utc } from './format.ts';

type Values = Record<string, string | boolean>;

/** The answer typed by the form, and what is wrong with each field (checked again by the API). */
function toAnswer(form: Record<string, FormField>, values: Values) {
  const answer: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const [name, f] of Object.entries(form)) {
    const v = values[name];
    if (f.type === 'boolean') {
      answer[name] = v === true;
      continue;
    }
    const text = typeof v === 'string' ? v.trim() : '';
    if (text === '') {
      if (f.required) errors[name] = 'Required.';
      continue;
    }
    if (f.type === 'number') {
      const n = Number(text);
      if (!Number.isFinite(n)) errors[name] = 'Must be a number.';
      else answer[name] = n;
    } else answer[name] = text;
  }
  return { answer, errors };
}

/**
 * A manual step waiting for an analyst: its prompt and its form (one input per field), answered
 * here. Each field shows its own error, the browser's check first, then the API's (`body.answer.<name>`).
 */
export function ManualTaskForm({ task, canAnswer }: { task: ManualTask; canAnswer: boolean }) {
  const qc = useQueryClient();
  const form = task.form ?? {};
  const [values, setValues] = useState<Values>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const answer = useMutation({
    mutationFn: (a: Record<string, unknown>) => playbooks.answer(task.runId, task.stepId, a),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['playbooks'] });
      void qc.invalidateQueries({ queryKey: ['incidents', 'one'] });
    },
    onError: (err) => {
      const m = err instanceof ApiError ? /^body\.answer\.(.+)$/.exec(err.field ?? '') : null;
      if (m) setErrors({ [m[1]!]: err.message });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const { answer: a, errors: problems } = toAnswer(form, values);
    setErrors(problems);
    if (Object.keys(problems).length === 0) answer.mutate(a);
  };
  const base = `task-${task.runId}-${task.stepId}`.replace(/[^A-Za-z0-9_-]/g, '_');
  const fieldError =
    answer.error instanceof ApiError && /^body\.answer\./.test(answer.error.field ?? '')
      ? null
      : answer.error;
  return (
    <form
      onSubmit={submit}
      className="task"
      aria-label={`Task ${task.stepId}`}
      data-testid="manual-task"
      noValidate
    >
      <p className="task-prompt">
        <b>{task.prompt}</b>
      </p>
      <p className="muted">
        step {task.stepId} · waiting since {utc(task.createdAt)}
        {task.assignee ? ` · assigned to ${task.assignee}` : ''}
      </p>
      {Object.entries(form).map(([name, f]) => {
        const id = `${base}-${name}`;
        const err = errors[name];
        const label = `${f.label ?? name}${f.required ? ' *' : ''}`;
        const common = {
          id,
          name,
          disabled: !canAnswer,
          'aria-invalid': err ? ('true' as const) : undefined,
          'aria-describedby': err ? `${id}-error` : undefined,
        };
        return (
          <div key={name} className="task-field">
            {f.type === 'boolean' ? (
              <label htmlFor={id}>
                <input
                  type="checkbox"
                  {...common}
                  checked={values[name] === true}
                  onChange={(e) => setValues({ ...values, [name]: e.target.checked })}
                />{' '}
                {label}
              </label>
            ) : (
              <>
                <label htmlFor={id}>{label}</label>
                {f.options ? (
                  <select
                    {...common}
                    value={String(values[name] ?? '')}
                    onChange={(e) => setValues({ ...values, [name]: e.target.value })}
                  >
                    <option value="">choose…</option>
                    {f.options.map((o) => (
                      <option key={o} value={o}>
                        {o}
                      </option>
                    ))}
                  </select>
                ) : (
                  <input
                    type="text"
                    inputMode={f.type === 'number' ? 'decimal' : undefined}
                    {...common}
                    value={String(values[name] ?? '')}
                    onChange={(e) => setValues({ ...values, [name]: e.target.value })}
                  />
                )}
              </>
            )}
            {err && (
              <p id={`${id}-error`} className="error field-error" role="alert">
                {err}
              </p>
            )}
          </div>
        );
      })}
      {canAnswer ? (
        <button type="submit" disabled={answer.isPending}>
          {Object.keys(form).length ? 'Submit answer' : 'Mark done'}
        </button>
      ) : (
        <p className="muted">Only an analyst{task.assignee ? ` (${task.assignee})` : ''} can answer.</p>
      )}
      <ErrorNote error={fieldError} />
    </form>
  );
}
