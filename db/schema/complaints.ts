import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  check,
  date,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { contacts } from './contacts.js';
import { cases } from './correspondence.js';
import { emailMessages } from './mail.js';
import { users } from './users.js';

/**
 * Complaints against the Chief Constable and reviews (docs/rules/complaints.md). The status
 * column is guarded by a trigger against `complaint_allowed_moves`, and every move is an
 * append-only `complaint_transitions` row; see the custom migration.
 */

/** IOPC categories, two levels (parent null = category). Retired (valid_to) never deleted. */
export const complaintCategories = pgTable(
  'complaint_categories',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    parentId: uuid('parent_id'),
    code: text('code').notNull(),
    label: text('label').notNull(),
    validFrom: date('valid_from').notNull().default('2020-02-01'),
    validTo: date('valid_to'),
    confirmed: boolean('confirmed').notNull().default(true),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('complaint_categories_code_uq').on(t.code)],
);
export type CategoryRow = typeof complaintCategories.$inferSelect;

export const complaintFactors = pgTable(
  'complaint_factors',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    code: text('code').notNull(),
    label: text('label').notNull(),
    validFrom: date('valid_from').notNull().default('2020-02-01'),
    validTo: date('valid_to'),
    confirmed: boolean('confirmed').notNull().default(true),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('complaint_factors_code_uq').on(t.code)],
);
export type FactorRow = typeof complaintFactors.$inferSelect;

/** Which regime (and amendments) a complaint falls under, by `made_on` (§2). Admin data. */
export const complaintRegimes = pgTable('complaint_regimes', {
  code: text('code').primaryKey(),
  kind: text('kind', { enum: ['regime', 'amendment'] }).notNull(),
  appliesFrom: date('applies_from').notNull(),
  appliesTo: date('applies_to'),
  label: text('label').notNull(),
});

/** Office settings for complaints (§3.1 targets, §4 retention, §7 open questions). */
export const complaintSettings = pgTable('complaint_settings', {
  key: text('key').primaryKey(),
  value: jsonb('value').$type<unknown>().notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Per-year counters for references (`CC-2026-0007`); taken with an upsert, so never reused. */
export const complaintReferenceCounters = pgTable(
  'complaint_reference_counters',
  {
    prefix: text('prefix').notNull(),
    year: integer('year').notNull(),
    last: integer('last').notNull(),
  },
  (t) => [primaryKey({ columns: [t.prefix, t.year] })],
);

export const COMPLAINT_STREAMS = ['cc', 'review', 'opcc'] as const;

export const complaints = pgTable(
  'complaints',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    reference: text('reference').notNull(),
    stream: text('stream', { enum: COMPLAINT_STREAMS }).notNull(),
    regime: text('regime').notNull(),
    regimeAmendments: text('regime_amendments')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    madeOn: date('made_on').notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull(),
    receivedOn: date('received_on').notNull(),
    channel: text('channel').notNull(),
    recordedOn: date('recorded_on'),
    status: text('status').notNull(),
    suspended: boolean('suspended').notNull().default(false),
    assigneeId: uuid('assignee_id').references(() => users.id),
    managerId: uuid('manager_id').references(() => users.id),
    subjectKind: text('subject_kind', { enum: ['chief_constable', 'acting_cc'] })
      .notNull()
      .default('chief_constable'),
    /** Free text: nulled by the retention sweep. */
    summary: text('summary'),
    handling: text('handling'),
    investigationMode: text('investigation_mode'),
    recordingRequested: boolean('recording_requested').notNull().default(false),
    mandatoryCriteria: text('mandatory_criteria')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    referralDecision: text('referral_decision'),
    firstContactOn: date('first_contact_on'),
    handlingStartedOn: date('handling_started_on'),
    investigationEndedOn: date('investigation_ended_on'),
    referralDecidedOn: date('referral_decided_on'),
    outcomeOn: date('outcome_on'),
    reviewInfoGivenOn: date('review_info_given_on'),
    reviewResult: text('review_result'),
    withdrawalLetterOn: date('withdrawal_letter_on'),
    /** The status a pending withdrawal returns to if the complainant does not confirm. */
    withdrawalReturnsTo: text('withdrawal_returns_to'),
    /** Bumped when a review sends the complaint back for handling (§3 re-handling). */
    handlingGeneration: integer('handling_generation').notNull().default(1),
    concludedOn: date('concluded_on'),
    /** Working days from receipt (Mon to next Mon = 5), stored when each date is set (§5). */
    wdToRecord: integer('wd_to_record'),
    wdToFirstContact: integer('wd_to_first_contact'),
    wdToConclude: integer('wd_to_conclude'),
    /** The London date of the latest event: a new one may not be earlier. */
    lastEventOn: date('last_event_on').notNull(),
    legalHold: boolean('legal_hold').notNull().default(false),
    legalHoldReason: text('legal_hold_reason'),
    /** The correspondence case this record was made from (complaint type), if any. */
    caseId: uuid('case_id').references(() => cases.id),
    disposedAt: timestamp('disposed_at', { withTimezone: true }),
    createdById: uuid('created_by_id').references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
    version: integer('version').notNull().default(1),
  },
  (t) => [
    uniqueIndex('complaints_reference_uq').on(t.reference),
    uniqueIndex('complaints_case_uq').on(t.caseId),
    index('complaints_received_idx').on(t.stream, t.receivedOn),
    index('complaints_concluded_idx').on(t.concludedOn),
    // The statistics triggers re-derive a day's sums by date, whatever the stream.
    index('complaints_received_on_idx').on(t.receivedOn),
    index('complaints_status_idx').on(t.status),
    check('complaints_version_positive', sql`${t.version} > 0`),
  ],
);
export type ComplaintRow = typeof complaints.$inferSelect;
export type NewComplaintRow = typeof complaints.$inferInsert;

/** The complainant (§2), one per complaint. Deleted by the retention sweep. */
export const complainants = pgTable('complainants', {
  complaintId: uuid('complaint_id')
    .primaryKey()
    .references(() => complaints.id, { onDelete: 'cascade' }),
  contactId: uuid('contact_id').references(() => contacts.id),
  name: text('name').notNull(),
  email: text('email'),
  phone: text('phone'),
  address: text('address'),
  postcode: text('postcode'),
  basis: text('basis', {
    enum: ['person_concerned', 'adversely_affected', 'witness', 'representative'],
  })
    .notNull()
    .default('person_concerned'),
  consent: boolean('consent').notNull().default(false),
  allegationsConfirmedOn: date('allegations_confirmed_on'),
});

/**
 * Special category data (UK GDPR art 9): optional answers, read only as aggregates. Kept
 * by the retention sweep, with nothing left that names the person.
 */
export const complainantEquality = pgTable('complainant_equality', {
  complaintId: uuid('complaint_id')
    .primaryKey()
    .references(() => complaints.id, { onDelete: 'cascade' }),
  ageBand: text('age_band'),
  sex: text('sex'),
  ethnicity: text('ethnicity'),
  disability: text('disability'),
  religion: text('religion'),
  sexualOrientation: text('sexual_orientation'),
});

export const complaintAllegations = pgTable(
  'complaint_allegations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    complaintId: uuid('complaint_id')
      .notNull()
      .references(() => complaints.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    categoryId: uuid('category_id')
      .notNull()
      .references(() => complaintCategories.id),
    subcategoryId: uuid('subcategory_id').references(() => complaintCategories.id),
    description: text('description'),
    factorIds: uuid('factor_ids')
      .array()
      .notNull()
      .default(sql`'{}'::uuid[]`),
    outcome: text('outcome'),
    actions: text('actions')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    actionOther: text('action_other'),
  },
  (t) => [
    index('complaint_allegations_complaint_idx').on(t.complaintId),
    index('complaint_allegations_category_idx').on(t.categoryId),
  ],
);

/**
 * Every move and decision (§2 `complaint_decision`): who, when, why. Append-only (a trigger
 * refuses UPDATE and DELETE, except the retention sweep clearing free text).
 */
export const complaintTransitions = pgTable(
  'complaint_transitions',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    complaintId: uuid('complaint_id')
      .notNull()
      .references(() => complaints.id),
    kind: text('kind').notNull(),
    fromStatus: text('from_status'),
    toStatus: text('to_status'),
    at: timestamp('at', { withTimezone: true }).notNull(),
    occurredOn: date('occurred_on').notNull(),
    actorId: uuid('actor_id').references(() => users.id),
    actorRole: text('actor_role'),
    decisionMaker: text('decision_maker'),
    reasons: text('reasons'),
    criteria: jsonb('criteria').$type<Record<string, unknown>>().notNull().default({}),
    recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    index('complaint_transitions_complaint_idx').on(t.complaintId, t.id),
    // The IOPC measures (§5) select decisions by date, across complaints.
    index('complaint_transitions_occurred_idx').on(t.occurredOn),
  ],
);

/** Reference data the status trigger reads: (stream, from, to) allowed. */
export const complaintAllowedMoves = pgTable(
  'complaint_allowed_moves',
  {
    stream: text('stream').notNull(),
    fromStatus: text('from_status').notNull(),
    toStatus: text('to_status').notNull(),
    /** Allowed only while the complaint is suspended (the reg 41 closure). */
    onlySuspended: boolean('only_suspended').notNull().default(false),
  },
  (t) => [primaryKey({ columns: [t.stream, t.fromStatus, t.toStatus] })],
);

/**
 * Retired (migration 0035): complaint timers are stored by the shared clock in
 * `case_deadlines` (subject type 'complaint'). Nothing reads or writes this table; it stays
 * for the release before and is dropped one release later (expand, then contract).
 */
export const complaintTimers = pgTable(
  'complaint_timers',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    complaintId: uuid('complaint_id')
      .notNull()
      .references(() => complaints.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    generation: integer('generation').notNull(),
    startOn: date('start_on').notNull(),
    dueOn: date('due_on').notNull(),
    stopped: boolean('stopped').notNull().default(false),
    stoppedOn: date('stopped_on'),
    /** How the date was worked out: rule, basis, skipped days. */
    explanation: jsonb('explanation').$type<Record<string, unknown>>().notNull(),
    calendarVersion: integer('calendar_version').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    supersededAt: timestamp('superseded_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('complaint_timers_live_uq')
      .on(t.complaintId, t.kind)
      .where(sql`${t.supersededAt} is null`),
    index('complaint_timers_due_idx')
      .on(t.dueOn)
      .where(sql`${t.supersededAt} is null and not ${t.stopped}`),
  ],
);

/**
 * Retired (migration 0035): complaint reminders are the clock's `deadline_notifications`.
 * Nothing reads or writes this table; dropped one release later.
 */
export const complaintReminders = pgTable(
  'complaint_reminders',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    complaintId: uuid('complaint_id')
      .notNull()
      .references(() => complaints.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    generation: integer('generation').notNull(),
    stage: text('stage').notNull(),
    dueOn: date('due_on').notNull(),
    status: text('status', { enum: ['pending', 'sent', 'cancelled', 'skipped'] })
      .notNull()
      .default('pending'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    emailId: uuid('email_id').references(() => emailMessages.id),
    reason: text('reason'),
  },
  (t) => [
    uniqueIndex('complaint_reminders_stage_uq').on(t.complaintId, t.kind, t.generation, t.stage),
    index('complaint_reminders_pending_idx')
      .on(t.createdAt)
      .where(sql`${t.status} = 'pending'`),
  ],
);

/** Letter templates (§3.3): each row one version, never changed (trigger). */
export const complaintLetterTemplates = pgTable(
  'complaint_letter_templates',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    key: text('key').notNull(),
    version: integer('version').notNull(),
    subject: text('subject').notNull(),
    body: text('body').notNull(),
    createdById: uuid('created_by_id').references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('complaint_letter_templates_key_version_uq').on(t.key, t.version)],
);
export type LetterTemplateRow = typeof complaintLetterTemplates.$inferSelect;

/** Contacts with the complainant (§2 `complaint_contact`): calls, letters, emails. */
export const complaintContacts = pgTable(
  'complaint_contacts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    complaintId: uuid('complaint_id')
      .notNull()
      .references(() => complaints.id, { onDelete: 'cascade' }),
    kind: text('kind', {
      enum: ['first_contact', 'update', 'outcome', 'report', 'other'],
    }).notNull(),
    at: timestamp('at', { withTimezone: true }).notNull(),
    occurredOn: date('occurred_on').notNull(),
    channel: text('channel', { enum: ['email', 'post', 'phone', 'in_person'] }).notNull(),
    templateId: uuid('template_id').references(() => complaintLetterTemplates.id),
    templateKey: text('template_key'),
    templateVersion: integer('template_version'),
    subject: text('subject'),
    body: text('body'),
    emailId: uuid('email_id').references(() => emailMessages.id),
    /** For updates, outcome letters and reports: the date it was due when sent (§5 on time). */
    dueOn: date('due_on'),
    /** Harm test (reg 35): information withheld from this letter, and why. */
    harmTestWithheld: boolean('harm_test_withheld').notNull().default(false),
    harmTestReason: text('harm_test_reason'),
    createdById: uuid('created_by_id').references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    index('complaint_contacts_complaint_idx').on(t.complaintId, t.occurredOn),
    // The on-time measures (§5) select dated contacts by when they happened, across complaints.
    index('complaint_contacts_occurred_idx')
      .on(t.occurredOn)
      .where(sql`${t.dueOn} is not null`),
  ],
);

/** Review applications (§3.4) for `review` stream complaints (the PCC as RRB). */
export const complaintReviews = pgTable('complaint_reviews', {
  complaintId: uuid('complaint_id')
    .primaryKey()
    .references(() => complaints.id, { onDelete: 'cascade' }),
  forceReference: text('force_reference').notNull(),
  infoGivenOn: date('info_given_on').notNull(),
  appliedOn: date('applied_on').notNull(),
  valid: boolean('valid'),
  rrb: text('rrb', { enum: ['pcc', 'iopc'] })
    .notNull()
    .default('pcc'),
  result: text('result', { enum: ['upheld', 'not_upheld'] }),
  decidedOn: date('decided_on'),
  recommendations: text('recommendations'),
  recommendationsAccepted: boolean('recommendations_accepted'),
  forceRespondedOn: date('force_responded_on'),
});
export type ReviewRow = typeof complaintReviews.$inferSelect;

/** The access list (§4): nobody else sees the complaint (404), in lists or search. */
export const complaintAccess = pgTable(
  'complaint_access',
  {
    complaintId: uuid('complaint_id')
      .notNull()
      .references(() => complaints.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    role: text('role', { enum: ['assignee', 'staff', 'decision_maker'] }).notNull(),
    grantedById: uuid('granted_by_id').references(() => users.id),
    grantedAt: timestamp('granted_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.complaintId, t.userId] }),
    index('complaint_access_user_idx').on(t.userId),
  ],
);

/** The retention sweep's log (§4): what was disposed of, when, and why. */
export const complaintDisposals = pgTable('complaint_disposals', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  complaintId: uuid('complaint_id')
    .notNull()
    .references(() => complaints.id),
  reference: text('reference').notNull(),
  concludedOn: date('concluded_on').notNull(),
  disposedAt: timestamp('disposed_at', { withTimezone: true }).notNull(),
  rule: text('rule').notNull(),
});

/** Force monitoring figures (§5): no personal data; entered or imported from CSV. */
export const forceComplaintFigures = pgTable(
  'force_complaint_figures',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    period: text('period').notNull(),
    measure: text('measure').notNull(),
    force: numeric('force', { mode: 'number' }),
    msf: numeric('msf', { mode: 'number' }),
    national: numeric('national', { mode: 'number' }),
    source: text('source', { enum: ['entered', 'imported'] }).notNull(),
    updatedById: uuid('updated_by_id').references(() => users.id),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [uniqueIndex('force_complaint_figures_uq').on(t.period, t.measure)],
);

/**
 * Complaint statistics (§5) summed per London day: one row per stream, measure, day, group
 * and key, a pure function of the complaint tables, kept by statement triggers in the same
 * transaction as every change to them (migration 0038: each change re-derives the days it
 * touches). The statistics read these sums, a few thousand rows for five years, instead of
 * aggregating every complaint and allegation. `measure` and `day`:
 * category, subcategory, handling (received_on; `key` the category id or handling, `n`
 * complaints, `allegations`); outcome, finalised (concluded_on); recorded_wd/_days,
 * first_contact_wd/_days (received_on), finalised_wd/_days (concluded_on, `grp` the handling):
 * histograms, `key` the value ('' for none), `n` how many; contact (occurred_on, `key` the
 * kind, `hits` on time); review (received_on, `key` the counter); iopc (occurred_on);
 * equality (received_on, `grp` the question, `key` the answer).
 */
export const complaintStatsDaily = pgTable(
  'complaint_stats_daily',
  {
    stream: text('stream').notNull(),
    measure: text('measure').notNull(),
    day: date('day').notNull(),
    grp: text('grp').notNull().default(''),
    key: text('key').notNull().default(''),
    n: bigint('n', { mode: 'number' }).notNull().default(0),
    allegations: bigint('allegations', { mode: 'number' }).notNull().default(0),
    hits: bigint('hits', { mode: 'number' }).notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.stream, t.measure, t.day, t.grp, t.key] }),
    index('complaint_stats_daily_day_idx').on(t.day),
    // complaint_stats_daily_read_idx (stream, measure, day) INCLUDE (grp, key, n, allegations,
    // hits) is in migration 0038 (drizzle has no INCLUDE): reads come from the index alone.
  ],
);
