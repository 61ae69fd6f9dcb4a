import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
  uuid,
} from 'drizzle-orm/pg-core';
import { contacts } from './contacts.js';
import { users } from './users.js';

/**
 * Consultations and surveys (domain docs/rules/surveys.md). Structure (questions, options, limits) and
 * anonymity are locked by triggers once `launched_at` is set (hand-written migration).
 */
export const surveys = pgTable('surveys', {
  id: uuid('id').primaryKey().defaultRandom(),
  title: text('title').notNull(),
  /** Who runs it and why: the start page. */
  description: text('description').notNull().default(''),
  privacyNotice: text('privacy_notice').notNull().default(''),
  anonymous: boolean('anonymous').notNull(),
  opensAt: timestamp('opens_at', { withTimezone: true }).notNull(),
  closesAt: timestamp('closes_at', { withTimezone: true }).notNull(),
  launchedAt: timestamp('launched_at', { withTimezone: true }),
  archivedAt: timestamp('archived_at', { withTimezone: true }),
  /** Drafts are deleted once, at the first request or sweep after closing. */
  draftsPurgedAt: timestamp('drafts_purged_at', { withTimezone: true }),
  reminderMinGapDays: integer('reminder_min_gap_days').notNull().default(7),
  reminderMaxCount: integer('reminder_max_count').notNull().default(2),
  createdBy: uuid('created_by'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});
export type SurveyRow = typeof surveys.$inferSelect;
export type NewSurveyRow = typeof surveys.$inferInsert;

export const QUESTION_KINDS = [
  'single',
  'multiple',
  'ranking',
  'likert',
  'text',
  'area',
  'equality',
] as const;
export type QuestionKind = (typeof QUESTION_KINDS)[number];

export const surveyQuestions = pgTable(
  'survey_questions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    surveyId: uuid('survey_id')
      .notNull()
      .references(() => surveys.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    kind: text('kind', { enum: QUESTION_KINDS }).notNull(),
    position: integer('position').notNull(),
    /** Questions sharing a section are shown on one page; null = a page of its own. */
    section: text('section'),
    label: text('label').notNull(),
    hint: text('hint'),
    required: boolean('required').notNull().default(false),
    /** Choose up to N (multiple) or how many to rank (ranking). */
    maxChoices: integer('max_choices'),
    /** Equality questions: special category, analysts only, shown after check-your-answers. */
    specialCategory: boolean('special_category').notNull().default(false),
  },
  (t) => [
    unique('survey_questions_key_uq').on(t.surveyId, t.key),
    index('survey_questions_order_idx').on(t.surveyId, t.position),
  ],
);

export const surveyOptions = pgTable(
  'survey_options',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    questionId: uuid('question_id')
      .notNull()
      .references(() => surveyQuestions.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    label: text('label').notNull(),
    position: integer('position').notNull(),
    /** 'exclusive': "None of these", alone or not at all. */
    behaviour: text('behaviour', { enum: ['normal', 'exclusive'] })
      .notNull()
      .default('normal'),
  },
  (t) => [unique('survey_options_key_uq').on(t.questionId, t.key)],
);

/**
 * One per person invited. Only the SHA-256 of the token is kept; `responded` is the only
 * trace of an anonymous answer (no date).
 */
export const surveyInvitations = pgTable(
  'survey_invitations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    surveyId: uuid('survey_id')
      .notNull()
      .references(() => surveys.id, { onDelete: 'cascade' }),
    contactId: uuid('contact_id')
      .notNull()
      .references(() => contacts.id),
    tokenHash: text('token_hash').notNull().unique(),
    responded: boolean('responded').notNull().default(false),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique('survey_invitations_contact_uq').on(t.surveyId, t.contactId),
    index('survey_invitations_pending_idx').on(t.surveyId, t.responded),
  ],
);

/** Wave 0 is the invitation, 1.. reminders. `cursor`: the last delivery id fanned out. */
export const surveyWaves = pgTable(
  'survey_waves',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    surveyId: uuid('survey_id')
      .notNull()
      .references(() => surveys.id, { onDelete: 'cascade' }),
    waveNo: integer('wave_no').notNull(),
    cursor: integer('cursor').notNull().default(0),
    fannedOutAt: timestamp('fanned_out_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [unique('survey_waves_no_uq').on(t.surveyId, t.waveNo)],
);

/** `bounced`: a DSN (bounce-poll) reported the mailbox gone after the relay took the mail. */
export const DELIVERY_STATES = [
  'queued',
  'sending',
  'retry',
  'sent',
  'failed',
  'skipped',
  'bounced',
] as const;

/** The ledger: one row per invitation per wave; PostgreSQL, not BullMQ, decides who gets mail. */
export const surveyDeliveries = pgTable(
  'survey_deliveries',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    waveId: uuid('wave_id')
      .notNull()
      .references(() => surveyWaves.id, { onDelete: 'cascade' }),
    invitationId: uuid('invitation_id')
      .notNull()
      .references(() => surveyInvitations.id, { onDelete: 'cascade' }),
    waveNo: integer('wave_no').notNull(),
    state: text('state', { enum: DELIVERY_STATES }).notNull().default('queued'),
    attempts: integer('attempts').notNull().default(0),
    leaseUntil: timestamp('lease_until', { withTimezone: true }),
    messageId: text('message_id'),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    error: text('error'),
    queuedAt: timestamp('queued_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    unique('survey_deliveries_wave_uq').on(t.invitationId, t.waveNo),
    index('survey_deliveries_wave_idx').on(t.waveId, t.id),
    index('survey_deliveries_state_idx').on(t.waveId, t.state),
  ],
);

/**
 * A submitted response. Anonymous: random id, no invitation, no time (CHECK). `channel`
 * says link or invitation (results split by channel).
 */
export const surveyResponses = pgTable(
  'survey_responses',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    surveyId: uuid('survey_id')
      .notNull()
      .references(() => surveys.id, { onDelete: 'cascade' }),
    anonymous: boolean('anonymous').notNull(),
    channel: text('channel', { enum: ['link', 'invitation', 'import'] }).notNull(),
    invitationId: uuid('invitation_id').references(() => surveyInvitations.id),
    submittedAt: timestamp('submitted_at', { withTimezone: true }),
  },
  (t) => [
    index('survey_responses_survey_idx').on(t.surveyId, t.id),
    unique('survey_responses_invitation_uq').on(t.invitationId),
    check(
      'survey_responses_anonymous_ck',
      sql`NOT ${t.anonymous} OR (${t.invitationId} IS NULL AND ${t.submittedAt} IS NULL)`,
    ),
  ],
);
export type NewSurveyResponseRow = typeof surveyResponses.$inferInsert;

/** One row per chosen option (with its rank for ranking) or one text row. */
export const surveyAnswers = pgTable(
  'survey_answers',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    responseId: uuid('response_id')
      .notNull()
      .references(() => surveyResponses.id, { onDelete: 'cascade' }),
    questionId: uuid('question_id')
      .notNull()
      .references(() => surveyQuestions.id, { onDelete: 'cascade' }),
    optionId: uuid('option_id').references(() => surveyOptions.id),
    rank: integer('rank'),
    text: text('text'),
  },
  (t) => [
    index('survey_answers_response_idx').on(t.responseId),
    index('survey_answers_question_idx').on(t.questionId, t.optionId),
  ],
);

/** Answers saved page by page; found by the SHA-256 of a resume token; deleted at close. */
export const surveyDrafts = pgTable('survey_drafts', {
  id: uuid('id').primaryKey().defaultRandom(),
  surveyId: uuid('survey_id')
    .notNull()
    .references(() => surveys.id, { onDelete: 'cascade' }),
  tokenHash: text('token_hash').notNull().unique(),
  invitationId: uuid('invitation_id').references(() => surveyInvitations.id, {
    onDelete: 'cascade',
  }),
  answers: jsonb('answers').$type<Record<string, unknown>>().notNull().default({}),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
});

/** Free-text codebook and the themes staff assign to answers (many per answer). */
export const surveyThemes = pgTable(
  'survey_themes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    questionId: uuid('question_id')
      .notNull()
      .references(() => surveyQuestions.id, { onDelete: 'cascade' }),
    label: text('label').notNull(),
  },
  (t) => [unique('survey_themes_label_uq').on(t.questionId, t.label)],
);

export const surveyAnswerThemes = pgTable(
  'survey_answer_themes',
  {
    answerId: integer('answer_id').notNull(),
    themeId: uuid('theme_id')
      .notNull()
      .references(() => surveyThemes.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.answerId, t.themeId] })],
);

/** Mailing audiences (docs/rules/surveys.md §4): lists, consent per purpose, suppression by HMAC. */
export const contactLists = pgTable('contact_lists', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull().unique(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export const contactListMembers = pgTable(
  'contact_list_members',
  {
    listId: uuid('list_id')
      .notNull()
      .references(() => contactLists.id, { onDelete: 'cascade' }),
    contactId: uuid('contact_id')
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.listId, t.contactId] })],
);

export const contactConsents = pgTable(
  'contact_consents',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    contactId: uuid('contact_id')
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    purpose: text('purpose').notNull(),
    source: text('source').notNull(),
    wordingVersion: text('wording_version').notNull().default('1'),
    givenAt: timestamp('given_at', { withTimezone: true }).notNull(),
    withdrawnAt: timestamp('withdrawn_at', { withTimezone: true }),
  },
  (t) => [unique('contact_consents_purpose_uq').on(t.contactId, t.purpose)],
);

export const emailSuppressions = pgTable('email_suppressions', {
  /** HMAC-SHA-256 of the normalised address: outlives the contact's erasure. */
  addressHmac: text('address_hmac').primaryKey(),
  reason: text('reason', {
    enum: ['unsubscribed', 'hard_bounce', 'complaint', 'manual'],
  }).notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
});

/**
 * Managers allowed to see equality (special category) results and exports (docs/rules/surveys.md §2,
 * §8: "analyst role only"). Granted and revoked by an admin, audited; a surveys-owned
 * table so the users' role model stays as it is.
 */
export const surveyAnalysts = pgTable('survey_analysts', {
  userId: uuid('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  grantedBy: uuid('granted_by'),
  grantedAt: timestamp('granted_at', { withTimezone: true }).notNull(),
});
