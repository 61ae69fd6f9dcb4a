/** Warning stages as a regime's data (docs/rules/deadlines.md §6; docs/rules/complaints.md §3.2). */
import { describe, expect, it } from 'vitest';
import { stageStarts, currentStage } from '../../server/deadlines/stages.js';
import { buildCalendars } from '../../server/lib/calendar.js';

const ew = buildCalendars([
  { division: 'england-and-wales', date: '2026-12-25', title: 'Christmas Day' },
  { division: 'england-and-wales', date: '2026-12-28', title: 'Boxing Day' },
  { division: 'england-and-wales', date: '2027-01-01', title: 'New Year’s Day' },
]).england_wales;

describe('stage policies', () => {
  it('keeps all four stages by default (early 5 working days ahead)', () => {
    expect(
      stageStarts('2026-12-30', '2026-11-30', ew, { warnWdBefore: 5, escalateWdAfter: 5 }),
    ).toEqual([
      { stage: 'early', from: '2026-12-21' },
      { stage: 'due_today', from: '2026-12-30' },
      { stage: 'overdue', from: '2026-12-31' },
      { stage: 'escalated', from: '2027-01-07' },
    ]);
  });

  it('gives only the stages a regime lists, early in calendar days when it says so', () => {
    // A complaint's 4-weekly update: early 7 days before (calendar), then due, overdue, escalated.
    expect(
      stageStarts('2026-12-30', '2026-12-02', ew, {
        warnWdBefore: 0,
        warnDaysBefore: 7,
        escalateWdAfter: 5,
      })[0],
    ).toEqual({ stage: 'early', from: '2026-12-23' });
    // The review window: 3 working days before and the last day, nothing after it.
    const window = { warnWdBefore: 3, escalateWdAfter: 5, stages: ['early', 'due_today'] as const };
    expect(stageStarts('2026-12-30', '2026-12-02', ew, window)).toEqual([
      { stage: 'early', from: '2026-12-23' },
      { stage: 'due_today', from: '2026-12-30' },
    ]);
    expect(currentStage('2027-01-20', '2026-12-30', '2026-12-02', ew, window)).toBe('due_today');
  });
});
