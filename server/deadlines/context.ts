import type { Db, DbOrTx, Tx } from '../../db/client.js';
import { createCorrespondenceRepository } from '../correspondence/repository.js';
import { createCorrespondenceService } from '../correspondence/service.js';
import { buildCalendars, DIVISION_NAMES, type Calendars, type Holiday } from '../lib/calendar.js';
import type { Clock } from '../lib/clock.js';
import { addMonthsCapped, londonDateOf, type IsoDate } from '../lib/dates.js';
import {
  calculateOverdueFrom,
  computeDeadlines,
  type ClockEvent,
  type ClockEventKind,
  type DeadlineComputation,
  type DeadlineResult,
  type OfficePolicy,
} from '../lib/deadline-rules.js';
import type { MailService } from '../mail/service.js';
import type { AuditLog } from '../platform/audit.js';
import { enqueue } from '../platform/outbox.js';
import { notFound, type FieldErrors } from '../platform/errors.js';
import {
  createDeadlinesRepository,
  emailExists,
  type DeadlineRow,
  type NewDeadlineRow,
  type PolicyRow,
} from './repository.js';
import { DEFAULT_STAGE_POLICY, type StagePolicy } from './stages.js';
import {
  KIND_LABELS,
  KIND_ORDER,
  CALENDAR_LABELS,
  EVENT_LABELS,
  COVERAGE_ALERT_MONTHS,
} from './labels.js';
import type {
  DeadlineDetail,
  DeadlineView,
  ClockEventView,
  CoverageRow,
  Cause,
  Move,
} from './types.js';
import { addressOf, describeCalendarChange } from './wording.js';

/** What the deadlines service is built from (app.ts passes these). */
export interface DeadlinesDeps {
  db: Db;
  clock: Clock;
  audit: AuditLog;
  mail: MailService;
  mailDomain: string;
  mailFrom: string;
  publicUrl: string;
}

/**
 * The shared parts of the deadlines domain: holidays by calendar version, the engine's input
 * for a case, storing its deadlines (§5), and the helpers every deadlines file uses.
 */
export function createDeadlinesContext(deps: DeadlinesDeps) {
  const { db, clock, audit, mail } = deps;
  const repo = createDeadlinesRepository();
  const caseRepo = createCorrespondenceRepository();
  const triage = addressOf(deps.mailFrom);
  // Status moves go through the correspondence workflow itself (its rules, timeline and
  // audit), never a copy of them. It calls back into this service for the deadlines.
  const workflow = createCorrespondenceService({
    db,
    repo: caseRepo,
    audit,
    clock,
    mail,
    deadlines: {
      computeForCase: async (tx, caseId) => (await store(tx, caseId, 'case')).view,
      forCase: (dbOrTx, caseId, row) => forCase(dbOrTx, caseId, row),
    },
  });

  /**
   * Holidays by calendar version. Only committed versions are cached: the functions that
   * bump the version never load holidays in the same transaction.
   */
  let cache:
    { version: number; holidays: Holiday[]; ewOnly: Holiday[]; cals: Calendars } | undefined;

  async function loadHolidays(dbOrTx: DbOrTx = db) {
    const { version } = await repo.calendar(dbOrTx);
    if (cache?.version === version) return cache;
    const holidays = await repo.liveHolidays(dbOrTx);
    const loaded = {
      version,
      holidays,
      ewOnly: holidays.filter((h) => h.division === 'england-and-wales'),
      cals: buildCalendars(holidays),
    };
    cache = loaded;
    return loaded;
  }

  async function bump(tx: Tx): Promise<number> {
    const version = await repo.bumpVersion(tx, clock.now());
    await enqueue(tx, 'deadline-rebuild', { calendarVersion: version });
    return version;
  }

  function policyFor(rows: PolicyRow[]): {
    office: Partial<OfficePolicy>;
    stages: Record<string, StagePolicy>;
  } {
    const office: Partial<OfficePolicy> = {};
    const stages: Record<string, StagePolicy> = { ...DEFAULT_STAGE_POLICY };
    for (const row of rows) {
      if (row.kind === 'acknowledge' && row.unit === 'working_days')
        office.acknowledgeWd = row.amount;
      if (row.kind === 'respond' && row.unit === 'working_days') office.respondWd = row.amount;
      if (row.kind === 'respond' && row.unit === 'calendar_days')
        office.sarInternalDays = row.amount;
      stages[row.kind] = { warnWdBefore: row.warnWdBefore, escalateWdAfter: row.escalateWdAfter };
    }
    return { office, stages };
  }

  type CaseRow = NonNullable<Awaited<ReturnType<typeof repo.caseRow>>>;

  async function engineInput(dbOrTx: DbOrTx, row: CaseRow) {
    const [eventRows, policyRows, loaded] = await Promise.all([
      repo.clockEvents(dbOrTx, row.id),
      repo.policies(dbOrTx, row.type),
      loadHolidays(dbOrTx),
    ]);
    const events: ClockEvent[] = eventRows.map((e) => ({
      kind: e.kind as ClockEventKind,
      at: e.occurredOn,
      data: e.data,
      ...(e.note ? { note: e.note } : {}),
    }));
    // A reply or closure made through the workflow stops the clock like the event would.
    if (row.respondedAt && !events.some((e) => e.kind === 'responded'))
      events.push({ kind: 'responded', at: londonDateOf(row.respondedAt) });
    if (row.status === 'closed' && row.closedAt && !events.some((e) => e.kind === 'closed'))
      events.push({ kind: 'closed', at: londonDateOf(row.closedAt) });
    const policy = policyFor(policyRows);
    return {
      input: {
        type: row.type,
        subtype: row.subtype ?? null,
        receivedOn: row.receivedOn,
        events,
        holidays: loaded.holidays,
        policy: policy.office,
      },
      eventRows,
      loaded,
      stages: policy.stages,
    };
  }

  function detailOf(d: DeadlineResult | DeadlineRow, calendarVersion: number, generation = 1) {
    const isRow = 'caseId' in d;
    const ex = isRow ? d.explanation : undefined;
    const dueDate = isRow ? d.dueOn : d.dueDate;
    const effective = isRow ? d.effectiveDueOn : d.effectiveDueDate;
    const detail: DeadlineDetail = {
      kind: d.kind,
      label: KIND_LABELS[d.kind] ?? d.kind,
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
      roll: (isRow ? ex?.roll : d.roll) as DeadlineResult['roll'],
      notes: (isRow ? ex?.notes : d.notes) as string[],
      extension: (isRow ? ex?.extension : d.extension) as DeadlineResult['extension'],
      override: (isRow ? ex?.override : d.override) as DeadlineResult['override'],
      stopped: d.stopped,
      completedOn: d.completedOn,
      coverageIncomplete: d.coverageIncomplete,
      overdueFrom: effective ? calculateOverdueFrom(effective).toISOString() : null,
    };
    return detail;
  }

  function viewOf(
    comp: Pick<
      DeadlineComputation,
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

  const signature = (r: {
    dueOn: string | null;
    baseDueOn: string | null;
    extendedDueOn: string | null;
    effectiveDueOn: string | null;
    stopped: boolean;
    completedOn: string | null;
  }) =>
    JSON.stringify([
      r.dueOn,
      r.baseDueOn,
      r.extendedDueOn,
      r.effectiveDueOn,
      r.stopped,
      r.completedOn,
    ]);

  /**
   * Recomputes a case's deadlines and stores them (§5): a row whose dates are unchanged is
   * refreshed in place; one whose dates moved is superseded by a new row, with a new
   * generation when an event (not a holiday change) moved it. Updates `cases.next_due_on`.
   */
  async function store(
    tx: Tx,
    caseId: string,
    cause: Cause,
  ): Promise<{ view: DeadlineView; moves: Move[]; row: CaseRow }> {
    const row = await repo.caseRow(tx, caseId);
    if (!row) throw notFound('Case not found');
    const { input, loaded } = await engineInput(tx, row);
    const comp = computeDeadlines(input);
    const now = clock.now();
    const live = await repo.liveDeadlines(tx, caseId);
    const byKind = new Map(live.map((r) => [r.kind as string, r]));
    const moves: Move[] = [];
    const details: DeadlineDetail[] = [];
    for (const d of comp.deadlines) {
      const values: NewDeadlineRow = {
        caseId,
        kind: d.kind,
        calendar: d.calendar,
        dueOn: d.dueDate,
        baseDueOn: d.baseDueDate,
        extendedDueOn: d.extendedDueDate,
        effectiveDueOn: d.effectiveDueDate,
        startOn: d.startDate,
        rule: d.rule,
        ruleVersion: d.ruleVersion,
        calendarVersion: loaded.version,
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
      };
      const old = byKind.get(d.kind);
      byKind.delete(d.kind);
      let generation: number;
      if (old && signature(old) === signature(values as never)) {
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
              from: old.effectiveDueOn,
              to: d.effectiveDueDate,
              because: describeCalendarChange(old.skipped, d.skipped),
            });
        } else {
          generation = (await repo.maxGeneration(tx, caseId, d.kind)) + 1;
        }
        await repo.insertDeadline(tx, { ...values, generation });
      }
      details.push(detailOf(d, loaded.version, generation));
    }
    // Kinds that no longer apply (the type changed): superseded, not deleted.
    for (const old of byKind.values()) await repo.updateDeadline(tx, old.id, { supersededAt: now });
    await repo.setNextDue(tx, caseId, comp.effectiveDueDate);
    return { view: viewOf(comp, details, loaded.version), moves, row };
  }

  /**
   * The stored deadlines of a case, as the case page and API show them. Only a case with
   * no stored rows (none computed yet) is worked out on the fly. `known` is the case row
   * when the caller has just read it, which saves a query on every case view.
   */
  async function forCase(dbOrTx: DbOrTx, caseId: string, known?: CaseRow): Promise<DeadlineView> {
    const [row, live] = await Promise.all([
      known ?? repo.caseRow(dbOrTx, caseId),
      repo.liveDeadlines(dbOrTx, caseId),
    ]);
    if (!row) throw notFound('Case not found');
    if (live.length === 0) {
      const { input, loaded } = await engineInput(dbOrTx, row);
      const comp = computeDeadlines(input);
      return viewOf(
        comp,
        comp.deadlines.map((d) => detailOf(d, loaded.version)),
        loaded.version,
      );
    }
    live.sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind));
    const main = live.find((r) => (r.explanation as { main?: boolean }).main) ?? live[0]!;
    const ex = main.explanation as {
      stoppedReason?: string | null;
      closePromptFrom?: string | null;
    };
    return viewOf(
      {
        mainKind: main.kind,
        receivedOn: row.receivedOn,
        stoppedReason: ex.stoppedReason ?? null,
        closePromptFrom: ex.closePromptFrom ?? null,
        completed: main.completedOn !== null,
      },
      live.map((r) => detailOf(r, r.calendarVersion)),
      Math.min(...live.map((r) => r.calendarVersion)),
    );
  }

  function eventView(e: Awaited<ReturnType<typeof repo.clockEvents>>[number]): ClockEventView {
    return {
      id: e.id,
      kind: e.kind,
      label: EVENT_LABELS[e.kind as ClockEventKind] ?? e.kind,
      at: e.at.toISOString(),
      occurredOn: e.occurredOn,
      data: e.data,
      note: e.note,
      voided: e.voidedAt !== null,
      voidReason: e.voidReason,
    };
  }

  function fieldErrorsOf(errors: Array<{ field: string; code: string; message: string }>) {
    const fields: FieldErrors = {};
    for (const e of errors) fields[e.field] ??= e.message;
    return fields;
  }

  async function stagePolicies(dbOrTx: DbOrTx) {
    const rows = await repo.policies(dbOrTx);
    const byType = new Map<string, Record<string, StagePolicy>>();
    for (const row of rows) {
      const current = byType.get(row.caseType) ?? { ...DEFAULT_STAGE_POLICY };
      current[row.kind] = { warnWdBefore: row.warnWdBefore, escalateWdAfter: row.escalateWdAfter };
      byType.set(row.caseType, current);
    }
    return (type: string, kind: string): StagePolicy =>
      byType.get(type)?.[kind] ??
      DEFAULT_STAGE_POLICY[kind] ?? { warnWdBefore: 3, escalateWdAfter: 5 };
  }

  async function managerAddresses(dbOrTx: DbOrTx): Promise<string[]> {
    return (await repo.activeUsers(dbOrTx, ['manager'])).map((u) => u.email);
  }

  async function emailAdmins(tx: Tx, subject: string, text: string, messageId: string) {
    if (await emailExists(tx, messageId)) return false;
    const admins = (await repo.activeUsers(tx, ['admin'])).map((u) => u.email);
    await mail.queue(tx, {
      to: admins.length > 0 ? admins.join(', ') : triage,
      subject,
      text,
      messageId,
      subjectType: 'holidays',
    });
    return true;
  }

  async function coverageRows(today: IsoDate): Promise<CoverageRow[]> {
    const { cals } = await loadHolidays();
    const threshold = addMonthsCapped(today, COVERAGE_ALERT_MONTHS);
    return cals.uk_foia.coverage().map((c) => ({
      division: c.division,
      name: DIVISION_NAMES[c.division],
      lastHoliday: c.lastHoliday,
      coveredUntil: c.coveredUntil,
      workingDaysLeft:
        c.coveredUntil && c.coveredUntil > today
          ? cals.england_wales.workingDaysBetween(today, c.coveredUntil)
          : 0,
      short: c.coveredUntil === null || c.coveredUntil < threshold,
    }));
  }

  return {
    deps,
    db,
    clock,
    audit,
    mail,
    repo,
    caseRepo,
    triage,
    workflow,
    loadHolidays,
    bump,
    policyFor,
    engineInput,
    detailOf,
    viewOf,
    store,
    forCase,
    eventView,
    fieldErrorsOf,
    stagePolicies,
    managerAddresses,
    emailAdmins,
    coverageRows,
  };
}
export type DeadlinesContext = ReturnType<typeof createDeadlinesContext>;
