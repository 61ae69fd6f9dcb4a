/**
 * Warning stages (docs/rules/deadlines.md §6). Pure: from a due date, the office calendar and the
 * policy, when each stage begins (as a London date) and which one is current.
 */
import type { WorkingCalendar } from '../lib/calendar.js';
import { addDays, type IsoDate } from '../lib/dates.js';

export const STAGES = ['early', 'due_today', 'overdue', 'escalated'] as const;
export type Stage = (typeof STAGES)[number];

export const STAGE_LABELS: Record<Stage, string> = {
  early: 'Due soon',
  due_today: 'Due today',
  overdue: 'Overdue',
  escalated: 'Escalated',
};

export interface StagePolicy {
  warnWdBefore: number;
  escalateWdAfter: number;
  /** `early` this many calendar days ahead instead of working days (a regime's rule). */
  warnDaysBefore?: number;
  /** The stages this deadline has, when not all four (a regime's rule, e.g. no `escalated`). */
  stages?: readonly Stage[];
}

/**
 * The stages of a deadline whose regime gives none for its kind (`Regime.stages`) and that
 * has no `sla_policies` row: all four, early 3 WD ahead, escalated 5 WD late. Each regime
 * sets its own kinds' stages (correspondence: server/correspondence/regimes.ts).
 */
export const NEUTRAL_STAGE_POLICY: Readonly<StagePolicy> = { warnWdBefore: 3, escalateWdAfter: 5 };

/**
 * One deadline's warning stages: its regime's own for the kind (`Regime.stages`) with its
 * `sla_policies` row's numbers on top; else the row's numbers; else the neutral default.
 */
export function stagePolicyOf(
  own: StagePolicy | undefined,
  row: Pick<StagePolicy, 'warnWdBefore' | 'escalateWdAfter'> | undefined,
): StagePolicy {
  const numbers = row
    ? { warnWdBefore: row.warnWdBefore, escalateWdAfter: row.escalateWdAfter }
    : undefined;
  if (own) return numbers ? { ...own, ...numbers } : own;
  return numbers ?? { ...NEUTRAL_STAGE_POLICY };
}

/** Periods of this many working days or fewer get no early warning. */
export const SHORT_PERIOD_WD = 5;

/**
 * The London date each stage starts. `early` is `warnWdBefore` working days ahead (none
 * for short periods); `overdue` is the day after the due date (sending waits for working
 * hours, so it goes on the next working day); `escalated` is `escalateWdAfter` WD late.
 */
export function stageStarts(
  dueOn: IsoDate,
  startOn: IsoDate | null,
  calendar: WorkingCalendar,
  policy: StagePolicy,
): Array<{ stage: Stage; from: IsoDate }> {
  const out: Array<{ stage: Stage; from: IsoDate }> = [];
  const has = (stage: Stage) => !policy.stages || policy.stages.includes(stage);
  const period = startOn ? calendar.workingDaysBetween(startOn, dueOn) : Infinity;
  const warns = policy.warnDaysBefore ? policy.warnDaysBefore > 0 : policy.warnWdBefore > 0;
  if (has('early') && warns && period > SHORT_PERIOD_WD) {
    const from = policy.warnDaysBefore
      ? addDays(dueOn, -policy.warnDaysBefore)
      : calendar.addWorkingDays(dueOn, -policy.warnWdBefore);
    if (!startOn || from > startOn) out.push({ stage: 'early', from });
  }
  if (has('due_today')) out.push({ stage: 'due_today', from: dueOn });
  if (has('overdue')) out.push({ stage: 'overdue', from: addDays(dueOn, 1) });
  if (has('escalated'))
    out.push({ stage: 'escalated', from: calendar.addWorkingDays(dueOn, policy.escalateWdAfter) });
  return out;
}

/** The latest stage that has begun by `today`, or null before the first. */
export function currentStage(
  today: IsoDate,
  dueOn: IsoDate,
  startOn: IsoDate | null,
  calendar: WorkingCalendar,
  policy: StagePolicy,
): Stage | null {
  let current: Stage | null = null;
  for (const { stage, from } of stageStarts(dueOn, startOn, calendar, policy)) {
    if (from <= today) current = stage;
  }
  return current;
}

export const stageIndex = (stage: string) => STAGES.indexOf(stage as Stage);
