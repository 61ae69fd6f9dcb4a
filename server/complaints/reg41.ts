/**
 * Closing a suspended complaint that is not resumed (Police (Complaints and Misconduct)
 * Regulations 2020, reg 41; docs/rules/complaints.md §3 "Suspension"). After the criminal
 * proceedings end, the appropriate authority writes to ask whether the complainant wants
 * the complaint resumed. It may close it (`reg41_not_resumed`) only when the complainant
 * refuses, or says nothing for 28 days after that letter, and only with a decision on
 * whether there is a conduct matter to pursue. Pure: transitions.ts applies the answer.
 */
import { addDays, isIsoDate } from '../lib/dates.js';
import type { FieldErrors } from '../platform/errors.js';
import { complaintErrors } from './errors.js';
import { LIMITS } from './records.js';

export interface Reg41Input {
  /** The day the letter asking whether to resume was sent. */
  letterOn: string;
  reply: 'refused' | 'no_reply';
  /** The decision on a conduct matter (reg 41(2)): what is to be done, and why. */
  conductDecision: string;
}

export const RESUMPTION_REPLY_DAYS = 28;

/**
 * The criteria row of a reg 41 closure on `on`, or the refusal: 422 when the complaint is
 * not suspended or the reply window is still open, 400 with fields for missing details.
 */
export function reg41Closure(
  row: { status: string; suspended: boolean; receivedOn: string },
  input: Reg41Input | undefined,
  on: string,
): Record<string, unknown> {
  if (!row.suspended) throw complaintErrors.notAllowed(row.status, 'closed');
  const fields: FieldErrors = {};
  if (!input) {
    fields['reg41.letterOn'] = 'Give the date of the letter asking whether to resume';
    fields['reg41.conductDecision'] = 'Record the decision on a conduct matter';
    throw complaintErrors.invalid(fields);
  }
  if (!isIsoDate(input.letterOn) || input.letterOn > on || input.letterOn < row.receivedOn)
    fields['reg41.letterOn'] =
      'Enter the real date of the letter: not in the future, not before the complaint';
  const decision = input.conductDecision?.trim() ?? '';
  if (!decision) fields['reg41.conductDecision'] = 'Record the decision on a conduct matter';
  else if (decision.length > LIMITS.reason)
    fields['reg41.conductDecision'] = `Use ${LIMITS.reason} characters or fewer`;
  if (Object.keys(fields).length) throw complaintErrors.invalid(fields);
  const lastDay = addDays(input.letterOn, RESUMPTION_REPLY_DAYS);
  if (input.reply === 'no_reply' && on <= lastDay)
    throw complaintErrors.refused(
      'resumption_reply_window_open',
      `Silence counts only after the reply window ends on ${lastDay} (reg 41): close it from ${addDays(lastDay, 1)}, or record a refusal`,
      'reg41.reply',
    );
  return {
    closure: 'reg41_not_resumed',
    resumptionLetterOn: input.letterOn,
    reply: input.reply,
    replyWindowLastDay: lastDay,
    conductDecision: decision,
  };
}
