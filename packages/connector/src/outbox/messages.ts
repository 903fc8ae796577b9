/** A playbook `deliver` step's message as pb_deliveries keeps it (JSON text). */
export interface MessageRow {
  incident_id: string;
  message: string;
}

/**
 * The message each claimed incident goes out with: the latest a `deliver` step rendered for this
 * sink (rows come oldest first). A row queued by routing alone has none and goes out as before.
 */
export function latestMessages(rows: readonly MessageRow[]): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const r of rows) out.set(r.incident_id, JSON.parse(r.message));
  return out;
}
