/**
 * Correspondence's regimes (server/correspondence/regimes.ts): one per case type, carrying
 * their own words for deadlines and clock events, which the clock no longer has. Pure.
 */
import { describe, expect, it } from 'vitest';
import { CORRESPONDENCE_REGIMES } from '../../server/correspondence/regimes.js';
import { CASE_TYPES } from '../../server/correspondence/workflow.js';
import { createRegimeRegistry, eventLabelOf, kindLabelOf } from '../../server/deadlines/regimes.js';
import { formatDayDate } from '../../server/lib/dates.js';
import { CLOCK_EVENT_KINDS, DeadlineInputError } from '../../server/lib/deadline-rules.js';

const registry = createRegimeRegistry(CORRESPONDENCE_REGIMES);

describe('correspondence regimes', () => {
  it('are one per case type, every one with the case clock events', () => {
    expect(CORRESPONDENCE_REGIMES.map((r) => r.id)).toEqual([...CASE_TYPES]);
    expect(CASE_TYPES).toHaveLength(8);
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

  it('carry the warning stages the clock once gave every case', () => {
    for (const regime of CORRESPONDENCE_REGIMES)
      expect(regime.stages).toEqual({
        statutory: { warnWdBefore: 5, escalateWdAfter: 5 },
        review: { warnWdBefore: 5, escalateWdAfter: 5 },
        dp_ack: { warnWdBefore: 5, escalateWdAfter: 5 },
        respond: { warnWdBefore: 3, escalateWdAfter: 5 },
        acknowledge: { warnWdBefore: 0, escalateWdAfter: 5 },
      });
  });

  it('read their office targets from their sla_policies rows by unit', () => {
    const rows = [
      { kind: 'acknowledge', unit: 'working_days', amount: 4 },
      { kind: 'respond', unit: 'working_days', amount: 15 },
      { kind: 'respond', unit: 'calendar_days', amount: 25 },
      { kind: 'statutory', unit: 'statutory', amount: 20 },
      { kind: 'acknowledge', unit: 'calendar_days', amount: 9 },
    ];
    for (const regime of CORRESPONDENCE_REGIMES)
      expect(regime.officeTargets?.(rows)).toEqual({
        acknowledgeWd: 4,
        respondWd: 15,
        sarInternalDays: 25,
      });
    expect(registry.get('foi').officeTargets?.([])).toEqual({});
  });

  it('count a reply or closure made in the workflow as the event, unless one is recorded', () => {
    const base = {
      variant: null,
      receivedOn: '2026-02-02',
      holidays: [],
      policy: {},
      facts: {},
    };
    for (const id of ['foi', 'sar', 'general']) {
      const regime = registry.get(id);
      const responded = { kind: 'responded', at: '2026-02-10' };
      const closed = { kind: 'closed', at: '2026-02-12' };
      const byEvents = regime.compute({ ...base, events: [responded, closed] });
      expect(byEvents.stopped || byEvents.completed).toBe(true);
      expect(
        regime.compute({ ...base, events: [], respondedOn: '2026-02-10', closedOn: '2026-02-12' }),
      ).toEqual(byEvents);
      // A recorded event wins over the workflow's date.
      expect(
        regime.compute({
          ...base,
          events: [responded, closed],
          respondedOn: '2026-02-20',
          closedOn: '2026-02-21',
        }),
      ).toEqual(byEvents);
      expect(regime.compute({ ...base, events: [] })).not.toEqual(byEvents);
    }
  });

  it('word an overridden due date in the timeline, and only that of the others', () => {
    const override = {
      kind: 'due_date_override',
      at: '2026-02-02',
      data: { date: '2026-03-16', reason: 'Agreed' },
    };
    expect(registry.get('foi').describeEvent?.(override)).toBe(
      `New date ${formatDayDate('2026-03-16')}.`,
    );
    expect(
      registry
        .get('foi')
        .describeEvent?.({ kind: 'due_date_override', at: '2026-02-02', data: {} }),
    ).toBeNull();
    expect(
      registry.get('foi').describeEvent?.({ kind: 'responded', at: '2026-02-02', data: {} }),
    ).toBeNull();
  });

  it('call the statutory deadline and the response target the due date when it moves', () => {
    for (const regime of CORRESPONDENCE_REGIMES)
      expect(regime.dueDateKinds).toEqual(['statutory', 'respond']);
  });

  it('count a SAR’s statutory limit in months and the DP acknowledgement in days', () => {
    expect(registry.get('sar').limitUnits).toEqual({ statutory: 'month', dp_ack: 'days' });
    for (const id of ['foi', 'eir', 'complaint', 'general'])
      expect(registry.get(id).limitUnits).toEqual({ dp_ack: 'days' });
  });

  it('name the rules engine’s input errors for the calculator, and no others', () => {
    const regime = registry.get('foi');
    expect(regime.inputError?.(new DeadlineInputError('receivedOn is bad'))).toBe(
      'receivedOn is bad',
    );
    expect(regime.inputError?.(new RangeError('Invalid time value'))).toBeNull();
  });
});
