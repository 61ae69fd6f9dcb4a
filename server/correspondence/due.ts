/**
 * Due dates for correspondence. `computeDue` previews a case's deadline from the real
 * engine (server/lib/deadline-rules.ts: bank holidays, per-type rules) on the bundled
 * gov.uk snapshot; the stored deadline of a case comes from the deadlines service through
 * `CaseDeadlineHook` (deadlines.md §5), which the correspondence service calls in its
 * transactions when it is given one (app.ts does).
 *
 * Dates here are `YYYY-MM-DD` strings (London calendar dates), never JS `Date`s.
 */
import type { DbOrTx, Tx } from '../../db/client.js';
import { bundledHolidays } from '../deadlines/bundle.js';
import { buildCalendars, type Calendars } from '../lib/calendar.js';
import { londonDateOf } from '../lib/dates.js';
import { computeDeadlines } from '../lib/deadline-rules.js';
import type { CaseRow } from './repository.js';
import type { CaseType } from './workflow.js';

/** The same shape as the `POST /api/deadlines/calculate` answer (API.md). */
export interface Deadline {
  dueDate: string | null;
  extendedDueDate?: string | null;
  /** A manager's override if any, else `dueDate`: what `cases.next_due_on` holds. */
  effectiveDueDate?: string | null;
  calendar: string;
  skipped: Array<{ date: string; reason: string }>;
}

/** What the correspondence service asks of the deadlines domain. */
export interface CaseDeadlineHook {
  /** Computes and stores the case's deadlines in `tx`; sets `cases.next_due_on`. */
  computeForCase(tx: Tx, caseId: string): Promise<Deadline>;
  /** The stored deadline (with its working) for reading; `row` saves re-reading the case. */
  forCase(db: DbOrTx, caseId: string, row?: CaseRow): Promise<Deadline>;
}

export const DEFAULT_RESPONSE_WORKING_DAYS = 20;

let calendars: Calendars | undefined;
const bundled = () => (calendars ??= buildCalendars(bundledHolidays()));

/** A preview on the bundled holidays (no clock events, no manual holidays). */
export function computeDue(type: CaseType, receivedOn: string): Deadline | Promise<Deadline> {
  const comp = computeDeadlines({ type, receivedOn, holidays: bundledHolidays() });
  return {
    dueDate: comp.effectiveDueDate,
    extendedDueDate: comp.extendedDueDate,
    calendar: comp.calendar,
    skipped: comp.skipped,
  };
}

/** Working days ahead of `today` that count as "due soon" in the triage queue. */
export const DUE_SOON_WORKING_DAYS = 5;

/** The Europe/London calendar date of an instant: 2026-03-31T23:30Z is 2026-04-01. */
export function londonDate(instant: Date): string {
  return londonDateOf(instant);
}

/** `date` plus `days` England and Wales working days (`date` itself is day 0). */
export function addWorkingDays(date: string, days: number): string {
  return bundled().england_wales.addWorkingDays(date, days);
}

/** E&W working days after `from` up to and including `to` (0 when `to` is not later). */
export function workingDaysBetween(from: string, to: string): number {
  return Math.max(0, bundled().england_wales.workingDaysBetween(from, to));
}
