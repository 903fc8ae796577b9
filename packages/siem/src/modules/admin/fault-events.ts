import { randomUUID } from 'node:crypto';
import type { Faults } from '../../faults.ts';
import type { NewSecurityEvent } from '../events/repository.ts';
import type { PendingEventsRepository } from '../events/pending-repository.ts';
import type { SecurityEventsRecorder } from '../events/recorder.ts';

/** Held-back events committed per transaction when their time comes. */
const FLUSH_BATCH = 5000;

/** `burstSize` extras of the first event, each a group of its own, sharing its eventDate. */
function burst(events: NewSecurityEvent[], size: number): NewSecurityEvent[] {
  const base = events[0]!;
  const extras: NewSecurityEvent[] = [];
  for (let i = 1; i <= size; i++) {
    const groupBy: Record<string, string> =
      base.groupBy === null
        ? { burst: String(i) }
        : Object.fromEntries(Object.entries(base.groupBy).map(([k, v]) => [k, `${v}#burst-${i}`]));
    extras.push({ ...base, alertEventId: randomUUID(), groupBy });
  }
  return extras;
}

/**
 * The fault wrapper around the rule engine's events writer (registered only with
 * `--fault-injection`): with the settings of the events' account, a triggering evaluation also
 * emits `burstSize` extra events, and a `lateIndexShare` of its events is held back and
 * committed at eventDate + `lateIndexMs` (with the storage seq and time of that moment, after
 * newer events), as a late-indexing backend would.
 */
export function withEventFaults(
  inner: SecurityEventsRecorder,
  opts: { faults: Faults; pending: PendingEventsRepository; tx: <T>(fn: () => T) => T },
): SecurityEventsRecorder {
  const { faults, pending, tx } = opts;
  return {
    record(decided, storedAt) {
      if (decided.length === 0) return inner.record(decided, storedAt);
      const f = faults.get(decided[0]!.accountId);
      const events = f.burstSize > 0 ? [...decided, ...burst(decided, f.burstSize)] : decided;
      const immediate: NewSecurityEvent[] = [];
      const late: NewSecurityEvent[] = [];
      for (const e of events) {
        const isLate = f.lateIndexMs > 0 && f.lateIndexShare > 0 && faults.random() < f.lateIndexShare;
        (isLate ? late : immediate).push(e);
      }
      tx(() => {
        inner.record(immediate, storedAt);
        for (const e of late) pending.hold(e, e.eventDate + f.lateIndexMs);
      });
      return { events, pending: late.length };
    },
    flush(now) {
      let total = inner.flush(now);
      for (;;) {
        const due = pending.due(now, FLUSH_BATCH);
        if (due.length === 0) return total;
        tx(() => {
          inner.record(
            due.map((d) => d.event),
            now,
          );
          pending.release(due.map((d) => d.id));
        });
        total += due.length;
      }
    },
  };
}
