import type { Db, DbOrTx, Tx } from '../../db/client.js';
import { DIVISION_NAMES } from '../lib/calendar.js';
import type { Clock } from '../lib/clock.js';
import { addMonthsCapped, type IsoDate } from '../lib/dates.js';
import type { MailService } from '../mail/service.js';
import type { AuditLog } from '../platform/audit.js';
import { enqueue } from '../platform/outbox.js';
import type { FieldErrors } from '../platform/errors.js';
import type { ClockSubject, SubjectAdapter } from './adapter.js';
import { createCalendarService, type CalendarService } from './calendar.js';
import { COVERAGE_ALERT_MONTHS } from './labels.js';
import { createRegimeRegistry, eventLabelOf, kindLabelOf, type RegimeRegistry } from './regimes.js';
import { createDeadlinesRepository, emailExists } from './repository.js';
import { stagePolicyOf, type StagePolicy } from './stages.js';
import { createTimers } from './timers.js';
import type { Cause, ClockEventView, CoverageRow, DeadlineView } from './types.js';
import { addressOf } from './wording.js';

/** What the clock is built from (app.ts passes these). */
export interface DeadlinesDeps {
  db: Db;
  clock: Clock;
  audit: AuditLog;
  mail: MailService;
  mailDomain: string;
  mailFrom: string;
  publicUrl: string;
  /** The one calendar service (app.ts shares it with the queue, export and statistics). */
  calendar?: CalendarService;
  /**
   * The regimes; else an empty registry each domain registers its own in (a second clock
   * over the same subjects shares the first one's, in tests).
   */
  regimes?: RegimeRegistry;
  /** Adapters already built elsewhere (a second clock over the same subjects, in tests). */
  adapters?: readonly SubjectAdapter[];
}

/**
 * The shared parts of the clock: the calendar, the regimes, the adapters domains plug in,
 * timers, and the helpers every deadlines file uses. Imports no domain.
 */
export function createDeadlinesContext(deps: DeadlinesDeps) {
  const { db, clock, audit, mail } = deps;
  const repo = createDeadlinesRepository();
  const triage = addressOf(deps.mailFrom);
  const calendar = deps.calendar ?? createCalendarService({ db, clock });
  const regimes = deps.regimes ?? createRegimeRegistry();
  const adapters = new Map<string, SubjectAdapter>();
  const timers = createTimers({
    repo,
    clock,
    calendar,
    regimes,
    facts: async (dbOrTx, subject) =>
      (await adapters.get(subject.type)?.facts?.(dbOrTx, subject)) ?? {},
  });

  function registerAdapter(adapter: SubjectAdapter): void {
    if (adapters.has(adapter.type))
      throw new Error(`A clock adapter for "${adapter.type}" is already registered`);
    adapters.set(adapter.type, adapter);
  }
  for (const adapter of deps.adapters ?? []) registerAdapter(adapter);

  function adapterFor(type: string): SubjectAdapter {
    const adapter = adapters.get(type);
    if (!adapter) throw new Error(`No clock adapter is registered for "${type}"`);
    return adapter;
  }

  /** Bumps the holiday version and queues the rebuild, in the caller's transaction. */
  async function bump(tx: Tx): Promise<number> {
    const version = await repo.bumpVersion(tx, clock.now());
    await enqueue(tx, 'deadline-rebuild', { calendarVersion: version });
    return version;
  }

  /** Runs a holiday change; once it commits, every calendar read in this process sees it. */
  async function changeHolidays<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    const result = await db.transaction(fn);
    calendar.changed();
    return result;
  }

  /**
   * Recomputes and stores a subject's timers in the caller's transaction and tells its
   * adapter the new effective due date.
   */
  async function recompute(
    tx: Tx,
    subject: ClockSubject,
    cause: Cause,
  ): Promise<Awaited<ReturnType<typeof timers.store>>> {
    const stored = await timers.store(tx, subject, cause);
    if (stored.effectiveDueDate !== subject.dueOn)
      await adapterFor(subject.type).onDueChange(tx, subject.id, stored.effectiveDueDate);
    return stored;
  }

  /**
   * The stored (or, with none yet, worked-out) deadlines of a subject. `known` is the subject
   * if the caller has it, or its read still under way (the timers are read beside it).
   */
  async function forSubject(
    dbOrTx: DbOrTx,
    type: string,
    id: string,
    known?: ClockSubject | Promise<ClockSubject | undefined>,
  ): Promise<DeadlineView | undefined> {
    return timers.forSubject(dbOrTx, { type, id }, known ?? adapterFor(type).load(dbOrTx, id));
  }

  /** A stored clock event of a subject under `regime`, as its pages and the API show it. */
  function eventView(
    regime: string | undefined,
    e: Awaited<ReturnType<typeof repo.clockEvents>>[number],
  ): ClockEventView {
    return {
      id: e.id,
      kind: e.kind,
      label: eventLabel(regime, e.kind),
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

  /** Each deadline's warning stages, by regime and kind (stages.ts `stagePolicyOf`). */
  async function stagePolicies(dbOrTx: DbOrTx) {
    const rows = await repo.policies(dbOrTx);
    return (type: string, kind: string): StagePolicy =>
      stagePolicyOf(
        regimes.has(type) ? regimes.get(type).stages?.[kind] : undefined,
        rows.find((r) => r.caseType === type && r.kind === kind),
      );
  }

  /** What people call a deadline kind: the regime's own word, else the kind itself. */
  function kindLabel(regime: string, kind: string): string {
    return kindLabelOf(regimes.has(regime) ? regimes.get(regime) : undefined, kind);
  }

  /** What people call a clock event: the regime's own word, else the kind itself. */
  function eventLabel(regime: string | undefined, kind: string): string {
    const own = regime !== undefined && regimes.has(regime) ? regimes.get(regime) : undefined;
    return eventLabelOf(own, kind);
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
    const { cals } = await calendar.load();
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
    triage,
    calendar,
    regimes,
    timers,
    adapters,
    registerAdapter,
    adapterFor,
    bump,
    changeHolidays,
    recompute,
    forSubject,
    eventView,
    fieldErrorsOf,
    stagePolicies,
    kindLabel,
    eventLabel,
    managerAddresses,
    emailAdmins,
    coverageRows,
  };
}
export type DeadlinesContext = ReturnType<typeof createDeadlinesContext>;
