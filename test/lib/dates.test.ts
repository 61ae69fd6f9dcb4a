import { describe, expect, it } from 'vitest';
import {
  londonDateOf,
  londonHourMinute,
  londonInstantAt,
  londonInstantsAt,
  londonOffsetMinutes,
} from '../../server/lib/dates.js';

const iso = (instants: Date[]) => instants.map((d) => d.toISOString());

describe('londonInstantsAt: a London wall time to the instants it names', () => {
  it('gives one instant on an ordinary day, GMT or BST', () => {
    expect(iso(londonInstantsAt('2026-01-14', 14, 0))).toEqual(['2026-01-14T14:00:00.000Z']);
    expect(iso(londonInstantsAt('2026-04-14', 14, 15))).toEqual(['2026-04-14T13:15:00.000Z']);
  });

  it('gives none in the hour the clocks skip (29 March 2026)', () => {
    expect(londonInstantsAt('2026-03-29', 1, 30)).toEqual([]);
    expect(iso(londonInstantsAt('2026-03-29', 0, 59))).toEqual(['2026-03-29T00:59:00.000Z']);
    expect(iso(londonInstantsAt('2026-03-29', 2, 0))).toEqual(['2026-03-29T01:00:00.000Z']);
  });

  it('gives both, BST first, in the hour the clocks repeat (25 October 2026)', () => {
    expect(iso(londonInstantsAt('2026-10-25', 1, 30))).toEqual([
      '2026-10-25T00:30:00.000Z',
      '2026-10-25T01:30:00.000Z',
    ]);
  });

  it('agrees with londonInstantAt wherever the time exists once', () => {
    for (const date of ['2026-03-28', '2026-03-30', '2026-10-24', '2026-10-26'] as const) {
      for (let hour = 0; hour < 24; hour += 1) {
        expect(londonInstantsAt(date, hour, 45)).toEqual([londonInstantAt(date, hour, 45)]);
      }
    }
  });
});

describe('London wall time from an instant (the offset looked up once per UTC hour)', () => {
  const intl = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/London',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
  const byIntl = (at: Date) => {
    const p = Object.fromEntries(intl.formatToParts(at).map((x) => [x.type, x.value]));
    return {
      date: `${p.year}-${p.month}-${p.day}`,
      hour: Number(p.hour),
      minute: Number(p.minute),
    };
  };

  it('agrees with the tz database a second before each UTC hour and 37 minutes into it, 2000-2035', () => {
    const mismatches: string[] = [];
    const end = Date.UTC(2036, 0, 1);
    for (let ms = Date.UTC(2000, 0, 1); ms < end; ms += 3_600_000) {
      for (const at of [new Date(ms - 1_000), new Date(ms + 37 * 60_000)]) {
        const ours = { date: londonDateOf(at), ...londonHourMinute(at) };
        const theirs = byIntl(at);
        if (JSON.stringify(ours) !== JSON.stringify(theirs))
          mismatches.push(
            `${at.toISOString()}: ${JSON.stringify(ours)} ≠ ${JSON.stringify(theirs)}`,
          );
      }
    }
    expect(mismatches.slice(0, 5)).toEqual([]);
  });

  it('changes date and offset at 01:00 UTC on the clock-change Sundays', () => {
    expect(londonOffsetMinutes('2026-03-29T00:59:59Z')).toBe(0);
    expect(londonOffsetMinutes('2026-03-29T01:00:00Z')).toBe(60);
    expect(londonOffsetMinutes('2026-10-25T00:59:59Z')).toBe(60);
    expect(londonOffsetMinutes('2026-10-25T01:00:00Z')).toBe(0);
    expect(londonDateOf('2026-03-29T23:30:00Z')).toBe('2026-03-30');
    expect(londonDateOf('2026-12-31T23:59:59.999Z')).toBe('2026-12-31');
    expect(londonHourMinute('2026-06-30T23:30:00Z')).toEqual({ hour: 0, minute: 30 });
  });
});
