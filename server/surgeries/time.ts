/**
 * Europe/London for surgeries (docs/rules/surgeries.md §9): slots are generated from local wall
 * times and shown in GOV.UK style, never by adding 86,400,000 ms.
 */
import {
  addDays,
  londonDateOf,
  londonHourMinute,
  londonInstantsAt,
  weekdayName,
  type IsoDate,
} from '../lib/dates.js';
import { formatDate } from '../lib/format.js';

const TIME_RE = /^([01]?\d|2[0-3]):([0-5]\d)$/;

/** `HH:MM` (24-hour) to hours and minutes, or null. */
export function parseClockTime(value: string): { hour: number; minute: number } | null {
  const m = TIME_RE.exec(value.trim());
  return m ? { hour: Number(m[1]), minute: Number(m[2]) } : null;
}

/**
 * The instant of a London wall time on a date. A time the clocks skip (01:30 on 29 March
 * 2026) gives null; one they pass twice (01:30 on 25 October 2026) gives the first, BST.
 */
export function londonLocal(date: IsoDate, hour: number, minute: number): Date | null {
  return londonInstantsAt(date, hour, minute)[0] ?? null;
}

/** GOV.UK times: "10am", "2:15pm", "midday", "midnight". */
export function govukTime(instant: Date): string {
  const { hour, minute } = londonHourMinute(instant);
  if (minute === 0 && hour === 12) return 'midday';
  if (minute === 0 && hour === 0) return 'midnight';
  const h12 = hour % 12 === 0 ? 12 : hour % 12;
  const suffix = hour < 12 ? 'am' : 'pm';
  return minute === 0 ? `${h12}${suffix}` : `${h12}:${String(minute).padStart(2, '0')}${suffix}`;
}

/** "Tuesday 14 April 2026". */
export function govukDay(instant: Date): string {
  const date = londonDateOf(instant);
  return `${weekdayName(date)} ${formatDate(date)}`;
}

/** "Tuesday 14 April 2026, 2pm to 5pm". */
export function govukSpan(start: Date, end: Date): string {
  return `${govukDay(start)}, ${govukTime(start)} to ${govukTime(end)}`;
}

/** `HH:MM` in London, for form fields. */
export function londonClock(instant: Date): string {
  const { hour, minute } = londonHourMinute(instant);
  return `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
}

/**
 * The same London wall time on the previous day (23 or 25 elapsed hours across a clock
 * change). When that time does not exist, the first instant after the gap.
 */
export function sameTimeDayBefore(instant: Date): Date {
  const { hour, minute } = londonHourMinute(instant);
  const day = addDays(londonDateOf(instant), -1);
  return londonLocal(day, hour, minute) ?? londonLocal(day, hour + 1, 0)!;
}
