/**
 * Calendar-date arithmetic on `YYYY-MM-DD` strings (docs/rules/deadlines.md §1).
 *
 * A due date is a calendar date, not an instant, so the arithmetic never goes through a
 * JS `Date` in local time (where a BST change or the server's zone could shift it by a
 * day). Internally a date is an integer day number (days since 1970-01-01, the same
 * scale as `Date.UTC / 86_400_000`). Only the functions named `london…` deal in
 * instants, and they read Europe/London wall time through `Intl`.
 */

export type IsoDate = string;

const DAY_MS = 86_400_000;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
const WEEKDAYS_LONG = [
  'Sunday',
  'Monday',
  'Tuesday',
  'Wednesday',
  'Thursday',
  'Friday',
  'Saturday',
] as const;
// Fixed names: ICU's en-GB short month for September is "Sept", which would vary by Node build.
const MONTHS = [
  'Jan',
  'Feb',
  'Mar',
  'Apr',
  'May',
  'Jun',
  'Jul',
  'Aug',
  'Sep',
  'Oct',
  'Nov',
  'Dec',
] as const;

/**
 * Dates already converted, both ways. Deadline counting steps through every day of a
 * period (three conversions a day), so a case's deadlines cost about 130 µs without these
 * and a tenth of that with them. Only valid dates are kept; bounded, cleared when full.
 */
const dayNumbers = new Map<string, number>();
const isoDates = new Map<number, IsoDate>();
const CONVERSIONS_KEPT = 100_000;

/** True for a real calendar date written `YYYY-MM-DD` (so 2026-02-30 is false). */
export function isIsoDate(value: unknown): value is IsoDate {
  if (typeof value !== 'string') return false;
  if (dayNumbers.has(value)) return true;
  const m = DATE_RE.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(y, mo);
}

/** Day, month and year fields to `YYYY-MM-DD`, or undefined when they are not a real date. */
export function dateFromParts(values: Record<string, unknown>, prefix: string): string | undefined {
  const part = (name: string) => {
    const value = values[`${prefix}-${name}`];
    return typeof value === 'string' ? value.trim() : '';
  };
  const [d, m, y] = [part('day'), part('month'), part('year')];
  if (!/^\d{1,2}$/.test(d) || !/^\d{1,2}$/.test(m) || !/^\d{4}$/.test(y)) return undefined;
  const iso = `${y}-${m.padStart(2, '0')}-${d.padStart(2, '0')}`;
  return isIsoDate(iso) ? iso : undefined;
}

function assertIsoDate(value: string): void {
  if (!isIsoDate(value)) throw new RangeError(`Not a YYYY-MM-DD date: ${JSON.stringify(value)}`);
}

/** Days since 1970-01-01 (negative before it). */
export function toDayNumber(date: IsoDate): number {
  const known = dayNumbers.get(date);
  if (known !== undefined) return known;
  assertIsoDate(date);
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const day = Date.UTC(y, m - 1, d) / DAY_MS;
  if (dayNumbers.size >= CONVERSIONS_KEPT) dayNumbers.clear();
  dayNumbers.set(date, day);
  return day;
}

export function fromDayNumber(day: number): IsoDate {
  const known = isoDates.get(day);
  if (known !== undefined) return known;
  if (!Number.isInteger(day)) throw new RangeError(`Not a whole day number: ${day}`);
  const date = new Date(day * DAY_MS).toISOString().slice(0, 10);
  if (isoDates.size >= CONVERSIONS_KEPT) isoDates.clear();
  isoDates.set(day, date);
  return date;
}

export function addDays(date: IsoDate, days: number): IsoDate {
  return fromDayNumber(toDayNumber(date) + days);
}

/** `b - a` in calendar days. */
export function daysBetween(a: IsoDate, b: IsoDate): number {
  return toDayNumber(b) - toDayNumber(a);
}

/** 0 = Sunday … 6 = Saturday, as `Date#getUTCDay`. */
export function dayOfWeek(date: IsoDate): number {
  // 1970-01-01 was a Thursday (4).
  return (((toDayNumber(date) + 4) % 7) + 7) % 7;
}

export function isWeekend(date: IsoDate): boolean {
  const d = dayOfWeek(date);
  return d === 0 || d === 6;
}

export function compareDates(a: IsoDate, b: IsoDate): -1 | 0 | 1 {
  assertIsoDate(a);
  assertIsoDate(b);
  // Zero-padded ISO dates sort lexically.
  return a < b ? -1 : a > b ? 1 : 0;
}
export { compareDates as compare };

export function maxDate(first: IsoDate, ...rest: IsoDate[]): IsoDate {
  return rest.reduce((acc, d) => (compareDates(d, acc) > 0 ? d : acc), first);
}

export function minDate(first: IsoDate, ...rest: IsoDate[]): IsoDate {
  return rest.reduce((acc, d) => (compareDates(d, acc) < 0 ? d : acc), first);
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * The same date `months` later, or that month's last day when it has no such date
 * (31 Mar + 1 = 30 Apr; 30 Jan + 1 = 28 Feb, or 29 Feb in a leap year). This is how a
 * UK GDPR "one month" (Art 12(3)) runs.
 */
export function addMonthsCapped(date: IsoDate, months: number): IsoDate {
  assertIsoDate(date);
  if (!Number.isInteger(months)) throw new RangeError(`Not a whole number of months: ${months}`);
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const index = y * 12 + (m - 1) + months;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  const day = Math.min(d, daysInMonth(year, month));
  return `${String(year).padStart(4, '0')}-${pad(month)}-${pad(day)}`;
}

/** True when `addMonthsCapped` had to fall back to the month's last day. */
export function monthsWereCapped(date: IsoDate, months: number): boolean {
  return Number(addMonthsCapped(date, months).slice(8)) !== Number(date.slice(8));
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

// ---- Europe/London instants -------------------------------------------------------------

const LONDON = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

interface WallTime {
  date: IsoDate;
  hour: number;
  minute: number;
  second: number;
}

function toInstant(instant: Date | string): Date {
  const value = instant instanceof Date ? instant : new Date(instant);
  if (Number.isNaN(value.getTime())) {
    throw new RangeError(`Not a valid instant: ${JSON.stringify(String(instant))}`);
  }
  return value;
}

/** London's offset from UTC in ms at an instant, from the tz database (Intl). */
function intlLondonOffsetMs(ms: number): number {
  const parts: Record<string, string> = {};
  for (const p of LONDON.formatToParts(new Date(ms))) parts[p.type] = p.value;
  const wallMs = Date.UTC(
    Number(parts.year),
    Number(parts.month) - 1,
    Number(parts.day),
    Number(parts.hour),
    Number(parts.minute),
    Number(parts.second),
  );
  return wallMs - Math.floor(ms / 1000) * 1000;
}

/*
 * London's offset changes only on a whole UTC hour (01:00 UTC since 1981; 02:00 GMT before),
 * so it is looked up once per UTC hour. formatToParts costs a few microseconds and a case view
 * asks for dozens of London dates: it was 5% of the case view's CPU (bench/README.md,
 * session 10). Bounded: a year is 8,760 hours.
 */
const HOUR_MS = 3_600_000;
const offsetByUtcHour = new Map<number, number>();
function londonOffsetMs(ms: number): number {
  const hour = Math.floor(ms / HOUR_MS);
  let offset = offsetByUtcHour.get(hour);
  if (offset === undefined) {
    offset = intlLondonOffsetMs(hour * HOUR_MS);
    if (offsetByUtcHour.size >= 20_000) offsetByUtcHour.clear();
    offsetByUtcHour.set(hour, offset);
  }
  return offset;
}

function londonWallTime(instant: Date | string): WallTime {
  const at = toInstant(instant).getTime();
  const wall = new Date(at + londonOffsetMs(at));
  const year = String(wall.getUTCFullYear()).padStart(4, '0');
  return {
    date: `${year}-${pad(wall.getUTCMonth() + 1)}-${pad(wall.getUTCDate())}`,
    hour: wall.getUTCHours(),
    minute: wall.getUTCMinutes(),
    second: wall.getUTCSeconds(),
  };
}

/**
 * The Europe/London calendar date of an instant: the "date of receipt" (docs/rules/deadlines.md §1).
 * 2026-03-29T23:30Z is 00:30 BST on Mon 30 Mar, so it gives 2026-03-30.
 */
export function londonDateOf(instant: Date | string): IsoDate {
  return londonWallTime(instant).date;
}

/** A bare `YYYY-MM-DD` is already a London date; anything else is read as an instant. */
export function toLondonDate(value: Date | string): IsoDate {
  return typeof value === 'string' && DATE_RE.test(value)
    ? (assertIsoDate(value), value)
    : londonDateOf(value);
}

export function londonHourMinute(instant: Date | string): { hour: number; minute: number } {
  const { hour, minute } = londonWallTime(instant);
  return { hour, minute };
}

/** Minutes London is ahead of UTC at an instant: 0 (GMT) or 60 (BST). */
export function londonOffsetMinutes(instant: Date | string): number {
  return Math.round(londonOffsetMs(toInstant(instant).getTime()) / 60_000);
}

/**
 * The instant a London wall-clock time occurs on `date`. UK clocks change at 01:00 UTC,
 * so the offset read one step before the result is the one in force at it, for any time
 * outside the skipped hour (01:00–02:00 on the spring-forward Sunday).
 */
export function londonInstantAt(date: IsoDate, hour: number, minute = 0): Date {
  const naive = toDayNumber(date) * DAY_MS + (hour * 60 + minute) * 60_000;
  const first = londonOffsetMinutes(new Date(naive));
  const guess = naive - first * 60_000;
  const second = londonOffsetMinutes(new Date(guess));
  return new Date(naive - second * 60_000);
}

/**
 * Every instant at which a London clock reads `hour:minute` on `date`, earliest first: none
 * in the hour the clocks skip in spring, two in the hour they repeat in autumn. The offsets
 * in force a day before and a day after are the only ones the wall time can have, as the
 * clocks change at most once in that span; each is kept where it is the one in force.
 */
export function londonInstantsAt(date: IsoDate, hour: number, minute = 0): Date[] {
  const wall = toDayNumber(date) * DAY_MS + (hour * 60 + minute) * 60_000;
  const offsets = new Set(
    [wall - DAY_MS, wall + DAY_MS].map((ms) => londonOffsetMinutes(new Date(ms))),
  );
  return [...offsets]
    .filter((offset) => londonOffsetMinutes(new Date(wall - offset * 60_000)) === offset)
    .map((offset) => new Date(wall - offset * 60_000))
    .sort((a, b) => a.getTime() - b.getTime());
}

/** 00:00 Europe/London on `date`: 2026-04-30 starts at 2026-04-29T23:00Z (BST). */
export function startOfLondonDay(date: IsoDate): Date {
  return londonInstantAt(date, 0, 0);
}

// ---- Formatting ---------------------------------------------------------------------------

/** "Tue 20 Jan 2026". */
export function formatDayDate(date: IsoDate): string {
  return `${formatDayDateShort(date)} ${date.slice(0, 4)}`;
}

/** "Tue 20 Jan". */
export function formatDayDateShort(date: IsoDate): string {
  return `${WEEKDAYS[dayOfWeek(date)]} ${formatDayMonth(date)}`;
}

/** "2 Jan". */
export function formatDayMonth(date: IsoDate): string {
  assertIsoDate(date);
  return `${Number(date.slice(8))} ${MONTHS[Number(date.slice(5, 7)) - 1]}`;
}

/** "Saturday". */
export function weekdayName(date: IsoDate): string {
  return WEEKDAYS_LONG[dayOfWeek(date)] ?? '';
}
