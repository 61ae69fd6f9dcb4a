/**
 * Correspondence's regimes (server/correspondence/regimes.ts): one per case type, carrying
 * their own words for deadlines and clock events, which the clock no longer has. Pure.
 */
import { describe, expect, it } from 'vitest';
import { CORRESPONDENCE_REGIMES } from '../../server/correspondence/regimes.js';
import { createRegimeRegistry, eventLabelOf, kindLabelOf } from '../../server/deadlines/regimes.js';
import { CLOCK_EVENT_KINDS } from '../../server/lib/deadline-rules.js';

const registry = createRegimeRegistry(CORRESPONDENCE_REGIMES);

describe('correspondence regimes', () => {
  it('are one per case type, every one with the case clock events', () => {
    expect(CORRESPONDENCE_REGIMES.map((r) => r.id)).toEqual([
      'foi',
      'eir',
      'sar',
      'complaint',
      'mp_enquiry',
      'suggestion',
      'compliment',
      'general',
    ]);
    for (const regime of CORRESPONDENCE_REGIMES)
      expect(regime.eventKinds).toEqual(CLOCK_EVENT_KINDS);
  });

  it('name their deadlines and clock events as the clock once did', () => {
    for (const regime of CORRESPONDENCE_REGIMES) {
      expect(kindLabelOf(regime, 'statutory')).toBe('Statutory deadline');
      expect(kindLabelOf(regime, 'acknowledge')).toBe('Acknowledgement target');
      expect(kindLabelOf(regime, 'respond')).toBe('Response target');
      expect(kindLabelOf(regime, 'review')).toBe('Internal review');
      expect(kindLabelOf(regime, 'dp_ack')).toBe('Acknowledge the data protection complaint');
      expect(regime.kindOrder).toEqual(['statutory', 'respond', 'acknowledge', 'dp_ack', 'review']);
      expect(eventLabelOf(regime, 'fee_notice_sent')).toBe('Fees notice sent');
      expect(eventLabelOf(regime, 'id_requested')).toBe('Proof of identity requested');
      expect(eventLabelOf(regime, 'extended')).toBe('Deadline extended');
      expect(eventLabelOf(regime, 'due_date_override')).toBe('Due date overridden');
      for (const kind of CLOCK_EVENT_KINDS) expect(eventLabelOf(regime, kind)).not.toBe(kind);
    }
  });

  it('word a SAR extension in months even when the event does not say which it is', () => {
    const event = { kind: 'extended', at: '2026-02-02', data: { amount: 2 } };
    expect(registry.get('sar').describeEvent?.(event)).toBe('By 2 month(s).');
    expect(registry.get('foi').describeEvent?.(event)).toBe('By 2 working day(s).');
    expect(registry.get('general').describeEvent?.(event)).toBe('By 2 working day(s).');
  });
});
