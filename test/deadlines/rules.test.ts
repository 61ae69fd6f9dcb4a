/** The deadline engine beyond the §8 table: refusals, clocks, skipped days, coverage, hours. Pure. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildCalendars, parseGovUkBankHolidays } from '../../server/lib/calendar.js';
import { addDays } from '../../server/lib/dates.js';
import {
  calculateOverdueFrom,
  computeDeadlines,
  DeadlineInputError,
  isOverdue,
  isWithinWorkingHours,
  nextWorkingHoursStart,
  RULE_VERSIONS,
  validateClockEvent,
  type ClockEvent,
  type DeadlineInput,
  type DeadlineKind,
} from '../../server/lib/deadline-rules.js';

const holidays = parseGovUkBankHolidays(
  JSON.parse(readFileSync(new URL('../../db/data/bank-holidays.json', import.meta.url), 'utf8')),
);
const { england_wales: ew } = buildCalendars(holidays);

const input = (over: Partial<DeadlineInput> & Pick<DeadlineInput, 'type'>): DeadlineInput => ({
  receivedOn: '2026-01-05',
  events: [],
  holidays,
  ...over,
});
const kindOf = (r: ReturnType<typeof computeDeadlines>, kind: DeadlineKind) =>
  r.deadlines.find((d) => d.kind === kind);
const fieldsOf = (errors: { field: string; code: string }[]) =>
  errors.map((e) => `${e.field}:${e.code}`);

describe('validateClockEvent: refusals (§4)', () => {
  const today = '2026-02-20';
  const foi = (events: ClockEvent[] = []) =>
    input({ type: 'foi', receivedOn: '2026-01-05', events });
  const sar = (events: ClockEvent[] = []) =>
    input({ type: 'sar', receivedOn: '2026-01-05', events });

  it('refuses a future-dated event', () => {
    const errors = validateClockEvent(foi(), { kind: 'responded', at: '2026-02-21' }, { today });
    expect(fieldsOf(errors)).toEqual(['at:deadlines.future_date']);
    expect(validateClockEvent(foi(), { kind: 'responded', at: '2026-02-20' }, { today })).toEqual(
      [],
    );
  });

  it('reads an instant in London time for the future check', () => {
    // 23:30Z on 20 Jul is 00:30 BST on 21 Jul: tomorrow.
    const summer = input({ type: 'foi', receivedOn: '2026-07-01' });
    expect(
      fieldsOf(
        validateClockEvent(
          summer,
          { kind: 'responded', at: '2026-07-20T23:30:00Z' },
          { today: '2026-07-20' },
        ),
      ),
    ).toEqual(['at:deadlines.future_date']);
  });

  it('refuses an event before receipt', () => {
    const errors = validateClockEvent(
      foi(),
      { kind: 'fee_notice_sent', at: '2026-01-04' },
      { today },
    );
    expect(fieldsOf(errors)).toEqual(['at:deadlines.before_receipt']);
  });

  it('refuses a bad date and an unknown kind', () => {
    expect(
      fieldsOf(validateClockEvent(foi(), { kind: 'responded', at: 'yesterday' }, { today })),
    ).toEqual(['at:deadlines.invalid_date']);
    const unknown = { kind: 'paused', at: '2026-01-06' } as unknown as ClockEvent;
    expect(fieldsOf(validateClockEvent(foi(), unknown, { today }))).toEqual([
      'kind:deadlines.unknown_event',
    ]);
  });

  it('refuses a PIT extension beyond 40 WD in all', () => {
    const first: ClockEvent = {
      kind: 'extended',
      at: '2026-01-20',
      data: { kind: 'pit', amount: 20, reason: 'PIT' },
    };
    expect(validateClockEvent(foi(), first, { today })).toEqual([]);
    const errors = validateClockEvent(
      foi([first]),
      { kind: 'extended', at: '2026-01-21', data: { kind: 'pit', amount: 1 } },
      { today },
    );
    expect(fieldsOf(errors)).toEqual(['data.amount:deadlines.pit_cap']);
    expect(errors[0]!.message).toMatch(/40/);
    expect(
      fieldsOf(
        validateClockEvent(
          foi(),
          { kind: 'extended', at: '2026-01-20', data: { kind: 'pit', amount: 21 } },
          { today },
        ),
      ),
    ).toEqual(['data.amount:deadlines.pit_cap']);
  });

  it('allows PIT extensions in steps up to the cap', () => {
    const ten: ClockEvent = {
      kind: 'extended',
      at: '2026-01-20',
      data: { kind: 'pit', amount: 10 },
    };
    expect(validateClockEvent(foi([ten]), { ...ten, at: '2026-01-21' }, { today })).toEqual([]);
    const r = computeDeadlines(foi([ten, { ...ten, at: '2026-01-21' }]));
    expect(kindOf(r, 'statutory')!.extension).toMatchObject({ kind: 'pit', amount: 20 });
    const twice = foi([ten, { ...ten, at: '2026-01-21' }]);
    expect(
      fieldsOf(
        validateClockEvent(
          twice,
          { kind: 'extended', at: '2026-01-22', data: { kind: 'pit' } },
          { today },
        ),
      ),
    ).toEqual(['data.amount:deadlines.pit_cap']);
  });

  it('refuses a second SAR extension and a second reg 7 extension', () => {
    const ext: ClockEvent = {
      kind: 'extended',
      at: '2026-01-20',
      data: { kind: 'sar_complex', reason: 'Complex' },
    };
    expect(validateClockEvent(sar(), ext, { today })).toEqual([]);
    expect(
      fieldsOf(validateClockEvent(sar([ext]), { ...ext, at: '2026-01-21' }, { today })),
    ).toEqual(['data.kind:deadlines.second_extension']);
    const eir = input({
      type: 'eir',
      events: [{ kind: 'extended', at: '2026-01-20', data: { kind: 'reg7' } }],
    });
    expect(
      fieldsOf(
        validateClockEvent(
          eir,
          { kind: 'extended', at: '2026-01-21', data: { kind: 'reg7' } },
          { today },
        ),
      ),
    ).toEqual(['data.kind:deadlines.second_extension']);
  });

  it('refuses a SAR extension of more than two further months', () => {
    expect(
      fieldsOf(
        validateClockEvent(
          sar(),
          { kind: 'extended', at: '2026-01-20', data: { amount: 3 } },
          { today },
        ),
      ),
    ).toEqual(['data.amount:deadlines.invalid_amount']);
  });

  it('refuses an extension the case type does not have', () => {
    expect(
      fieldsOf(
        validateClockEvent(
          foi(),
          { kind: 'extended', at: '2026-01-20', data: { kind: 'reg7' } },
          { today },
        ),
      ),
    ).toEqual(['data.kind:deadlines.extension_kind']);
    expect(
      fieldsOf(
        validateClockEvent(
          sar(),
          { kind: 'extended', at: '2026-01-20', data: { kind: 'pit' } },
          { today },
        ),
      ),
    ).toEqual(['data.kind:deadlines.extension_kind']);
  });

  it('refuses an extension after the due date unless a manager confirms', () => {
    // SAR received 5 Jan 2026 is due Thu 5 Feb.
    const late: ClockEvent = { kind: 'extended', at: '2026-02-06', data: { kind: 'sar_complex' } };
    const errors = validateClockEvent(sar(), late, { today });
    expect(fieldsOf(errors)).toEqual(['at:deadlines.extension_after_due']);
    expect(errors[0]!.message).toContain('Thu 5 Feb 2026');
    expect(validateClockEvent(sar(), late, { today, managerConfirmed: true })).toEqual([]);
    expect(validateClockEvent(sar(), { ...late, at: '2026-02-05' }, { today })).toEqual([]);
  });

  it('refuses a SAR clarification with no reason, but not an FOI one', () => {
    const ask: ClockEvent = { kind: 'clarification_requested', at: '2026-01-07' };
    expect(fieldsOf(validateClockEvent(sar(), ask, { today }))).toEqual([
      'data.reason:deadlines.reason_required',
    ]);
    expect(
      fieldsOf(validateClockEvent(sar(), { ...ask, data: { reason: '   ' } }, { today })),
    ).toEqual(['data.reason:deadlines.reason_required']);
    expect(
      validateClockEvent(sar(), { ...ask, data: { reason: 'Which force records?' } }, { today }),
    ).toEqual([]);
    expect(validateClockEvent(sar(), { ...ask, note: 'Which force records?' }, { today })).toEqual(
      [],
    );
    expect(validateClockEvent(foi(), ask, { today })).toEqual([]);
  });

  it('refuses answers to nothing, answers before the question and a second open question', () => {
    expect(
      fieldsOf(
        validateClockEvent(foi(), { kind: 'clarification_received', at: '2026-01-07' }, { today }),
      ),
    ).toEqual(['kind:deadlines.nothing_pending']);
    expect(
      fieldsOf(validateClockEvent(foi(), { kind: 'fee_received', at: '2026-01-07' }, { today })),
    ).toEqual(['kind:deadlines.nothing_pending']);
    const asked = foi([{ kind: 'clarification_requested', at: '2026-01-09' }]);
    expect(
      fieldsOf(
        validateClockEvent(asked, { kind: 'clarification_received', at: '2026-01-08' }, { today }),
      ),
    ).toEqual(['at:deadlines.before_request']);
    expect(
      fieldsOf(
        validateClockEvent(asked, { kind: 'clarification_requested', at: '2026-01-10' }, { today }),
      ),
    ).toEqual(['kind:deadlines.already_pending']);
    // A SAR's ID or fee may arrive without being asked for.
    expect(validateClockEvent(sar(), { kind: 'id_received', at: '2026-01-07' }, { today })).toEqual(
      [],
    );
  });

  it('refuses events that do not apply to the case type', () => {
    expect(
      fieldsOf(validateClockEvent(foi(), { kind: 'id_requested', at: '2026-01-07' }, { today })),
    ).toEqual(['kind:deadlines.not_applicable']);
    const general = input({ type: 'general' });
    expect(
      fieldsOf(
        validateClockEvent(
          general,
          { kind: 'clarification_requested', at: '2026-01-07' },
          { today },
        ),
      ),
    ).toEqual(['kind:deadlines.not_applicable']);
  });

  it('keeps overrides and office-target extensions to managers, with a reason', () => {
    const override: ClockEvent = {
      kind: 'due_date_override',
      at: '2026-01-07',
      data: { date: '2026-02-20', reason: 'Agreed' },
    };
    expect(fieldsOf(validateClockEvent(foi(), override, { today }))).toEqual([
      'kind:deadlines.manager_only',
    ]);
    expect(validateClockEvent(foi(), override, { today, isManager: true })).toEqual([]);
    expect(
      fieldsOf(
        validateClockEvent(
          foi(),
          { ...override, data: { date: '2026-02-30' } },
          { today, isManager: true },
        ),
      ),
    ).toEqual(['data.date:deadlines.invalid_date', 'data.reason:deadlines.reason_required']);
    expect(
      fieldsOf(
        validateClockEvent(
          foi(),
          { ...override, data: { date: '2026-01-01', reason: 'x' } },
          { today, isManager: true },
        ),
      ),
    ).toEqual(['data.date:deadlines.before_receipt']);
    const general = input({ type: 'general' });
    const target: ClockEvent = {
      kind: 'extended',
      at: '2026-01-07',
      data: { amount: 5, reason: 'Awaiting the force' },
    };
    expect(fieldsOf(validateClockEvent(general, target, { today }))).toEqual([
      'kind:deadlines.manager_only',
    ]);
    expect(validateClockEvent(general, target, { today, isManager: true })).toEqual([]);
    expect(
      fieldsOf(validateClockEvent(general, { ...target, data: {} }, { today, isManager: true })),
    ).toEqual(['data.reason:deadlines.reason_required', 'data.amount:deadlines.invalid_amount']);
  });

  it('ignores voided events when checking', () => {
    const voided: ClockEvent = {
      kind: 'extended',
      at: '2026-01-20',
      data: { kind: 'sar_complex' },
      voided: true,
    };
    expect(validateClockEvent(sar([voided]), { ...voided, voided: false }, { today })).toEqual([]);
  });
});

describe('computeDeadlines: clocks (§4)', () => {
  it('stops an FOI clock while awaiting clarification, with a prompt to close after 3 months', () => {
    const r = computeDeadlines(
      input({
        type: 'foi',
        receivedOn: '2026-02-02',
        events: [{ kind: 'clarification_requested', at: '2026-02-04' }],
      }),
    );
    expect(r.stopped).toBe(true);
    expect(r.dueDate).toBeNull();
    expect(r.extendedDueDate).toBeNull();
    expect(r.stoppedSince).toBe('2026-02-04');
    expect(r.closePromptFrom).toBe('2026-05-04');
    expect(r.stoppedReason).toMatch(/clarification/);
    // The office acknowledgement still runs.
    expect(kindOf(r, 'acknowledge')!.dueDate).toBe('2026-02-04');
  });

  it('stops EIR while awaiting clarification and an FOI while awaiting a fee', () => {
    const eir = computeDeadlines(
      input({ type: 'eir', events: [{ kind: 'clarification_requested', at: '2026-01-06' }] }),
    );
    expect([eir.stopped, eir.dueDate]).toEqual([true, null]);
    const fee = computeDeadlines(
      input({ type: 'foi', events: [{ kind: 'fee_notice_sent', at: '2026-01-09' }] }),
    );
    expect([fee.stopped, fee.dueDate, fee.closePromptFrom]).toEqual([true, null, '2026-04-09']);
    expect(fee.stoppedReason).toMatch(/fee/);
  });

  it('does not start a SAR clock until ID or a fee arrives, and pauses it for clarification', () => {
    const id = computeDeadlines(
      input({ type: 'sar', events: [{ kind: 'id_requested', at: '2026-01-06' }] }),
    );
    expect([id.stopped, id.dueDate]).toEqual([true, null]);
    expect(id.stoppedReason).toMatch(/identity/);
    const fee = computeDeadlines(
      input({
        type: 'sar',
        events: [
          { kind: 'fee_notice_sent', at: '2026-01-06' },
          { kind: 'fee_received', at: '2026-01-16' },
        ],
      }),
    );
    expect([fee.stopped, fee.startDate, fee.dueDate]).toEqual([false, '2026-01-16', '2026-02-16']);
    const paused = computeDeadlines(
      input({
        type: 'sar',
        events: [{ kind: 'clarification_requested', at: '2026-01-06', data: { reason: 'x' } }],
      }),
    );
    expect([paused.stopped, paused.dueDate, kindOf(paused, 'respond')!.dueDate]).toEqual([
      true,
      null,
      null,
    ]);
  });

  it('takes the latest of receipt, ID and fee as the SAR start', () => {
    const r = computeDeadlines(
      input({
        type: 'sar',
        receivedOn: '2026-03-02',
        events: [
          { kind: 'fee_received', at: '2026-03-10' },
          { kind: 'id_received', at: '2026-03-05' },
        ],
      }),
    );
    expect([r.startDate, r.dueDate]).toEqual(['2026-03-10', '2026-04-10']);
  });

  it('records the SAR pause rule version for the DPO', () => {
    const plain = computeDeadlines(input({ type: 'sar' }));
    expect(plain.ruleVersion).toBe(RULE_VERSIONS.sar);
    const paused = computeDeadlines(
      input({
        type: 'sar',
        receivedOn: '2026-02-02',
        events: [
          { kind: 'clarification_requested', at: '2026-02-04', data: { reason: 'x' } },
          { kind: 'clarification_received', at: '2026-02-10' },
        ],
      }),
    );
    expect(paused.ruleVersion).toBe(RULE_VERSIONS.sarPause);
    expect(paused.extendedDueDate).toBe('2026-05-11'); // 2 May + 7 = Sat 9 May, rolled to Mon 11 May
  });

  it('applies a SAR extension of one further month', () => {
    const r = computeDeadlines(
      input({
        type: 'sar',
        receivedOn: '2026-04-02',
        events: [{ kind: 'extended', at: '2026-04-10', data: { amount: 1 } }],
      }),
    );
    expect([r.baseDueDate, r.dueDate, r.extendedDueDate]).toEqual([
      '2026-05-05',
      '2026-06-02',
      '2026-07-02',
    ]);
  });

  it('keeps the s17 notice date when a PIT extension applies', () => {
    const r = computeDeadlines(
      input({
        type: 'foi',
        receivedOn: '2025-12-18',
        events: [{ kind: 'extended', at: '2026-01-19', data: { kind: 'pit', amount: 10 } }],
      }),
    );
    expect(r.baseDueDate).toBe('2026-01-21');
    expect(r.dueDate).toBe('2026-02-04');
    expect(r.extendedDueDate).toBe('2026-02-18');
    expect(kindOf(r, 'statutory')!.notes.join(' ')).toMatch(
      /s17 notice was due by day 20, Wed 21 Jan 2026/,
    );
  });

  it('stops the clock on a response or closure but keeps the due date for statistics', () => {
    const r = computeDeadlines(
      input({
        type: 'foi',
        receivedOn: '2025-12-18',
        events: [{ kind: 'responded', at: '2026-01-22' }],
      }),
    );
    expect([r.completed, r.respondedOn, r.dueDate]).toEqual([true, '2026-01-22', '2026-01-21']);
    const closed = computeDeadlines(
      input({ type: 'general', events: [{ kind: 'closed', at: '2026-01-07' }] }),
    );
    expect([closed.completed, closed.closedOn]).toEqual([true, '2026-01-07']);
    expect(computeDeadlines(input({ type: 'general' })).completed).toBe(false);
  });

  it('lets an override drive reminders while statistics keep the computed date', () => {
    const r = computeDeadlines(
      input({
        type: 'foi',
        receivedOn: '2025-12-18',
        events: [
          {
            kind: 'due_date_override',
            at: '2026-01-05',
            data: { date: '2026-01-30', reason: 'Agreed with requester' },
          },
        ],
      }),
    );
    expect(r.dueDate).toBe('2026-01-21');
    expect(r.effectiveDueDate).toBe('2026-01-30');
    expect(kindOf(r, 'statutory')!.override).toEqual({
      date: '2026-01-30',
      reason: 'Agreed with requester',
    });
    const ack = computeDeadlines(
      input({
        type: 'general',
        events: [
          {
            kind: 'due_date_override',
            at: '2026-01-05',
            data: { date: '2026-01-09', reason: 'x', deadline: 'acknowledge' },
          },
        ],
      }),
    );
    expect(kindOf(ack, 'acknowledge')!.effectiveDueDate).toBe('2026-01-09');
    expect(ack.effectiveDueDate).toBe(ack.dueDate);
  });

  it('ignores voided events', () => {
    const r = computeDeadlines(
      input({
        type: 'foi',
        receivedOn: '2025-12-18',
        events: [{ kind: 'extended', at: '2026-01-19', data: { kind: 'pit' }, voided: true }],
      }),
    );
    expect(r.dueDate).toBe('2026-01-21');
  });

  it('computes a manager-extended office target', () => {
    const r = computeDeadlines(
      input({
        type: 'mp_enquiry',
        receivedOn: '2026-12-18',
        events: [{ kind: 'extended', at: '2027-01-05', data: { amount: 5, reason: 'x' } }],
      }),
    );
    expect([r.baseDueDate, r.dueDate]).toEqual(['2027-01-20', '2027-01-27']);
  });

  it('uses the office policy for targets', () => {
    const r = computeDeadlines(
      input({
        type: 'complaint',
        subtype: 'service',
        receivedOn: '2026-04-02',
        policy: { acknowledgeWd: 5, respondWd: 10 },
      }),
    );
    expect(kindOf(r, 'acknowledge')!.dueDate).toBe('2026-04-13');
    expect(r.dueDate).toBe('2026-04-20');
  });
});

describe('computeDeadlines: the deadline list', () => {
  const kinds = (over: Partial<DeadlineInput> & Pick<DeadlineInput, 'type'>) =>
    computeDeadlines(input(over)).deadlines.map((d) => `${d.kind}:${d.calendar}:${d.dueDate}`);

  it('gives FOI its statutory date and an acknowledgement', () => {
    expect(kinds({ type: 'foi', receivedOn: '2025-12-18' })).toEqual([
      'statutory:uk_foia:2026-01-21',
      'acknowledge:england_wales:2025-12-22',
    ]);
  });

  it('gives a SAR its statutory date, acknowledgement and 28-day internal target', () => {
    expect(kinds({ type: 'sar', receivedOn: '2026-03-02' })).toEqual([
      'statutory:england_wales:2026-04-02',
      'acknowledge:england_wales:2026-03-04',
      'respond:england_wales:2026-03-30',
    ]);
    // 28 days after Thu 2 Apr is Thu 30 Apr; after Fri 6 Mar 2026 it is Fri 3 Apr (Good Friday), so Thu 2 Apr.
    expect(
      kindOf(computeDeadlines(input({ type: 'sar', receivedOn: '2026-03-06' })), 'respond')!
        .dueDate,
    ).toBe('2026-04-02');
  });

  it('adds the DP complaint acknowledgement only from 19 Jun 2026', () => {
    expect(
      kinds({ type: 'complaint', subtype: 'data_protection', receivedOn: '2026-06-19' }),
    ).toEqual([
      'acknowledge:england_wales:2026-06-23',
      'respond:england_wales:2026-07-17',
      'dp_ack:calendar:2026-07-17',
    ]);
    expect(
      kinds({ type: 'complaint', subtype: 'data_protection', receivedOn: '2026-06-18' }).some((k) =>
        k.startsWith('dp_ack'),
      ),
    ).toBe(false);
    expect(
      kinds({ type: 'complaint', subtype: 'staff', receivedOn: '2026-07-01' }).some((k) =>
        k.startsWith('dp_ack'),
      ),
    ).toBe(false);
    // Received Mon 3 Aug 2026: day 30 is Tue 1 Sep, a working day.
    expect(
      kindOf(
        computeDeadlines(
          input({ type: 'complaint', subtype: 'data_protection', receivedOn: '2026-08-03' }),
        ),
        'dp_ack',
      )!.dueDate,
    ).toBe('2026-09-01');
  });

  it.each(['mp_enquiry', 'suggestion', 'compliment', 'general'] as const)(
    'gives %s office targets on E&W',
    (type) => {
      const r = computeDeadlines(input({ type, receivedOn: '2025-12-18' }));
      expect(r.mainKind).toBe('respond');
      expect(r.calendar).toBe('england_wales');
      expect(r.dueDate).toBe('2026-01-20');
      expect(r.extendedDueDate).toBeNull();
    },
  );

  it('adds an FOI review (s45 Code) and flags one asked for over 40 WD after the response', () => {
    const onTime = computeDeadlines(
      input({
        type: 'foi',
        receivedOn: '2026-01-05',
        events: [
          { kind: 'responded', at: '2026-01-30' },
          { kind: 'review_requested', at: '2026-02-02' },
        ],
      }),
    );
    const review = kindOf(onTime, 'review')!;
    expect([
      review.startDate,
      review.dueDate,
      review.extendedDueDate,
      review.lateReviewRequest,
    ]).toEqual([
      '2026-02-02',
      '2026-03-02',
      '2026-03-31', // 17 Mar (Northern Ireland) skipped
      false,
    ]);
    expect(onTime.completed).toBe(false); // the review is open
    const reviewAt = (at: string) =>
      kindOf(
        computeDeadlines(
          input({
            type: 'foi',
            receivedOn: '2026-01-05',
            events: [
              { kind: 'responded', at: '2026-01-30' },
              { kind: 'review_requested', at },
            ],
          }),
        ),
        'review',
      )!;
    // Mon 30 Mar is the 40th working day after Fri 30 Jan; Tue 31 Mar the 41st.
    expect(reviewAt('2026-03-30').lateReviewRequest).toBe(false);
    expect(reviewAt('2026-03-31').lateReviewRequest).toBe(true);
    expect(reviewAt('2026-03-31').notes.join(' ')).toMatch(
      /more than 40 working days after the response of Fri 30 Jan 2026/,
    );
    const answered = computeDeadlines(
      input({
        type: 'foi',
        receivedOn: '2026-01-05',
        events: [
          { kind: 'responded', at: '2026-01-30' },
          { kind: 'review_requested', at: '2026-02-02' },
          { kind: 'responded', at: '2026-02-20' },
        ],
      }),
    );
    expect([answered.completed, kindOf(answered, 'review')!.completedOn]).toEqual([
      true,
      '2026-02-20',
    ]);
  });

  it('counts an EIR reg 11 review from the actual date of the representations', () => {
    const r = computeDeadlines(
      input({
        type: 'eir',
        receivedOn: '2026-05-01',
        events: [{ kind: 'review_requested', at: '2026-05-30' }],
      }),
    );
    const review = kindOf(r, 'review')!;
    expect([review.startDate, review.dueDate, review.extendedDueDate]).toEqual([
      '2026-05-30',
      '2026-06-29',
      '2026-07-28',
    ]);
  });
});

describe('computeDeadlines: showing the working (§7)', () => {
  it('lists every skipped day of #1 with its reason', () => {
    const r = computeDeadlines(input({ type: 'foi', receivedOn: '2025-12-18' }));
    expect(r.skipped).toEqual([
      { date: '2025-12-20', reason: 'Weekend' },
      { date: '2025-12-21', reason: 'Weekend' },
      {
        date: '2025-12-25',
        reason: 'Bank holiday: Christmas Day (England and Wales, Scotland, Northern Ireland)',
      },
      {
        date: '2025-12-26',
        reason: 'Bank holiday: Boxing Day (England and Wales, Scotland, Northern Ireland)',
      },
      { date: '2025-12-27', reason: 'Weekend' },
      { date: '2025-12-28', reason: 'Weekend' },
      {
        date: '2026-01-01',
        reason: 'Bank holiday: New Year’s Day (England and Wales, Scotland, Northern Ireland)',
      },
      { date: '2026-01-02', reason: 'Bank holiday: 2nd January (Scotland)' },
      { date: '2026-01-03', reason: 'Weekend' },
      { date: '2026-01-04', reason: 'Weekend' },
      { date: '2026-01-10', reason: 'Weekend' },
      { date: '2026-01-11', reason: 'Weekend' },
      { date: '2026-01-17', reason: 'Weekend' },
      { date: '2026-01-18', reason: 'Weekend' },
    ]);
    expect(r.startRule).toBe(
      'Day 0 is the date of receipt, Thu 18 Dec 2025; the answer is due by the end of the 20th working day after it (FOIA s10(1)).',
    );
    expect(r.rollForward).toBeNull();
    expect(r.calendar).toBe('uk_foia');
  });

  it('marks fee-period working days (#9) and keeps weekends as weekends', () => {
    const r = computeDeadlines(
      input({
        type: 'foi',
        receivedOn: '2026-01-05',
        events: [
          { kind: 'fee_notice_sent', at: '2026-01-09' },
          { kind: 'fee_received', at: '2026-01-21' },
        ],
      }),
    );
    const fee = r.skipped.filter((s) => s.reason.startsWith('Fee period')).map((s) => s.date);
    expect(fee).toEqual([
      '2026-01-09',
      '2026-01-12',
      '2026-01-13',
      '2026-01-14',
      '2026-01-15',
      '2026-01-16',
      '2026-01-19',
      '2026-01-20',
      '2026-01-21',
    ]);
    expect(r.skipped.find((s) => s.date === '2026-01-10')!.reason).toBe('Weekend');
    expect(r.skipped[0]!.reason).toBe(
      'Fee period: notice sent Fri 9 Jan 2026, fee received Wed 21 Jan 2026 (FOIA s10(2))',
    );
  });

  it('marks the days before a restart (#8)', () => {
    const r = computeDeadlines(
      input({
        type: 'foi',
        receivedOn: '2026-02-02',
        events: [
          { kind: 'clarification_requested', at: '2026-02-04' },
          { kind: 'clarification_received', at: '2026-02-16' },
        ],
      }),
    );
    const before = r.skipped.filter((s) => s.reason.startsWith('Before the restart'));
    expect(before.map((s) => s.date)).toEqual(
      Array.from({ length: 14 }, (_, i) => addDays('2026-02-03', i)),
    );
    expect(before[0]!.reason).toBe(
      'Before the restart: the clarification received Mon 16 Feb 2026 is day 0',
    );
    expect(r.startDate).toBe('2026-02-16');
    expect(r.startRule).toMatch(/counted afresh \(FOIA s1\(3\), s10\(6\)\(b\)\)/);
  });

  it('marks paused SAR days (#17), days before a moved start (#16) and the roll forward (#10)', () => {
    const paused = computeDeadlines(
      input({
        type: 'sar',
        receivedOn: '2026-02-02',
        events: [
          { kind: 'clarification_requested', at: '2026-02-04', data: { reason: 'x' } },
          { kind: 'clarification_received', at: '2026-02-10' },
        ],
      }),
    );
    expect(paused.skipped.map((s) => s.date)).toEqual([
      '2026-02-04',
      '2026-02-05',
      '2026-02-06',
      '2026-02-07',
      '2026-02-08',
      '2026-02-09',
      '2026-02-10',
    ]);
    expect(
      paused.skipped.every((s) =>
        s.reason.startsWith('Paused: clarification requested Wed 4 Feb 2026'),
      ),
    ).toBe(true);

    const moved = computeDeadlines(
      input({
        type: 'sar',
        receivedOn: '2026-03-02',
        events: [
          { kind: 'id_requested', at: '2026-03-03' },
          { kind: 'id_received', at: '2026-03-13' },
        ],
      }),
    );
    expect(moved.skipped.map((s) => s.date)).toEqual(
      Array.from({ length: 11 }, (_, i) => addDays('2026-03-02', i)),
    );
    expect(moved.skipped[0]!.reason).toMatch(
      /^Before the start: waiting for proof of identity, received Fri 13 Mar 2026/,
    );

    const rolled = computeDeadlines(input({ type: 'sar', receivedOn: '2026-01-30' }));
    expect(rolled.skipped).toEqual([
      { date: '2026-02-28', reason: 'Weekend' },
      { date: '2026-03-01', reason: 'Weekend' },
    ]);
    expect(rolled.rollForward).toMatchObject({
      from: '2026-02-28',
      to: '2026-03-02',
      direction: 'forward',
    });
    expect(kindOf(rolled, 'statutory')!.notes.join(' ')).toMatch(
      /There is no 30 in that month.*Sat 28 Feb 2026/,
    );
  });

  it('names the Boxing Day substitute in a SAR roll forward (#12)', () => {
    const r = computeDeadlines(input({ type: 'sar', receivedOn: '2026-11-28' }));
    expect(r.skipped).toEqual([
      {
        date: '2026-12-28',
        reason: 'Bank holiday: Boxing Day, substitute day (England and Wales)',
      },
    ]);
    expect(r.rollForward!.reason).toContain('Mon 28 Dec 2026 is not a working day');
  });

  it('rolls the DP acknowledgement back, not forward (B7)', () => {
    const r = computeDeadlines(
      input({ type: 'complaint', subtype: 'data_protection', receivedOn: '2026-06-19' }),
    );
    expect(kindOf(r, 'dp_ack')!.roll).toMatchObject({
      from: '2026-07-18',
      to: '2026-07-17',
      direction: 'back',
    });
  });

  it('notes a receipt on a non-working day (#3, #6)', () => {
    const sat = computeDeadlines(input({ type: 'foi', receivedOn: '2026-05-30' }));
    expect(kindOf(sat, 'statutory')!.notes[0]).toBe(
      'Sat 30 May 2026 is not a working day, so day 1 is Mon 1 Jun 2026.',
    );
    const bankHoliday = computeDeadlines(input({ type: 'foi', receivedOn: '2026-05-04' }));
    expect(kindOf(bankHoliday, 'statutory')!.notes[0]).toBe(
      'Mon 4 May 2026 is not a working day, so day 1 is Tue 5 May 2026.',
    );
  });
});

describe('holiday data: changes and coverage (§2, §8 behaviour)', () => {
  it('moves #1 from 20 to 21 Jan when 2 Jan (Scotland) is added', () => {
    const without = holidays.filter((h) => !(h.division === 'scotland' && h.date === '2026-01-02'));
    const before = computeDeadlines(
      input({ type: 'foi', receivedOn: '2025-12-18', holidays: without }),
    );
    const after = computeDeadlines(input({ type: 'foi', receivedOn: '2025-12-18', holidays }));
    expect([before.dueDate, after.dueDate]).toEqual(['2026-01-20', '2026-01-21']);
    expect(before.skipped.some((s) => s.date === '2026-01-02')).toBe(false);
    expect(after.skipped).toContainEqual({
      date: '2026-01-02',
      reason: 'Bank holiday: 2nd January (Scotland)',
    });
  });

  it('moves a SAR only for an England and Wales holiday', () => {
    const extra = [
      ...holidays,
      { division: 'england-and-wales' as const, date: '2026-08-03', title: 'Proclaimed day' },
    ];
    expect(computeDeadlines(input({ type: 'sar', receivedOn: '2026-07-03' })).dueDate).toBe(
      '2026-08-03',
    );
    expect(
      computeDeadlines(input({ type: 'sar', receivedOn: '2026-07-03', holidays: extra })).dueDate,
    ).toBe('2026-08-04');
  });

  it('flags a 2027 date as coverageIncomplete when holidays run only to 2026', () => {
    const to2026 = holidays.filter((h) => h.date <= '2026-12-31');
    const r = computeDeadlines(input({ type: 'foi', receivedOn: '2026-12-18', holidays: to2026 }));
    expect(r.dueDate).toBe('2027-01-19'); // 1 and 4 Jan 2027 are unknown, so earlier than B4's 21 Jan
    expect(r.coverageIncomplete).toBe(true);
    expect(kindOf(r, 'statutory')!.notes.join(' ')).toMatch(
      /bank holiday data ends Thu 31 Dec 2026/,
    );
    const sar = computeDeadlines(
      input({ type: 'sar', receivedOn: '2026-12-15', holidays: to2026 }),
    );
    expect(sar.coverageIncomplete).toBe(true);
    const midYear = computeDeadlines(
      input({ type: 'foi', receivedOn: '2026-06-01', holidays: to2026 }),
    );
    expect(midYear.coverageIncomplete).toBe(false);
    // Only the 40 WD extension crosses the year end: still flagged.
    const nearEnd = computeDeadlines(
      input({ type: 'foi', receivedOn: '2026-11-20', holidays: to2026 }),
    );
    expect([nearEnd.dueDate! <= '2026-12-31', nearEnd.coverageIncomplete]).toEqual([true, true]);
    expect(
      computeDeadlines(input({ type: 'foi', receivedOn: '2026-12-18' })).coverageIncomplete,
    ).toBe(false);
  });
});

describe('computeDeadlines: input handling', () => {
  it('takes the London date of receivedAt', () => {
    const r = computeDeadlines({
      type: 'foi',
      receivedAt: new Date('2026-03-29T23:30:00Z'),
      holidays,
    });
    expect([r.receivedOn, r.dueDate]).toEqual(['2026-03-30', '2026-04-29']);
  });

  it('orders events by date whatever order they arrive in', () => {
    const events: ClockEvent[] = [
      { kind: 'clarification_received', at: '2026-02-16T10:00:00Z' },
      { kind: 'clarification_requested', at: '2026-02-04T09:00:00Z' },
    ];
    expect(computeDeadlines(input({ type: 'foi', receivedOn: '2026-02-02', events })).dueDate).toBe(
      '2026-03-16',
    );
  });

  it('is pure: the same input gives the same answer and nothing is mutated', () => {
    const events = Object.freeze([
      Object.freeze({ kind: 'fee_notice_sent', at: '2026-01-09' } as const),
      Object.freeze({ kind: 'fee_received', at: '2026-01-21' } as const),
    ]);
    const one = computeDeadlines(input({ type: 'foi', events }));
    const two = computeDeadlines(input({ type: 'foi', events }));
    expect(one).toEqual(two);
    expect(one.dueDate).toBe('2026-02-13');
  });

  it('rejects missing or bad dates', () => {
    expect(() => computeDeadlines({ type: 'foi', holidays })).toThrow(DeadlineInputError);
    expect(() => computeDeadlines({ type: 'foi', receivedOn: '2026-02-30', holidays })).toThrow(
      DeadlineInputError,
    );
    expect(() =>
      computeDeadlines(input({ type: 'foi', events: [{ kind: 'responded', at: 'soon' }] })),
    ).toThrow(DeadlineInputError);
  });
});

describe('overdue from (§1, D4)', () => {
  it.each([
    ['2026-04-29', '2026-04-29T23:00:00.000Z'],
    ['2026-12-15', '2026-12-16T00:00:00.000Z'],
  ])('a case due %s is overdue from %s and not a millisecond before', (due, from) => {
    const start = calculateOverdueFrom(due);
    expect(start.toISOString()).toBe(from);
    expect(isOverdue(due, new Date(start.getTime() - 1))).toBe(false);
    expect(isOverdue(due, start)).toBe(true);
    expect(isOverdue(due, from)).toBe(true);
  });
});

describe('working hours (§6, D5)', () => {
  it.each([
    ['2026-03-27T08:59:00Z', false], // Fri 08:59 GMT
    ['2026-03-27T09:00:00Z', true],
    ['2026-03-27T16:59:00Z', true],
    ['2026-03-27T17:00:00Z', false],
    ['2026-03-30T07:59:00Z', false], // Mon 08:59 BST
    ['2026-03-30T08:00:00Z', true], // Mon 09:00 BST
    ['2026-03-30T15:59:00Z', true], // Mon 16:59 BST
    ['2026-03-30T16:00:00Z', false], // Mon 17:00 BST
    ['2026-03-28T12:00:00Z', false], // Saturday
    ['2026-04-03T12:00:00Z', false], // Good Friday
    ['2026-01-02T12:00:00Z', true], // a Scottish holiday is an E&W working day
  ])('%s within working hours: %s', (instant, expected) => {
    expect(isWithinWorkingHours(instant, ew)).toBe(expected);
  });

  it('finds the next working-hours start', () => {
    // Inside hours: unchanged.
    expect(nextWorkingHoursStart('2026-03-27T10:15:00Z', ew).toISOString()).toBe(
      '2026-03-27T10:15:00.000Z',
    );
    // Early on a working day: 09:00 that day.
    expect(nextWorkingHoursStart('2026-03-30T05:00:00Z', ew).toISOString()).toBe(
      '2026-03-30T08:00:00.000Z',
    );
    // Thursday evening before Easter 2026: Tue 7 Apr 09:00 BST.
    expect(nextWorkingHoursStart('2026-04-02T17:00:00Z', ew).toISOString()).toBe(
      '2026-04-07T08:00:00.000Z',
    );
    // Christmas Eve 2026 after hours: Tue 29 Dec 09:00 GMT.
    expect(nextWorkingHoursStart('2026-12-24T18:00:00Z', ew).toISOString()).toBe(
      '2026-12-29T09:00:00.000Z',
    );
    const sent = nextWorkingHoursStart('2026-10-23T16:30:00Z', ew);
    expect(isWithinWorkingHours(sent, ew)).toBe(true);
  });
});
