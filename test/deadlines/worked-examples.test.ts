/**
 * docs/rules/deadlines.md §8: every worked example, against the bundled gov.uk snapshot
 * (db/data/bank-holidays.json). Each expected date carries its weekday, as in the spec,
 * so a typo in either the date or the weekday fails. Pure: no database.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildCalendars, parseGovUkBankHolidays } from '../../server/lib/calendar.js';
import { dayOfWeek, type IsoDate } from '../../server/lib/dates.js';
import {
  calculateOverdueFrom,
  computeDeadlines,
  nextWorkingHoursStart,
  type CaseType,
  type ClockEvent,
  type ComplaintSubtype,
  type DeadlineKind,
} from '../../server/lib/deadline-rules.js';

const holidays = parseGovUkBankHolidays(
  JSON.parse(readFileSync(new URL('../../db/data/bank-holidays.json', import.meta.url), 'utf8')),
);
const { uk_foia: ukFoia, england_wales: englandWales } = buildCalendars(holidays);

const WEEKDAY = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
/** "Wed 2026-01-21", the spec's notation. */
const dd = (date: IsoDate | null | undefined): string =>
  date ? `${WEEKDAY[dayOfWeek(date)]} ${date}` : String(date);

interface Case {
  type: CaseType;
  received: string;
  events?: ClockEvent[];
  subtype?: ComplaintSubtype;
}
const compute = ({ type, received, events = [], subtype }: Case) =>
  computeDeadlines({
    type,
    ...(received.includes('T') ? { receivedAt: received } : { receivedOn: received }),
    events,
    subtype,
    holidays,
  });
const due = (c: Case) => dd(compute(c).dueDate);
const extended = (c: Case) => dd(compute(c).extendedDueDate);
const deadline = (c: Case, kind: DeadlineKind) =>
  dd(compute(c).deadlines.find((d) => d.kind === kind)?.dueDate);
/** The "E&W" dates: the same count on the England and Wales calendar only. */
const ewWorkingDays = (received: IsoDate, n: number) =>
  dd(englandWales.addWorkingDays(received, n));

const foi = (received: string, events?: ClockEvent[]): Case => ({ type: 'foi', received, events });
const sar = (received: string, events?: ClockEvent[]): Case => ({ type: 'sar', received, events });

interface Row {
  id: string;
  case: string;
  actual: () => string;
  expected: string;
}

const numbered: Row[] = [
  {
    id: '#1',
    case: 'FOI received Thu 2025-12-18',
    actual: () => due(foi('2025-12-18')),
    expected: 'Wed 2026-01-21',
  },
  {
    id: '#1 E&W',
    case: '20 WD, E&W calendar',
    actual: () => ewWorkingDays('2025-12-18', 20),
    expected: 'Tue 2026-01-20',
  },
  {
    id: '#2',
    case: '#1 with PIT extension +20 WD',
    actual: () =>
      due(
        foi('2025-12-18', [
          { kind: 'extended', at: '2026-01-20', data: { kind: 'pit', amount: 20, reason: 'PIT' } },
        ]),
      ),
    expected: 'Wed 2026-02-18',
  },
  {
    id: '#2 furthest',
    case: '#1 extendedDueDate (40th WD)',
    actual: () => extended(foi('2025-12-18')),
    expected: 'Wed 2026-02-18',
  },
  {
    id: '#3',
    case: 'FOI received Sat 2026-05-30',
    actual: () => due(foi('2026-05-30')),
    expected: 'Mon 2026-06-29',
  },
  {
    id: '#3 E&W',
    case: '20 WD, E&W calendar',
    actual: () => ewWorkingDays('2026-05-30', 20),
    expected: 'Fri 2026-06-26',
  },
  {
    id: '#3 s45 Code',
    case: 'review requested Sat 2026-05-30: the Code treats it as received Mon 1 Jun',
    actual: () =>
      deadline(
        foi('2026-05-01', [
          { kind: 'responded', at: '2026-05-29' },
          { kind: 'review_requested', at: '2026-05-30' },
        ]),
        'review',
      ),
    expected: 'Tue 2026-06-30',
  },
  {
    id: '#4',
    case: 'FOI received Wed 2026-03-11',
    actual: () => due(foi('2026-03-11')),
    expected: 'Mon 2026-04-13',
  },
  {
    id: '#4 E&W',
    case: '20 WD, E&W calendar',
    actual: () => ewWorkingDays('2026-03-11', 20),
    expected: 'Fri 2026-04-10',
  },
  {
    id: '#5',
    case: 'FOI received Fri 2026-07-03',
    actual: () => due(foi('2026-07-03')),
    expected: 'Tue 2026-08-04',
  },
  {
    id: '#5 E&W',
    case: '20 WD, E&W calendar',
    actual: () => ewWorkingDays('2026-07-03', 20),
    expected: 'Fri 2026-07-31',
  },
  {
    id: '#6',
    case: 'FOI received Mon 2026-05-04 (bank holiday)',
    actual: () => due(foi('2026-05-04')),
    expected: 'Tue 2026-06-02',
  },
  {
    id: '#6 day 1',
    case: 'day 1 is 5 May',
    actual: () => dd(ukFoia.addWorkingDays('2026-05-04', 1)),
    expected: 'Tue 2026-05-05',
  },
  {
    id: '#7',
    case: 'EIR received Mon 2026-11-16: 20 WD',
    actual: () => due({ type: 'eir', received: '2026-11-16' }),
    expected: 'Tue 2026-12-15',
  },
  {
    id: '#7 reg 7',
    case: 'EIR extended under reg 7 (40 WD)',
    actual: () =>
      due({
        type: 'eir',
        received: '2026-11-16',
        events: [{ kind: 'extended', at: '2026-11-20', data: { kind: 'reg7' } }],
      }),
    expected: 'Mon 2027-01-18',
  },
  {
    id: '#7 furthest',
    case: 'EIR extendedDueDate',
    actual: () => extended({ type: 'eir', received: '2026-11-16' }),
    expected: 'Mon 2027-01-18',
  },
  {
    id: '#8',
    case: 'FOI Mon 2026-02-02; clarification asked 4 Feb, answered Mon 16 Feb (restart)',
    actual: () =>
      due(
        foi('2026-02-02', [
          { kind: 'clarification_requested', at: '2026-02-04' },
          { kind: 'clarification_received', at: '2026-02-16' },
        ]),
      ),
    expected: 'Mon 2026-03-16',
  },
  {
    id: '#9',
    case: 'FOI Mon 2026-01-05; fees notice Fri 9 Jan; paid Wed 21 Jan',
    actual: () =>
      due(
        foi('2026-01-05', [
          { kind: 'fee_notice_sent', at: '2026-01-09' },
          { kind: 'fee_received', at: '2026-01-21' },
        ]),
      ),
    expected: 'Fri 2026-02-13',
  },
  {
    id: '#10',
    case: 'SAR received Fri 2026-01-30 (no 30 Feb)',
    actual: () => due(sar('2026-01-30')),
    expected: 'Mon 2026-03-02',
  },
  {
    id: '#11',
    case: 'SAR received Tue 2026-03-31 (month-end cap)',
    actual: () => due(sar('2026-03-31')),
    expected: 'Thu 2026-04-30',
  },
  {
    id: '#12',
    case: 'SAR received Sat 2026-11-28',
    actual: () => due(sar('2026-11-28')),
    expected: 'Tue 2026-12-29',
  },
  {
    id: '#12 (26 Nov)',
    case: 'SAR received Thu 2026-11-26',
    actual: () => due(sar('2026-11-26')),
    expected: 'Tue 2026-12-29',
  },
  {
    id: '#13',
    case: 'SAR received Thu 2026-04-02: 1 month',
    actual: () => due(sar('2026-04-02')),
    expected: 'Tue 2026-05-05',
  },
  {
    id: '#13 extended',
    case: 'SAR extended as complex',
    actual: () =>
      due(
        sar('2026-04-02', [{ kind: 'extended', at: '2026-04-20', data: { kind: 'sar_complex' } }]),
      ),
    expected: 'Thu 2026-07-02',
  },
  {
    id: '#13 furthest',
    case: 'SAR extendedDueDate',
    actual: () => extended(sar('2026-04-02')),
    expected: 'Thu 2026-07-02',
  },
  {
    id: '#14',
    case: 'SAR received Wed 2025-12-31 (31 Jan Sat)',
    actual: () => due(sar('2025-12-31')),
    expected: 'Mon 2026-02-02',
  },
  {
    id: '#15 2027',
    case: 'SAR received Fri 2027-01-29 (28 Feb Sunday)',
    actual: () => due(sar('2027-01-29')),
    expected: 'Mon 2027-03-01',
  },
  {
    id: '#15 2028',
    case: 'SAR received Sat 2028-01-29 (leap year)',
    actual: () => due(sar('2028-01-29')),
    expected: 'Tue 2028-02-29',
  },
  {
    id: '#16',
    case: 'SAR Mon 2026-03-02; ID received Fri 13 Mar (start moves)',
    actual: () =>
      due(
        sar('2026-03-02', [
          { kind: 'id_requested', at: '2026-03-03' },
          { kind: 'id_received', at: '2026-03-13' },
        ]),
      ),
    expected: 'Mon 2026-04-13',
  },
  {
    id: '#17',
    case: 'SAR Mon 2026-02-02; clarification asked 4 Feb, answered 10 Feb (7 paused days)',
    actual: () =>
      due(
        sar('2026-02-02', [
          { kind: 'clarification_requested', at: '2026-02-04', data: { reason: 'Which records?' } },
          { kind: 'clarification_received', at: '2026-02-10' },
        ]),
      ),
    expected: 'Mon 2026-03-09',
  },
];

const clockAndHolidays: Row[] = [
  {
    id: 'D1',
    case: 'FOI received 2026-03-29T23:30Z (00:30 BST Mon)',
    actual: () => due(foi('2026-03-29T23:30:00Z')),
    expected: 'Wed 2026-04-29',
  },
  {
    id: 'D2',
    case: 'SAR received 2026-03-29T23:30Z',
    actual: () => due(sar('2026-03-29T23:30:00Z')),
    expected: 'Thu 2026-04-30',
  },
  {
    id: 'D3',
    case: 'FOI received 2026-10-22T23:30Z (00:30 BST Fri)',
    actual: () => due(foi('2026-10-22T23:30:00Z')),
    expected: 'Fri 2026-11-20',
  },
  {
    id: 'D4 (BST)',
    case: 'due Wed 2026-04-29: overdue from',
    actual: () => calculateOverdueFrom('2026-04-29').toISOString(),
    expected: '2026-04-29T23:00:00.000Z',
  },
  {
    id: 'D4 (GMT)',
    case: 'due Tue 2026-12-15: overdue from',
    actual: () => calculateOverdueFrom('2026-12-15').toISOString(),
    expected: '2026-12-16T00:00:00.000Z',
  },
  {
    id: 'D5 (spring)',
    case: 'stage due 17:30 Fri 2026-03-27 (GMT)',
    actual: () => nextWorkingHoursStart('2026-03-27T17:30:00Z', englandWales).toISOString(),
    expected: '2026-03-30T08:00:00.000Z',
  },
  {
    id: 'D5 (autumn)',
    case: 'stage due 17:30 Fri 2026-10-23 (BST)',
    actual: () => nextWorkingHoursStart('2026-10-23T16:30:00Z', englandWales).toISOString(),
    expected: '2026-10-26T09:00:00.000Z',
  },
  {
    id: 'B1',
    case: 'FOI received Thu 2026-04-02',
    actual: () => due(foi('2026-04-02')),
    expected: 'Tue 2026-05-05',
  },
  {
    id: 'B2 (Easter)',
    case: '2 WD acknowledgement, received Thu 2026-04-02',
    actual: () => deadline({ type: 'general', received: '2026-04-02' }, 'acknowledge'),
    expected: 'Wed 2026-04-08',
  },
  {
    id: 'B2 (Christmas)',
    case: '2 WD acknowledgement, received Thu 2026-12-24',
    actual: () => deadline({ type: 'general', received: '2026-12-24' }, 'acknowledge'),
    expected: 'Wed 2026-12-30',
  },
  {
    id: 'B3 (2026)',
    case: 'FOI received Thu 2026-12-24',
    actual: () => due(foi('2026-12-24')),
    expected: 'Wed 2027-01-27',
  },
  {
    id: 'B3 (2027)',
    case: 'FOI received Fri 2027-12-24',
    actual: () => due(foi('2027-12-24')),
    expected: 'Thu 2028-01-27',
  },
  {
    id: 'B4 (target)',
    case: 'received Fri 2026-12-18: 20 WD office target',
    actual: () => due({ type: 'general', received: '2026-12-18' }),
    expected: 'Wed 2027-01-20',
  },
  {
    id: 'B4 (FOI)',
    case: 'received Fri 2026-12-18: FOI',
    actual: () => due(foi('2026-12-18')),
    expected: 'Thu 2027-01-21',
  },
  {
    id: 'B5',
    case: 'SAR received Sat 2027-11-27',
    actual: () => due(sar('2027-11-27')),
    expected: 'Wed 2027-12-29',
  },
  {
    id: 'B6',
    case: 'SAR received Fri 2026-07-03 (Scottish-only day ignored)',
    actual: () => due(sar('2026-07-03')),
    expected: 'Mon 2026-08-03',
  },
  {
    id: 'B7',
    case: 'DP complaint received Fri 2026-06-19: act by',
    actual: () =>
      deadline({ type: 'complaint', subtype: 'data_protection', received: '2026-06-19' }, 'dp_ack'),
    expected: 'Fri 2026-07-17',
  },
];

/** Beyond §8: the Christmas substitute days and the clock-change Sundays of 2026 and 2027. */
const extra: Row[] = [
  // 2026: Christmas Fri 25 Dec; Boxing Day substitute Mon 28 Dec; 2nd January substitute Mon 4 Jan 2027 (Scotland).
  {
    id: 'X 2026-12-28',
    case: 'Boxing Day substitute (E&W)',
    actual: () => String(englandWales.reasonNotWorking('2026-12-28')),
    expected: 'Bank holiday: Boxing Day, substitute day (England and Wales)',
  },
  {
    id: 'X FOI 2026-12-23',
    case: 'FOI received Wed 2026-12-23',
    actual: () => due(foi('2026-12-23')),
    expected: 'Tue 2027-01-26',
  },
  {
    id: 'X ack 2026-12-23',
    case: '2 WD acknowledgement, received Wed 2026-12-23',
    actual: () => deadline({ type: 'general', received: '2026-12-23' }, 'acknowledge'),
    expected: 'Tue 2026-12-29',
  },
  {
    id: 'X SAR 2026-11-27',
    case: 'SAR received Fri 2026-11-27 (27 Dec Sun, 28 Dec substitute)',
    actual: () => due(sar('2026-11-27')),
    expected: 'Tue 2026-12-29',
  },
  // 2027: Christmas substitute Mon 27 Dec, Boxing Day substitute Tue 28 Dec, New Year substitute Mon 3 Jan 2028, 2nd January Tue 4 Jan 2028 (Scotland).
  {
    id: 'X 2027-12-27',
    case: 'Christmas Day substitute (E&W)',
    actual: () => String(englandWales.reasonNotWorking('2027-12-27')),
    expected: 'Bank holiday: Christmas Day, substitute day (England and Wales)',
  },
  {
    id: 'X 2027-12-28',
    case: 'Boxing Day substitute (E&W)',
    actual: () => String(englandWales.reasonNotWorking('2027-12-28')),
    expected: 'Bank holiday: Boxing Day, substitute day (England and Wales)',
  },
  {
    id: 'X FOI 2027-12-23',
    case: 'FOI received Thu 2027-12-23',
    actual: () => due(foi('2027-12-23')),
    expected: 'Wed 2028-01-26',
  },
  {
    id: 'X E&W 2027-12-23',
    case: '20 WD from Thu 2027-12-23, E&W calendar',
    actual: () => ewWorkingDays('2027-12-23', 20),
    expected: 'Tue 2028-01-25',
  },
  {
    id: 'X ack 2027-12-24',
    case: '2 WD acknowledgement, received Fri 2027-12-24',
    actual: () => deadline({ type: 'general', received: '2027-12-24' }, 'acknowledge'),
    expected: 'Thu 2027-12-30',
  },
  {
    id: 'X SAR 2027-11-26',
    case: 'SAR received Fri 2027-11-26 (26 Dec Sun, 27–28 Dec substitutes)',
    actual: () => due(sar('2027-11-26')),
    expected: 'Wed 2027-12-29',
  },
  // Clock changes: Sun 29 Mar and Sun 25 Oct 2026; Sun 28 Mar and Sun 31 Oct 2027.
  {
    id: 'X FOI 2026-03-29T00:30Z',
    case: 'received 00:30 GMT Sun 29 Mar 2026 (before the change)',
    actual: () => due(foi('2026-03-29T00:30:00Z')),
    expected: 'Tue 2026-04-28',
  },
  {
    id: 'X start 2026-03-30',
    case: '00:00 London Mon 30 Mar 2026',
    actual: () => calculateOverdueFrom('2026-03-29').toISOString(),
    expected: '2026-03-29T23:00:00.000Z',
  },
  {
    id: 'X start 2026-03-29',
    case: '00:00 London Sun 29 Mar 2026 (still GMT)',
    actual: () => calculateOverdueFrom('2026-03-28').toISOString(),
    expected: '2026-03-29T00:00:00.000Z',
  },
  {
    id: 'X SAR 2026-10-24T23:30Z',
    case: 'SAR received 00:30 BST Sun 25 Oct 2026',
    actual: () => due(sar('2026-10-24T23:30:00Z')),
    expected: 'Wed 2026-11-25',
  },
  {
    id: 'X SAR 2026-10-25T23:30Z',
    case: 'SAR received 23:30 GMT Sun 25 Oct 2026',
    actual: () => due(sar('2026-10-25T23:30:00Z')),
    expected: 'Wed 2026-11-25',
  },
  {
    id: 'X start 2026-10-25',
    case: '00:00 London Sun 25 Oct 2026 (still BST)',
    actual: () => calculateOverdueFrom('2026-10-24').toISOString(),
    expected: '2026-10-24T23:00:00.000Z',
  },
  {
    id: 'X start 2026-10-26',
    case: '00:00 London Mon 26 Oct 2026',
    actual: () => calculateOverdueFrom('2026-10-25').toISOString(),
    expected: '2026-10-26T00:00:00.000Z',
  },
  {
    id: 'X FOI 2027-03-28T23:30Z',
    case: 'FOI received 00:30 BST Mon 29 Mar 2027 (Easter Monday)',
    actual: () => due(foi('2027-03-28T23:30:00Z')),
    expected: 'Mon 2027-04-26',
  },
  {
    id: 'X SAR 2027-03-28T23:30Z',
    case: 'SAR received 00:30 BST Mon 29 Mar 2027',
    actual: () => due(sar('2027-03-28T23:30:00Z')),
    expected: 'Thu 2027-04-29',
  },
  {
    id: 'X start 2027-03-29',
    case: '00:00 London Mon 29 Mar 2027',
    actual: () => calculateOverdueFrom('2027-03-28').toISOString(),
    expected: '2027-03-28T23:00:00.000Z',
  },
  {
    id: 'X hours 2027-03-25',
    case: 'stage due 17:30 Thu 25 Mar 2027, before Easter and the change',
    actual: () => nextWorkingHoursStart('2027-03-25T17:30:00Z', englandWales).toISOString(),
    expected: '2027-03-30T08:00:00.000Z',
  },
  {
    id: 'X FOI 2027-10-29T23:30Z',
    case: 'FOI received 00:30 BST Sat 30 Oct 2027',
    actual: () => due(foi('2027-10-29T23:30:00Z')),
    expected: 'Fri 2027-11-26',
  },
  {
    id: 'X start 2027-10-31',
    case: '00:00 London Sun 31 Oct 2027 (still BST)',
    actual: () => calculateOverdueFrom('2027-10-30').toISOString(),
    expected: '2027-10-30T23:00:00.000Z',
  },
  {
    id: 'X start 2027-11-01',
    case: '00:00 London Mon 1 Nov 2027',
    actual: () => calculateOverdueFrom('2027-10-31').toISOString(),
    expected: '2027-11-01T00:00:00.000Z',
  },
  {
    id: 'X hours 2027-10-29',
    case: 'stage due 17:30 BST Fri 29 Oct 2027',
    actual: () => nextWorkingHoursStart('2027-10-29T16:30:00Z', englandWales).toISOString(),
    expected: '2027-11-01T09:00:00.000Z',
  },
];

describe('docs/rules/deadlines.md §8 worked examples (bundled snapshot)', () => {
  it.each(numbered)('$id $case → $expected', ({ actual, expected }) => {
    expect(actual()).toBe(expected);
  });
});

describe('docs/rules/deadlines.md §8 clock changes (D) and bank-holiday weekends (B)', () => {
  it.each(clockAndHolidays)('$id $case → $expected', ({ actual, expected }) => {
    expect(actual()).toBe(expected);
  });
});

describe('Christmas substitute days and clock-change Sundays, 2026 and 2027', () => {
  it.each(extra)('$id $case → $expected', ({ actual, expected }) => {
    expect(actual()).toBe(expected);
  });
});

describe('the "not" dates of D1–D3 are what a UTC reading would give', () => {
  it.each([
    { id: 'D1', instant: '2026-03-29T23:30:00Z', type: 'foi' as const, wrong: 'Tue 2026-04-28' },
    { id: 'D2', instant: '2026-03-29T23:30:00Z', type: 'sar' as const, wrong: 'Wed 2026-04-29' },
    { id: 'D3', instant: '2026-10-22T23:30:00Z', type: 'foi' as const, wrong: 'Thu 2026-11-19' },
  ])('$id: not $wrong', ({ instant, type, wrong }) => {
    const utcDate = instant.slice(0, 10);
    expect(due({ type, received: utcDate })).toBe(wrong);
    expect(due({ type, received: instant })).not.toBe(wrong);
  });
});
