/**
 * Correspondence on the clock: cases are the clock's 'case' subjects. The clock (server/
 * deadlines) calls this adapter to read and lock a case, to let the correspondence workflow
 * react to clock events, to store the effective due date in `cases.next_due_on`, and to
 * write the case timeline. The clock imports nothing of correspondence.
 */
import type { CaseRow } from '../../db/schema/index.js';
import type { ClockSubject, SubjectAdapter } from '../deadlines/adapter.js';
import type { Actor } from '../platform/audit.js';
import { appendToTimeline } from '../timeline/timeline.js';
import { isManager, viewerOf, type CaseContext } from './context.js';
import { londonDate } from './due.js';
import { ACK_KINDS } from './missed.js';
import type { CaseSummary, TransitionInput } from './types.js';
import {
  AWAITING_REASONS,
  AWAITING_RETURN_REASONS,
  findMove,
  OPEN_STATUSES,
  type CaseStatus,
} from './workflow.js';

const SYSTEM = { id: null, role: 'system' } as const;

/** The columns of a case the clock reads (bench/seed.ts builds its subjects from them too). */
export type CaseClockFields = Pick<
  CaseRow,
  | 'id'
  | 'type'
  | 'subtype'
  | 'receivedOn'
  | 'status'
  | 'respondedAt'
  | 'closedAt'
  | 'acknowledgedAt'
  | 'nextDueOn'
  | 'assigneeId'
  | 'contactId'
  | 'reference'
>;

/** A case as the clock sees it. */
export function caseSubject(row: CaseClockFields): ClockSubject {
  return {
    type: 'case',
    id: row.id,
    regime: row.type,
    variant: row.subtype ?? null,
    receivedOn: row.receivedOn,
    open: OPEN_STATUSES.includes(row.status),
    respondedOn: row.respondedAt ? londonDate(row.respondedAt) : null,
    closedOn: row.status === 'closed' && row.closedAt ? londonDate(row.closedAt) : null,
    // Acknowledging meets both acknowledgement targets (missed.ts counts them the same way).
    metKinds: row.acknowledgedAt ? [...ACK_KINDS] : [],
    dueOn: row.nextDueOn,
    assigneeId: row.assigneeId,
    personId: row.contactId,
    reference: row.reference,
    typeLabel: row.type.toUpperCase(),
    noun: 'case',
    path: `/casework/${row.id}`,
    status: row.status,
  };
}

/**
 * The status a clock event moves a case to in the workflow (§5): asking the requester for
 * something waits for them, their answer reopens the case, and a reply or closure recorded
 * as a clock event moves the case as the workflow would (when the move needs nothing more).
 */
export function statusForClockEvent(
  row: CaseRow,
  actor: Actor,
  event: { kind: string; outcome?: string },
): CaseStatus | undefined {
  const { kind, outcome } = event;
  if (AWAITING_REASONS.includes(kind) && row.status === 'open') return 'awaiting_requester';
  if (AWAITING_RETURN_REASONS.includes(kind) && row.status === 'awaiting_requester') return 'open';
  if (kind !== 'responded' && kind !== 'closed') return undefined;
  const move = findMove(row.type, row.status, kind);
  const ok =
    move &&
    (!move.managerOnly || isManager(actor)) &&
    (!move.requires.includes('outcome') ||
      (outcome && move.outcomes?.(row.type).includes(outcome))) &&
    !move.requires.includes('reasonEvent') &&
    !move.requires.includes('reason');
  return ok ? kind : undefined;
}

export function createCaseClockAdapter(
  ctx: CaseContext,
  transition: (
    actor: Actor,
    id: string,
    input: TransitionInput,
    opts: { tx: Parameters<SubjectAdapter['lock']>[0]; recompute: false },
  ) => Promise<CaseSummary>,
): SubjectAdapter {
  const { repo } = ctx;
  return {
    type: 'case',
    noun: 'case',
    async load(db, id) {
      const row = await repo.findVisible(db, SYSTEM, id);
      return row && caseSubject(row);
    },
    async lock(tx, id, actor) {
      const row = await repo.lockVisible(tx, viewerOf(actor), id);
      return row && caseSubject(row);
    },
    async openAmong(db, ids) {
      const rows = await repo.openCasesAmong(db, ids);
      return new Map(rows.map((row) => [row.id, caseSubject(row)]));
    },
    assignedTo: (db, userId) => repo.openCaseIdsAssignedTo(db, userId),
    async onClockEvent(tx, actor, subject, event) {
      const row = await repo.lockVisible(tx, SYSTEM, subject.id);
      const target = row && statusForClockEvent(row, actor, event);
      if (!row || !target) return;
      const awaiting =
        AWAITING_REASONS.includes(event.kind) || AWAITING_RETURN_REASONS.includes(event.kind);
      // Through the workflow itself (its rules, timeline and audit); the clock stores the
      // timers once afterwards.
      await transition(
        actor,
        row.id,
        {
          to: target,
          version: row.version,
          ...(awaiting ? { reason: event.kind } : {}),
          ...(target === 'closed' && event.outcome ? { outcome: event.outcome } : {}),
        },
        { tx, recompute: false },
      );
    },
    onDueChange: (tx, id, effectiveDueOn) => repo.setNextDue(tx, id, effectiveDueOn),
    timeline: (tx, id, entry) => appendToTimeline(tx, { caseId: id, ...entry }),
  };
}
