/**
 * Due dates for correspondence. THE HOOK: `computeDue` is the one place a case's due date
 * is worked out when it is created. For now it counts 20 working days from the London date
 * of receipt (receipt is day 0), skipping weekends only; the deadlines engineer replaces its
 * body with the real engine (bank holidays, per-type rules, clock events). Callers `await`
 * it, so the replacement may be async.
 *
 * Dates here are `YYYY-MM-DD` strings (London calendar dates), never JS `Date`s.
 */
import type { CaseType } from './workflow.js';

/** The same shape as the `POST /api/deadlines/calculate` answer (API.md). */
export interface Deadline {
  dueDate: string | null;
  extendedDueDate?: string | null;
  calendar: string;
  skipped: Array<{ date: string; reason: string }>;
}

export const DEFAULT_RESPONSE_WORKING_DAYS = 20;

export function computeDue(_type: CaseType, receivedOn: string): Deadline | Promise<Deadline> {
  return {
    dueDate: addWorkingDays(receivedOn, DEFAULT_RESPONSE_WORKING_DAYS),
    calendar: 'weekends_only',
    skipped: [],
  };
}

/** Working days ahead of `today` that count as "due soon" in the triage queue. */
export const DUE_SOON_WORKING_DAYS = 5;

const londonParts = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The Europe/London calendar date of an instant: 2026-03-31T23:30Z is 2026-04-01. */
export function londonDate(instant: Date): string {
  const parts = Object.fromEntries(
    londonParts.formatToParts(instant).map((part) => [part.type, part.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}`;
}

const toUtcNoon = (date: string) => new Date(`${date}T12:00:00Z`);
const fromUtc = (date: Date) => date.toISOString().slice(0, 10);
const isWeekend = (date: Date) => date.getUTCDay() === 0 || date.getUTCDay() === 6;

/** `date` plus `days` working days (weekends skipped; `date` itself is day 0). */
export function addWorkingDays(date: string, days: number): string {
  const current = toUtcNoon(date);
  let left = days;
  while (left > 0) {
    current.setUTCDate(current.getUTCDate() + 1);
    if (!isWeekend(current)) left -= 1;
  }
  return fromUtc(current);
}

/** Working days after `from` up to and including `to` (0 when `to` is not later). */
export function workingDaysBetween(from: string, to: string): number {
  const current = toUtcNoon(from);
  const end = toUtcNoon(to);
  let count = 0;
  while (current < end) {
    current.setUTCDate(current.getUTCDate() + 1);
    if (!isWeekend(current)) count += 1;
  }
  return count;
}
