/**
 * Names, labels and limits of the deadlines domain. What a deadline kind or a clock event
 * is called is its regime's (`Regime.kindLabels`, `Regime.eventLabels`); the calendars are
 * the calendar service's own.
 */

export const GOVUK_BANK_HOLIDAYS_URL = 'https://www.gov.uk/bank-holidays.json';
export const REFRESH_TIMEOUT_MS = 10_000;
/** Alert admins when any division's data ends before today + this many months (§2). */
export const COVERAGE_ALERT_MONTHS = 9;
export const DIGEST_WORKING_DAYS = 5;
export const LIMITS = { note: 2_000, reason: 2_000, title: 120 };

export const CALENDAR_LABELS: Record<string, string> = {
  uk_foia: 'UK working days (any part of the UK, FOIA s10(6))',
  england_wales: 'England and Wales working days',
  calendar: 'Calendar days',
};
