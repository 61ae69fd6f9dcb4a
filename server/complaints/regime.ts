/**
 * The complaints regime on the shared clock (server/deadlines/regimes.ts): the timers of
 * §3.1 and the reminder stages of §3.2 (timers.ts, as data), worked out from the facts the
 * complaint adapter gives (clock-adapter.ts) on the clock's holiday calendar. Registered
 * beside correspondence's regimes, never by editing them. Pure.
 */
import type { Regime, RegimeComputation, RegimeResult } from '../deadlines/regimes.js';
import { buildCalendars } from '../lib/calendar.js';
import { addMonthsCapped } from '../lib/dates.js';
import {
  computeTimers,
  TIMER_RULES,
  type ComputedTimer,
  type TimerFacts,
  type TimerKind,
  type TimerSettings,
} from './timers.js';

/** The regime id (also `sla_policies.case_type`); correspondence's 'complaint' is its own. */
export const COMPLAINT_REGIME = 'pra_complaint';
export const COMPLAINT_RULE_VERSION = 'complaints-2020.v1';

/** What the adapter hands the regime (`RegimeInput.facts`). */
export interface ComplaintRegimeFacts {
  timer: TimerFacts;
  settings: TimerSettings;
}

const KINDS = Object.keys(TIMER_RULES) as TimerKind[];

function resultOf(t: ComputedTimer, outsideCoverage: (d: string) => boolean): RegimeResult {
  const rule = TIMER_RULES[t.kind];
  const notes = [t.explanation.text];
  if (t.explanation.nextDueOn)
    notes.push(`While the investigation lasts, the next report is due 6 months later.`);
  return {
    kind: t.kind,
    calendar: rule.unit === 'working_days' ? 'england_wales' : 'calendar',
    rule: rule.basis,
    ruleVersion: COMPLAINT_RULE_VERSION,
    startRule: t.explanation.from,
    startDate: t.startOn,
    dueDate: t.dueOn,
    baseDueDate: t.dueOn,
    extendedDueDate: null,
    extension: null,
    override: null,
    effectiveDueDate: t.dueOn,
    skipped: t.explanation.skipped,
    roll: null,
    notes,
    coverageIncomplete: outsideCoverage(t.dueOn),
    stopped: false,
    // A complaint timer stops when what it waits for happens (or the complaint ends):
    // the clock then sends nothing more for it.
    completedOn: t.stoppedOn,
  };
}

export const complaintRegime: Regime = {
  id: COMPLAINT_REGIME,
  // Complaint timers follow the complaint's own records (transitions, letters), not events.
  eventKinds: [],
  validateEvent: () => [
    {
      field: 'kind',
      code: 'deadlines.unknown_event',
      message: 'Complaint timers follow the complaint’s moves and letters',
    },
  ],
  kindLabels: Object.fromEntries(KINDS.map((k) => [k, TIMER_RULES[k].label])),
  stages: Object.fromEntries(KINDS.map((k) => [k, TIMER_RULES[k].reminders])),
  compute(input): RegimeComputation {
    const { timer, settings } = input.facts as unknown as ComplaintRegimeFacts;
    const ew = buildCalendars(input.holidays).england_wales;
    const deadlines = computeTimers(timer, ew, settings).map((t) =>
      resultOf(t, (d) => ew.isOutsideCoverage(d)),
    );
    // The soonest running timer is the one the complaint is "due" by.
    const running = deadlines
      .filter((d) => d.completedOn === null)
      .sort((a, b) => a.dueDate!.localeCompare(b.dueDate!));
    const main = running[0] ?? deadlines[0];
    return {
      type: COMPLAINT_REGIME,
      subtype: input.variant,
      receivedOn: input.receivedOn,
      mainKind: main?.kind ?? 'record',
      calendar: main?.calendar ?? 'england_wales',
      dueDate: main?.dueDate ?? null,
      baseDueDate: main?.baseDueDate ?? null,
      extendedDueDate: null,
      effectiveDueDate: running[0]?.effectiveDueDate ?? null,
      startRule: main?.startRule ?? '',
      startDate: main?.startDate ?? null,
      skipped: main?.skipped ?? [],
      rollForward: null,
      ruleVersion: COMPLAINT_RULE_VERSION,
      coverageIncomplete: deadlines.some((d) => d.coverageIncomplete),
      stopped: false,
      stoppedReason: null,
      stoppedSince: null,
      closePromptFrom: null,
      completed: running.length === 0,
      respondedOn: null,
      closedOn: timer.concludedOn,
      deadlines,
    };
  },
};

/** The 12-month report's next date after this one (§3.1 "Later reports"), for the page. */
export const nextReportDue = (dueOn: string) => addMonthsCapped(dueOn, 6);
