import { severityLabel } from '../api/types.ts';

export function SeverityBadge({ value }: { value: number }) {
  const label = severityLabel(value);
  return <span className={`sev sev-${label.toLowerCase()}`}>{label}</span>;
}
