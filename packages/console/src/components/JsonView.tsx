/** A JSON value, pretty-printed, folded behind a summary until asked for. */
export function JsonView({
  value,
  summary = 'JSON',
  open = false,
}: {
  value: unknown;
  summary?: string;
  open?: boolean;
}) {
  return (
    <details className="json" open={open}>
      <summary>{summary}</summary>
      <pre>{JSON.stringify(value, null, 2)}</pre>
    </details>
  );
}
