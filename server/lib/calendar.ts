/**
 * Working-day calendars (docs/rules/deadlines.md §2). Pure: built from a list of holidays, which the
 * caller loads from `bank_holiday` or from the bundled gov.uk snapshot.
 *
 * - `uk_foia`: weekends plus a bank holiday in ANY part of the UK. FOIA s10(6) defines a
 *   working day as any day other than a Saturday, Sunday, Christmas Day, Good Friday or a
 *   bank holiday under the Banking and Financial Dealings Act 1971 "in any part of the
 *   United Kingdom"; EIR reg 2(1) adopts the same definition. So 2 Jan (Scotland) and
 *   17 Mar (Northern Ireland) stop the FOI clock in England too.
 * - `england_wales`: weekends plus England and Wales bank holidays, for SARs, office
 *   targets and warnings (the office works to the E&W calendar).
 *
 * Christmas Day and Good Friday are common-law holidays rather than Banking Act ones, but
 * gov.uk lists them in every division, so the union covers them.
 */
import { addDays, compareDates, isIsoDate, isWeekend, toDayNumber, type IsoDate } from './dates.js';

export const DIVISIONS = ['england-and-wales', 'scotland', 'northern-ireland'] as const;
export type Division = (typeof DIVISIONS)[number];
export type CalendarId = 'uk_foia' | 'england_wales';

export const DIVISION_NAMES: Record<Division, string> = {
  'england-and-wales': 'England and Wales',
  scotland: 'Scotland',
  'northern-ireland': 'Northern Ireland',
};

export const CALENDAR_DIVISIONS: Record<CalendarId, readonly Division[]> = {
  uk_foia: DIVISIONS,
  england_wales: ['england-and-wales'],
};

export interface Holiday {
  division: Division;
  date: IsoDate;
  title: string;
  /** gov.uk's notes, e.g. "Substitute day". */
  notes?: string;
}

export interface DivisionCoverage {
  division: Division;
  /** The last holiday listed for the division, or null when none is. */
  lastHoliday: IsoDate | null;
  /**
   * The last date the data speaks for: 31 Dec of the year of the last listed holiday.
   * gov.uk publishes whole years (a year's last event is normally Boxing Day), so a date
   * between Boxing Day and New Year's Eve is still covered.
   */
  coveredUntil: IsoDate | null;
  coveredFrom: IsoDate | null;
}

export interface NonWorkingDay {
  date: IsoDate;
  reason: string;
}

export class WorkingCalendar {
  readonly id: CalendarId;
  readonly divisions: readonly Division[];
  private readonly byDate = new Map<IsoDate, Holiday[]>();
  private readonly divisionCoverage: DivisionCoverage[];

  constructor(id: CalendarId, holidays: readonly Holiday[]) {
    this.id = id;
    this.divisions = CALENDAR_DIVISIONS[id];
    const first = new Map<Division, IsoDate>();
    const last = new Map<Division, IsoDate>();
    for (const h of holidays) {
      if (!this.divisions.includes(h.division)) continue;
      if (!isIsoDate(h.date)) throw new RangeError(`Holiday with a bad date: ${JSON.stringify(h)}`);
      const list = this.byDate.get(h.date) ?? [];
      if (!list.some((x) => x.division === h.division)) list.push(h);
      this.byDate.set(h.date, list);
      const f = first.get(h.division);
      if (f === undefined || h.date < f) first.set(h.division, h.date);
      const l = last.get(h.division);
      if (l === undefined || h.date > l) last.set(h.division, h.date);
    }
    for (const list of this.byDate.values()) {
      list.sort((a, b) => DIVISIONS.indexOf(a.division) - DIVISIONS.indexOf(b.division));
    }
    this.divisionCoverage = this.divisions.map((division) => {
      const lastHoliday = last.get(division) ?? null;
      const firstHoliday = first.get(division) ?? null;
      return {
        division,
        lastHoliday,
        coveredUntil: lastHoliday ? `${lastHoliday.slice(0, 4)}-12-31` : null,
        coveredFrom: firstHoliday ? `${firstHoliday.slice(0, 4)}-01-01` : null,
      };
    });
  }

  /** Holidays on `date` in this calendar's divisions (empty on an ordinary day). */
  holidaysOn(date: IsoDate): readonly Holiday[] {
    return this.byDate.get(date) ?? [];
  }

  isWorkingDay(date: IsoDate): boolean {
    return !isWeekend(date) && !this.byDate.has(date);
  }

  /**
   * Why a day is not a working day, or null if it is one:
   * "Weekend" or "Bank holiday: 2nd January (Scotland)". Where divisions share a title
   * they are listed together: "Bank holiday: Christmas Day (England and Wales, Scotland,
   * Northern Ireland)".
   */
  reasonNotWorking(date: IsoDate): string | null {
    if (isWeekend(date)) return 'Weekend';
    const list = this.byDate.get(date);
    if (!list || list.length === 0) return null;
    const groups = new Map<string, Division[]>();
    for (const h of list) {
      const label = h.notes ? `${h.title}, ${h.notes.toLowerCase()}` : h.title;
      groups.set(label, [...(groups.get(label) ?? []), h.division]);
    }
    const parts = [...groups].map(
      ([label, divs]) => `${label} (${divs.map((d) => DIVISION_NAMES[d]).join(', ')})`,
    );
    return `Bank holiday: ${parts.join('; ')}`;
  }

  /**
   * The `n`th working day after `start`, with `start` as day 0 (so it need not itself be a
   * working day: a request received on a Saturday has Monday as day 1). n = 0 gives
   * `start`; a negative n counts back.
   */
  addWorkingDays(start: IsoDate, n: number): IsoDate {
    if (!Number.isInteger(n)) throw new RangeError(`Not a whole number of days: ${n}`);
    const step = n < 0 ? -1 : 1;
    let date = start;
    for (let left = Math.abs(n); left > 0;) {
      date = addDays(date, step);
      if (this.isWorkingDay(date)) left -= 1;
    }
    return date;
  }

  nextWorkingDayOnOrAfter(date: IsoDate): IsoDate {
    let d = date;
    while (!this.isWorkingDay(d)) d = addDays(d, 1);
    return d;
  }

  previousWorkingDayOnOrBefore(date: IsoDate): IsoDate {
    let d = date;
    while (!this.isWorkingDay(d)) d = addDays(d, -1);
    return d;
  }

  /**
   * Working days after `a` up to and including `b`: the inverse of `addWorkingDays`, so
   * `workingDaysBetween(a, addWorkingDays(a, n)) === n`. Negative when b is before a.
   */
  workingDaysBetween(a: IsoDate, b: IsoDate): number {
    const cmp = compareDates(a, b);
    if (cmp === 0) return 0;
    const [from, to, sign] = cmp < 0 ? [a, b, 1] : [b, a, -1];
    let count = 0;
    for (let d = addDays(from, 1); d <= to; d = addDays(d, 1)) {
      if (this.isWorkingDay(d)) count += 1;
    }
    return sign * count;
  }

  /** Each non-working day after `afterExclusive` up to and including `toInclusive`. */
  nonWorkingDaysBetween(afterExclusive: IsoDate, toInclusive: IsoDate): NonWorkingDay[] {
    const out: NonWorkingDay[] = [];
    for (let d = addDays(afterExclusive, 1); d <= toInclusive; d = addDays(d, 1)) {
      const reason = this.reasonNotWorking(d);
      if (reason) out.push({ date: d, reason });
    }
    return out;
  }

  coverage(): readonly DivisionCoverage[] {
    return this.divisionCoverage;
  }

  /** The earliest `coveredUntil` over this calendar's divisions; null if any has no data. */
  coverageEnd(): IsoDate | null {
    let end: IsoDate | null = null;
    for (const c of this.divisionCoverage) {
      if (c.coveredUntil === null) return null;
      if (end === null || c.coveredUntil < end) end = c.coveredUntil;
    }
    return end;
  }

  coverageStart(): IsoDate | null {
    let start: IsoDate | null = null;
    for (const c of this.divisionCoverage) {
      if (c.coveredFrom === null) return null;
      if (start === null || c.coveredFrom > start) start = c.coveredFrom;
    }
    return start;
  }

  /**
   * True when the holiday data cannot vouch for `date` (docs/rules/deadlines.md §2, "Coverage
   * alert"): after the end of any division's data, before its start, or with no data.
   */
  isOutsideCoverage(date: IsoDate): boolean {
    const end = this.coverageEnd();
    const start = this.coverageStart();
    if (end === null || start === null) return true;
    return toDayNumber(date) > toDayNumber(end) || toDayNumber(date) < toDayNumber(start);
  }
}

export interface Calendars {
  uk_foia: WorkingCalendar;
  england_wales: WorkingCalendar;
}

export function buildCalendars(holidays: readonly Holiday[]): Calendars {
  return {
    uk_foia: new WorkingCalendar('uk_foia', holidays),
    england_wales: new WorkingCalendar('england_wales', holidays),
  };
}

// ---- gov.uk feed ------------------------------------------------------------------------

export class BankHolidayFormatError extends Error {
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(`Bank holiday data ${path}: ${message}`);
    this.name = 'BankHolidayFormatError';
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Turns https://www.gov.uk/bank-holidays.json (`{ "<division>": { division, events:
 * [{ title, date, notes, bunting }] } }`) into a holiday list. All three divisions must be
 * present: a feed missing one would read as every one of its days being removed.
 * Throws `BankHolidayFormatError` naming the first bad path.
 */
export function parseGovUkBankHolidays(json: unknown): Holiday[] {
  if (!isRecord(json)) throw new BankHolidayFormatError('expected an object', '$');
  for (const key of Object.keys(json)) {
    if (!(DIVISIONS as readonly string[]).includes(key)) {
      throw new BankHolidayFormatError(`unknown division "${key}"`, `$.${key}`);
    }
  }
  const out: Holiday[] = [];
  for (const division of DIVISIONS) {
    const path = `$["${division}"]`;
    const block = json[division];
    if (!isRecord(block)) throw new BankHolidayFormatError('missing division', path);
    if (block.division !== division) {
      throw new BankHolidayFormatError(`division should be "${division}"`, `${path}.division`);
    }
    if (!Array.isArray(block.events)) {
      throw new BankHolidayFormatError('events should be an array', `${path}.events`);
    }
    block.events.forEach((event: unknown, i) => {
      const at = `${path}.events[${i}]`;
      if (!isRecord(event)) throw new BankHolidayFormatError('expected an object', at);
      const { title, date, notes, bunting } = event;
      if (typeof title !== 'string' || title.trim() === '') {
        throw new BankHolidayFormatError('title should be a non-empty string', `${at}.title`);
      }
      if (!isIsoDate(date))
        throw new BankHolidayFormatError('date should be YYYY-MM-DD', `${at}.date`);
      if (notes !== undefined && typeof notes !== 'string') {
        throw new BankHolidayFormatError('notes should be a string', `${at}.notes`);
      }
      if (bunting !== undefined && typeof bunting !== 'boolean') {
        throw new BankHolidayFormatError('bunting should be a boolean', `${at}.bunting`);
      }
      out.push({ division, date, title: title.trim(), ...(notes ? { notes } : {}) });
    });
  }
  return out;
}

/**
 * What changed between two holiday lists, keyed by (division, date) as `bank_holiday` is.
 * A refresh applies additions at once; removals make deadlines earlier, so they wait for
 * an admin (docs/rules/deadlines.md §2).
 */
export function diffHolidays(
  before: readonly Holiday[],
  after: readonly Holiday[],
): { added: Holiday[]; removed: Holiday[] } {
  const key = (h: Holiday) => `${h.division}|${h.date}`;
  const had = new Set(before.map(key));
  const has = new Set(after.map(key));
  return {
    added: after.filter((h) => !had.has(key(h))),
    removed: before.filter((h) => !has.has(key(h))),
  };
}
