/**
 * Complaint timers (docs/rules/complaints.md §3.1) and their reminder stages (§3.2) as data,
 * worked out on the England and Wales working-day calendar. Pure: the complaints regime
 * (regime.ts) runs it on the shared clock (server/deadlines), which stores the timers,
 * recomputes them when the holidays change and sends each reminder stage once.
 */
import type { StagePolicy } from '../deadlines/stages.js';
import type { WorkingCalendar } from '../lib/calendar.js';
import { addDays, addMonthsCapped, formatDayDate, type IsoDate } from '../lib/dates.js';

export type TimerKind =
  | 'record'
  | 'first_contact'
  | 'referral'
  | 'update'
  | 'outcome_letter'
  | 'report_12m'
  | 'review_window'
  | 'withdrawal_reply'
  | 'review_acknowledge'
  | 'review_decide';

type Unit = 'working_days' | 'calendar_days' | 'months';

export interface TimerRule {
  kind: TimerKind;
  label: string;
  unit: Unit;
  /** Default amount; `setting` names the complaint_settings key that overrides it. */
  amount: number;
  setting?: string;
  /** The period counts from the day after the start (review and reply windows). */
  fromDayAfter?: boolean;
  basis: string;
  /**
   * Reminder stages (§3.2) on the clock's stages (early, due today, overdue, escalated):
   * which ones, `early` how long before, `escalated` 5 working days late.
   */
  reminders: StagePolicy;
}

export const ESCALATE_AFTER_WD = 5;
const only = (
  stages: StagePolicy['stages'],
  early: { warnWdBefore?: number; warnDaysBefore?: number } = {},
): StagePolicy => ({
  warnWdBefore: early.warnWdBefore ?? 0,
  ...(early.warnDaysBefore ? { warnDaysBefore: early.warnDaysBefore } : {}),
  escalateWdAfter: ESCALATE_AFTER_WD,
  stages,
});
/** Targets and reply windows: due, overdue. */
const DUE_OVERDUE = only(['due_today', 'overdue']);

export const TIMER_RULES: Record<TimerKind, TimerRule> = {
  record: {
    kind: 'record',
    label: 'Record the complaint',
    unit: 'working_days',
    amount: 10,
    setting: 'record_target_wd',
    basis: 'Office target',
    reminders: DUE_OVERDUE,
  },
  first_contact: {
    kind: 'first_contact',
    label: 'First contact with the complainant',
    unit: 'working_days',
    amount: 5,
    setting: 'first_contact_target_wd',
    basis: 'Office target',
    reminders: DUE_OVERDUE,
  },
  referral: {
    kind: 'referral',
    label: 'Referral decision',
    unit: 'calendar_days',
    amount: 1,
    setting: 'referral_deadline_days',
    basis: 'PRA Sch 3 para 4(4): by the end of the day after the need becomes clear',
    reminders: DUE_OVERDUE,
  },
  update: {
    kind: 'update',
    label: 'Next 4-weekly update',
    unit: 'calendar_days',
    amount: 28,
    basis: 'Reg 34(2)(a): an update at least every 28 days',
    reminders: only(['early', 'due_today', 'overdue', 'escalated'], { warnDaysBefore: 7 }),
  },
  outcome_letter: {
    kind: 'outcome_letter',
    label: 'Outcome letter',
    unit: 'working_days',
    amount: 5,
    basis: 'Reg 34(2)(b): the outcome within 5 working days',
    reminders: only(['due_today', 'overdue', 'escalated']),
  },
  report_12m: {
    kind: 'report_12m',
    label: '12-month report',
    unit: 'months',
    amount: 12,
    basis: 'Reg 13: a report on an investigation not finished within 12 months, then every 6',
    reminders: only(['early', 'due_today', 'overdue'], { warnWdBefore: 20 }),
  },
  review_window: {
    kind: 'review_window',
    label: 'Review window closes',
    unit: 'calendar_days',
    amount: 28,
    fromDayAfter: true,
    basis: 'Reg 29(2): 28 days from the day after the review information was given',
    reminders: only(['early', 'due_today'], { warnWdBefore: 3 }),
  },
  withdrawal_reply: {
    kind: 'withdrawal_reply',
    label: 'Reply to the withdrawal letter',
    unit: 'calendar_days',
    amount: 28,
    fromDayAfter: true,
    basis: 'Reg 39: 28 days from the day after the letter',
    reminders: DUE_OVERDUE,
  },
  review_acknowledge: {
    kind: 'review_acknowledge',
    label: 'Acknowledge the review application',
    unit: 'working_days',
    amount: 5,
    setting: 'review_acknowledge_wd',
    basis: 'Office target',
    reminders: DUE_OVERDUE,
  },
  review_decide: {
    kind: 'review_decide',
    label: 'Decide the review',
    unit: 'working_days',
    amount: 28,
    setting: 'review_decide_wd',
    basis: 'Office target',
    reminders: DUE_OVERDUE,
  },
};

export interface TimerFacts {
  stream: 'cc' | 'review' | 'opcc';
  status: string;
  suspended: boolean;
  madeOn: IsoDate;
  receivedOn: IsoDate;
  recordedOn: IsoDate | null;
  firstContactOn: IsoDate | null;
  handlingStartedOn: IsoDate | null;
  handling: string | null;
  outcomeOn: IsoDate | null;
  outcomeLetterOn: IsoDate | null;
  reviewInfoGivenOn: IsoDate | null;
  withdrawalLetterOn: IsoDate | null;
  referralDecidedOn: IsoDate | null;
  concludedOn: IsoDate | null;
  /** London dates of update letters and of 12-month reports sent, ascending. */
  updatesSent: IsoDate[];
  reportsSent: IsoDate[];
  /** When the complaint was under investigation (status investigating/iopc_investigating). */
  investigating: boolean;
  investigationEndedOn: IsoDate | null;
  reviewDecidedOn: IsoDate | null;
  reviewAcknowledgedOn: IsoDate | null;
  /** The London date the current status began. */
  statusSinceOn: IsoDate;
}

export interface TimerSettings {
  amounts: Partial<Record<string, number>>;
  /** `received_on` (default) or `handling_start` (§7 update_clock_start). */
  updateClockStart: 'received_on' | 'handling_start';
}

export interface ComputedTimer {
  kind: TimerKind;
  startOn: IsoDate;
  dueOn: IsoDate;
  stopped: boolean;
  stoppedOn: IsoDate | null;
  explanation: {
    rule: string;
    basis: string;
    text: string;
    /** Where the count starts, in words ("Mon 2 Mar 2026 (received)"). */
    from: string;
    skipped: Array<{ date: string; reason: string }>;
    nextDueOn?: IsoDate;
  };
}

function amountOf(rule: TimerRule, settings: TimerSettings): number {
  const configured = rule.setting ? settings.amounts[rule.setting] : undefined;
  return typeof configured === 'number' ? configured : rule.amount;
}

const unitWords = (n: number, unit: Unit) =>
  unit === 'working_days'
    ? `${n} working day${n === 1 ? '' : 's'}`
    : unit === 'months'
      ? `${n} months`
      : `${n} day${n === 1 ? '' : 's'}`;

/** One timer from its start: the due date and the working shown to staff. */
export function timerFrom(
  kind: TimerKind,
  startOn: IsoDate,
  startWhat: string,
  calendar: WorkingCalendar,
  settings: TimerSettings,
  stop: IsoDate | null,
): ComputedTimer {
  const rule = TIMER_RULES[kind];
  const n = amountOf(rule, settings);
  let dueOn: IsoDate;
  let skipped: Array<{ date: string; reason: string }> = [];
  if (rule.unit === 'working_days') {
    dueOn = calendar.addWorkingDays(startOn, n);
    skipped = calendar.nonWorkingDaysBetween(startOn, dueOn);
  } else if (rule.unit === 'months') {
    dueOn = addMonthsCapped(startOn, n);
  } else {
    dueOn = addDays(startOn, n);
  }
  const from = rule.fromDayAfter
    ? `the day after ${formatDayDate(startOn)} (${startWhat})`
    : `${formatDayDate(startOn)} (${startWhat})`;
  const holidays = skipped.filter((s) => s.reason !== 'Weekend');
  const text =
    `${unitWords(n, rule.unit)} from ${from}: ${formatDayDate(dueOn)}` +
    (holidays.length
      ? `, skipping ${holidays.map((h) => `${formatDayDate(h.date)} (${h.reason})`).join(', ')}`
      : '') +
    '.';
  return {
    kind,
    startOn: rule.fromDayAfter ? addDays(startOn, 1) : startOn,
    dueOn,
    stopped: stop !== null,
    stoppedOn: stop,
    explanation: { rule: kind, basis: rule.basis, text, from, skipped },
  };
}

const UNDER_INVESTIGATION = ['investigating', 'iopc_investigating'];

/** Every timer a complaint has now (§3.1); stopped ones stay, so pages show their dates. */
export function computeTimers(
  f: TimerFacts,
  calendar: WorkingCalendar,
  settings: TimerSettings,
): ComputedTimer[] {
  const out: ComputedTimer[] = [];
  const end = f.concludedOn;
  if (f.stream === 'review') {
    out.push(
      timerFrom(
        'review_acknowledge',
        f.receivedOn,
        'received',
        calendar,
        settings,
        f.reviewAcknowledgedOn ?? end,
      ),
    );
    out.push(
      timerFrom(
        'review_decide',
        f.receivedOn,
        'received',
        calendar,
        settings,
        f.reviewDecidedOn ?? end,
      ),
    );
    return out;
  }
  if (f.stream !== 'cc') return out;
  out.push(timerFrom('record', f.receivedOn, 'received', calendar, settings, f.recordedOn ?? end));
  out.push(
    timerFrom(
      'first_contact',
      f.receivedOn,
      'received',
      calendar,
      settings,
      f.firstContactOn ?? end,
    ),
  );
  if (f.recordedOn)
    out.push(
      timerFrom(
        'referral',
        f.recordedOn,
        'recorded',
        calendar,
        settings,
        f.referralDecidedOn ?? end,
      ),
    );
  if (f.handlingStartedOn) {
    const start =
      settings.updateClockStart === 'handling_start' ? f.handlingStartedOn : f.receivedOn;
    const last = [...f.updatesSent].filter((d) => d >= start).pop();
    out.push(
      last
        ? timerFrom('update', last, 'last update', calendar, settings, f.outcomeOn ?? end)
        : timerFrom(
            'update',
            start,
            settings.updateClockStart === 'handling_start' ? 'handling began' : 'received',
            calendar,
            settings,
            f.outcomeOn ?? end,
          ),
    );
  }
  if (f.investigating || f.investigationEndedOn) {
    // First report 12 months after made_on; later ones 6 months after the earlier of the
    // last due and last sent dates (§3.1 "Later reports").
    let due = addMonthsCapped(f.madeOn, 12);
    let anchorWhat = 'made';
    let start = f.madeOn;
    let months = 12;
    for (const sent of f.reportsSent) {
      if (sent < f.madeOn) continue;
      const anchor = sent < due ? sent : due;
      start = anchor;
      anchorWhat = sent < due ? 'last report sent' : 'last report due';
      months = 6;
      due = addMonthsCapped(anchor, 6);
    }
    const stop = f.investigating ? null : f.investigationEndedOn;
    const timer = timerFrom('report_12m', start, anchorWhat, calendar, settings, stop);
    if (months === 6) {
      timer.dueOn = due;
      timer.explanation.text = `6 months from ${formatDayDate(start)} (${anchorWhat}): ${formatDayDate(due)}.`;
    }
    timer.explanation.nextDueOn = addMonthsCapped(timer.dueOn, 6);
    out.push(timer);
  }
  if (f.outcomeOn)
    out.push(
      timerFrom(
        'outcome_letter',
        f.outcomeOn,
        'outcome',
        calendar,
        settings,
        f.outcomeLetterOn ?? end,
      ),
    );
  if (f.reviewInfoGivenOn && f.handling !== 'outside_sch3')
    out.push(
      timerFrom(
        'review_window',
        f.reviewInfoGivenOn,
        'outcome letter sent',
        calendar,
        settings,
        f.status === 'review_window' ? null : f.statusSinceOn,
      ),
    );
  if (f.withdrawalLetterOn)
    out.push(
      timerFrom(
        'withdrawal_reply',
        f.withdrawalLetterOn,
        'withdrawal letter',
        calendar,
        settings,
        f.status === 'withdrawal_pending' ? null : f.statusSinceOn,
      ),
    );
  return out;
}

export const isUnderInvestigation = (status: string) => UNDER_INVESTIGATION.includes(status);
