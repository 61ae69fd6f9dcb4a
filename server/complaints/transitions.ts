/**
 * Moves through the state machine (§3, §3.4) with their guards. A move is checked in
 * full before anything is written; then one conditional UPDATE (status and version) decides
 * a race (the loser gets 409), and the transition row, the audit row and the timers follow
 * in the same transaction. The database refuses a (from, to) pair the machine does not list.
 */
import type { ComplaintRow, NewComplaintRow } from '../../db/schema/index.js';
import { addDays, londonDateOf, toLondonDate } from '../lib/dates.js';
import type { Actor } from '../platform/audit.js';
import type { FieldErrors } from '../platform/errors.js';
import { complaintErrors } from './errors.js';
import {
  ALLOWED_WHILE_SUSPENDED,
  concludes,
  findRule,
  INVESTIGATION_OUTCOMES,
  OUTCOMES,
  ACTIONS,
  RECORDING_REASONS,
  REG41_FROM,
} from './machine.js';
import type { ComplaintsDeps } from './ports.js';
import type { RecordsService } from './records.js';
import { reg41Closure, type Reg41Input } from './reg41.js';

export interface TransitionInput {
  to: string;
  at: string;
  version?: number;
  reason?: string;
  decisionMaker?: string;
  outcome?: {
    allegations: Array<{ id: string; outcome: string; actions?: string[]; actionOther?: string }>;
  };
  /** Leaving `recorded` without a referral: the AA's decision that it is not referable. */
  referral?: 'not_referable';
  investigator?: string;
  independence?: string;
  /** A signed withdrawal, or the complainant's confirmation of an unsigned one. */
  confirmed?: boolean;
  review?: { result?: 'upheld' | 'not_upheld'; recommendations?: string; accepted?: boolean };
  /** Closing a suspended complaint that is not resumed (reg 41). */
  reg41?: Reg41Input;
}

const KIND_OF: Record<string, string> = {
  recorded: 'recording',
  referred_to_iopc: 'referral',
  iopc_investigating: 'iopc_decision',
  investigating: 'investigator',
  handling_otherwise: 'handling',
  outcome_determined: 'outcome',
  withdrawal_pending: 'withdrawal',
  withdrawn: 'withdrawal',
  review_requested: 'review_notified',
  decided: 'review_decision',
};

const need = (cond: unknown, code: string, message: string, field = 'to') => {
  if (!cond) throw complaintErrors.refused(code, message, field);
};

export function createTransitionsService(deps: ComplaintsDeps, records: RecordsService) {
  const { db, repo, clock, audit } = deps;

  /** The event's London date: not in the future, not before the last event (400). */
  function eventDate(at: string, row: ComplaintRow): { at: Date; on: string } {
    const now = clock.now();
    let on: string;
    try {
      on = toLondonDate(at);
    } catch {
      throw complaintErrors.invalid({ at: 'Enter a real date' });
    }
    const instant = /^\d{4}-\d{2}-\d{2}$/.test(at)
      ? on === londonDateOf(now)
        ? now
        : new Date(`${on}T12:00:00Z`)
      : new Date(at);
    if (on > londonDateOf(now) || instant.getTime() > now.getTime())
      throw complaintErrors.invalid({ at: 'The date must not be in the future' });
    if (on < row.lastEventOn)
      throw complaintErrors.invalid({
        at: `The date must not be before the last event (${row.lastEventOn})`,
      });
    return { at: instant, on };
  }

  return {
    async transition(actor: Actor, id: string, input: TransitionInput) {
      return db.transaction(async (tx) => {
        const row = await records.load(tx, actor, id);
        if (input.version !== undefined && input.version !== row.version)
          throw complaintErrors.stale();
        const stream = row.stream;
        const { at, on } = eventDate(input.at, row);
        const reason = input.reason?.trim() || null;
        const patch: Partial<NewComplaintRow> = { lastEventOn: on, updatedAt: clock.now() };
        // The first manager to decide becomes the case manager (reminders go to them too).
        if (actor.role === 'manager' && !row.managerId && actor.id) patch.managerId = actor.id;
        let kind = KIND_OF[input.to] ?? 'status';
        let toStatus = row.status;
        const criteria: Record<string, unknown> = {};
        const afterUpdate: Array<() => Promise<void>> = [];

        if (input.to === 'suspended' || input.to === 'resumed') {
          if (stream !== 'cc' || concludes(stream, row.status))
            throw complaintErrors.notAllowed(row.status, input.to);
          if ((input.to === 'suspended') === row.suspended)
            throw complaintErrors.refused(
              'already_' + input.to,
              `The complaint is already ${input.to}`,
            );
          if (input.to === 'suspended' && !reason)
            throw complaintErrors.invalid({
              reason: 'Say why the complaint is suspended (regs 40-41)',
            });
          if (actor.role !== 'manager') throw complaintErrors.managersOnly();
          patch.suspended = input.to === 'suspended';
          kind = 'suspension';
          criteria.suspended = patch.suspended;
        } else {
          if (row.suspended && !ALLOWED_WHILE_SUSPENDED.includes(input.to))
            throw complaintErrors.suspended();
          const rule = findRule(stream, row.status, input.to);
          if (!rule) throw complaintErrors.notAllowed(row.status, input.to);
          if (rule.who === 'S' && actor.role !== 'system')
            throw complaintErrors.notAllowed(row.status, input.to);
          if (rule.who === 'M' && actor.role !== 'manager' && actor.role !== 'system')
            throw complaintErrors.managersOnly();
          toStatus = input.to;
          if (input.to === 'closed' && (REG41_FROM as readonly string[]).includes(row.status)) {
            Object.assign(criteria, reg41Closure(row, input.reg41, on));
            kind = 'reg41_closure';
          }
          const fields: FieldErrors = {};
          guard(row, input, reason, on, patch, criteria, fields, afterUpdate);
          if (input.to === 'outcome_determined' && input.outcome?.allegations?.length) {
            const allegations = await repo.allegations(tx, row.id);
            Object.assign(
              fields,
              outcomeProblems(
                patch.handling ?? row.handling,
                allegations.map((a) => a.id),
                input.outcome.allegations,
                new Map(allegations.map((a) => [a.id, a.outcome])),
              ),
            );
          }
          if (Object.keys(fields).length) throw complaintErrors.invalid(fields);
          if (input.to === 'review_window') {
            const letter = (await repo.contacts(tx, row.id)).find(
              (c) => c.kind === 'outcome' && c.occurredOn >= row.outcomeOn!,
            );
            need(letter, 'outcome_letter_needed', 'Send the outcome letter first');
            patch.reviewInfoGivenOn = letter!.occurredOn;
          }
          if (row.stream === 'review' && input.to === 'in_review') {
            // Valid only within 28 days from the day after the information was given (reg 29),
            // unless the office extends the limit with a reason (§7).
            const review = await repo.review(tx, row.id);
            need(
              review && (review.appliedOn <= addDays(review.infoGivenOn, 28) || reason),
              'out_of_time',
              'The application was made after the 28-day limit: give the reason for accepting it',
              'reason',
            );
          }
          if (input.to === 'closed' && row.status === 'review_window')
            need(
              row.reviewInfoGivenOn && on > addDays(row.reviewInfoGivenOn, 28),
              'review_window_open',
              'The review window has not ended yet',
            );
          patch.status = toStatus;
          if (concludes(stream, toStatus)) patch.concludedOn = on;
          else if (row.concludedOn) patch.concludedOn = null;
        }

        if (patch.recordedOn || patch.concludedOn) {
          const { calendar } = await deps.calendar(tx);
          if (patch.recordedOn)
            patch.wdToRecord = calendar.workingDaysBetween(row.receivedOn, patch.recordedOn);
          if (patch.concludedOn)
            patch.wdToConclude = calendar.workingDaysBetween(row.receivedOn, patch.concludedOn);
        }
        const updated = await repo.update(tx, row.id, row.version, patch);
        if (!updated) throw complaintErrors.stale();
        for (const step of afterUpdate) await step();

        async function applyOutcomes() {
          for (const a of input.outcome!.allegations)
            await repo.setAllegationOutcome(tx, a.id, {
              outcome: a.outcome,
              actions: a.actions ?? [],
              actionOther: a.actionOther?.trim() || null,
            });
        }
        if (input.to === 'outcome_determined') await applyOutcomes();
        if (stream === 'review') await reviewEffects();

        async function reviewEffects() {
          if (input.to === 'in_review') await repo.updateReview(tx, row.id, { valid: true });
          if (input.to === 'forwarded_to_iopc')
            await repo.updateReview(tx, row.id, { rrb: 'iopc' });
          if (input.to === 'closed' && row.status === 'validity_check')
            await repo.updateReview(tx, row.id, { valid: false });
          if (input.to === 'decided')
            await repo.updateReview(tx, row.id, {
              result: input.review!.result!,
              decidedOn: on,
              recommendations: input.review?.recommendations?.trim() || null,
            });
          if (input.to === 'closed' && row.status === 'awaiting_force_response')
            await repo.updateReview(tx, row.id, {
              recommendationsAccepted: input.review!.accepted!,
              forceRespondedOn: on,
            });
        }

        await repo.insertTransition(tx, {
          complaintId: row.id,
          kind,
          fromStatus: row.status,
          toStatus,
          at,
          occurredOn: on,
          actorId: actor.id,
          actorRole: actor.role,
          decisionMaker:
            actor.role === 'manager'
              ? input.decisionMaker?.trim() || 'PCC (delegated decision)'
              : null,
          reasons: reason,
          criteria,
          recordedAt: clock.now(),
        });
        await audit.record(tx, actor, {
          action: `complaint.${kind === 'status' ? 'transition' : kind}`,
          subjectType: 'complaint',
          subjectId: row.id,
          justification: `${row.status} -> ${input.to}`,
        });
        await deps.timers.recompute(tx, updated);
        return {
          id: updated.id,
          reference: updated.reference,
          status: updated.status,
          suspended: updated.suspended,
          version: updated.version,
        };
      });
    },
  };

  /** The guards of §3 and §3.4: field errors (400) or refusals (422), before any write. */
  function guard(
    row: ComplaintRow,
    input: TransitionInput,
    reason: string | null,
    on: string,
    patch: Partial<NewComplaintRow>,
    criteria: Record<string, unknown>,
    fields: FieldErrors,
    _after: Array<() => Promise<void>>,
  ) {
    const to = input.to;
    const from = row.status;
    if (row.stream === 'review') return reviewGuard(row, input, reason, on, fields);
    if (
      ['transferred', 'not_a_complaint', 'referred_to_iopc', 'iopc_investigating'].includes(to) &&
      !reason
    )
      fields.reason = 'Give the reason';
    if (to === 'outside_sch3') {
      need(
        row.firstContactOn,
        'first_contact_needed',
        'Log the first contact with the complainant first',
      );
      need(
        !row.recordingRequested,
        'recording_requested',
        'The complainant asked for the complaint to be recorded',
      );
      need(
        row.mandatoryCriteria.length === 0,
        'mandatory_criteria',
        'A mandatory recording criterion holds (death or serious injury, crime or discipline, article 2 or 3, reg 4): the complaint must be recorded',
      );
      patch.handling = 'outside_sch3';
    }
    if (to === 'recorded') {
      if (!reason || !(RECORDING_REASONS as readonly string[]).includes(reason))
        fields.reason = `Choose the recording reason: ${RECORDING_REASONS.join('; ')}`;
      patch.recordedOn = on;
      patch.handling = null;
      criteria.recordingReason = reason;
    }
    if (to === 'referred_to_iopc') {
      patch.referralDecision = 'referred';
      patch.referralDecidedOn = on;
    }
    const handlingMove = ['investigating', 'handling_otherwise', 'outcome_determined'].includes(to);
    if (handlingMove && from === 'recorded') {
      need(
        input.referral === 'not_referable',
        'referral_decision_needed',
        'Record the referral decision first: say the complaint is not referable, with reasons (reg 4(1)(c))',
        'referral',
      );
      if (!reason) fields.reason = 'Give the reasons it is not referable';
      patch.referralDecision = 'not_referable';
      patch.referralDecidedOn = on;
      criteria.referral = 'not_referable';
    }
    if (handlingMove && from === 'referred_to_iopc' && !reason)
      fields.reason = 'Give the IOPC decision (para 15)';
    if (to === 'investigating' || to === 'handling_otherwise' || to === 'iopc_investigating') {
      if (to === 'investigating' && !input.investigator?.trim())
        fields.investigator = 'Name the investigator';
      patch.handling =
        to === 'handling_otherwise' ? 'otherwise_than_investigation' : 'investigation';
      patch.investigationMode =
        to === 'iopc_investigating'
          ? 'independent'
          : to === 'investigating'
            ? from === 'referred_to_iopc'
              ? 'directed'
              : 'local'
            : null;
      if (input.investigator) criteria.investigator = input.investigator.trim();
      if (input.independence) criteria.independence = input.independence.trim();
      if (from === 'review_requested') {
        // Re-handling after a review: a new generation of timers (§3).
        if (!reason) fields.reason = 'Give the IOPC review result';
        patch.handlingGeneration = row.handlingGeneration + 1;
        patch.outcomeOn = null;
        patch.reviewInfoGivenOn = null;
        patch.reviewResult = reason;
        patch.investigationEndedOn = null;
      }
      patch.handlingStartedOn =
        from === 'review_requested' || !row.handlingStartedOn ? on : row.handlingStartedOn;
    }
    if (to === 'outcome_determined') {
      if (from === 'recorded') patch.handling = 'nfa';
      if (!input.outcome?.allegations?.length)
        fields.outcome = 'Give the outcome of every allegation';
      if (['investigating', 'iopc_investigating'].includes(from)) patch.investigationEndedOn = on;
      patch.outcomeOn = on;
      criteria.outcome = true;
    }
    if (to === 'review_window') {
      need(row.outcomeOn, 'outcome_letter_needed', 'Send the outcome letter first');
    }
    if (to === 'closed' && from === 'review_requested') {
      if (!reason) fields.reason = 'Give the IOPC review result';
      patch.reviewResult = reason;
    }
    if (to === 'withdrawal_pending') {
      patch.withdrawalLetterOn = on;
      patch.withdrawalReturnsTo = from;
    }
    if (from === 'withdrawal_pending' && to !== 'withdrawn') {
      need(
        to === row.withdrawalReturnsTo,
        'not_previous_status',
        `A pending withdrawal goes back to ${row.withdrawalReturnsTo ?? 'where it was'}`,
      );
      patch.withdrawalLetterOn = null;
      patch.withdrawalReturnsTo = null;
    }
    if (to === 'withdrawn') {
      if (from === 'withdrawal_pending') {
        const replyClosed =
          row.withdrawalLetterOn !== null && on > addDays(row.withdrawalLetterOn, 28);
        need(
          input.confirmed === true || replyClosed,
          'withdrawal_not_confirmed',
          `Withdrawn only once the complainant confirms, or after the reply window ends on ${row.withdrawalLetterOn ? addDays(row.withdrawalLetterOn, 28) : 'its last day'} (reg 39)`,
        );
        criteria.confirmed = input.confirmed === true ? 'confirmed' : 'reply window passed';
      } else {
        need(
          input.confirmed === true,
          'signed_withdrawal_needed',
          'A withdrawal needs the complainant’s signed notice, or a confirmation letter first (reg 39)',
          'confirmed',
        );
        criteria.confirmed = 'signed';
        if (row.referralDecision === 'referred') criteria.iopcToBeTold = true;
      }
    }
  }

  function reviewGuard(
    row: ComplaintRow,
    input: TransitionInput,
    reason: string | null,
    _on: string,
    fields: FieldErrors,
  ) {
    const to = input.to;
    if (
      (to === 'forwarded_to_iopc' || (to === 'closed' && row.status === 'validity_check')) &&
      !reason
    )
      fields.reason =
        'Give the reason (which body reviews it, or why the application is not valid)';
    if (to === 'decided' && !input.review?.result)
      fields['review.result'] = 'Say whether the review is upheld';
    if (
      to === 'closed' &&
      row.status === 'awaiting_force_response' &&
      typeof input.review?.accepted !== 'boolean'
    )
      fields['review.accepted'] = 'Say whether the force accepted the recommendations';
  }
}

/** Which outcome values an allegation may take for a handling (investigations add three). */
export function outcomeProblems(
  handling: string | null,
  allegationIds: string[],
  given: Array<{ id: string; outcome: string; actions?: string[] }>,
  existing: Map<string, string | null>,
): FieldErrors {
  const fields: FieldErrors = {};
  given.forEach((a, i) => {
    if (!allegationIds.includes(a.id))
      fields[`outcome.allegations.${i}.id`] = 'Not an allegation of this complaint';
    if (!(OUTCOMES as readonly string[]).includes(a.outcome))
      fields[`outcome.allegations.${i}.outcome`] = 'Choose an outcome from the list';
    else if (INVESTIGATION_OUTCOMES.includes(a.outcome) && handling !== 'investigation')
      fields[`outcome.allegations.${i}.outcome`] = 'This outcome is only for investigations';
    for (const action of a.actions ?? [])
      if (!(ACTIONS as readonly string[]).includes(action))
        fields[`outcome.allegations.${i}.actions`] = 'Choose actions from the list';
  });
  const covered = new Set(given.map((g) => g.id));
  const missing = allegationIds.filter((id) => !covered.has(id) && !existing.get(id));
  if (missing.length) fields.outcome = 'Every allegation needs an outcome';
  return fields;
}
