import type { Db, DbOrTx, Tx } from '../../db/client.js';
import type { Deadline } from '../correspondence/due.js';
import { createCorrespondenceRepository } from '../correspondence/repository.js';
import { createCorrespondenceService } from '../correspondence/service.js';
import { findMove, OPEN_STATUSES, type CaseStatus } from '../correspondence/workflow.js';
import {
  buildCalendars,
  DIVISION_NAMES,
  DIVISIONS,
  diffHolidays,
  parseGovUkBankHolidays,
  type Calendars,
  type Division,
  type Holiday,
} from '../lib/calendar.js';
import type { Clock } from '../lib/clock.js';
import {
  addDays,
  addMonthsCapped,
  formatDayDate,
  formatDayDateShort,
  formatDayMonth,
  isIsoDate,
  londonDateOf,
  londonInstantAt,
  toLondonDate,
  type IsoDate,
} from '../lib/dates.js';
import {
  calculateOverdueFrom,
  CLOCK_EVENT_KINDS,
  computeDeadlines,
  DeadlineInputError,
  isWithinWorkingHours,
  validateClockEvent,
  type CaseType,
  type ClockEvent,
  type ClockEventData,
  type ClockEventKind,
  type ComplaintSubtype,
  type DeadlineComputation,
  type DeadlineResult,
  type OfficePolicy,
} from '../lib/deadline-rules.js';
import type { MailService } from '../mail/service.js';
import type { Actor, AuditLog } from '../platform/audit.js';
import { enqueue } from '../platform/outbox.js';
import { AppError, notFound, validationError, type FieldErrors } from '../platform/errors.js';
import { bundledHolidays } from './bundle.js';
import {
  createDeadlinesRepository,
  emailExists,
  type DeadlineRow,
  type NewDeadlineRow,
  type PolicyRow,
} from './repository.js';
import {
  currentStage,
  DEFAULT_STAGE_POLICY,
  STAGE_LABELS,
  STAGES,
  stageStarts,
  type Stage,
  type StagePolicy,
} from './stages.js';

export const GOVUK_BANK_HOLIDAYS_URL = 'https://www.gov.uk/bank-holidays.json';
export const REFRESH_TIMEOUT_MS = 10_000;
/** Alert admins when any division's data ends before today + this many months (§2). */
export const COVERAGE_ALERT_MONTHS = 9;
export const DIGEST_WORKING_DAYS = 5;
export const LIMITS = { note: 2_000, reason: 2_000, title: 120 };

export const KIND_LABELS: Record<string, string> = {
  statutory: 'Statutory deadline',
  acknowledge: 'Acknowledgement target',
  respond: 'Response target',
  review: 'Internal review',
  dp_ack: 'Acknowledge the data protection complaint',
};

/** The order computeDeadlines lists the kinds in (main first), for stored rows. */
const KIND_ORDER: readonly string[] = ['statutory', 'respond', 'acknowledge', 'dp_ack', 'review'];

export const CALENDAR_LABELS: Record<string, string> = {
  uk_foia: 'UK working days (any part of the UK, FOIA s10(6))',
  england_wales: 'England and Wales working days',
  calendar: 'Calendar days',
};

export const EVENT_LABELS: Record<ClockEventKind, string> = {
  clarification_requested: 'Clarification requested',
  clarification_received: 'Clarification received',
  fee_notice_sent: 'Fees notice sent',
  fee_received: 'Fee received',
  id_requested: 'Proof of identity requested',
  id_received: 'Proof of identity received',
  extended: 'Deadline extended',
  due_date_override: 'Due date overridden',
  review_requested: 'Internal review requested',
  responded: 'Responded',
  closed: 'Closed',
};

/** Clock events that move the case to awaiting the requester, and back (workflow.ts). */
const TO_AWAITING = new Set(['clarification_requested', 'fee_notice_sent', 'id_requested']);
const FROM_AWAITING = new Set(['clarification_received', 'fee_received', 'id_received']);

export interface DeadlineDetail {
  kind: string;
  label: string;
  calendar: string;
  calendarLabel: string;
  rule: string;
  ruleVersion: string;
  calendarVersion: number;
  generation: number;
  startDate: IsoDate | null;
  startRule: string;
  dueDate: IsoDate | null;
  baseDueDate: IsoDate | null;
  extendedDueDate: IsoDate | null;
  effectiveDueDate: IsoDate | null;
  skipped: Array<{ date: IsoDate; reason: string }>;
  roll: DeadlineResult['roll'];
  notes: string[];
  extension: DeadlineResult['extension'];
  override: DeadlineResult['override'];
  stopped: boolean;
  completedOn: IsoDate | null;
  coverageIncomplete: boolean;
  overdueFrom: string | null;
}

/** The `deadline` on a case and the calculate answer: API.md's shape plus the working. */
export interface DeadlineView extends Deadline {
  dueDate: IsoDate | null;
  extendedDueDate: IsoDate | null;
  calendar: string;
  skipped: Array<{ date: IsoDate; reason: string }>;
  kind: string;
  receivedOn: IsoDate;
  baseDueDate: IsoDate | null;
  effectiveDueDate: IsoDate | null;
  startDate: IsoDate | null;
  startRule: string;
  rollForward: DeadlineResult['roll'];
  ruleVersion: string;
  calendarVersion: number;
  coverageIncomplete: boolean;
  stopped: boolean;
  stoppedReason: string | null;
  closePromptFrom: IsoDate | null;
  completed: boolean;
  overdueFrom: string | null;
  deadlines: DeadlineDetail[];
}

export interface ClockEventView {
  id: number;
  kind: string;
  label: string;
  at: string;
  occurredOn: IsoDate;
  data: Record<string, unknown>;
  note: string | null;
  voided: boolean;
  voidReason: string | null;
}

export interface RecordEventInput {
  kind: string;
  at: string;
  data?: ClockEventData & { outcome?: string };
  note?: string;
  /** A manager confirms an extension recorded after the due date. */
  confirmLate?: boolean;
}

export interface CalculateInput {
  type: CaseType;
  subtype?: ComplaintSubtype;
  receivedAt: string;
  events?: Array<{ kind: string; at: string; data?: ClockEventData; note?: string }>;
  /** `england_wales` counts FOI and EIR on the England and Wales calendar only (a comparison). */
  calendar?: 'statutory' | 'england_wales';
}

export interface RefreshResult {
  ok: boolean;
  added: number;
  pendingRemovals: number;
  calendarVersion: number;
  error?: string;
}

export interface CoverageRow {
  division: Division;
  name: string;
  lastHoliday: IsoDate | null;
  coveredUntil: IsoDate | null;
  workingDaysLeft: number;
  short: boolean;
}

export type FetchLike = (
  url: string,
  init: { signal: AbortSignal; headers?: Record<string, string> },
) => Promise<{ ok: boolean; status: number; json(): Promise<unknown> }>;

const isManager = (actor: Actor) => actor.role === 'manager' || actor.role === 'system';
const isAdmin = (actor: Actor) => actor.role === 'admin' || actor.role === 'system';
const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

type Cause = 'event' | 'calendar' | 'case';

interface Move {
  kind: string;
  from: IsoDate;
  to: IsoDate;
  because: string;
}

/** `mailFrom` is "Name <address>" or a bare address: the triage mailbox is that address. */
function addressOf(mailFrom: string): string {
  return /<([^>]+)>/.exec(mailFrom)?.[1] ?? mailFrom.trim();
}

/** "2 Jan (Scotland)" from a skipped day's reason, for the timeline. */
function holidayLabel(date: IsoDate, reason: string): string {
  const divisions = /\(([^()]*)\)$/.exec(reason)?.[1];
  return divisions ? `${formatDayMonth(date)} (${divisions})` : formatDayMonth(date);
}

function describeCalendarChange(
  before: Array<{ date: string; reason: string }>,
  after: Array<{ date: string; reason: string }>,
): string {
  const isHoliday = (s: { reason: string }) => s.reason.startsWith('Bank holiday');
  const had = new Set(before.filter(isHoliday).map((s) => s.date));
  const has = new Set(after.filter(isHoliday).map((s) => s.date));
  const added = after.filter((s) => isHoliday(s) && !had.has(s.date));
  const removed = before.filter((s) => isHoliday(s) && !has.has(s.date));
  const parts = [
    ...added.map((s) => `${holidayLabel(s.date, s.reason)} added`),
    ...removed.map((s) => `${holidayLabel(s.date, s.reason)} removed`),
  ];
  return parts.length > 0 ? parts.join(', ') : 'bank holidays changed';
}

/** "Tue 20 Jan to Wed 21 Jan 2026" (the year once when both dates share it). */
function fromTo(from: IsoDate, to: IsoDate): string {
  const first =
    from.slice(0, 4) === to.slice(0, 4) ? formatDayDateShort(from) : formatDayDate(from);
  return `from ${first} to ${formatDayDate(to)}`;
}

function eventDateOf(at: string): { at: Date; on: IsoDate } {
  const on = toLondonDate(at);
  const instant = /^\d{4}-\d{2}-\d{2}$/.test(at) ? londonInstantAt(on, 12) : new Date(at);
  return { at: instant, on };
}

/**
 * The deadlines domain (deadlines.md): holidays and their version, stored deadlines and
 * clock events, recomputation on holiday changes, warnings and the digest. No Fastify here.
 */
export function createDeadlinesService(deps: {
  db: Db;
  clock: Clock;
  audit: AuditLog;
  mail: MailService;
  mailDomain: string;
  mailFrom: string;
  publicUrl: string;
}) {
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
      computeForCase: (tx, caseId) => service.computeForCase(tx, caseId),
      forCase: (dbOrTx, caseId, row) => service.forCase(dbOrTx, caseId, row),
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

  const service = {
    loadHolidays,

    /** The holiday data's version now. */
    async calendarVersion(): Promise<number> {
      return (await repo.calendar(db)).version;
    },

    /**
     * Upserts the committed snapshot as `bundled` (§2 "Offline"). Idempotent; never
     * deletes, and never brings back a day an admin removed.
     */
    async loadBundle(): Promise<{ added: number; calendarVersion: number }> {
      const holidays = bundledHolidays();
      return db.transaction(async (tx) => {
        const cal = await repo.lockCalendar(tx);
        const added = await repo.insertHolidays(
          tx,
          holidays.map((h) => ({
            division: h.division,
            date: h.date,
            title: h.title,
            notes: h.notes ?? '',
            source: 'bundled' as const,
            createdAt: clock.now(),
          })),
        );
        // The first load has no stored deadlines to rebuild, so no outbox row.
        const version =
          cal.version === 0
            ? await repo.bumpVersion(tx, clock.now())
            : added > 0
              ? await bump(tx)
              : cal.version;
        return { added, calendarVersion: version };
      });
    },

    /** Computes and stores a case's deadlines in the caller's transaction. */
    async computeForCase(tx: Tx, caseId: string, cause: Cause = 'case'): Promise<DeadlineView> {
      return (await store(tx, caseId, cause)).view;
    },

    /** The stored deadline of a case (computed, not stored, if it has none yet). */
    /**
     * The stored deadlines of a case, as the case page and API show them. Only a case with
     * no stored rows (none computed yet) is worked out on the fly. `known` is the case row
     * when the caller has just read it, which saves a query on every case view.
     */
    async forCase(dbOrTx: DbOrTx, caseId: string, known?: CaseRow): Promise<DeadlineView> {
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
    },

    /** A case's clock events, voided ones included (for the case page). */
    async events(caseId: string): Promise<ClockEventView[]> {
      return (await repo.clockEvents(db, caseId, true)).map(eventView);
    },

    /**
     * Records a clock event (§4): validated against the case's live events, appended,
     * written to the timeline, the status moved where the workflow expects it, and the
     * deadlines recomputed, all in one transaction.
     */
    async recordEvent(actor: Actor, caseId: string, input: RecordEventInput) {
      if (!(CLOCK_EVENT_KINDS as readonly string[]).includes(input.kind))
        throw new AppError(400, 'deadlines.unknown_event', 'Select what happened', {
          kind: 'Select what happened',
        });
      const note = input.note?.trim() || undefined;
      if (note && note.length > LIMITS.note)
        throw validationError({ note: `The note must be ${LIMITS.note} characters or fewer` });
      let when: { at: Date; on: IsoDate };
      try {
        when = eventDateOf(input.at);
      } catch {
        throw new AppError(400, 'deadlines.invalid_date', 'Enter a real date', {
          at: 'Enter a real date',
        });
      }
      const kind = input.kind as ClockEventKind;
      const { outcome, ...data } = input.data ?? {};
      return db.transaction(async (tx) => {
        const row = await caseRepo.lockVisible(tx, { id: actor.id, role: actor.role }, caseId);
        if (!row) throw notFound('Case not found');
        if (row.status === 'closed')
          throw new AppError(
            422,
            'deadlines.case_closed',
            'This case is closed: reopen it before recording clock events',
            { kind: 'This case is closed' },
          );
        const { input: engine } = await engineInput(tx, row);
        const event: ClockEvent = { kind, at: when.on, data, ...(note ? { note } : {}) };
        const errors = validateClockEvent(engine, event, {
          today: londonDateOf(clock.now()),
          isManager: isManager(actor),
          managerConfirmed: isManager(actor) && input.confirmLate === true,
        });
        if (errors.length > 0)
          throw new AppError(400, errors[0]!.code, errors[0]!.message, fieldErrorsOf(errors));
        const now = clock.now();
        const saved = await repo.insertClockEvent(tx, {
          caseId: row.id,
          kind,
          at: when.at,
          occurredOn: when.on,
          data: data,
          note: note ?? null,
          actorId: actor.id,
          recordedAt: now,
        });
        await audit.record(tx, actor, {
          action: `case.clock_event.${kind}`,
          subjectType: 'case',
          subjectId: row.id,
          personId: row.contactId,
          justification: note ?? (typeof data.reason === 'string' ? data.reason : null),
        });

        // The workflow's own moves: to and from awaiting the requester, and replies.

        let target: CaseStatus | undefined;
        if (TO_AWAITING.has(kind) && row.status === 'open') target = 'awaiting_requester';
        if (FROM_AWAITING.has(kind) && row.status === 'awaiting_requester') target = 'open';
        if (kind === 'responded' || kind === 'closed') {
          const to = kind as CaseStatus;
          const move = findMove(row.type, row.status, to);
          const ok =
            move &&
            (!move.managerOnly || isManager(actor)) &&
            (!move.requires.includes('outcome') ||
              (outcome && move.outcomes?.(row.type).includes(outcome))) &&
            !move.requires.includes('reasonEvent') &&
            !move.requires.includes('reason');
          if (ok) target = to;
        }
        if (target) {
          await workflow.transition(
            actor,
            row.id,
            {
              to: target,
              version: row.version,
              ...(TO_AWAITING.has(kind) || FROM_AWAITING.has(kind) ? { reason: kind } : {}),
              ...(target === 'closed' && outcome ? { outcome } : {}),
            },
            { tx },
          );
        }
        const before = row.nextDueOn;
        const { view, row: after } = await store(tx, row.id, 'event');
        const parts = [`On ${formatDayDate(when.on)}.`];
        if (kind === 'extended' && data.amount)
          parts.push(
            `By ${data.amount} ${data.kind === 'sar_complex' ? 'month(s)' : 'working day(s)'}.`,
          );
        if (kind === 'due_date_override' && data.date)
          parts.push(`New date ${formatDayDate(data.date)}.`);
        if (data.reason) parts.push(`Reason: ${data.reason}`);
        if (note) parts.push(note);
        if (view.stopped) parts.push(view.stoppedReason ?? 'The clock is stopped.');
        else if (view.effectiveDueDate && view.effectiveDueDate !== before)
          parts.push(`Due date now ${formatDayDate(view.effectiveDueDate)}.`);
        await repo.insertTimeline(tx, {
          caseId: row.id,
          at: now,
          actorId: actor.id,
          kind: 'clock_event',
          data: {
            title: EVENT_LABELS[kind],
            description: parts.join(' '),
            clockEventId: saved.id,
            eventKind: kind,
          },
        });
        return {
          event: eventView(saved),
          caseId: row.id,
          status: after.status,
          dueDate: view.effectiveDueDate,
          deadline: view,
        };
      });
    },

    /** A correction (§4): the event is voided with a reason, never edited or deleted. */
    async voidEvent(actor: Actor, caseId: string, eventId: number, reason: string) {
      const why = reason?.trim() ?? '';
      if (!why) throw validationError({ reason: 'Say why the event is being voided' });
      if (why.length > LIMITS.reason)
        throw validationError({ reason: `Reason must be ${LIMITS.reason} characters or fewer` });
      return db.transaction(async (tx) => {
        const row = await caseRepo.lockVisible(tx, { id: actor.id, role: actor.role }, caseId);
        if (!row) throw notFound('Case not found');
        if (row.status === 'closed')
          throw new AppError(422, 'deadlines.case_closed', 'This case is closed');
        const now = clock.now();
        const voided = await repo.voidClockEvent(tx, row.id, eventId, {
          voidedAt: now,
          voidReason: why,
          voidedById: actor.id,
        });
        if (!voided) throw notFound('Clock event not found');
        await audit.record(tx, actor, {
          action: 'case.clock_event.void',
          subjectType: 'case',
          subjectId: row.id,
          personId: row.contactId,
          justification: why,
        });
        const { view } = await store(tx, row.id, 'event');
        await repo.insertTimeline(tx, {
          caseId: row.id,
          at: now,
          actorId: actor.id,
          kind: 'clock_event_voided',
          data: {
            title: `${EVENT_LABELS[voided.kind as ClockEventKind] ?? voided.kind} voided`,
            description: `Reason: ${why}`,
            clockEventId: voided.id,
          },
        });
        return view;
      });
    },

    /** POST /api/deadlines/calculate and the calculator page: nothing is stored. */
    async calculate(input: CalculateInput): Promise<DeadlineView> {
      const fields: FieldErrors = {};
      let receivedOn: IsoDate | undefined;
      try {
        receivedOn = toLondonDate(input.receivedAt);
        if (receivedOn < '2000-01-01' || receivedOn > '2100-12-31')
          fields.receivedAt = 'The date must be between 2000 and 2100';
      } catch {
        fields.receivedAt = 'Enter a real date, like 2026-01-21 or 2026-01-21T10:00:00Z';
      }
      const events: ClockEvent[] = [];
      (input.events ?? []).forEach((e, i) => {
        if (!(CLOCK_EVENT_KINDS as readonly string[]).includes(e.kind))
          fields[`events.${i}.kind`] = 'Unknown clock event';
        let on: IsoDate | undefined;
        try {
          on = toLondonDate(e.at);
        } catch {
          fields[`events.${i}.at`] = 'Enter a real date';
        }
        if (on && receivedOn && on < receivedOn)
          fields[`events.${i}.at`] = 'The date cannot be before the date of receipt';
        if (on && (on > '2100-12-31' || (receivedOn && on > addDays(receivedOn, 3 * 366))))
          fields[`events.${i}.at`] = 'The date is too far from the date of receipt';
        if (e.data?.date !== undefined && !isIsoDate(e.data.date))
          fields[`events.${i}.data.date`] = 'Enter a real date';
        if (on) events.push({ kind: e.kind as ClockEventKind, at: on, data: e.data, note: e.note });
      });
      if (Object.keys(fields).length > 0) throw validationError(fields);
      const loaded = await loadHolidays();
      const ew = input.calendar === 'england_wales';
      try {
        const comp = computeDeadlines({
          type: input.type,
          subtype: input.subtype ?? null,
          receivedOn: receivedOn!,
          events,
          holidays: ew ? loaded.ewOnly : loaded.holidays,
        });
        const details = comp.deadlines.map((d) => {
          const detail = detailOf(d, loaded.version);
          // On the E&W-only list the UK calendar has no Scottish or NI data: judge coverage on E&W.
          if (ew) {
            detail.coverageIncomplete = [d.startDate, d.dueDate, d.extendedDueDate].some(
              (x) => x && loaded.cals.england_wales.isOutsideCoverage(x),
            );
            detail.notes = detail.notes.filter((n) => !n.startsWith('The bank holiday data ends'));
            detail.calendarLabel = `${CALENDAR_LABELS.england_wales} (comparison)`;
          }
          return detail;
        });
        const view = viewOf(comp, details, loaded.version);
        return ew ? { ...view, calendar: 'england_wales' } : view;
      } catch (error) {
        if (error instanceof DeadlineInputError) throw validationError({ _: error.message });
        throw error;
      }
    },

    // ---- Holidays ------------------------------------------------------------------------

    /** Every holiday row, by division, for the admin page. */
    async holidays() {
      const rows = await repo.allHolidayRows(db);
      const cal = await repo.calendar(db);
      const today = londonDateOf(clock.now());
      return {
        calendar: {
          version: cal.version,
          lastRefreshAt: iso(cal.lastRefreshAt),
          lastRefreshError: cal.lastRefreshError,
          failedRefreshDays: cal.failedRefreshDays,
        },
        coverage: await coverageRows(today),
        divisions: DIVISIONS.map((division) => ({
          division,
          name: DIVISION_NAMES[division],
          rows: rows
            .filter((r) => r.division === division)
            .map((r) => ({
              date: r.date,
              title: r.title,
              notes: r.notes,
              source: r.source,
              missingSince: iso(r.missingSince),
              removed: r.removedAt !== null,
              upcoming: r.date >= today,
            })),
        })),
        pendingRemovals: rows
          .filter((r) => r.missingSince && !r.removedAt)
          .map((r) => ({
            division: r.division,
            divisionName: DIVISION_NAMES[r.division],
            date: r.date,
            title: r.title,
          })),
      };
    },

    /** Per-division coverage and whether the alert is raised (§2 "Coverage alert"). */
    async coverage() {
      const rows = await coverageRows(londonDateOf(clock.now()));
      return { divisions: rows, alert: rows.some((r) => r.short) };
    },

    /** An admin enters a proclaimed day early (`manual`); deadlines that span it move. */
    async addHoliday(actor: Actor, input: { division: string; date: string; title: string }) {
      if (!isAdmin(actor)) throw new AppError(403, 'forbidden', 'Only an admin can add a holiday');
      const fields: FieldErrors = {};
      const divisions =
        input.division === 'all' ? [...DIVISIONS] : DIVISIONS.filter((d) => d === input.division);
      if (divisions.length === 0) fields.division = 'Select a part of the UK';
      if (!isIsoDate(input.date)) fields.date = 'Enter a real date';
      else if (input.date < '2000-01-01' || input.date > '2100-12-31')
        fields.date = 'The date must be between 2000 and 2100';
      const title = input.title?.trim() ?? '';
      if (!title) fields.title = 'Enter the name of the holiday';
      else if (title.length > LIMITS.title)
        fields.title = `The name must be ${LIMITS.title} characters or fewer`;
      if (Object.keys(fields).length > 0) throw validationError(fields);
      return db.transaction(async (tx) => {
        await repo.lockCalendar(tx);
        let changed = 0;
        for (const division of divisions) {
          const existing = await repo.holidayRow(tx, division, input.date);
          if (existing && !existing.removedAt) continue;
          if (existing) {
            await repo.updateHoliday(tx, division, input.date, {
              removedAt: null,
              removedById: null,
              missingSince: null,
              title,
              source: 'manual',
            });
          } else {
            await repo.insertHolidays(tx, [
              {
                division,
                date: input.date,
                title,
                source: 'manual',
                createdAt: clock.now(),
                createdById: actor.id,
              },
            ]);
          }
          changed += 1;
        }
        if (changed === 0)
          throw new AppError(409, 'deadlines.holiday_exists', 'That day is already a holiday', {
            date: 'That day is already a bank holiday there',
          });
        const version = await bump(tx);
        await audit.record(tx, actor, {
          action: 'holiday.add',
          subjectType: 'bank_holiday',
          subjectId: `${input.division}/${input.date}`,
          justification: title,
        });
        return { calendarVersion: version };
      });
    },

    /** An admin confirms a day the feed no longer lists (or removes a manual one). */
    async confirmRemoval(actor: Actor, input: { division: string; date: string }) {
      if (!isAdmin(actor))
        throw new AppError(403, 'forbidden', 'Only an admin can remove a holiday');
      return db.transaction(async (tx) => {
        await repo.lockCalendar(tx);
        const row = await repo.holidayRow(tx, input.division, input.date);
        if (!row || row.removedAt) throw notFound('Holiday not found');
        if (!row.missingSince && row.source !== 'manual')
          throw new AppError(
            422,
            'deadlines.removal_not_pending',
            'gov.uk still lists this day: only days it has dropped, or manual ones, can be removed',
          );
        await repo.updateHoliday(tx, input.division, input.date, {
          removedAt: clock.now(),
          removedById: actor.id,
        });
        const version = await bump(tx);
        await audit.record(tx, actor, {
          action: 'holiday.remove',
          subjectType: 'bank_holiday',
          subjectId: `${input.division}/${input.date}`,
        });
        return { calendarVersion: version };
      });
    },

    /**
     * `holiday-refresh` (§2): fetch gov.uk (10 s timeout, format checked), apply additions
     * at once, mark removals for an admin to confirm. Failures are counted per day; after 3
     * failed days admins get one email. Also sends the weekly coverage email on Mondays.
     */
    async refreshHolidays(fetchImpl: FetchLike): Promise<RefreshResult> {
      const now = clock.now();
      const today = londonDateOf(now);
      let feed: Holiday[];
      try {
        const response = await fetchImpl(GOVUK_BANK_HOLIDAYS_URL, {
          signal: AbortSignal.timeout(REFRESH_TIMEOUT_MS),
          headers: { accept: 'application/json' },
        });
        if (!response.ok) throw new Error(`gov.uk answered ${response.status}`);
        feed = parseGovUkBankHolidays(await response.json());
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        return db.transaction(async (tx) => {
          const cal = await repo.lockCalendar(tx);
          const days =
            cal.lastFailedRefreshOn === today ? cal.failedRefreshDays : cal.failedRefreshDays + 1;
          await repo.updateCalendar(tx, {
            lastRefreshError: message.slice(0, 500),
            failedRefreshDays: days,
            lastFailedRefreshOn: today,
          });
          if (days >= 3 && !cal.failureAlertSentAt) {
            await emailAdmins(
              tx,
              'Bank holiday refresh has failed for 3 days',
              `The daily download of ${GOVUK_BANK_HOLIDAYS_URL} has failed on ${days} days in a row.\n\nLast error: ${message}\n\nDeadlines are still worked out from the holidays already stored. Check the network, or add any newly proclaimed bank holiday by hand at ${deps.publicUrl}/admin/holidays.`,
              `holiday-refresh-failed-${today}@${deps.mailDomain}`,
            );
            await repo.updateCalendar(tx, { failureAlertSentAt: now });
          }
          return {
            ok: false,
            added: 0,
            pendingRemovals: 0,
            calendarVersion: cal.version,
            error: message,
          };
        });
      }
      const result = await db.transaction(async (tx) => {
        const cal = await repo.lockCalendar(tx);
        const rows = await repo.allHolidayRows(tx);
        const key = (h: { division: string; date: string }) => `${h.division}|${h.date}`;
        const byKey = new Map(rows.map((r) => [key(r), r]));
        const live = rows
          .filter((r) => !r.removedAt)
          .map((r) => ({ division: r.division, date: r.date, title: r.title }));
        const { added, removed } = diffHolidays(live, feed);
        let applied = 0;
        for (const h of added) {
          const existing = byKey.get(key(h));
          if (existing) {
            await repo.updateHoliday(tx, h.division, h.date, {
              removedAt: null,
              removedById: null,
              missingSince: null,
              title: h.title,
              notes: h.notes ?? '',
              source: 'govuk',
            });
          } else {
            await repo.insertHolidays(tx, [
              {
                division: h.division,
                date: h.date,
                title: h.title,
                notes: h.notes ?? '',
                source: 'govuk',
                createdAt: now,
              },
            ]);
          }
          applied += 1;
        }
        // Back in the feed: no longer a pending removal.
        const feedKeys = new Set(feed.map(key));
        for (const r of rows)
          if (r.missingSince && !r.removedAt && feedKeys.has(key(r)))
            await repo.updateHoliday(tx, r.division, r.date, { missingSince: null });
        // Removals make deadlines earlier: they wait for an admin. Only within the years the
        // feed covers for that division (gov.uk drops old years), and never manual days.
        const years = new Map<string, { min: string; max: string }>();
        for (const h of feed) {
          const y = h.date.slice(0, 4);
          const span = years.get(h.division) ?? { min: y, max: y };
          years.set(h.division, {
            min: y < span.min ? y : span.min,
            max: y > span.max ? y : span.max,
          });
        }
        let pending = 0;
        for (const h of removed) {
          const row = byKey.get(key(h))!;
          const span = years.get(h.division);
          const y = h.date.slice(0, 4);
          if (row.source === 'manual' || !span || y < span.min || y > span.max) continue;
          if (!row.missingSince)
            await repo.updateHoliday(tx, h.division, h.date, { missingSince: now });
          pending += 1;
        }
        const version = applied > 0 ? await bump(tx) : cal.version;
        await repo.updateCalendar(tx, {
          lastRefreshAt: now,
          lastRefreshError: null,
          failedRefreshDays: 0,
          lastFailedRefreshOn: null,
          failureAlertSentAt: null,
        });
        return { ok: true, added: applied, pendingRemovals: pending, calendarVersion: version };
      });
      await this.coverageAlert();
      return result;
    },

    /** The weekly coverage email (Mondays), once per week by Message-ID. */
    async coverageAlert(): Promise<boolean> {
      const now = clock.now();
      const today = londonDateOf(now);
      const weekday = new Date(`${today}T12:00:00Z`).getUTCDay();
      if (weekday !== 1) return false;
      const { divisions, alert } = await this.coverage();
      if (!alert) return false;
      return db.transaction(async (tx) =>
        emailAdmins(
          tx,
          'Bank holiday data is running out',
          [
            'The bank holiday data will not cover deadlines 9 months ahead:',
            '',
            ...divisions.map(
              (d) =>
                `- ${d.name}: ${d.coveredUntil ? `covered until ${formatDayDate(d.coveredUntil)} (${d.workingDaysLeft} working days)` : 'no data'}`,
            ),
            '',
            `Dates beyond the data are flagged on each case. Add proclaimed days at ${deps.publicUrl}/admin/holidays, or update db/data/bank-holidays.json.`,
          ].join('\n'),
          `holiday-coverage-${today}@${deps.mailDomain}`,
        ),
      );
    },

    /**
     * `deadline-rebuild` (§5): recomputes open cases whose deadlines were computed on an
     * older calendar. Each moved date supersedes its row, gets one timeline entry and an
     * email to the assignee. Closed cases are never recomputed.
     */
    async rebuild(_calendarVersion?: number): Promise<{ cases: number; moved: number }> {
      const { version } = await repo.calendar(db);
      let after: string | null = null;
      let count = 0;
      let moved = 0;
      for (;;) {
        const ids = await repo.casesToRebuild(db, version, after);
        if (ids.length === 0) break;
        for (const id of ids) {
          after = id;
          await db.transaction(async (tx) => {
            const row = await repo.caseRow(tx, id, true);
            if (!row || !OPEN_STATUSES.includes(row.status)) return;
            const { moves } = await store(tx, id, 'calendar');
            count += 1;
            if (moves.length === 0) return;
            const now = clock.now();
            const lines: string[] = [];
            for (const m of moves) {
              const what =
                m.kind === 'statutory' || m.kind === 'respond'
                  ? 'Due date'
                  : `${KIND_LABELS[m.kind]} date`;
              const text = `${what} moved ${fromTo(m.from, m.to)}: ${m.because}`;
              lines.push(text);
              moved += 1;
              await repo.insertTimeline(tx, {
                caseId: id,
                at: now,
                actorId: null,
                kind: 'deadline_moved',
                data: {
                  title: `${what} moved`,
                  description: text,
                  deadline: m.kind,
                  from: m.from,
                  to: m.to,
                  calendarVersion: version,
                },
              });
            }
            const assignee = row.assigneeId ? await repo.user(tx, row.assigneeId) : undefined;
            await mail.queue(tx, {
              to: assignee && !assignee.disabledAt ? assignee.email : triage,
              subject: `[${row.reference}] Due date moved`,
              text: [
                `The bank holidays changed, so a deadline on case ${row.reference} moved:`,
                '',
                ...lines,
                '',
                `${deps.publicUrl}/casework/${row.id}`,
              ].join('\n'),
              subjectType: 'case',
              subjectRef: row.id,
            });
          });
        }
      }
      return { cases: count, moved };
    },

    // ---- Warnings ------------------------------------------------------------------------

    /**
     * `sla-scan` (§6): inserts the current stage of every running deadline (ON CONFLICT DO
     * NOTHING), skips unsent earlier stages, cancels rows whose deadline changed, and
     * returns the pending rows to send, but only in working hours.
     */
    async scan(): Promise<{ inserted: number; toSend: string[]; inHours: boolean }> {
      const now = clock.now();
      const today = londonDateOf(now);
      const { cals } = await loadHolidays();
      const policyOf = await stagePolicies(db);
      const rows = await repo.warnable(db);
      let inserted = 0;
      const keys: Array<{ caseId: string; kind: string; generation: number; stage: string }> = [];
      await db.transaction(async (tx) => {
        await repo.cancelStale(tx);
        for (const r of rows) {
          const d = r.deadline;
          if (d.kind === 'acknowledge' && r.acknowledgedAt) continue;
          const stage = currentStage(
            today,
            d.effectiveDueOn!,
            d.startOn,
            cals.england_wales,
            policyOf(r.type, d.kind),
          );
          if (!stage) continue;
          const key = { caseId: d.caseId, kind: d.kind, generation: d.generation };
          const id = await repo.insertNotification(tx, {
            ...key,
            stage,
            dueOn: d.effectiveDueOn!,
            createdAt: now,
          });
          if (id) inserted += 1;
          await repo.skipEarlier(tx, key, STAGES.slice(0, STAGES.indexOf(stage)));
          keys.push({ ...key, stage });
        }
      });
      const inHours = isWithinWorkingHours(now, cals.england_wales);
      const toSend = inHours ? (await repo.pendingFor(db, keys)).map((n) => n.id) : [];
      return { inserted, toSend, inHours };
    },

    /**
     * `deadline-notify` (§6), in one transaction: lock the row, stop unless pending; cancel
     * if the case closed or responded, the generation changed, the clock stopped or the
     * stage passed; recheck working hours; queue the email with Message-ID dl-{id}.
     */
    async notify(notificationId: string): Promise<'sent' | 'cancelled' | 'deferred' | 'noop'> {
      return db.transaction(async (tx) => {
        const n = await repo.lockNotification(tx, notificationId);
        if (!n || n.status !== 'pending') return 'noop';
        const now = clock.now();
        const cancel = async (reason: string) => {
          await repo.updateNotification(tx, n.id, { status: 'cancelled', reason });
          return 'cancelled' as const;
        };
        const row = await repo.caseRow(tx, n.caseId);
        if (!row || !OPEN_STATUSES.includes(row.status))
          return cancel('the case is closed or responded');
        const live = (await repo.liveDeadlines(tx, n.caseId)).find((d) => d.kind === n.kind);
        if (!live || live.generation !== n.generation) return cancel('the deadline changed');
        if (live.stopped || live.completedOn || !live.effectiveDueOn)
          return cancel('the clock is stopped');
        if (live.kind === 'acknowledge' && row.acknowledgedAt)
          return cancel('already acknowledged');
        const { cals } = await loadHolidays(tx);
        const policyOf = await stagePolicies(tx);
        const stage = currentStage(
          londonDateOf(now),
          live.effectiveDueOn,
          live.startOn,
          cals.england_wales,
          policyOf(row.type, live.kind),
        );
        if (stage !== n.stage) return cancel('the stage is no longer due');
        if (!isWithinWorkingHours(now, cals.england_wales)) return 'deferred';
        await repo.updateNotification(tx, n.id, { attemptedAt: now });
        const assignee = row.assigneeId ? await repo.user(tx, row.assigneeId) : undefined;
        const to = new Set<string>([assignee && !assignee.disabledAt ? assignee.email : triage]);
        if (stage === 'overdue' || stage === 'escalated')
          for (const m of await managerAddresses(tx)) to.add(m);
        const due = live.effectiveDueOn;
        const stageText: Record<Stage, string> = {
          early: `due on ${formatDayDate(due)}`,
          due_today: `due today, ${formatDayDate(due)}`,
          overdue: `overdue: it was due on ${formatDayDate(due)}`,
          escalated: `escalated: it was due on ${formatDayDate(due)} and is still open`,
        };
        // Reference, type, stage, due date and a link: no requester name or subject (§6).
        const emailId = await mail.queue(tx, {
          to: [...to].join(', '),
          subject: `[${row.reference}] ${STAGE_LABELS[stage]}: ${KIND_LABELS[live.kind] ?? live.kind}`,
          text: [
            `Case ${row.reference} (${row.type.toUpperCase()}): the ${(KIND_LABELS[live.kind] ?? live.kind).toLowerCase()} is ${stageText[stage]}.`,
            '',
            `Stage: ${STAGE_LABELS[stage]}`,
            `Due: ${formatDayDate(due)}`,
            '',
            `${deps.publicUrl}/casework/${row.id}`,
          ].join('\n'),
          messageId: `dl-${n.id}@${deps.mailDomain}`,
          subjectType: 'case',
          subjectRef: row.id,
        });
        await repo.updateNotification(tx, n.id, {
          status: 'sent',
          sentAt: clock.now(),
          emailId,
        });
        return 'sent';
      });
    },

    /** The home panel: running deadlines of my cases that have reached a stage. */
    async myWarnings(actor: Actor) {
      if (!actor.id) return [];
      const { cals } = await loadHolidays();
      const policyOf = await stagePolicies(db);
      const today = londonDateOf(clock.now());
      const rows = await repo.warnable(db, { assigneeId: actor.id });
      return rows
        .filter((r) => !(r.deadline.kind === 'acknowledge' && r.acknowledgedAt))
        .map((r) => ({
          caseId: r.deadline.caseId,
          reference: r.reference,
          kind: r.deadline.kind,
          kindLabel: KIND_LABELS[r.deadline.kind] ?? r.deadline.kind,
          dueOn: r.deadline.effectiveDueOn!,
          stage: currentStage(
            today,
            r.deadline.effectiveDueOn!,
            r.deadline.startOn,
            cals.england_wales,
            policyOf(r.type, r.deadline.kind),
          ),
        }))
        .filter((w) => w.stage !== null)
        .map((w) => ({ ...w, stageLabel: STAGE_LABELS[w.stage!] }));
    },

    /**
     * `deadline-digest`: on E&W working days, each caseworker and manager gets one email of
     * their cases due in the next 5 working days (Message-ID per person and day).
     */
    async digest(): Promise<{ sent: number }> {
      const now = clock.now();
      const today = londonDateOf(now);
      const { cals } = await loadHolidays();
      if (!cals.england_wales.isWorkingDay(today)) return { sent: 0 };
      const until = cals.england_wales.addWorkingDays(today, DIGEST_WORKING_DAYS);
      const rows = (await repo.warnable(db)).filter(
        (r) =>
          r.assigneeId &&
          !(r.deadline.kind === 'acknowledge' && r.acknowledgedAt) &&
          r.deadline.effectiveDueOn! <= until,
      );
      const byUser = new Map<string, typeof rows>();
      for (const r of rows) byUser.set(r.assigneeId!, [...(byUser.get(r.assigneeId!) ?? []), r]);
      let sent = 0;
      for (const [userId, list] of byUser) {
        const messageId = `digest-${userId}-${today}@${deps.mailDomain}`;
        await db.transaction(async (tx) => {
          if (await emailExists(tx, messageId)) return;
          const user = await repo.user(tx, userId);
          if (!user || user.disabledAt) return;
          await mail.queue(tx, {
            to: user.email,
            subject: `Your cases due by ${formatDayDate(until)}`,
            text: [
              `Cases assigned to you that are overdue or due in the next ${DIGEST_WORKING_DAYS} working days:`,
              '',
              ...list.map(
                (r) =>
                  `- ${r.reference} (${r.type.toUpperCase()}), ${(KIND_LABELS[r.deadline.kind] ?? r.deadline.kind).toLowerCase()}: ${r.deadline.effectiveDueOn! < today ? 'overdue, was due' : 'due'} ${formatDayDate(r.deadline.effectiveDueOn!)}: ${deps.publicUrl}/casework/${r.deadline.caseId}`,
              ),
            ].join('\n'),
            messageId,
            subjectType: 'digest',
            subjectRef: userId,
          });
          sent += 1;
        });
      }
      return { sent };
    },

    // ---- SLA policies --------------------------------------------------------------------

    async policies() {
      return (await repo.policies(db)).map((p) => ({
        caseType: p.caseType,
        kind: p.kind,
        kindLabel: KIND_LABELS[p.kind] ?? p.kind,
        unit: p.unit,
        amount: p.amount,
        calendar: p.calendar,
        warnWdBefore: p.warnWdBefore,
        escalateWdAfter: p.escalateWdAfter,
        editableAmount: p.unit !== 'statutory',
        updatedAt: iso(p.updatedAt),
      }));
    },

    /** Admins change office targets and warning stages; new computations use them. */
    async updatePolicy(
      actor: Actor,
      input: {
        caseType: string;
        kind: string;
        amount?: number;
        warnWdBefore: number;
        escalateWdAfter: number;
      },
    ) {
      if (!isAdmin(actor)) throw new AppError(403, 'forbidden', 'Only an admin can change targets');
      const fields: FieldErrors = {};
      const whole = (v: unknown, min: number, max: number) =>
        typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
      if (input.amount !== undefined && !whole(input.amount, 1, 365))
        fields.amount = 'Enter a whole number from 1 to 365';
      if (!whole(input.warnWdBefore, 0, 60))
        fields.warnWdBefore = 'Enter a whole number from 0 to 60';
      if (!whole(input.escalateWdAfter, 1, 60))
        fields.escalateWdAfter = 'Enter a whole number from 1 to 60';
      if (Object.keys(fields).length > 0) throw validationError(fields);
      return db.transaction(async (tx) => {
        const [current] = (await repo.policies(tx, input.caseType)).filter(
          (p) => p.kind === input.kind,
        );
        if (!current) throw notFound('Policy not found');
        if (
          input.amount !== undefined &&
          current.unit === 'statutory' &&
          input.amount !== current.amount
        )
          throw validationError({ amount: 'Statutory time limits are set by law, not here' });
        const updated = await repo.updatePolicy(tx, input.caseType, input.kind, {
          ...(input.amount !== undefined && current.unit !== 'statutory'
            ? { amount: input.amount }
            : {}),
          warnWdBefore: input.warnWdBefore,
          escalateWdAfter: input.escalateWdAfter,
          updatedAt: clock.now(),
          updatedById: actor.id,
        });
        await audit.record(tx, actor, {
          action: 'sla_policy.update',
          subjectType: 'sla_policy',
          subjectId: `${input.caseType}/${input.kind}`,
        });
        return updated!;
      });
    },

    /** For the case page: warnings recorded for a case. */
    async notificationsFor(caseId: string) {
      return (await repo.notifications(db, caseId)).map((n) => ({
        kind: n.kind,
        stage: n.stage,
        stageLabel: STAGE_LABELS[n.stage],
        status: n.status,
        dueOn: n.dueOn,
        sentAt: iso(n.sentAt),
      }));
    },

    stageStarts,
  };
  return service;
}
export type DeadlinesService = ReturnType<typeof createDeadlinesService>;
