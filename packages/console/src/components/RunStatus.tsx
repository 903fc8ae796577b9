/** A run's or a step's status, coloured by how it stands (see playbooks.css). */
export function RunStatus({ status, testId }: { status: string; testId?: string }) {
  return (
    <span className={`status run-${status}`} data-testid={testId}>
      {status}
    </span>
  );
}
