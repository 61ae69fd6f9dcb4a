import type { Tx } from '../../db/client.js';
import { findMove, type CaseStatus } from '../correspondence/workflow.js';
import { formatDayDate, londonDateOf, type IsoDate } from '../lib/dates.js';
import {
  CLOCK_EVENT_KINDS,
  validateClockEvent,
  type ClockEvent,
  type ClockEventKind,
} from '../lib/deadline-rules.js';
import type { Actor } from '../platform/audit.js';
import { AppError, notFound, validationError } from '../platform/errors.js';
import { EVENT_LABELS, TO_AWAITING, FROM_AWAITING, LIMITS } from './labels.js';
import type { DeadlineView, ClockEventView, RecordEventInput, Cause } from './types.js';
import { eventDateOf, isManager } from './wording.js';
import { type DeadlinesContext } from './context.js';

/** Stored deadlines of a case and the clock events that move them (§4, §5). */
export function createClockEventCommands(ctx: DeadlinesContext) {
  const {
    db,
    clock,
    audit,
    repo,
    caseRepo,
    workflow,
    engineInput,
    store,
    forCase,
    eventView,
    fieldErrorsOf,
  } = ctx;

  return {
    /** Computes and stores a case's deadlines in the caller's transaction. */
    async computeForCase(tx: Tx, caseId: string, cause: Cause = 'case'): Promise<DeadlineView> {
      return (await store(tx, caseId, cause)).view;
    },

    forCase,

    /** A case's clock events, voided ones included (for the case page). */
    async events(caseId: string): Promise<ClockEventView[]> {
      return (await repo.clockEvents(db, caseId, true)).map(eventView);
    },

    /**
     * Records a clock event (§4): validated against the case's live events, appended,
     * written to the timeline, the status moved where the workflow expects it, and the
     * deadlines recomputed, all in one transaction.
     */
    async recordEvent(actor: Actor, caseId: string, input: RecordEventInput) {
      if (!(CLOCK_EVENT_KINDS as readonly string[]).includes(input.kind))
        throw new AppError(400, 'deadlines.unknown_event', 'Select what happened', {
          kind: 'Select what happened',
        });
      const note = input.note?.trim() || undefined;
      if (note && note.length > LIMITS.note)
        throw validationError({ note: `The note must be ${LIMITS.note} characters or fewer` });
      let when: { at: Date; on: IsoDate };
      try {
        when = eventDateOf(input.at);
      } catch {
        throw new AppError(400, 'deadlines.invalid_date', 'Enter a real date', {
          at: 'Enter a real date',
        });
      }
      const kind = input.kind as ClockEventKind;
      const { outcome, ...data } = input.data ?? {};
      return db.transaction(async (tx) => {
        const row = await caseRepo.lockVisible(tx, { id: actor.id, role: actor.role }, caseId);
        if (!row) throw notFound('Case not found');
        if (row.status === 'closed')
          throw new AppError(
            422,
            'deadlines.case_closed',
            'This case is closed: reopen it before recording clock events',
            { kind: 'This case is closed' },
          );
        const { input: engine } = await engineInput(tx, row);
        const event: ClockEvent = { kind, at: when.on, data, ...(note ? { note } : {}) };
        const errors = validateClockEvent(engine, event, {
          today: londonDateOf(clock.now()),
          isManager: isManager(actor),
          managerConfirmed: isManager(actor) && input.confirmLate === true,
        });
        if (errors.length > 0)
          throw new AppError(400, errors[0]!.code, errors[0]!.message, fieldErrorsOf(errors));
        const now = clock.now();
        const saved = await repo.insertClockEvent(tx, {
          caseId: row.id,
          kind,
          at: when.at,
          occurredOn: when.on,
          data: data,
          note: note ?? null,
          actorId: actor.id,
          recordedAt: now,
        });
        await audit.record(tx, actor, {
          action: `case.clock_event.${kind}`,
          subjectType: 'case',
          subjectId: row.id,
          personId: row.contactId,
          justification: note ?? (typeof data.reason === 'string' ? data.reason : null),
        });

        // The workflow's own moves: to and from awaiting the requester, and replies.

        let target: CaseStatus | undefined;
        if (TO_AWAITING.has(kind) && row.status === 'open') target = 'awaiting_requester';
        if (FROM_AWAITING.has(kind) && row.status === 'awaiting_requester') target = 'open';
        if (kind === 'responded' || kind === 'closed') {
          const to = kind as CaseStatus;
          const move = findMove(row.type, row.status, to);
          const ok =
            move &&
            (!move.managerOnly || isManager(actor)) &&
            (!move.requires.includes('outcome') ||
              (outcome && move.outcomes?.(row.type).includes(outcome))) &&
            !move.requires.includes('reasonEvent') &&
            !move.requires.includes('reason');
          if (ok) target = to;
        }
        if (target) {
          await workflow.transition(
            actor,
            row.id,
            {
              to: target,
              version: row.version,
              ...(TO_AWAITING.has(kind) || FROM_AWAITING.has(kind) ? { reason: kind } : {}),
              ...(target === 'closed' && outcome ? { outcome } : {}),
            },
            { tx },
          );
        }
        const before = row.nextDueOn;
        const { view, row: after } = await store(tx, row.id, 'event');
        const parts = [`On ${formatDayDate(when.on)}.`];
        if (kind === 'extended' && data.amount)
          parts.push(
            `By ${data.amount} ${data.kind === 'sar_complex' ? 'month(s)' : 'working day(s)'}.`,
          );
        if (kind === 'due_date_override' && data.date)
          parts.push(`New date ${formatDayDate(data.date)}.`);
        if (data.reason) parts.push(`Reason: ${data.reason}`);
        if (note) parts.push(note);
        if (view.stopped) parts.push(view.stoppedReason ?? 'The clock is stopped.');
        else if (view.effectiveDueDate && view.effectiveDueDate !== before)
          parts.push(`Due date now ${formatDayDate(view.effectiveDueDate)}.`);
        await repo.insertTimeline(tx, {
          caseId: row.id,
          at: now,
          actorId: actor.id,
          kind: 'clock_event',
          data: {
            title: EVENT_LABELS[kind],
            description: parts.join(' '),
            clockEventId: saved.id,
            eventKind: kind,
          },
        });
        return {
          event: eventView(saved),
          caseId: row.id,
          status: after.status,
          dueDate: view.effectiveDueDate,
          deadline: view,
        };
      });
    },

    /** A correction (§4): the event is voided with a reason, never edited or deleted. */
    async voidEvent(actor: Actor, caseId: string, eventId: number, reason: string) {
      const why = reason?.trim() ?? '';
      if (!why) throw validationError({ reason: 'Say why the event is being voided' });
      if (why.length > LIMITS.reason)
        throw validationError({ reason: `Reason must be ${LIMITS.reason} characters or fewer` });
      return db.transaction(async (tx) => {
        const row = await caseRepo.lockVisible(tx, { id: actor.id, role: actor.role }, caseId);
        if (!row) throw notFound('Case not found');
        if (row.status === 'closed')
          throw new AppError(422, 'deadlines.case_closed', 'This case is closed');
        const now = clock.now();
        const voided = await repo.voidClockEvent(tx, row.id, eventId, {
          voidedAt: now,
          voidReason: why,
          voidedById: actor.id,
        });
        if (!voided) throw notFound('Clock event not found');
        await audit.record(tx, actor, {
          action: 'case.clock_event.void',
          subjectType: 'case',
          subjectId: row.id,
          personId: row.contactId,
          justification: why,
        });
        const { view } = await store(tx, row.id, 'event');
        await repo.insertTimeline(tx, {
          caseId: row.id,
          at: now,
          actorId: actor.id,
          kind: 'clock_event_voided',
          data: {
            title: `${EVENT_LABELS[voided.kind as ClockEventKind] ?? voided.kind} voided`,
            description: `Reason: ${why}`,
            clockEventId: voided.id,
          },
        });
        return view;
      });
    },
  };
}
