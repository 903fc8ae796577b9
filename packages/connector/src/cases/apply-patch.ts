import { apiError } from '../errors.ts';
import type { CasePatch, CloseReason, TimelineKind } from './schemas.ts';

/** The case fields of an incident that an update can change (times in epoch ms). */
export interface CaseState {
  status: 'new' | 'active' | 'closed';
  owner: string | null;
  severity: number;
  tags: string[];
  closeReason: CloseReason | null;
  closeNotes: string | null;
  acknowledgedAt: number | null;
  closedAt: number | null;
}

export interface CaseChange {
  kind: TimelineKind;
  before: unknown;
  after: unknown;
}

const sameTags = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((t, i) => t === b[i]);

/**
 * The rules of an update, shared by both stores: a close needs a reason from the list; a close
 * reason or notes only go with a closed incident; reopening clears them (the timeline keeps them);
 * the first move away from `new` or first assignment acknowledges. Returns the new state and one
 * timeline change per field that really changed (a no-op writes nothing). Throws a 400 naming the
 * field, before anything is written.
 */
export function applyPatch(
  current: CaseState,
  patch: CasePatch,
  now: number,
): { next: CaseState; changes: CaseChange[] } {
  const next: CaseState = { ...current, tags: [...current.tags] };
  const changes: CaseChange[] = [];
  const status = patch.status ?? current.status;
  const closing = status === 'closed' && current.status !== 'closed';

  if (status !== 'closed' && (patch.closeReason !== undefined || patch.closeNotes !== undefined)) {
    const field = patch.closeReason !== undefined ? 'closeReason' : 'closeNotes';
    throw apiError(
      'VALIDATION_FAILED',
      `body.${field} is only allowed when closing (status "closed")`,
      `body.${field}`,
    );
  }
  if (closing && patch.closeReason === undefined) {
    throw apiError(
      'CLOSE_REASON_REQUIRED',
      'body.closeReason is required to close an incident (resolved, false_positive, duplicate, benign_true_positive, other)',
      'body.closeReason',
    );
  }

  if (patch.owner !== undefined && patch.owner !== current.owner) {
    next.owner = patch.owner;
    changes.push({ kind: 'owner_changed', before: current.owner, after: patch.owner });
  }
  if (patch.severity !== undefined && patch.severity !== current.severity) {
    next.severity = patch.severity;
    changes.push({ kind: 'severity_changed', before: current.severity, after: patch.severity });
  }
  if (patch.tags !== undefined) {
    const tags = [...patch.tags].sort();
    if (!sameTags(tags, current.tags)) {
      next.tags = tags;
      changes.push({ kind: 'tags_changed', before: current.tags, after: tags });
    }
  }
  if (status === 'closed') {
    const reason = patch.closeReason ?? current.closeReason;
    const notes = patch.closeNotes ?? (closing ? null : current.closeNotes);
    if (closing || reason !== current.closeReason || notes !== current.closeNotes) {
      next.status = 'closed';
      next.closeReason = reason;
      next.closeNotes = notes;
      next.closedAt = closing ? now : current.closedAt;
      changes.push({
        kind: 'closed',
        before: { status: current.status, closeReason: current.closeReason, closeNotes: current.closeNotes },
        after: { status: 'closed', closeReason: reason, closeNotes: notes },
      });
    }
  } else if (status !== current.status) {
    next.status = status;
    if (current.status === 'closed') {
      next.closeReason = null;
      next.closeNotes = null;
      next.closedAt = null;
      changes.push({
        kind: 'reopened',
        before: { status: 'closed', closeReason: current.closeReason, closeNotes: current.closeNotes },
        after: { status },
      });
    } else {
      changes.push({ kind: 'status_changed', before: current.status, after: status });
    }
  }
  if (
    next.acknowledgedAt === null &&
    (next.status !== 'new' || (next.owner !== null && current.owner === null))
  ) {
    next.acknowledgedAt = now;
  }
  return { next, changes };
}
