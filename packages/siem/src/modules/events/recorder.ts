import type { NewSecurityEvent, SecurityEventsWriter } from './repository.ts';

/** What became of one evaluation's events. */
export interface RecordedEvents {
  /** Every event written, now or later. */
  events: NewSecurityEvent[];
  /** Of those, how many wait to be committed later. */
  pending: number;
}

/**
 * Where the rule engine hands the security events an evaluation triggered: the store's writer,
 * or, with `--fault-injection`, the fault wrapper around it (modules/admin/fault-events.ts),
 * which may add a burst of extras or hold some back to commit them late.
 */
export interface SecurityEventsRecorder {
  /** Stores the events in one transaction (joining the caller's) at storage time `storedAt`. */
  record(events: NewSecurityEvent[], storedAt: number): RecordedEvents;
  /** Commits held-back events whose time has come at `now`; returns how many. */
  flush(now: number): number;
}

/** Events straight into the store: nothing is ever held back. */
export function storeRecorder(writer: SecurityEventsWriter): SecurityEventsRecorder {
  return {
    record(events, storedAt) {
      if (events.length > 0) writer.insert(events, storedAt);
      return { events, pending: 0 };
    },
    flush: () => 0,
  };
}
