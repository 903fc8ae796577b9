import type { LocalEffect, ManualTask, PlaybookRun, RunDetail, RunStatus, StepStatus } from '../types.ts';
import { all, effect, journal, notify, one, run, type JournalDb, type Tx } from './ops.ts';
import {
  toApiRun,
  toApiStep,
  toRunRecord,
  toStepRow,
  toTask,
  type Phase,
  type RunRecord,
  type RunRowDb,
  type StepRow,
  type StepRowDb,
} from './rows.ts';

/** A step row to add: a run's first step, the step that follows, a foreach's items. */
export interface NewStep {
  stepId: string;
  kind: string;
  item?: number | null;
  status: 'ready' | 'waiting';
  dueAt: number | null;
  timeoutAt?: number | null;
  state?: unknown;
}

export interface NewRun {
  id: string;
  playbook: string;
  version: number;
  incidentId: string | null;
  trigger: PlaybookRun['trigger'];
  /** `incident|playbook|version` for a triggered run: a second one is ignored. */
  triggerKey: string | null;
  startedBy: string;
  parent: { runId: string; stepId: string; item: number | null } | null;
  inputs: Record<string, unknown>;
  deadlineAt: number;
  first: NewStep;
}

/** What becomes of a claimed row; omitted fields keep their value. */
export interface RowUpdate {
  status: StepStatus;
  phase?: Phase;
  attempt?: number;
  dueAt?: number | null;
  timeoutAt?: number | null;
  state?: unknown;
  input?: unknown;
  output?: unknown;
  error?: string | null;
  errorKind?: 'error' | 'timeout' | null;
}

export type RunEnd = {
  status: 'succeeded' | 'failed' | 'cancelled' | 'timed-out';
  outputs?: unknown;
  error?: string | null;
  failedStep?: string | null;
  /** Who cancelled the run (the API principal: user, API key). */
  by?: string;
};

/**
 * Everything a claimed unit's execution changes, committed in ONE transaction: the row's new
 * state (output, error, retry), the step's LocalEffects, the rows that follow, a child run, the
 * run's end, and the journal entries. Refused ('lost') when the lease is no longer this worker's.
 */
export interface Completion {
  rowId: number;
  runId: string;
  stepId: string;
  item: number | null;
  attempt: number;
  owner: string;
  now: number;
  row: RowUpdate;
  effects?: LocalEffect[];
  add?: NewStep[];
  /** A foreach start: its items (rows made once), every item not yet succeeded (re)scheduled. */
  items?: { kind: string; values: unknown[]; concurrency: number };
  childRun?: NewRun;
  /** The run waits on a manual task (`waiting`), goes on (`running`) or ends. */
  run?: { status: 'waiting' | 'running' } | RunEnd;
  events: { kind: string; data?: unknown }[];
  /** What to commit instead when the store refuses the effects (not stored). */
  refused?: (error: string) => Completion;
}

export interface ClaimedUnit {
  row: StepRow;
  run: RunRecord;
}

export interface RunQuery {
  incidentId?: string;
  status?: RunStatus[];
  playbook?: string;
  limit: number;
  before?: string;
}

const TERMINAL: readonly StepStatus[] = ['succeeded', 'failed', 'skipped', 'cancelled'];
const json = (v: unknown) => (v === undefined ? null : JSON.stringify(v));
const ms = (n: number) => Math.floor(n);

function* journalEntry(
  runId: string,
  now: number,
  kind: string,
  stepId: string | null,
  item: number | null,
  attempt: number | null,
  data?: unknown,
): Tx<void> {
  yield* journal([runId, ms(now), kind, stepId, item, attempt, json(data)]);
}

function* timeline(incidentId: string, runId: string, now: number, after: unknown): Tx<void> {
  yield* run(
    `INSERT INTO S.incident_timeline (incident_id, at, actor_kind, actor, kind, before, after)
     VALUES (?, ?, 'playbook', ?, 'playbook_run', NULL, ?)`,
    incidentId,
    ms(now),
    runId,
    json(after),
  );
}

function* insertStep(runId: string, s: NewStep, now: number, phase: Phase = 'start'): Tx<boolean> {
  const n = yield* run(
    `INSERT INTO S.pb_steps (run_id, step_id, item, kind, phase, attempt, status, due_at, timeout_at, state,
       created_at, updated_at) VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    runId,
    s.stepId,
    s.item ?? -1,
    s.kind,
    phase,
    s.status,
    s.dueAt === null ? null : ms(s.dueAt),
    s.timeoutAt == null ? null : ms(s.timeoutAt),
    json(s.state),
    ms(now),
    ms(now),
  );
  if (n > 0 && s.status === 'ready') yield* notify();
  return n > 0;
}

/** Writes a run and its first step; false (nothing written) when its trigger key already ran. */
export function* insertRun(r: NewRun, now: number): Tx<boolean> {
  const rows = yield* all<{ id: string }>(
    `INSERT INTO S.pb_runs (id, playbook, version, incident_id, status, trigger_kind, trigger_key, started_by,
       parent_run_id, parent_step_id, parent_item, inputs, created_at, updated_at, deadline_at)
     VALUES (?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id`,
    r.id,
    r.playbook,
    r.version,
    r.incidentId,
    r.trigger,
    r.triggerKey,
    r.startedBy,
    r.parent?.runId ?? null,
    r.parent?.stepId ?? null,
    r.parent ? (r.parent.item ?? -1) : null,
    JSON.stringify(r.inputs),
    ms(now),
    ms(now),
    ms(r.deadlineAt),
  );
  if (rows.length === 0) return false;
  yield* insertStep(r.id, r.first, now);
  yield* journalEntry(r.id, now, 'run.created', null, null, null, {
    playbook: r.playbook,
    version: r.version,
    trigger: r.trigger,
    startedBy: r.startedBy,
    parentRunId: r.parent?.runId ?? null,
  });
  if (r.incidentId !== null) {
    yield* timeline(r.incidentId, r.id, now, {
      playbook: r.playbook,
      version: r.version,
      status: 'pending',
      trigger: r.trigger,
    });
  }
  return true;
}

/** Ends a run: its open rows are cancelled, its child runs too, and a waiting parent step wakes up. */
function* endRun(runId: string, end: RunEnd, now: number): Tx<boolean> {
  const rows = yield* all<{ kind: string }>(
    'SELECT id, kind FROM S.pb_steps WHERE run_id = ? ORDER BY id{LOCK}',
    runId,
  );
  const r = yield* one<RunRowDb>('SELECT * FROM S.pb_runs WHERE id = ?{LOCK}', runId);
  if (!r || r.ended_at !== null) return false;
  yield* run(
    `UPDATE S.pb_runs SET status = ?, outputs = ?, error = ?, failed_step = ?, ended_at = ?, updated_at = ?
     WHERE id = ?`,
    end.status,
    json(end.outputs ?? null),
    end.error ?? null,
    end.failedStep ?? null,
    ms(now),
    ms(now),
    runId,
  );
  const why = end.status === 'timed-out' ? 'the run passed its deadline' : `the run ended ${end.status}`;
  yield* run(
    `UPDATE S.pb_steps SET status = 'cancelled', due_at = NULL, lease_owner = NULL, lease_until = NULL,
       error = COALESCE(error, ?), ended_at = ?, updated_at = ? WHERE run_id = ? AND status IN ('ready', 'leased', 'waiting')`,
    why,
    ms(now),
    ms(now),
    runId,
  );
  // Only a `playbook` step (or item) starts child runs: other runs skip the look-up, which has
  // no index of its own (it walks the open runs).
  const children = rows.some((x) => x.kind === 'playbook')
    ? yield* all<{ id: string }>(
        'SELECT id FROM S.pb_runs WHERE parent_run_id = ? AND ended_at IS NULL',
        runId,
      )
    : [];
  for (const c of children) {
    yield* endRun(c.id, { status: 'cancelled', error: `parent run ${runId} ended ${end.status}` }, now);
  }
  if (r.parent_run_id !== null) {
    const resumed = yield* run(
      `UPDATE S.pb_steps SET status = 'ready', phase = 'resume', due_at = ?, updated_at = ?
       WHERE run_id = ? AND step_id = ? AND item = ? AND status = 'waiting'`,
      ms(now),
      ms(now),
      r.parent_run_id,
      r.parent_step_id,
      Number(r.parent_item ?? -1),
    );
    if (resumed > 0) yield* notify();
  }
  const by = end.by === undefined ? {} : { by: end.by };
  yield* journalEntry(runId, now, 'run.ended', null, null, null, {
    status: end.status,
    error: end.error ?? null,
    ...by,
  });
  if (r.incident_id !== null) {
    yield* timeline(r.incident_id, runId, now, {
      playbook: r.playbook,
      version: Number(r.version),
      status: end.status,
      error: end.error ?? null,
      ...by,
    });
  }
  return true;
}

function* updateRow(id: number, u: RowUpdate, now: number): Tx<void> {
  const sets: string[] = ['status = ?', 'lease_owner = NULL', 'lease_until = NULL', 'updated_at = ?'];
  const args: unknown[] = [u.status, ms(now)];
  const set = (col: string, v: unknown) => {
    sets.push(`${col} = ?`);
    args.push(v);
  };
  if (u.phase !== undefined) set('phase', u.phase);
  if (u.attempt !== undefined) set('attempt', u.attempt);
  // A row that is not ready or waiting has nothing due.
  set(
    'due_at',
    u.status === 'ready' || u.status === 'waiting' ? (u.dueAt == null ? null : ms(u.dueAt)) : null,
  );
  if (u.timeoutAt !== undefined) set('timeout_at', u.timeoutAt === null ? null : ms(u.timeoutAt));
  if (u.state !== undefined) set('state', json(u.state));
  if (u.input !== undefined) set('input', json(u.input));
  if (u.output !== undefined) set('output', json(u.output));
  if (u.error !== undefined) set('error', u.error);
  if (u.errorKind !== undefined) set('error_kind', u.errorKind);
  if (TERMINAL.includes(u.status)) set('ended_at', ms(now));
  else if (u.status === 'ready') {
    set('started_at', null);
    set('ended_at', null);
  }
  args.push(id);
  yield* run(`UPDATE S.pb_steps SET ${sets.join(', ')} WHERE id = ?`, ...args);
}

/** A foreach's items: made once; every one not yet succeeded queued again; `concurrency` released. */
function* scheduleItems(
  runId: string,
  stepId: string,
  items: NonNullable<Completion['items']>,
  now: number,
): Tx<void> {
  for (let i = 0; i < items.values.length; i++) {
    yield* insertStep(
      runId,
      { stepId, kind: items.kind, item: i, status: 'waiting', dueAt: null, state: { item: items.values[i] } },
      now,
      'queued',
    );
  }
  // A retried foreach: failed items run again (a new attempt); succeeded ones are kept as they are.
  yield* run(
    `UPDATE S.pb_steps SET status = 'waiting', phase = 'queued', attempt = attempt + 1, due_at = NULL, error = NULL,
       error_kind = NULL, lease_owner = NULL, lease_until = NULL, started_at = NULL, ended_at = NULL, updated_at = ?
     WHERE run_id = ? AND step_id = ? AND item >= 0 AND status IN ('failed', 'cancelled')`,
    ms(now),
    runId,
    stepId,
  );
  yield* releaseItems(runId, stepId, items.concurrency, now);
}

function* releaseItems(runId: string, stepId: string, n: number, now: number): Tx<void> {
  const released = yield* run(
    `UPDATE S.pb_steps SET status = 'ready', phase = 'start', due_at = ?, updated_at = ? WHERE id IN (
       SELECT id FROM S.pb_steps WHERE run_id = ? AND step_id = ? AND item >= 0 AND status = 'waiting' AND phase = 'queued'
       ORDER BY item LIMIT ?)`,
    ms(now),
    ms(now),
    runId,
    stepId,
    n,
  );
  if (released > 0) yield* notify();
}

/** An item reached its end: the next queued one takes its slot; after the last, the foreach resumes. */
function* itemDone(runId: string, stepId: string, now: number): Tx<void> {
  yield* releaseItems(runId, stepId, 1, now);
  const open = yield* one<{ n: number | string }>(
    `SELECT COUNT(*) AS n FROM S.pb_steps WHERE run_id = ? AND step_id = ? AND item >= 0
       AND status NOT IN ('succeeded', 'failed', 'skipped', 'cancelled')`,
    runId,
    stepId,
  );
  if (Number(open?.n ?? 0) === 0) {
    const resumed = yield* run(
      `UPDATE S.pb_steps SET status = 'ready', phase = 'resume', due_at = ?, updated_at = ?
       WHERE run_id = ? AND step_id = ? AND item = -1 AND status = 'waiting'`,
      ms(now),
      ms(now),
      runId,
      stepId,
    );
    if (resumed > 0) yield* notify();
  }
}

/** A completion whose run goes straight on to one step due now: that step can stay with its worker. */
function chainable(c: Completion): NewStep | null {
  if (c.item !== null || c.items || c.childRun || (c.run && c.run.status !== 'running')) return null;
  const s = c.add?.length === 1 ? c.add[0]! : null;
  return s && s.status === 'ready' && (s.item ?? null) === null && s.dueAt !== null && s.dueAt <= c.now
    ? s
    : null;
}

/** The next step's row, made already leased to the worker that completed its predecessor. */
function* insertLeased(
  runId: string,
  s: NewStep,
  owner: string,
  now: number,
  until: number,
): Tx<StepRow | null> {
  const [raw] = yield* all<StepRowDb>(
    `INSERT INTO S.pb_steps (run_id, step_id, item, kind, phase, attempt, status, lease_owner, lease_until, due_at,
       timeout_at, state, started_at, created_at, updated_at)
     VALUES (?, ?, -1, ?, 'start', 1, 'leased', ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING *`,
    runId,
    s.stepId,
    s.kind,
    owner,
    ms(until),
    ms(until),
    s.timeoutAt == null ? null : ms(s.timeoutAt),
    json(s.state),
    ms(now),
    ms(now),
    ms(now),
  );
  return raw ? toStepRow(raw) : null;
}

export interface Committed {
  result: 'ok' | 'lost';
  /** The step that follows, already leased to the completing worker (see completeMany). */
  next: StepRow | null;
}

function* complete(c: Completion, chainLeaseMs: number | null): Tx<Committed> {
  const lost: Committed = { result: 'lost', next: null };
  const now = c.now;
  // Items of one foreach finish in parallel on several workers: their parent row is locked first
  // so that exactly one of them sees "no item left open" and wakes the foreach.
  if (c.item !== null) {
    yield* all(
      'SELECT id FROM S.pb_steps WHERE run_id = ? AND step_id = ? AND item = -1{LOCK}',
      c.runId,
      c.stepId,
    );
  }
  // One look: the row is still this worker's, and its run has not ended (a cancel locks the
  // run's step rows first, so it waits for this commit or this commit sees its end).
  const mine = yield* one<{ open: number | string }>(
    `SELECT (SELECT COUNT(*) FROM S.pb_runs r WHERE r.id = s.run_id AND r.ended_at IS NULL) AS open
     FROM S.pb_steps s WHERE s.id = ? AND s.status = 'leased' AND s.lease_owner = ? AND s.attempt = ?{LOCK}`,
    c.rowId,
    c.owner,
    c.attempt,
  );
  if (!mine || Number(mine.open) === 0) return lost;
  for (const e of c.effects ?? []) {
    const applied = yield* effect(e, c.runId, now);
    if (!applied) throw new Error(`incident ${e.incidentId} does not exist`);
  }
  yield* updateRow(c.rowId, c.row, now);
  const chain = chainLeaseMs === null ? null : chainable(c);
  let next: StepRow | null = null;
  for (const s of c.add ?? []) {
    // A row that exists already (a retried run) is left as it is, as insertStep does.
    if (s === chain) next = yield* insertLeased(c.runId, s, c.owner, now, now + chainLeaseMs!);
    else yield* insertStep(c.runId, s, now);
  }
  if (c.items) yield* scheduleItems(c.runId, c.stepId, c.items, now);
  if (c.childRun) yield* insertRun(c.childRun, now);
  for (const e of c.events)
    yield* journalEntry(c.runId, now, e.kind, c.stepId, c.item, c.row.attempt ?? c.attempt, e.data);
  if (next) {
    yield* journalEntry(c.runId, now, 'step.claimed', next.stepId, null, next.attempt, {
      owner: c.owner,
      phase: next.phase,
    });
  }
  if (c.item !== null && TERMINAL.includes(c.row.status)) yield* itemDone(c.runId, c.stepId, now);
  const to = c.run;
  if (to) {
    if (to.status === 'waiting' || to.status === 'running') {
      yield* run(
        `UPDATE S.pb_runs SET status = ?, updated_at = ? WHERE id = ? AND ended_at IS NULL`,
        to.status,
        ms(now),
        c.runId,
      );
    } else {
      yield* endRun(c.runId, to as RunEnd, now);
    }
  }
  return { result: 'ok', next };
}

function* claim(owner: string, now: number, leaseMs: number, limit: number): Tx<ClaimedUnit[]> {
  const until = ms(now + leaseMs);
  const rows = yield* all<StepRowDb>(
    `UPDATE S.pb_steps SET status = 'leased', lease_owner = ?, lease_until = ?, due_at = ?,
       started_at = COALESCE(started_at, ?), updated_at = ?
     WHERE id IN (SELECT id FROM S.pb_steps WHERE due_at <= ? AND status IN ('ready', 'leased', 'waiting')
                  ORDER BY due_at, id LIMIT ?{SKIP})
     RETURNING *`,
    owner,
    until,
    until,
    ms(now),
    ms(now),
    ms(now),
    limit,
  );
  const runs = new Map<string, RunRecord | null>();
  const out: ClaimedUnit[] = [];
  for (const raw of rows.sort((a, b) => Number(a.id) - Number(b.id))) {
    const row = toStepRow(raw);
    if (!runs.has(row.runId)) {
      yield* run(
        `UPDATE S.pb_runs SET status = 'running', updated_at = ? WHERE id = ? AND status IN ('pending', 'waiting')`,
        ms(now),
        row.runId,
      );
      const r = yield* one<RunRowDb>('SELECT * FROM S.pb_runs WHERE id = ?', row.runId);
      runs.set(row.runId, r && r.ended_at === null ? toRunRecord(r) : null);
    }
    const r = runs.get(row.runId);
    if (!r) continue;
    yield* journalEntry(row.runId, now, 'step.claimed', row.stepId, row.item, row.attempt, {
      owner,
      phase: row.phase,
    });
    out.push({ row, run: r });
  }
  return out;
}

/**
 * The journal of the playbook runs in the incident store: the one place run and step rows are
 * written. Every write is one transaction (see ops.ts for how it runs on SQLite and PostgreSQL).
 */
export function createJournal(db: JournalDb) {
  return {
    db,
    /** A manual run (or a child run): false when its trigger key already ran. */
    startRun(r: NewRun, now: number): Promise<boolean> {
      return db.tx(() => insertRun(r, now));
    },
    claim(owner: string, now: number, leaseMs: number, limit: number): Promise<ClaimedUnit[]> {
      return db.tx(() => claim(owner, now, leaseMs, limit));
    },
    /** Extends every lease `owner` holds; returns how many. */
    heartbeat(owner: string, now: number, leaseMs: number): Promise<number> {
      const until = ms(now + leaseMs);
      return db.tx(() =>
        run(
          `UPDATE S.pb_steps SET lease_until = ?, due_at = ? WHERE lease_owner = ? AND status = 'leased'`,
          until,
          until,
          owner,
        ),
      );
    },
    /** Who holds leases now: a restarted process voids those of its dead predecessors. */
    async leaseOwners(): Promise<string[]> {
      const sql = `SELECT DISTINCT lease_owner AS o FROM S.pb_steps WHERE status = 'leased' AND lease_owner IS NOT NULL`;
      return (await db.read(() => all<{ o: string }>(sql))).map((r) => r.o);
    },
    /** Leases of a worker that stops: claimable at once by the next one (same attempt). */
    release(owner: string, now: number): Promise<number> {
      return db.tx(function* () {
        const n = yield* run(
          `UPDATE S.pb_steps SET lease_until = ?, due_at = ? WHERE lease_owner = ? AND status = 'leased'`,
          ms(now),
          ms(now),
          owner,
        );
        if (n > 0) yield* notify();
        return n;
      });
    },
    async complete(c: Completion): Promise<'ok' | 'lost'> {
      return (await db.tx(() => complete(c, null))).result;
    },
    /**
     * Several completions (of any runs) in ONE transaction: one commit, one fsync for all (group
     * commit). With `chainLeaseMs`, a completion whose run goes straight on to a step due now
     * leaves that step leased to its worker (`next`), which runs it without another claim. With
     * `claim`, the same transaction then claims due units for the worker's free slots: `free`
     * plus one per completion that leaves its slot (no `next`). If any completion throws, nothing
     * is written (the caller commits them one by one).
     */
    completeMany(
      cs: readonly Completion[],
      opts: {
        chainLeaseMs?: number;
        claim?: { owner: string; now: number; leaseMs: number; free: number };
      } = {},
    ): Promise<{ committed: Committed[]; claimed: ClaimedUnit[] }> {
      // Run order keeps the row locks of concurrent batches (PostgreSQL) in one order.
      const order = cs.map((_, i) => i).sort((a, b) => (cs[a]!.runId < cs[b]!.runId ? -1 : 1));
      return db.tx(function* () {
        const committed = new Array<Committed>(cs.length);
        for (const i of order) committed[i] = yield* complete(cs[i]!, opts.chainLeaseMs ?? null);
        const c = opts.claim;
        const limit = c ? c.free + committed.filter((x) => x.next === null).length : 0;
        const claimed = c && limit > 0 ? yield* claim(c.owner, c.now, c.leaseMs, limit) : [];
        return { committed, claimed };
      });
    },
    /** Calls `fn` whenever something may have become claimable (see ops.ts notify()). */
    listen(fn: () => void) {
      return db.listen(fn);
    },
    /**
     * Runs past their deadline are marked `timed-out` (their open steps cancelled); waiting steps
     * past their own timeout are queued to fail with a timeout error (then retry or on-error).
     */
    watchdog(now: number): Promise<{ timedOut: string[]; stepTimeouts: number }> {
      return db.tx(function* () {
        const late = yield* all<{ id: string }>(
          `SELECT id FROM S.pb_runs WHERE ended_at IS NULL AND deadline_at <= ? ORDER BY deadline_at LIMIT 100`,
          ms(now),
        );
        const timedOut: string[] = [];
        for (const r of late) {
          if (yield* endRun(r.id, { status: 'timed-out', error: 'the run passed its deadline' }, now)) {
            timedOut.push(r.id);
          }
        }
        const stepTimeouts = yield* run(
          `UPDATE S.pb_steps SET status = 'ready', phase = 'timeout', due_at = ?, timeout_at = NULL, updated_at = ?
           WHERE status = 'waiting' AND timeout_at <= ?`,
          ms(now),
          ms(now),
          ms(now),
        );
        if (stepTimeouts > 0) yield* notify();
        return { timedOut, stepTimeouts };
      });
    },
    cancel(runId: string, by: string, now: number): Promise<boolean> {
      return db.tx(() => endRun(runId, { status: 'cancelled', error: `cancelled by ${by}`, by }, now));
    },
    /**
     * A failed, timed-out or cancelled run goes on from where it stopped: the step that failed it
     * and the steps its end cancelled get a new attempt; succeeded steps (and items) stay.
     */
    retry(runId: string, by: string, now: number, deadlineAt: number): Promise<boolean> {
      return db.tx(function* () {
        const r = yield* one<RunRowDb>('SELECT * FROM S.pb_runs WHERE id = ?{LOCK}', runId);
        if (!r || !['failed', 'timed-out', 'cancelled'].includes(r.status) || r.parent_run_id !== null) {
          return false;
        }
        yield* retryRun(r, now, deadlineAt);
        yield* journalEntry(runId, now, 'run.retried', null, null, null, { by });
        yield* notify();
        return true;
      });
    },
    /** Answers a waiting manual step; false when it is not waiting. */
    answer(runId: string, stepId: string, answer: unknown, by: string, now: number): Promise<boolean> {
      return db.tx(function* () {
        const n = yield* run(
          `UPDATE S.pb_steps SET status = 'ready', phase = 'resume', due_at = ?, state = ?, updated_at = ?
           WHERE run_id = ? AND step_id = ? AND item = -1 AND kind = 'manual' AND status = 'waiting'`,
          ms(now),
          JSON.stringify({ answer, by, at: new Date(ms(now)).toISOString() }),
          ms(now),
          runId,
          stepId,
        );
        if (n === 0) return false;
        yield* run(
          `UPDATE S.pb_runs SET status = 'running', updated_at = ? WHERE id = ? AND status = 'waiting'`,
          ms(now),
          runId,
        );
        yield* journalEntry(runId, now, 'step.answered', stepId, null, null, { by });
        yield* notify();
        return true;
      });
    },
    async getRun(id: string): Promise<RunRecord | null> {
      const r = await db.read(() => one<RunRowDb>('SELECT * FROM S.pb_runs WHERE id = ?', id));
      return r ? toRunRecord(r) : null;
    },
    async apiRun(id: string): Promise<PlaybookRun | null> {
      const r = await db.read(() => one<RunRowDb>('SELECT * FROM S.pb_runs WHERE id = ?', id));
      return r ? toApiRun(r) : null;
    },
    /** The rows of a run (steps and items), in the order they were made. */
    async stepRows(runId: string): Promise<StepRow[]> {
      const rows = await db.read(() =>
        all<StepRowDb>('SELECT * FROM S.pb_steps WHERE run_id = ? ORDER BY id', runId),
      );
      return rows.map(toStepRow);
    },
    /** What `steps.<id>` shows: every step (not item) that succeeded or failed. */
    async stepResults(runId: string): Promise<StepRow[]> {
      const rows = await db.read(() =>
        all<StepRowDb>(
          `SELECT * FROM S.pb_steps WHERE run_id = ? AND item = -1 AND status IN ('succeeded', 'failed') ORDER BY id`,
          runId,
        ),
      );
      return rows.map(toStepRow);
    },
    /** A foreach's item rows, by item. */
    async itemRows(runId: string, stepId: string): Promise<StepRow[]> {
      const rows = await db.read(() =>
        all<StepRowDb>(
          'SELECT * FROM S.pb_steps WHERE run_id = ? AND step_id = ? AND item >= 0 ORDER BY item',
          runId,
          stepId,
        ),
      );
      return rows.map(toStepRow);
    },
    async detail(id: string): Promise<RunDetail | null> {
      return db.read(function* () {
        const r = yield* one<RunRowDb>('SELECT * FROM S.pb_runs WHERE id = ?', id);
        if (!r) return null;
        const steps = yield* all<StepRowDb>('SELECT * FROM S.pb_steps WHERE run_id = ? ORDER BY id', id);
        const ended = yield* one<{ data: string | null }>(
          `SELECT data FROM S.pb_journal WHERE run_id = ? AND kind = 'run.ended' ORDER BY id DESC LIMIT 1`,
          id,
        );
        const by = (JSON.parse(ended?.data ?? 'null') as { by?: string } | null)?.by;
        return {
          ...toApiRun(r),
          cancelledBy: r.status === 'cancelled' ? (by ?? null) : null,
          steps: steps.map(toApiStep),
        };
      });
    },
    async runs(q: RunQuery): Promise<PlaybookRun[]> {
      const where: string[] = [];
      const args: unknown[] = [];
      if (q.incidentId !== undefined) {
        where.push('incident_id = ?');
        args.push(q.incidentId);
      }
      if (q.playbook !== undefined) {
        where.push('playbook = ?');
        args.push(q.playbook);
      }
      if (q.status?.length) {
        where.push(`status IN (${q.status.map(() => '?').join(', ')})`);
        args.push(...q.status);
      }
      if (q.before !== undefined) {
        // Keyset paging on (created_at, id): `before` is a run id from the previous page.
        where.push(
          '(created_at < (SELECT created_at FROM S.pb_runs WHERE id = ?) OR (created_at = (SELECT created_at FROM S.pb_runs WHERE id = ?) AND id < ?))',
        );
        args.push(q.before, q.before, q.before);
      }
      const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
      const rows = await db.read(() =>
        all<RunRowDb>(
          `SELECT * FROM S.pb_runs ${clause} ORDER BY created_at DESC, id DESC LIMIT ?`,
          ...args,
          q.limit,
        ),
      );
      return rows.map(toApiRun);
    },
    async tasks(q: { incidentId?: string }): Promise<ManualTask[]> {
      const args: unknown[] = [];
      let extra = '';
      if (q.incidentId !== undefined) {
        extra = ' AND r.incident_id = ?';
        args.push(q.incidentId);
      }
      const rows = await db.read(() =>
        all<StepRowDb & { incident_id: string | null }>(
          `SELECT s.*, r.incident_id FROM S.pb_steps s JOIN S.pb_runs r ON r.id = s.run_id
           WHERE s.kind = 'manual' AND s.status = 'waiting' AND s.item = -1${extra} ORDER BY s.updated_at, s.id`,
          ...args,
        ),
      );
      return rows.map(toTask);
    },
    /** Journal entries of a run, oldest first (tests and the run detail's history). */
    async events(
      runId: string,
    ): Promise<
      { kind: string; stepId: string | null; item: number | null; attempt: number | null; data: unknown }[]
    > {
      const rows = await db.read(() =>
        all<{
          kind: string;
          step_id: string | null;
          item: number | string | null;
          attempt: number | string | null;
          data: string | null;
        }>('SELECT kind, step_id, item, attempt, data FROM S.pb_journal WHERE run_id = ? ORDER BY id', runId),
      );
      return rows.map((r) => ({
        kind: r.kind,
        stepId: r.step_id,
        item: r.item === null || Number(r.item) < 0 ? null : Number(r.item),
        attempt: r.attempt === null ? null : Number(r.attempt),
        data: r.data === null ? null : JSON.parse(r.data),
      }));
    },
  };
}

function* retryRun(r: RunRowDb, now: number, deadlineAt: number): Tx<void> {
  // The step that failed the run, and every step its end cancelled, start again as a new attempt.
  yield* run(
    `UPDATE S.pb_steps SET status = 'ready', phase = 'start', attempt = attempt + 1, due_at = ?, error = NULL,
       error_kind = NULL, lease_owner = NULL, lease_until = NULL, started_at = NULL, ended_at = NULL, updated_at = ?
     WHERE run_id = ? AND item = -1 AND (status = 'cancelled' OR (status = 'failed' AND step_id = ?))`,
    ms(now),
    ms(now),
    r.id,
    r.failed_step ?? '',
  );
  yield* run(
    `UPDATE S.pb_runs SET status = 'running', error = NULL, failed_step = NULL, outputs = NULL, ended_at = NULL,
       updated_at = ?, deadline_at = ? WHERE id = ?`,
    ms(now),
    ms(deadlineAt),
    r.id,
  );
}

export type Journal = ReturnType<typeof createJournal>;
