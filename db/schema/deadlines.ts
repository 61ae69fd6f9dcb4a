import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  check,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { users } from './users.js';

/**
 * Bank holidays by gov.uk division (docs/rules/deadlines.md §2). Rows are never deleted: a removal
 * confirmed by an admin sets `removed_at`, so the bundled snapshot (upserted at every
 * start) cannot bring the day back. `missing_since` marks a day the gov.uk feed no longer
 * lists; it still counts until an admin confirms the removal.
 */
export const bankHolidays = pgTable(
  'bank_holidays',
  {
    division: text('division', {
      enum: ['england-and-wales', 'scotland', 'northern-ireland'],
    }).notNull(),
    date: date('date').notNull(),
    title: text('title').notNull(),
    notes: text('notes').notNull().default(''),
    source: text('source', { enum: ['govuk', 'bundled', 'manual'] }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    createdById: uuid('created_by_id').references(() => users.id),
    missingSince: timestamp('missing_since', { withTimezone: true }),
    removedAt: timestamp('removed_at', { withTimezone: true }),
    removedById: uuid('removed_by_id').references(() => users.id),
  },
  (t) => [primaryKey({ columns: [t.division, t.date] })],
);
export type HolidayRow = typeof bankHolidays.$inferSelect;

/**
 * The single row holding the holiday data's version: bumped in the same transaction as
 * any holiday change, together with an outbox row for `deadline-rebuild`.
 */
export const holidayCalendar = pgTable(
  'holiday_calendar',
  {
    id: integer('id').primaryKey().default(1),
    version: integer('version').notNull().default(1),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    /** The last successful gov.uk refresh, and consecutive failed days (alert after 3). */
    lastRefreshAt: timestamp('last_refresh_at', { withTimezone: true }),
    lastRefreshError: text('last_refresh_error'),
    failedRefreshDays: integer('failed_refresh_days').notNull().default(0),
    lastFailedRefreshOn: date('last_failed_refresh_on'),
    failureAlertSentAt: timestamp('failure_alert_sent_at', { withTimezone: true }),
  },
  (t) => [check('holiday_calendar_single_row', sql`${t.id} = 1`)],
);
export type CalendarRow = typeof holidayCalendar.$inferSelect;

/**
 * Append-only clock events per subject (§4): a subject is any domain's record the clock runs
 * deadlines on, by type ('case', 'complaint') and id. A correction voids one and adds another.
 */
export const clockEvents = pgTable(
  'clock_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    subjectType: text('subject_type').notNull(),
    subjectId: uuid('subject_id').notNull(),
    kind: text('kind').notNull(),
    /** The instant given (a bare date is stored as noon London time). */
    at: timestamp('at', { withTimezone: true }).notNull(),
    /** The Europe/London date the engine counts from. */
    occurredOn: date('occurred_on').notNull(),
    data: jsonb('data').$type<Record<string, unknown>>().notNull().default({}),
    note: text('note'),
    actorId: uuid('actor_id').references(() => users.id),
    recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull(),
    voidedAt: timestamp('voided_at', { withTimezone: true }),
    voidReason: text('void_reason'),
    voidedById: uuid('voided_by_id').references(() => users.id),
  },
  (t) => [index('clock_events_subject_idx').on(t.subjectType, t.subjectId, t.id)],
);
export type ClockEventRow = typeof clockEvents.$inferSelect;

/**
 * Timers: stored deadlines (§5), one live row per subject and kind; moved rows are
 * superseded. Every subject type's timers live here (the name is from when only cases had
 * them). `kind` is the regime's: 'statutory', 'acknowledge', 'respond', 'review', 'dp_ack'
 * for correspondence.
 */
export const caseDeadlines = pgTable(
  'case_deadlines',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    subjectType: text('subject_type').notNull(),
    subjectId: uuid('subject_id').notNull(),
    kind: text('kind').notNull(),
    calendar: text('calendar').notNull(),
    /** Null while the clock is stopped. */
    dueOn: date('due_on'),
    baseDueOn: date('base_due_on'),
    extendedDueOn: date('extended_due_on'),
    /** The override if a manager set one, else `due_on`: this drives warnings. */
    effectiveDueOn: date('effective_due_on'),
    startOn: date('start_on'),
    rule: text('rule').notNull(),
    ruleVersion: text('rule_version').notNull(),
    calendarVersion: integer('calendar_version').notNull(),
    generation: integer('generation').notNull().default(1),
    coverageIncomplete: boolean('coverage_incomplete').notNull().default(false),
    stopped: boolean('stopped').notNull().default(false),
    completedOn: date('completed_on'),
    skipped: jsonb('skipped').$type<Array<{ date: string; reason: string }>>().notNull(),
    /** The rest of the working: start rule, roll, notes, extension, override. */
    explanation: jsonb('explanation').$type<Record<string, unknown>>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    supersededAt: timestamp('superseded_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('case_deadlines_live_uq')
      .on(t.subjectType, t.subjectId, t.kind)
      .where(sql`${t.supersededAt} is null`),
    index('case_deadlines_due_idx')
      .on(t.effectiveDueOn)
      .where(sql`${t.supersededAt} is null`),
    index('case_deadlines_calendar_idx')
      .on(t.calendarVersion)
      .where(sql`${t.supersededAt} is null`),
  ],
);
export type DeadlineRow = typeof caseDeadlines.$inferSelect;
export type NewDeadlineRow = typeof caseDeadlines.$inferInsert;

/** Office targets per case type (§3), editable by admins. Statutory amounts are code. */
export const slaPolicies = pgTable(
  'sla_policies',
  {
    caseType: text('case_type').notNull(),
    kind: text('kind').notNull(),
    unit: text('unit', { enum: ['working_days', 'calendar_days', 'statutory'] }).notNull(),
    amount: integer('amount').notNull(),
    calendar: text('calendar').notNull().default('england_wales'),
    warnWdBefore: integer('warn_wd_before').notNull(),
    escalateWdAfter: integer('escalate_wd_after').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    updatedById: uuid('updated_by_id').references(() => users.id),
  },
  (t) => [
    primaryKey({ columns: [t.caseType, t.kind] }),
    check('sla_policies_amount', sql`${t.amount} between 0 and 365`),
    check('sla_policies_warn', sql`${t.warnWdBefore} between 0 and 60`),
    check('sla_policies_escalate', sql`${t.escalateWdAfter} between 1 and 60`),
  ],
);
export type PolicyRow = typeof slaPolicies.$inferSelect;

/** One row per warning stage (§6): the ledger that makes `deadline-notify` send once. */
export const deadlineNotifications = pgTable(
  'deadline_notifications',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    subjectType: text('subject_type').notNull(),
    subjectId: uuid('subject_id').notNull(),
    kind: text('kind').notNull(),
    generation: integer('generation').notNull(),
    stage: text('stage', { enum: ['early', 'due_today', 'overdue', 'escalated'] }).notNull(),
    dueOn: date('due_on').notNull(),
    status: text('status', { enum: ['pending', 'sent', 'cancelled', 'skipped'] })
      .notNull()
      .default('pending'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    attemptedAt: timestamp('attempted_at', { withTimezone: true }),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    emailId: uuid('email_id'),
    reason: text('reason'),
  },
  (t) => [
    uniqueIndex('deadline_notifications_stage_uq').on(
      t.subjectType,
      t.subjectId,
      t.kind,
      t.generation,
      t.stage,
    ),
    index('deadline_notifications_pending_idx')
      .on(t.createdAt)
      .where(sql`${t.status} = 'pending'`),
  ],
);
export type NotificationRow = typeof deadlineNotifications.$inferSelect;
