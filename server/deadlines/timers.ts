import type { DbOrTx, Tx } from '../../db/client.js';
import type { ClockEventRow, DeadlineRow, NewDeadlineRow } from '../../db/schema/index.js';
import type { Holiday } from '../lib/calendar.js';
import type { Clock } from '../lib/clock.js';
import { calculateOverdueFrom } from '../lib/deadline-rules.js';
import type { ClockSubject } from './adapter.js';
import type { CalendarService } from './calendar.js';
import { CALENDAR_LABELS } from './labels.js';
import {
  inKindOrder,
  kindLabelOf,
  type OfficeTargetRow,
  type Regime,
  type RegimeComputation,
  type RegimeEvent,
  type RegimeInput,
  type RegimeRegistry,
  type RegimeResult,
} from './regimes.js';
import type { DeadlinesRepository } from './repository.js';
import type { Cause, DeadlineDetail, DeadlineView, Move } from './types.js';
import { describeCalendarChange } from './wording.js';

/**
 * A subject's regime input (pure): its live clock event rows, its office targets as its
 * regime reads them from its `sla_policies` rows (`Regime.officeTargets`), the holidays, and
 * when its domain's own workflow replied to or closed it. The clock reads the rows itself;
 * bench/lib/seed-clock.ts passes them in.
 */
export function regimeInputOf(
  regime: Pick<Regime, 'officeTargets'>,
  subject: ClockSubject,
  eventRows: ReadonlyArray<Pick<ClockEventRow, 'kind' | 'occurredOn' | 'data' | 'note'>>,
  policyRows: readonly OfficeTargetRow[],
  holidays: readonly Holiday[],
  /** What the subject's adapter gives beyond clock events (`SubjectAdapter.facts`). */
  facts: Readonly<Record<string, unknown>> = {},
): RegimeInput {
  const events: RegimeEvent[] = eventRows.map((e) => ({
    kind: e.kind,
    at: e.occurredOn,
    data: e.data,
    ...(e.note ? { note: e.note } : {}),
  }));
  return {
    variant: subject.variant,
    receivedOn: subject.receivedOn,
    events,
    holidays,
    policy: regime.officeTargets?.(policyRows) ?? {},
    respondedOn: subject.respondedOn,
    closedOn: subject.closedOn,
    facts,
  };
}

/**
 * The timer rows (one per deadline kind, `generation` left to the caller) that store a
 * subject's computation on calendar `calendarVersion` at `now` (pure).
 */
export function timerRowsOf(
  subject: Pick<ClockSubject, 'type' | 'id'>,
  comp: RegimeComputation,
  calendarVersion: number,
  now: Date,
): Array<Omit<NewDeadlineRow, 'generation'>> {
  return comp.deadlines.map((d) => ({
    subjectType: subject.type,
    subjectId: subject.id,
    kind: d.kind,
    calendar: d.calendar,
    dueOn: d.dueDate,
    baseDueOn: d.baseDueDate,
    extendedDueOn: d.extendedDueDate,
    effectiveDueOn: d.effectiveDueDate,
    startOn: d.startDate,
    rule: d.rule,
    ruleVersion: d.ruleVersion,
    calendarVersion,
    coverageIncomplete: d.coverageIncomplete,
    stopped: d.stopped,
    completedOn: d.completedOn,
    skipped: d.skipped,
    explanation: {
      startRule: d.startRule,
      roll: d.roll,
      notes: d.notes,
      extension: d.extension,
      override: d.override,
      ...(d.lateReviewRequest !== undefined ? { lateReviewRequest: d.lateReviewRequest } : {}),
      ...(d.kind === comp.mainKind
        ? {
            main: true,
            stoppedReason: comp.stoppedReason,
            closePromptFrom: comp.closePromptFrom,
          }
        : {}),
    },
    createdAt: now,
  }));
}

type TimerDates = Pick<
  NewDeadlineRow,
  'dueOn' | 'baseDueOn' | 'extendedDueOn' | 'effectiveDueOn' | 'stopped' | 'completedOn'
>;
const signature = (r: TimerDates) =>
  JSON.stringify([
    r.dueOn ?? null,
    r.baseDueOn ?? null,
    r.extendedDueOn ?? null,
    r.effectiveDueOn ?? null,
    r.stopped ?? false,
    r.completedOn ?? null,
  ]);

/**
 * Whether a recomputed timer keeps its row (same dates: refreshed in place, same generation)
 * or supersedes it with a new one (§5).
 */
export const sameTimerDates = (a: TimerDates, b: TimerDates): boolean =>
  signature(a) === signature(b);

/**
 * Timers (§5): a subject's deadlines worked out by its regime from its live clock events
 * and the calendar, stored one live row per kind, superseded when a date moves.
 */
export function createTimers(deps: {
  repo: DeadlinesRepository;
  clock: Clock;
  calendar: CalendarService;
  regimes: RegimeRegistry;
  /** The subject's facts from its adapter (`SubjectAdapter.facts`), if it gives any. */
  facts: (dbOrTx: DbOrTx, subject: ClockSubject) => Promise<Record<string, unknown>>;
}) {
  const { repo, clock, calendar, regimes } = deps;
  const key = (subject: ClockSubject) => ({ type: subject.type, id: subject.id });

  /** The regime's input for a subject: its live clock events, office policy and holidays. */
  async function engineInput(dbOrTx: DbOrTx, subject: ClockSubject) {
    const [eventRows, policyRows, loaded, facts] = await Promise.all([
      repo.clockEvents(dbOrTx, key(subject)),
      repo.policies(dbOrTx, subject.regime),
      calendar.load(dbOrTx),
      deps.facts(dbOrTx, subject),
    ]);
    const regime = regimes.get(subject.regime);
    const input = regimeInputOf(regime, subject, eventRows, policyRows, loaded.holidays, facts);
    return { input, regime, eventRows, loaded };
  }

  /** One deadline (worked out, or a stored timer) as shown, in its regime's words. */
  function detailOf(
    regime: Regime,
    d: RegimeResult | DeadlineRow,
    calendarVersion: number,
    generation = 1,
  ) {
    const isRow = 'subjectId' in d;
    const ex = isRow ? d.explanation : undefined;
    const dueDate = isRow ? d.dueOn : d.dueDate;
    const effective = isRow ? d.effectiveDueOn : d.effectiveDueDate;
    const detail: DeadlineDetail = {
      kind: d.kind,
      label: kindLabelOf(regime, d.kind),
      calendar: d.calendar,
      calendarLabel: CALENDAR_LABELS[d.calendar] ?? d.calendar,
      rule: d.rule,
      ruleVersion: d.ruleVersion,
      calendarVersion: isRow ? d.calendarVersion : calendarVersion,
      generation: isRow ? d.generation : generation,
      startDate: isRow ? d.startOn : d.startDate,
      startRule: isRow ? (typeof ex?.startRule === 'string' ? ex.startRule : '') : d.startRule,
      dueDate,
      baseDueDate: isRow ? d.baseDueOn : d.baseDueDate,
      extendedDueDate: isRow ? d.extendedDueOn : d.extendedDueDate,
      effectiveDueDate: effective,
      skipped: d.skipped,
      roll: (isRow ? ex?.roll : d.roll) as RegimeResult['roll'],
      notes: (isRow ? ex?.notes : d.notes) as string[],
      extension: (isRow ? ex?.extension : d.extension) as RegimeResult['extension'],
      override: (isRow ? ex?.override : d.override) as RegimeResult['override'],
      stopped: d.stopped,
      completedOn: d.completedOn,
      coverageIncomplete: d.coverageIncomplete,
      overdueFrom: effective ? calculateOverdueFrom(effective).toISOString() : null,
    };
    return detail;
  }

  function viewOf(
    comp: Pick<
      RegimeComputation,
      'mainKind' | 'receivedOn' | 'stoppedReason' | 'closePromptFrom' | 'completed'
    >,
    details: DeadlineDetail[],
    calendarVersion: number,
  ): DeadlineView {
    const main = details.find((d) => d.kind === comp.mainKind) ?? details[0]!;
    return {
      dueDate: main.dueDate,
      extendedDueDate: main.extendedDueDate,
      calendar: main.calendar,
      skipped: main.skipped,
      kind: main.kind,
      receivedOn: comp.receivedOn,
      baseDueDate: main.baseDueDate,
      effectiveDueDate: main.effectiveDueDate,
      startDate: main.startDate,
      startRule: main.startRule,
      rollForward: main.roll ?? null,
      ruleVersion: main.ruleVersion,
      calendarVersion,
      coverageIncomplete: details.some((d) => d.coverageIncomplete),
      stopped: main.stopped,
      stoppedReason: comp.stoppedReason,
      closePromptFrom: comp.closePromptFrom,
      completed: comp.completed,
      overdueFrom: main.overdueFrom,
      deadlines: details,
    };
  }

  /**
   * Recomputes a subject's deadlines and stores them (§5): a row whose dates are unchanged is
   * refreshed in place; one whose dates moved is superseded by a new row, with a new
   * generation when an event (not a holiday change) moved it. The caller tells the adapter
   * about the new effective due date.
   */
  async function store(
    tx: Tx,
    subject: ClockSubject,
    cause: Cause,
  ): Promise<{ view: DeadlineView; moves: Move[]; effectiveDueDate: string | null }> {
    const { input, loaded, regime } = await engineInput(tx, subject);
    const comp = regime.compute(input);
    const now = clock.now();
    const live = await repo.liveDeadlines(tx, key(subject));
    const byKind = new Map(live.map((r) => [r.kind, r]));
    const moves: Move[] = [];
    const details: DeadlineDetail[] = [];
    const rows = timerRowsOf(subject, comp, loaded.version, now);
    for (const [i, d] of comp.deadlines.entries()) {
      const values = rows[i]!;
      const old = byKind.get(d.kind);
      byKind.delete(d.kind);
      let generation: number;
      if (old && sameTimerDates(old, values)) {
        generation = old.generation;
        await repo.updateDeadline(tx, old.id, {
          calendar: values.calendar,
          rule: values.rule,
          ruleVersion: values.ruleVersion,
          calendarVersion: values.calendarVersion,
          coverageIncomplete: values.coverageIncomplete,
          skipped: values.skipped,
          explanation: values.explanation,
          startOn: values.startOn,
        });
      } else {
        if (old) {
          await repo.updateDeadline(tx, old.id, { supersededAt: now });
          generation = cause === 'calendar' ? old.generation : old.generation + 1;
          if (old.effectiveDueOn && d.effectiveDueDate && old.effectiveDueOn !== d.effectiveDueDate)
            moves.push({
              kind: d.kind,
              main: d.kind === comp.mainKind,
              from: old.effectiveDueOn,
              to: d.effectiveDueDate,
              because: describeCalendarChange(old.skipped, d.skipped),
            });
        } else {
          generation = (await repo.maxGeneration(tx, key(subject), d.kind)) + 1;
        }
        await repo.insertDeadline(tx, { ...values, generation });
      }
      details.push(detailOf(regime, d, loaded.version, generation));
    }
    // Kinds that no longer apply (the type changed): superseded, not deleted.
    for (const old of byKind.values()) await repo.updateDeadline(tx, old.id, { supersededAt: now });
    return {
      view: viewOf(comp, details, loaded.version),
      moves,
      effectiveDueDate: comp.effectiveDueDate,
    };
  }

  /**
   * A subject's stored timers as a view, or (with none stored) its deadlines worked out. The
   * timers are read while the subject itself may still be loading (`subject` a promise):
   * the case page reads both at once. Undefined when the subject is not there.
   */
  async function forSubject(
    dbOrTx: DbOrTx,
    ref: { type: string; id: string },
    subjectOrLoading: ClockSubject | Promise<ClockSubject | undefined>,
  ): Promise<DeadlineView | undefined> {
    const [live, subject] = await Promise.all([repo.liveDeadlines(dbOrTx, ref), subjectOrLoading]);
    if (!subject) return undefined;
    if (live.length === 0) {
      const { input, loaded, regime } = await engineInput(dbOrTx, subject);
      const comp = regime.compute(input);
      return viewOf(
        comp,
        comp.deadlines.map((d) => detailOf(regime, d, loaded.version)),
        loaded.version,
      );
    }
    const regime = regimes.get(subject.regime);
    inKindOrder(regime, live);
    const main = live.find((r) => (r.explanation as { main?: boolean }).main) ?? live[0]!;
    const ex = main.explanation as {
      stoppedReason?: string | null;
      closePromptFrom?: string | null;
    };
    return viewOf(
      {
        mainKind: main.kind,
        receivedOn: subject.receivedOn,
        stoppedReason: ex.stoppedReason ?? null,
        closePromptFrom: ex.closePromptFrom ?? null,
        completed: main.completedOn !== null,
      },
      live.map((r) => detailOf(regime, r, r.calendarVersion)),
      Math.min(...live.map((r) => r.calendarVersion)),
    );
  }

  return { engineInput, detailOf, viewOf, store, forSubject };
}
export type Timers = ReturnType<typeof createTimers>;
