import type { Tx } from '../../db/client.js';
import { formatDayDate, londonDateOf, type IsoDate } from '../lib/dates.js';
import type { Actor } from '../platform/audit.js';
import { notFound, validationError } from '../platform/errors.js';
import type { ClockSubject } from './adapter.js';
import type { DeadlinesContext } from './context.js';
import { clockEventRefused, subjectClosed, unknownEvent, invalidEventDate } from './errors.js';
import { LIMITS } from './labels.js';
import { eventLabelOf, type RegimeEvent } from './regimes.js';
import type { Cause, ClockEventView, DeadlineView, RecordEventInput } from './types.js';
import { eventDateOf, isManager } from './wording.js';

const capitalised = (noun: string) => `${noun[0]!.toUpperCase()}${noun.slice(1)}`;

/** Timers of a subject and the clock events that move them (§4, §5), for any subject type. */
export function createClockEventCommands(ctx: DeadlinesContext) {
  const { db, clock, audit, repo, timers, adapterFor, recompute, forSubject, eventView } = ctx;
  const { eventLabel } = ctx;
  const key = (subject: ClockSubject) => ({ type: subject.type, id: subject.id });

  async function lockOpen(tx: Tx, actor: Actor, type: string, id: string, closed: string) {
    const adapter = adapterFor(type);
    const subject = await adapter.lock(tx, id, actor);
    if (!subject) throw notFound(`${capitalised(adapter.noun)} not found`);
    if (subject.closedOn) throw subjectClosed(adapter.noun, closed);
    return { adapter, subject };
  }

  return {
    /** Computes and stores a subject's timers in the caller's transaction. */
    async recompute(
      tx: Tx,
      type: string,
      id: string,
      cause: Cause = 'case',
    ): Promise<DeadlineView> {
      const adapter = adapterFor(type);
      const subject = await adapter.load(tx, id);
      if (!subject) throw notFound(`${capitalised(adapter.noun)} not found`);
      return (await recompute(tx, subject, cause)).view;
    },

    forSubject,

    /** A subject's clock events, voided ones included (for its page). */
    async events(type: string, id: string): Promise<ClockEventView[]> {
      const [rows, subject] = await Promise.all([
        repo.clockEvents(db, { type, id }, true),
        adapterFor(type).load(db, id),
      ]);
      // In the subject's regime's words (a subject no longer there: the kinds themselves).
      return rows.map((e) => eventView(subject?.regime, e));
    },

    /**
     * Records a clock event (§4): checked by the subject's regime against its live events,
     * appended, the owning domain's own reaction (a status move), the timers recomputed and
     * the timeline written, all in one transaction.
     */
    async recordEvent(actor: Actor, type: string, id: string, input: RecordEventInput) {
      const note = input.note?.trim() || undefined;
      let when: { at: Date; on: IsoDate } | undefined;
      try {
        when = eventDateOf(input.at);
      } catch {
        when = undefined;
      }
      const kind = input.kind;
      const { outcome, ...data } = input.data ?? {};
      return db.transaction(async (tx) => {
        const { adapter, subject } = await lockOpen(
          tx,
          actor,
          type,
          id,
          'reopen it before recording clock events',
        );
        const { input: engine, regime } = await timers.engineInput(tx, subject);
        if (!regime.eventKinds.includes(input.kind)) throw unknownEvent();
        if (note && note.length > LIMITS.note)
          throw validationError({ note: `The note must be ${LIMITS.note} characters or fewer` });
        if (!when) throw invalidEventDate();
        const event: RegimeEvent = { kind, at: when.on, data, ...(note ? { note } : {}) };
        const errors = regime.validateEvent(engine, event, {
          today: londonDateOf(clock.now()),
          isManager: isManager(actor),
          managerConfirmed: isManager(actor) && input.confirmLate === true,
        });
        if (errors.length > 0) throw clockEventRefused(errors);
        const now = clock.now();
        const saved = await repo.insertClockEvent(tx, {
          subjectType: subject.type,
          subjectId: subject.id,
          kind,
          at: when.at,
          occurredOn: when.on,
          data: data,
          note: note ?? null,
          actorId: actor.id,
          recordedAt: now,
        });
        await audit.record(tx, actor, {
          action: `${subject.type}.clock_event.${kind}`,
          subjectType: subject.type,
          subjectId: subject.id,
          personId: subject.personId,
          justification: note ?? (typeof data.reason === 'string' ? data.reason : null),
        });
        // The owning domain's own moves (correspondence: to and from awaiting the requester,
        // replies and closures), through its workflow, before the timers are stored once.
        await adapter.onClockEvent?.(tx, actor, subject, {
          kind,
          data,
          ...(outcome ? { outcome } : {}),
        });
        const after = (await adapter.load(tx, subject.id))!;
        const { view } = await recompute(tx, after, 'event');
        const parts = [`On ${formatDayDate(when.on)}.`];
        const detail = regime.describeEvent?.(event);
        if (detail) parts.push(detail);
        if (data.reason) parts.push(`Reason: ${data.reason}`);
        if (note) parts.push(note);
        if (view.stopped) parts.push(view.stoppedReason ?? 'The clock is stopped.');
        else if (view.effectiveDueDate && view.effectiveDueDate !== subject.dueOn)
          parts.push(`Due date now ${formatDayDate(view.effectiveDueDate)}.`);
        await adapter.timeline(tx, subject.id, {
          at: now,
          actorId: actor.id,
          kind: 'clock_event',
          data: {
            title: eventLabelOf(regime, kind),
            description: parts.join(' '),
            clockEventId: saved.id,
            eventKind: kind,
          },
        });
        return {
          event: eventView(subject.regime, saved),
          subjectId: subject.id,
          status: after.status,
          dueDate: view.effectiveDueDate,
          deadline: view,
        };
      });
    },

    /** A correction (§4): the event is voided with a reason, never edited or deleted. */
    async voidEvent(actor: Actor, type: string, id: string, eventId: number, reason: string) {
      const why = reason?.trim() ?? '';
      if (!why) throw validationError({ reason: 'Say why the event is being voided' });
      if (why.length > LIMITS.reason)
        throw validationError({ reason: `Reason must be ${LIMITS.reason} characters or fewer` });
      return db.transaction(async (tx) => {
        const { adapter, subject } = await lockOpen(tx, actor, type, id, '');
        const now = clock.now();
        const voided = await repo.voidClockEvent(tx, key(subject), eventId, {
          voidedAt: now,
          voidReason: why,
          voidedById: actor.id,
        });
        if (!voided) throw notFound('Clock event not found');
        await audit.record(tx, actor, {
          action: `${subject.type}.clock_event.void`,
          subjectType: subject.type,
          subjectId: subject.id,
          personId: subject.personId,
          justification: why,
        });
        const { view } = await recompute(tx, subject, 'event');
        await adapter.timeline(tx, subject.id, {
          at: now,
          actorId: actor.id,
          kind: 'clock_event_voided',
          data: {
            title: `${eventLabel(subject.regime, voided.kind)} voided`,
            description: `Reason: ${why}`,
            clockEventId: voided.id,
          },
        });
        return view;
      });
    },
  };
}
