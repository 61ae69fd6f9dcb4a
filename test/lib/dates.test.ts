import { describe, expect, it } from 'vitest';
import { londonInstantAt, londonInstantsAt } from '../../server/lib/dates.js';

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
