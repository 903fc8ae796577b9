import type { CommitRunInput, NewFetchRun, NewIncident } from '../../src/store/types.ts';

export const inc = (n: number, severity = 3): NewIncident => ({
  id: `logzio:e${n}`,
  alertEventId: `e${n}`,
  name: `rule ${n}`,
  occurred: new Date(Date.UTC(2026, 0, 1) + n * 1000).toISOString(),
  severity,
  fields: { n },
  raw: { alertEventId: `e${n}` },
});

export const commit = (
  incidents: NewIncident[],
  before: string | null,
  after: string | null,
): CommitRunInput & { run: NewFetchRun } => ({
  source: 'search',
  incidents,
  cursorBefore: before,
  cursorAfter: after,
  now: 1000,
  run: {
    source: 'search',
    startedAt: 1,
    endedAt: 2,
    count: incidents.length,
    cursorBefore: before,
    cursorAfter: after,
    error: null,
    lagMs: 5,
    full: false,
  },
});
