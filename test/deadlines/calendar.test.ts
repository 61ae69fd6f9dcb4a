/** Date arithmetic (server/lib/dates.ts) and working calendars (server/lib/calendar.ts). Pure. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  BankHolidayFormatError,
  buildCalendars,
  diffHolidays,
  parseGovUkBankHolidays,
  WorkingCalendar,
  type Holiday,
} from '../../server/lib/calendar.js';
import {
  addDays,
  addMonthsCapped,
  compare,
  compareDates,
  dayOfWeek,
  daysBetween,
  formatDayDate,
  formatDayDateShort,
  formatDayMonth,
  fromDayNumber,
  isIsoDate,
  isWeekend,
  londonDateOf,
  londonHourMinute,
  londonOffsetMinutes,
  maxDate,
  minDate,
  monthsWereCapped,
  startOfLondonDay,
  toDayNumber,
  toLondonDate,
} from '../../server/lib/dates.js';

const raw: unknown = JSON.parse(
  readFileSync(new URL('../../db/data/bank-holidays.json', import.meta.url), 'utf8'),
);
const holidays = parseGovUkBankHolidays(raw);
const { uk_foia: ukFoia, england_wales: ew } = buildCalendars(holidays);

describe('dates', () => {
  it.each([
    ['2026-01-31', 1, '2026-02-01'],
    ['2025-12-31', 1, '2026-01-01'],
    ['2028-02-28', 1, '2028-02-29'],
    ['2027-02-28', 1, '2027-03-01'],
    ['2026-03-01', -1, '2026-02-28'],
    ['2026-03-29', 1, '2026-03-30'],
    ['2026-01-01', 365, '2027-01-01'],
  ])('addDays(%s, %i) = %s', (date, n, expected) => {
    expect(addDays(date, n)).toBe(expected);
  });

  it('counts days and weekdays without a time zone', () => {
    expect(daysBetween('2026-02-04', '2026-02-10')).toBe(6);
    expect(daysBetween('2026-02-10', '2026-02-04')).toBe(-6);
    expect(dayOfWeek('2026-01-20')).toBe(2); // Tuesday
    expect(dayOfWeek('1969-12-31')).toBe(3); // before the epoch: Wednesday
    expect(isWeekend('2026-02-28')).toBe(true);
    expect(isWeekend('2026-03-01')).toBe(true);
    expect(isWeekend('2026-03-02')).toBe(false);
    expect(fromDayNumber(toDayNumber('2026-07-13'))).toBe('2026-07-13');
    expect(toDayNumber('1970-01-01')).toBe(0);
  });

  it('validates YYYY-MM-DD strictly', () => {
    expect(isIsoDate('2028-02-29')).toBe(true);
    expect(isIsoDate('2026-02-29')).toBe(false);
    expect(isIsoDate('2026-13-01')).toBe(false);
    expect(isIsoDate('2026-1-01')).toBe(false);
    expect(isIsoDate('2026-01-01T00:00:00Z')).toBe(false);
    expect(isIsoDate(20260101)).toBe(false);
    expect(() => addDays('2026-02-30', 1)).toThrow(RangeError);
  });

  it('compares and picks dates', () => {
    expect(compareDates('2026-01-02', '2026-01-10')).toBe(-1);
    expect(compare('2026-01-10', '2026-01-02')).toBe(1);
    expect(compare('2026-01-10', '2026-01-10')).toBe(0);
    expect(maxDate('2026-03-02', '2026-03-13', '2026-03-05')).toBe('2026-03-13');
    expect(minDate('2026-03-02', '2026-03-13', '2026-01-05')).toBe('2026-01-05');
  });

  it.each([
    ['2026-01-30', 1, '2026-02-28', true],
    ['2028-01-30', 1, '2028-02-29', true],
    ['2026-03-31', 1, '2026-04-30', true],
    ['2026-04-02', 3, '2026-07-02', false],
    ['2025-12-31', 1, '2026-01-31', false],
    ['2026-11-30', 3, '2027-02-28', true],
    ['2026-05-31', -3, '2026-02-28', true],
    ['2026-12-15', 1, '2027-01-15', false],
  ])('addMonthsCapped(%s, %i) = %s (capped: %s)', (date, months, expected, capped) => {
    expect(addMonthsCapped(date, months)).toBe(expected);
    expect(monthsWereCapped(date, months)).toBe(capped);
  });

  it.each([
    ['2026-03-29T23:30:00Z', '2026-03-30'], // 00:30 BST
    ['2026-03-31T23:30:00Z', '2026-04-01'],
    ['2026-03-29T00:30:00Z', '2026-03-29'], // still GMT
    ['2026-10-24T23:30:00Z', '2026-10-25'], // 00:30 BST
    ['2026-10-25T23:30:00Z', '2026-10-25'], // 23:30 GMT
    ['2026-12-31T23:59:59Z', '2026-12-31'],
    ['2026-06-30T23:00:00Z', '2026-07-01'],
    ['2026-06-30T23:00:00+01:00', '2026-06-30'],
  ])('londonDateOf(%s) = %s', (instant, expected) => {
    expect(londonDateOf(instant)).toBe(expected);
    expect(londonDateOf(new Date(instant))).toBe(expected);
  });

  it('reads London hours and offsets across both changes', () => {
    expect(londonHourMinute('2026-03-27T17:30:00Z')).toEqual({ hour: 17, minute: 30 });
    expect(londonHourMinute('2026-03-30T08:00:00Z')).toEqual({ hour: 9, minute: 0 });
    expect(londonHourMinute('2026-10-23T16:30:00Z')).toEqual({ hour: 17, minute: 30 });
    expect(londonOffsetMinutes('2026-03-29T00:59:00Z')).toBe(0);
    expect(londonOffsetMinutes('2026-03-29T01:00:00Z')).toBe(60);
    expect(londonOffsetMinutes('2026-10-25T00:59:00Z')).toBe(60);
    expect(londonOffsetMinutes('2026-10-25T01:00:00Z')).toBe(0);
  });

  it.each([
    ['2026-01-15', '2026-01-15T00:00:00.000Z'],
    ['2026-03-29', '2026-03-29T00:00:00.000Z'],
    ['2026-03-30', '2026-03-29T23:00:00.000Z'],
    ['2026-10-25', '2026-10-24T23:00:00.000Z'],
    ['2026-10-26', '2026-10-26T00:00:00.000Z'],
    ['2027-03-28', '2027-03-28T00:00:00.000Z'],
    ['2027-03-29', '2027-03-28T23:00:00.000Z'],
    ['2027-10-31', '2027-10-30T23:00:00.000Z'],
    ['2027-11-01', '2027-11-01T00:00:00.000Z'],
  ])('startOfLondonDay(%s) = %s', (date, expected) => {
    const start = startOfLondonDay(date);
    expect(start.toISOString()).toBe(expected);
    expect(londonDateOf(start)).toBe(date);
    expect(londonDateOf(new Date(start.getTime() - 1))).toBe(addDays(date, -1));
  });

  it('treats a bare date as a London date and anything else as an instant', () => {
    expect(toLondonDate('2026-03-29')).toBe('2026-03-29');
    expect(toLondonDate('2026-03-29T23:30:00Z')).toBe('2026-03-30');
    expect(() => toLondonDate('2026-02-30')).toThrow(RangeError);
    expect(() => londonDateOf('not a date')).toThrow(RangeError);
  });

  it('formats dates for people', () => {
    expect(formatDayDate('2026-01-20')).toBe('Tue 20 Jan 2026');
    expect(formatDayDate('2026-09-07')).toBe('Mon 7 Sep 2026');
    expect(formatDayDateShort('2026-01-21')).toBe('Wed 21 Jan');
    expect(formatDayMonth('2026-01-02')).toBe('2 Jan');
  });
});

describe('parseGovUkBankHolidays', () => {
  it('reads the bundled snapshot (three divisions, 2019–2028)', () => {
    expect(holidays).toHaveLength(83 + 94 + 103);
    expect(holidays).toContainEqual({
      division: 'scotland',
      date: '2026-06-15',
      title: 'Scotland World Cup bank holiday',
    });
    expect(holidays).toContainEqual({
      division: 'england-and-wales',
      date: '2026-12-28',
      title: 'Boxing Day',
      notes: 'Substitute day',
    });
    const byDivision = (d: string) => holidays.filter((h) => h.division === d).length;
    expect([
      byDivision('england-and-wales'),
      byDivision('scotland'),
      byDivision('northern-ireland'),
    ]).toEqual([83, 94, 103]);
  });

  const valid = () =>
    JSON.parse(JSON.stringify(raw)) as Record<string, { division: string; events: unknown[] }>;

  it.each([
    ['not an object', () => [] as unknown, '$'],
    ['null', () => null, '$'],
    [
      'an unknown division',
      () => ({ ...valid(), wales: { division: 'wales', events: [] } }),
      '$.wales',
    ],
    [
      'a missing division',
      () => {
        const v = valid();
        delete v.scotland;
        return v;
      },
      '$["scotland"]',
    ],
    [
      'a mismatched division name',
      () => {
        const v = valid();
        v.scotland!.division = 'england-and-wales';
        return v;
      },
      '$["scotland"].division',
    ],
    [
      'events that are not a list',
      () => {
        const v = valid();
        (v['northern-ireland'] as { events: unknown }).events = {};
        return v;
      },
      '$["northern-ireland"].events',
    ],
    [
      'an impossible date',
      () => {
        const v = valid();
        v['england-and-wales']!.events[0] = {
          title: 'X',
          date: '2026-02-30',
          notes: '',
          bunting: true,
        };
        return v;
      },
      '$["england-and-wales"].events[0].date',
    ],
    [
      'an empty title',
      () => {
        const v = valid();
        v.scotland!.events[2] = { title: ' ', date: '2026-02-03', notes: '', bunting: true };
        return v;
      },
      '$["scotland"].events[2].title',
    ],
    [
      'a non-boolean bunting',
      () => {
        const v = valid();
        v.scotland!.events[1] = { title: 'X', date: '2026-02-03', notes: '', bunting: 'yes' };
        return v;
      },
      '$["scotland"].events[1].bunting',
    ],
  ])('rejects %s with a clear error', (_label, make, path) => {
    let error: unknown;
    try {
      parseGovUkBankHolidays(make());
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BankHolidayFormatError);
    expect((error as BankHolidayFormatError).path).toBe(path);
    expect((error as Error).message).toContain(path);
  });
});

describe('WorkingCalendar', () => {
  it.each([
    ['2026-01-02', false, true, '2nd January (Scotland)'],
    ['2026-03-17', false, true, 'St Patrick’s Day (Northern Ireland)'],
    ['2026-06-15', false, true, 'Scotland World Cup bank holiday (Scotland)'],
    [
      '2026-07-13',
      false,
      true,
      'Battle of the Boyne (Orangemen’s Day), substitute day (Northern Ireland)',
    ],
    ['2026-08-03', false, true, 'Summer bank holiday (Scotland)'],
    ['2026-11-30', false, true, 'St Andrew’s Day (Scotland)'],
    ['2027-01-04', false, true, '2nd January, substitute day (Scotland)'],
  ])('%s is a UK-wide (FOIA) holiday only', (date, foiaWorking, ewWorking, label) => {
    expect(ukFoia.isWorkingDay(date)).toBe(foiaWorking);
    expect(ew.isWorkingDay(date)).toBe(ewWorking);
    expect(ukFoia.reasonNotWorking(date)).toBe(`Bank holiday: ${label}`);
    expect(ew.reasonNotWorking(date)).toBeNull();
  });

  it('names every division sharing a holiday, and weekends', () => {
    expect(ew.reasonNotWorking('2025-12-25')).toBe(
      'Bank holiday: Christmas Day (England and Wales)',
    );
    expect(ukFoia.reasonNotWorking('2025-12-25')).toBe(
      'Bank holiday: Christmas Day (England and Wales, Scotland, Northern Ireland)',
    );
    expect(ukFoia.reasonNotWorking('2026-08-31')).toBe(
      'Bank holiday: Summer bank holiday (England and Wales, Northern Ireland)',
    );
    expect(ukFoia.reasonNotWorking('2026-12-26')).toBe('Weekend');
    expect(ukFoia.reasonNotWorking('2026-01-20')).toBeNull();
    expect(ukFoia.holidaysOn('2026-04-03').map((h) => h.division)).toEqual([
      'england-and-wales',
      'scotland',
      'northern-ireland',
    ]);
  });

  it('groups different titles on the same day', () => {
    const cal = new WorkingCalendar('uk_foia', [
      { division: 'england-and-wales', date: '2026-05-08', title: 'VE Day' },
      { division: 'scotland', date: '2026-05-08', title: 'Victory Day' },
      { division: 'northern-ireland', date: '2026-05-08', title: 'VE Day' },
    ]);
    expect(cal.reasonNotWorking('2026-05-08')).toBe(
      'Bank holiday: VE Day (England and Wales, Northern Ireland); Victory Day (Scotland)',
    );
  });

  it('adds working days with the start as day 0', () => {
    expect(ukFoia.addWorkingDays('2026-05-30', 1)).toBe('2026-06-01'); // Sat receipt: Mon is day 1
    expect(ukFoia.addWorkingDays('2026-05-30', 0)).toBe('2026-05-30');
    expect(ukFoia.addWorkingDays('2026-04-02', 1)).toBe('2026-04-07'); // over Easter
    expect(ukFoia.addWorkingDays('2026-04-07', -1)).toBe('2026-04-02');
    expect(ew.addWorkingDays('2026-01-21', -5)).toBe('2026-01-14');
    expect(() => ew.addWorkingDays('2026-01-21', 1.5)).toThrow(RangeError);
  });

  it('finds the working day on or after / on or before', () => {
    expect(ew.nextWorkingDayOnOrAfter('2026-04-03')).toBe('2026-04-07');
    expect(ew.nextWorkingDayOnOrAfter('2026-04-07')).toBe('2026-04-07');
    expect(ew.previousWorkingDayOnOrBefore('2026-04-06')).toBe('2026-04-02');
    expect(ew.previousWorkingDayOnOrBefore('2026-07-18')).toBe('2026-07-17');
    expect(ukFoia.nextWorkingDayOnOrAfter('2026-12-25')).toBe('2026-12-29');
    expect(ew.nextWorkingDayOnOrAfter('2027-12-25')).toBe('2027-12-29');
    expect(ukFoia.nextWorkingDayOnOrAfter('2028-01-01')).toBe('2028-01-05');
    expect(ew.nextWorkingDayOnOrAfter('2028-01-01')).toBe('2028-01-04');
  });

  it('counts working days between dates as the inverse of addWorkingDays', () => {
    expect(ukFoia.workingDaysBetween('2025-12-18', '2026-01-21')).toBe(20);
    expect(ew.workingDaysBetween('2025-12-18', '2026-01-21')).toBe(21);
    expect(ukFoia.workingDaysBetween('2026-01-21', '2025-12-18')).toBe(-20);
    expect(ukFoia.workingDaysBetween('2026-01-21', '2026-01-21')).toBe(0);
    for (let start = '2026-11-01'; start <= '2027-01-31'; start = addDays(start, 3)) {
      for (const n of [1, 2, 5, 20, 40]) {
        expect(ukFoia.workingDaysBetween(start, ukFoia.addWorkingDays(start, n))).toBe(n);
        expect(ew.workingDaysBetween(start, ew.addWorkingDays(start, n))).toBe(n);
      }
    }
  });

  it('lists non-working days in a window with reasons', () => {
    expect(ukFoia.nonWorkingDaysBetween('2025-12-31', '2026-01-04')).toEqual([
      {
        date: '2026-01-01',
        reason: 'Bank holiday: New Year’s Day (England and Wales, Scotland, Northern Ireland)',
      },
      { date: '2026-01-02', reason: 'Bank holiday: 2nd January (Scotland)' },
      { date: '2026-01-03', reason: 'Weekend' },
      { date: '2026-01-04', reason: 'Weekend' },
    ]);
  });

  it('reports coverage per division and flags dates past it', () => {
    expect(ukFoia.coverageEnd()).toBe('2028-12-31');
    expect(ukFoia.coverage().map((c) => c.lastHoliday)).toEqual([
      '2028-12-26',
      '2028-12-26',
      '2028-12-26',
    ]);
    expect(ukFoia.isOutsideCoverage('2028-12-30')).toBe(false);
    expect(ukFoia.isOutsideCoverage('2029-01-02')).toBe(true);
    expect(ukFoia.isOutsideCoverage('2018-12-31')).toBe(true);

    const to2026 = holidays.filter((h) => h.date <= '2026-12-31');
    const cal = new WorkingCalendar('uk_foia', to2026);
    expect(cal.coverageEnd()).toBe('2026-12-31');
    expect(cal.isOutsideCoverage('2026-12-31')).toBe(false);
    expect(cal.isOutsideCoverage('2027-01-04')).toBe(true);

    // Scotland's data ending earlier caps the UK-wide calendar but not England and Wales.
    const shortScotland = holidays.filter(
      (h) => h.division !== 'scotland' || h.date < '2027-01-01',
    );
    expect(new WorkingCalendar('uk_foia', shortScotland).coverageEnd()).toBe('2026-12-31');
    expect(new WorkingCalendar('england_wales', shortScotland).coverageEnd()).toBe('2028-12-31');

    // With no data for a division, nothing is vouched for.
    const noNi = holidays.filter((h) => h.division !== 'northern-ireland');
    expect(new WorkingCalendar('uk_foia', noNi).coverageEnd()).toBeNull();
    expect(new WorkingCalendar('uk_foia', noNi).isOutsideCoverage('2026-06-01')).toBe(true);
  });

  it('moves a count when a holiday is added (the #1 refresh case)', () => {
    const without = holidays.filter((h) => !(h.division === 'scotland' && h.date === '2026-01-02'));
    expect(new WorkingCalendar('uk_foia', without).addWorkingDays('2025-12-18', 20)).toBe(
      '2026-01-20',
    );
    expect(new WorkingCalendar('uk_foia', holidays).addWorkingDays('2025-12-18', 20)).toBe(
      '2026-01-21',
    );
  });

  it('ignores other divisions and duplicate rows', () => {
    const dup: Holiday[] = [
      { division: 'scotland', date: '2026-01-02', title: '2nd January' },
      { division: 'scotland', date: '2026-01-02', title: '2nd January' },
    ];
    expect(new WorkingCalendar('england_wales', dup).isWorkingDay('2026-01-02')).toBe(true);
    expect(new WorkingCalendar('uk_foia', dup).holidaysOn('2026-01-02')).toHaveLength(1);
    expect(
      () =>
        new WorkingCalendar('uk_foia', [{ division: 'scotland', date: '2026-1-2', title: 'X' }]),
    ).toThrow(RangeError);
  });
});

describe('diffHolidays', () => {
  it('reports additions and removals by (division, date)', () => {
    const before: Holiday[] = [
      { division: 'scotland', date: '2026-01-02', title: '2nd January' },
      { division: 'england-and-wales', date: '2026-05-04', title: 'Early May bank holiday' },
    ];
    const after: Holiday[] = [
      {
        division: 'england-and-wales',
        date: '2026-05-04',
        title: 'Early May bank holiday (renamed)',
      },
      { division: 'scotland', date: '2026-06-15', title: 'Scotland World Cup bank holiday' },
    ];
    expect(diffHolidays(before, after)).toEqual({ added: [after[1]], removed: [before[0]] });
    expect(diffHolidays(holidays, holidays)).toEqual({ added: [], removed: [] });
  });
});
