import type { Logger } from 'pino';
import type { SiemClient } from '../client/types.ts';
import type { Clock } from '../context.ts';
import type { IncidentStore } from '../store/types.ts';
import type { Actor, IncidentLogs } from './schemas.ts';

/** Default number of triggering logs kept with an incident. */
export const DEFAULT_LOGS_CAP = 100;

export interface CaptureDeps {
  client: Pick<SiemClient, 'iterateEventLogs'>;
  store: IncidentStore;
  clock: Clock;
  logger: Logger;
  /** Logs kept per incident; default 100. */
  cap?: number;
  signal?: AbortSignal;
}

/**
 * Reads the logs behind an incident's security event (`events/logs/search`, up to the cap, one
 * more to know whether there were more) and keeps them with the incident, so they outlive the
 * SIEM's retention. A failure is recorded with the incident; earlier captured logs are kept.
 */
export async function captureIncidentLogs(
  deps: CaptureDeps,
  incident: { id: string; alertEventId: string },
  actor: Actor,
): Promise<IncidentLogs | null> {
  const cap = deps.cap ?? DEFAULT_LOGS_CAP;
  const logs: Record<string, unknown>[] = [];
  let error: string | null = null;
  try {
    for await (const log of deps.client.iterateEventLogs(
      incident.alertEventId,
      cap + 1,
      Math.min(cap + 1, 1000),
      {
        signal: deps.signal,
      },
    )) {
      logs.push(log);
    }
  } catch (err) {
    if (deps.signal?.aborted) throw err;
    const e = err as { code?: string; message?: string };
    error = `${e.code ? `[${e.code}] ` : ''}${e.message ?? String(err)}`;
    deps.logger.warn({ incidentId: incident.id, err }, 'capturing the triggering logs failed');
  }
  const previous = error === null ? null : await deps.store.getIncidentLogs(incident.id);
  const kept = error === null ? logs.slice(0, cap) : (previous?.logs ?? []);
  await deps.store.putIncidentLogs(
    incident.id,
    {
      logs: kept,
      cap,
      truncated: error === null ? logs.length > cap : (previous?.truncated ?? false),
      error,
    },
    actor,
    deps.clock.now(),
  );
  return deps.store.getIncidentLogs(incident.id);
}
