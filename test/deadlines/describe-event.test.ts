/** The timeline's words for what a clock event carries (describeClockEvent). Pure. */
import { describe, expect, it } from 'vitest';
import { describeClockEvent, type ClockEvent } from '../../server/lib/deadline-rules.js';

const extended = (data: ClockEvent['data']): ClockEvent => ({
  kind: 'extended',
  at: '2026-02-02',
  data,
});

describe('describeClockEvent', () => {
  it('words a SAR extension in months (UK GDPR Art 12(3)) whatever data.kind says', () => {
    expect(describeClockEvent(extended({ amount: 2 }), 'sar')).toBe('By 2 month(s).');
    expect(describeClockEvent(extended({ kind: 'sar_complex', amount: 1 }), 'sar')).toBe(
      'By 1 month(s).',
    );
    expect(describeClockEvent(extended({ kind: 'target', amount: 2 }), 'sar')).toBe(
      'By 2 month(s).',
    );
  });

  it('words other extensions in working days', () => {
    expect(describeClockEvent(extended({ amount: 10 }), 'foi')).toBe('By 10 working day(s).');
    expect(describeClockEvent(extended({ kind: 'pit', amount: 5 }), 'foi')).toBe(
      'By 5 working day(s).',
    );
    expect(describeClockEvent(extended({ kind: 'target', amount: 3 }), 'general')).toBe(
      'By 3 working day(s).',
    );
  });

  it('says nothing of an extension without an amount, or of another event', () => {
    expect(describeClockEvent(extended({}), 'sar')).toBeNull();
    expect(
      describeClockEvent({ kind: 'responded', at: '2026-02-02', data: { amount: 2 } }, 'sar'),
    ).toBeNull();
  });
});
