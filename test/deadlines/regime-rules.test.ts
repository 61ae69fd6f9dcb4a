/**
 * The clock keeps neutral behaviour only; each regime supplies its rules: its warning
 * stages, its office targets, its events and computation in the calculator. A made-up
 * regime shows what the clock does with what a regime gives, and without it. Pure: no
 * database (the calculator gets a calendar and a timers helper of its own).
 */
import { describe, expect, it } from 'vitest';
import type { ClockSubject } from '../../server/deadlines/adapter.js';
import { createCalculator } from '../../server/deadlines/calculator.js';
import type { CalendarService } from '../../server/deadlines/calendar.js';
import type { DeadlinesContext } from '../../server/deadlines/context.js';
import {
  createRegimeRegistry,
  type Regime,
  type RegimeComputation,
  type RegimeInput,
} from '../../server/deadlines/regimes.js';
import type { DeadlinesRepository } from '../../server/deadlines/repository.js';
import { NEUTRAL_STAGE_POLICY, stagePolicyOf } from '../../server/deadlines/stages.js';
import { createTimers, regimeInputOf } from '../../server/deadlines/timers.js';
import { buildCalendars } from '../../server/lib/calendar.js';
import { FixedClock } from '../../server/lib/clock.js';
import { AppError } from '../../server/platform/errors.js';

describe('warning stages', () => {
  it('are the neutral default for a kind its regime gives none for and no row sets', () => {
    expect(NEUTRAL_STAGE_POLICY).toEqual({ warnWdBefore: 3, escalateWdAfter: 5 });
    expect(stagePolicyOf(undefined, undefined)).toEqual({ warnWdBefore: 3, escalateWdAfter: 5 });
  });

  it('take an sla_policies row’s numbers, on top of the regime’s own stages if any', () => {
    const row = { warnWdBefore: 2, escalateWdAfter: 7 };
    expect(stagePolicyOf(undefined, row)).toEqual({ warnWdBefore: 2, escalateWdAfter: 7 });
    const own = {
      warnWdBefore: 0,
      warnDaysBefore: 7,
      escalateWdAfter: 5,
      stages: ['early'] as const,
    };
    expect(stagePolicyOf(own, undefined)).toBe(own);
    expect(stagePolicyOf(own, row)).toEqual({ ...own, warnWdBefore: 2, escalateWdAfter: 7 });
  });
});

const subject: ClockSubject = {
  type: 'survey',
  id: 's1',
  regime: 'made_up',
  variant: 'short',
  receivedOn: '2026-03-02',
  open: false,
  respondedOn: '2026-03-10',
  closedOn: '2026-03-11',
  metKinds: [],
  dueOn: null,
  assigneeId: null,
  personId: null,
  reference: 'S1',
  typeLabel: 'SURVEY',
  noun: 'survey',
  path: '/surveys/s1',
  status: 'closed',
};
const rows = [
  { kind: 'respond', unit: 'working_days', amount: 12 },
  { kind: 'close', unit: 'calendar_days', amount: 30 },
];
const eventRows = [{ kind: 'paused', occurredOn: '2026-03-04', data: {}, note: null }];

describe('a regime’s input', () => {
  it('has no office targets when its regime reads none from its rows', () => {
    const input = regimeInputOf({}, subject, eventRows, rows, []);
    expect(input.policy).toEqual({});
  });

  it('has the office targets its regime reads from its rows, by its own names', () => {
    const officeTargets = (given: readonly { kind: string; amount: number }[]) =>
      Object.fromEntries(given.map((r) => [`${r.kind}Target`, r.amount]));
    const input = regimeInputOf({ officeTargets }, subject, eventRows, rows, []);
    expect(input.policy).toEqual({ respondTarget: 12, closeTarget: 30 });
  });

  it('gives the domain’s reply and closure as dates, adding no event of its own', () => {
    const input = regimeInputOf({}, subject, eventRows, rows, [], { answered: true });
    expect(input).toMatchObject({
      variant: 'short',
      receivedOn: '2026-03-02',
      respondedOn: '2026-03-10',
      closedOn: '2026-03-11',
      facts: { answered: true },
    });
    expect(input.events).toEqual([{ kind: 'paused', at: '2026-03-04', data: {} }]);
  });
});

/** A regime that is due a fixed number of calendar days after receipt, and says so. */
function madeUpRegime(seen: RegimeInput[]): Regime {
  return {
    id: 'made_up',
    eventKinds: ['paused'],
    validateEvent: () => [],
    kindLabels: { close: 'Closing date' },
    inputError: (error) =>
      error instanceof RangeError && error.message.startsWith('Made up:') ? error.message : null,
    compute(input): RegimeComputation {
      seen.push(input);
      if (input.variant === 'refused') throw new RangeError('Made up: no such variant');
      if (input.variant === 'broken') throw new Error('a bug');
      const due = input.events.length > 0 ? '2026-03-20' : '2026-03-16';
      return {
        type: 'made_up',
        subtype: input.variant,
        receivedOn: input.receivedOn,
        mainKind: 'close',
        calendar: 'calendar',
        dueDate: due,
        baseDueDate: due,
        extendedDueDate: null,
        effectiveDueDate: due,
        startRule: 'The day it arrives is day 0',
        startDate: input.receivedOn,
        skipped: [],
        rollForward: null,
        ruleVersion: 'made-up-1',
        coverageIncomplete: false,
        stopped: false,
        stoppedReason: null,
        stoppedSince: null,
        closePromptFrom: null,
        completed: false,
        respondedOn: null,
        closedOn: null,
        deadlines: [
          {
            kind: 'close',
            calendar: 'calendar',
            rule: 'Made up: 14 days',
            ruleVersion: 'made-up-1',
            startRule: 'The day it arrives is day 0',
            startDate: input.receivedOn,
            dueDate: due,
            baseDueDate: due,
            extendedDueDate: null,
            effectiveDueDate: due,
            skipped: [],
            roll: null,
            notes: ['Made up.'],
            extension: null,
            override: null,
            stopped: false,
            completedOn: null,
            coverageIncomplete: false,
          },
        ],
      };
    },
  };
}

function calculatorWith(regime: Regime) {
  const regimes = createRegimeRegistry([regime]);
  const calendar = {
    load: async () => ({ version: 3, holidays: [], ewOnly: [], cals: buildCalendars([]) }),
  } as unknown as CalendarService;
  const timers = createTimers({
    repo: {} as DeadlinesRepository,
    clock: new FixedClock('2026-03-02T10:00:00Z'),
    calendar,
    regimes,
    facts: async () => ({}),
  });
  return createCalculator({ calendar, timers, regimes } as unknown as DeadlinesContext);
}

describe('the calculator', () => {
  it('shows what the asked type’s regime computes, with its words', async () => {
    const seen: RegimeInput[] = [];
    const calculator = calculatorWith(madeUpRegime(seen));
    const view = await calculator.calculate({
      type: 'made_up',
      receivedAt: '2026-03-02',
      events: [{ kind: 'paused', at: '2026-03-04' }],
    });
    expect(view).toMatchObject({
      kind: 'close',
      dueDate: '2026-03-20',
      ruleVersion: 'made-up-1',
      calendarVersion: 3,
      deadlines: [{ kind: 'close', label: 'Closing date', rule: 'Made up: 14 days' }],
    });
    // No office targets and no reply or closure: it is worked out as the rules give it.
    expect(seen).toEqual([
      {
        variant: null,
        receivedOn: '2026-03-02',
        events: [{ kind: 'paused', at: '2026-03-04', data: undefined, note: undefined }],
        holidays: [],
        policy: {},
        facts: {},
      },
    ]);
  });

  it('refuses an event its regime does not list', async () => {
    const calculator = calculatorWith(madeUpRegime([]));
    const refused = await calculator
      .calculate({
        type: 'made_up',
        receivedAt: '2026-03-02',
        events: [{ kind: 'extended', at: '2026-03-04' }],
      })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AppError);
    expect((refused as AppError).fields).toEqual({ 'events.0.kind': 'Unknown clock event' });
  });

  it('answers an input error its regime names as a 400, and rethrows any other', async () => {
    const calculator = calculatorWith(madeUpRegime([]));
    const refused = await calculator
      .calculate({ type: 'made_up', subtype: 'refused', receivedAt: '2026-03-02' })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AppError);
    expect((refused as AppError).fields).toEqual({ _: 'Made up: no such variant' });
    await expect(
      calculator.calculate({ type: 'made_up', subtype: 'broken', receivedAt: '2026-03-02' }),
    ).rejects.toThrow('a bug');
  });
});
