/** What the console hears about when incidents are written outside a request (fetch runs, backfills). */
export interface IncidentsWritten {
  /** `fetch` (the live loop) or `backfill`. */
  origin: 'fetch' | 'backfill';
  /** Ids of the incidents newly inserted, oldest first. */
  ids: string[];
  at: string;
}

/** A tiny in-process publish/subscribe: made per connector, passed down (no module singleton). */
export interface IncidentEvents {
  publish(event: IncidentsWritten): void;
  /** Returns the unsubscribe function. */
  subscribe(listener: (event: IncidentsWritten) => void): () => void;
  readonly listenerCount: number;
}

export function createIncidentEvents(): IncidentEvents {
  const listeners = new Set<(event: IncidentsWritten) => void>();
  return {
    publish(event) {
      // A listener that throws (a closed stream) must not stop the others.
      for (const l of [...listeners]) {
        try {
          l(event);
        } catch {
          listeners.delete(l);
        }
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    get listenerCount() {
      return listeners.size;
    },
  };
}
