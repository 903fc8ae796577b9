import { useId } from 'react';

export interface TimeRange {
  /** `relative`: from = "<n> <unit> ago", to = "now". `absolute`: ISO 8601 UTC. */
  kind: 'relative' | 'absolute';
  from: string;
  to: string;
}

export const RELATIVE = [
  ['15 minutes ago', 'Last 15 minutes'],
  ['1 hour ago', 'Last hour'],
  ['4 hours ago', 'Last 4 hours'],
  ['24 hours ago', 'Last 24 hours'],
  ['2 days ago', 'Last 2 days'],
  ['7 days ago', 'Last 7 days'],
] as const;

/** `<input type=datetime-local>` value (no zone) read as UTC, and back. */
const toLocalInput = (iso: string) => (iso ? iso.slice(0, 16) : '');
const fromLocalInput = (v: string) => (v ? `${v}:00Z` : '');

/** Relative presets or absolute bounds; absolute inputs are in UTC, and say so. */
export function TimeRangePicker({ value, onChange }: { value: TimeRange; onChange: (r: TimeRange) => void }) {
  const id = useId();
  return (
    <fieldset className="time-range">
      <legend>Time range (UTC)</legend>
      <label>
        <input
          type="radio"
          name={`${id}-kind`}
          checked={value.kind === 'relative'}
          onChange={() => onChange({ kind: 'relative', from: '1 hour ago', to: 'now' })}
        />
        Relative
      </label>
      <select
        aria-label="Relative range"
        disabled={value.kind !== 'relative'}
        value={value.kind === 'relative' ? value.from : ''}
        onChange={(e) => onChange({ kind: 'relative', from: e.target.value, to: 'now' })}
      >
        {value.kind !== 'relative' && <option value="">—</option>}
        {RELATIVE.map(([v, l]) => (
          <option key={v} value={v}>
            {l}
          </option>
        ))}
      </select>
      <label>
        <input
          type="radio"
          name={`${id}-kind`}
          checked={value.kind === 'absolute'}
          onChange={() => {
            const now = Date.now();
            onChange({
              kind: 'absolute',
              from: new Date(now - 3_600_000).toISOString(),
              to: new Date(now).toISOString(),
            });
          }}
        />
        Absolute
      </label>
      <label>
        From
        <input
          type="datetime-local"
          disabled={value.kind !== 'absolute'}
          value={value.kind === 'absolute' ? toLocalInput(value.from) : ''}
          onChange={(e) => onChange({ ...value, from: fromLocalInput(e.target.value) })}
        />
      </label>
      <label>
        To
        <input
          type="datetime-local"
          disabled={value.kind !== 'absolute'}
          value={value.kind === 'absolute' ? toLocalInput(value.to) : ''}
          onChange={(e) => onChange({ ...value, to: fromLocalInput(e.target.value) })}
        />
      </label>
    </fieldset>
  );
}
