import { sql, type SQL } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  customType,
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
  type AnyPgColumn,
} from 'drizzle-orm/pg-core';
import { contacts } from './contacts.js';
import { users } from './users.js';

const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });
const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' });

export const CASE_TYPES = [
  'foi',
  'eir',
  'sar',
  'complaint',
  'mp_enquiry',
  'suggestion',
  'compliment',
  'general',
] as const;
export const CASE_CHANNELS = [
  'letter',
  'email',
  'web',
  'phone',
  'in_person',
  'social',
  'mp',
] as const;
export const CASE_STATUSES = [
  'new',
  'open',
  'awaiting_requester',
  'awaiting_approval',
  'responded',
  'closed',
] as const;

/** Each London registration year has its own counter: a rollback leaves no gap, unlike a SEQUENCE. */
export const caseReferenceCounters = pgTable('case_reference_counters', {
  year: integer('year').primaryKey(),
  last: integer('last').notNull(),
});

export const cases = pgTable(
  'cases',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    reference: text('reference').notNull(),
    type: text('type', { enum: CASE_TYPES }).notNull(),
    subtype: text('subtype', { enum: ['service', 'staff', 'data_protection'] }),
    channel: text('channel', { enum: CASE_CHANNELS }).notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull(),
    /** The Europe/London date of receipt: it drives the clocks and the statistics. */
    receivedOn: date('received_on').notNull(),
    contactId: uuid('contact_id').references(() => contacts.id),
    onBehalfOfId: uuid('on_behalf_of_id').references(() => contacts.id),
    subject: text('subject').notNull(),
    body: text('body').notNull(),
    status: text('status', { enum: CASE_STATUSES }).notNull().default('new'),
    outcome: text('outcome'),
    assigneeId: uuid('assignee_id').references(() => users.id),
    /** Optimistic locking: every change states the version it read. */
    version: integer('version').notNull().default(1),
    nextDueOn: date('next_due_on'),
    topics: text('topics')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    tags: text('tags')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    restricted: boolean('restricted').notNull().default(false),
    acknowledgedAt: timestamp('acknowledged_at', { withTimezone: true }),
    respondedAt: timestamp('responded_at', { withTimezone: true }),
    closedAt: timestamp('closed_at', { withTimezone: true }),
    reviewOfCaseId: uuid('review_of_case_id').references((): AnyPgColumn => cases.id),
    sourceType: text('source_type'),
    sourceId: text('source_id'),
    flags: text('flags')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    search: tsvector('search').generatedAlwaysAs(
      (): SQL =>
        sql`setweight(to_tsvector('english', coalesce(${cases.reference}, '') || ' ' || coalesce(${cases.subject}, '')), 'A') || setweight(to_tsvector('english', coalesce(${cases.body}, '')), 'B')`,
    ),
  },
  (t) => [
    uniqueIndex('cases_reference_uq').on(t.reference),
    uniqueIndex('cases_source_uq').on(t.sourceType, t.sourceId),
    // The triage list: open work by due date, keyset-paged.
    index('cases_status_due_idx').on(t.status, t.nextDueOn, t.id),
    // The triage queue's default order over open cases only (about 5% of the table):
    // a page reads 25 index entries instead of sorting every open case.
    index('cases_open_due_order_idx')
      .on(sql`coalesce(${t.nextDueOn}, '9999-12-31'::date)`, t.receivedAt, t.id)
      .where(sql`${t.status} in ('new', 'open', 'awaiting_requester', 'awaiting_approval')`),
    index('cases_flagged_idx')
      .on(t.id)
      .where(sql`cardinality(${t.flags}) > 0`),
    index('cases_assignee_idx').on(t.assigneeId, t.status),
    index('cases_received_idx').on(t.receivedOn),
    // A contact's cases (contact page, list counts, merges), as requester or constituent.
    index('cases_contact_idx').on(t.contactId),
    index('cases_on_behalf_of_idx')
      .on(t.onBehalfOfId)
      .where(sql`${t.onBehalfOfId} is not null`),
    index('cases_search_idx').using('gin', t.search),
    // Tag filters (`tags && array[…]`) over a million cases; the queue's tag filter.
    index('cases_tags_idx').using('gin', t.tags),
  ],
);
export type CaseRow = typeof cases.$inferSelect;
export type NewCaseRow = typeof cases.$inferInsert;

/** The append-only timeline of a case. */
export const caseEvents = pgTable(
  'case_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    caseId: uuid('case_id')
      .notNull()
      .references(() => cases.id),
    at: timestamp('at', { withTimezone: true }).notNull(),
    actorId: uuid('actor_id').references(() => users.id),
    kind: text('kind').notNull(),
    data: jsonb('data').$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [index('case_events_case_idx').on(t.caseId, t.at)],
);

/**
 * Internal notes: immutable (a correction is a new note). A manager may redact one, which
 * empties the body and leaves a tombstone; a trigger refuses any other change.
 */
export const caseNotes = pgTable(
  'case_notes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    caseId: uuid('case_id')
      .notNull()
      .references(() => cases.id),
    authorId: uuid('author_id').references(() => users.id),
    body: text('body').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    redactedAt: timestamp('redacted_at', { withTimezone: true }),
    redactedById: uuid('redacted_by_id').references(() => users.id),
    search: tsvector('search').generatedAlwaysAs(
      (): SQL => sql`to_tsvector('english', coalesce(${caseNotes.body}, ''))`,
    ),
  },
  (t) => [
    index('case_notes_case_idx').on(t.caseId, t.createdAt),
    index('case_notes_search_idx').using('gin', t.search),
  ],
);

/** Named people who may see a restricted case besides its assignee and managers. */
export const caseAccess = pgTable(
  'case_access',
  {
    caseId: uuid('case_id')
      .notNull()
      .references(() => cases.id),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    grantedAt: timestamp('granted_at', { withTimezone: true }).notNull(),
    grantedById: uuid('granted_by_id').references(() => users.id),
  },
  (t) => [
    primaryKey({ columns: [t.caseId, t.userId] }),
    index('case_access_user_idx').on(t.userId),
  ],
);

/** Where an attachment's virus scan stands (security §5). */
export const ATTACHMENT_SCAN_STATUSES = ['pending', 'clean', 'infected', 'not_scanned'] as const;
export type AttachmentScanStatus = (typeof ATTACHMENT_SCAN_STATUSES)[number];

/**
 * A stored file's virus scan (security §5): `pending` until clamd answers; only `clean` and
 * `not_scanned` (no CLAMD_URL, development only) are ever downloadable. Shared by every table
 * that holds uploaded bytes.
 */
export const scanColumns = () => ({
  scanStatus: text('scan_status', { enum: ATTACHMENT_SCAN_STATUSES })
    .notNull()
    .default('not_scanned'),
  /** When clamd answered, and what it found (the signature name) for an infected file. */
  scannedAt: timestamp('scanned_at', { withTimezone: true }),
  scanSignature: text('scan_signature'),
});

/**
 * Files on a case (domain §2, security §5): the type is what the bytes are (`file-type`),
 * never what the browser claimed; served only as a download.
 */
export const caseAttachments = pgTable(
  'case_attachments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    caseId: uuid('case_id')
      .notNull()
      .references(() => cases.id),
    filename: text('filename').notNull(),
    /** Detected from the content. */
    contentType: text('content_type').notNull(),
    size: integer('size').notNull(),
    data: bytea('data').notNull(),
    uploadedById: uuid('uploaded_by').references(() => users.id),
    uploadedAt: timestamp('uploaded_at', { withTimezone: true }).notNull(),
    /** Hex SHA-256 of `data`. */
    sha256: text('sha256').notNull(),
    ...scanColumns(),
  },
  (t) => [
    index('case_attachments_case_idx').on(t.caseId, t.uploadedAt),
    // The scan sweep's lookup: files still held, oldest first (few rows, so a partial index).
    index('case_attachments_scan_pending_idx')
      .on(t.uploadedAt)
      .where(sql`${t.scanStatus} = 'pending'`),
  ],
);

/** The managed topic list, seeded from the Police and Crime Plan themes. */
export const topics = pgTable('topics', {
  slug: text('slug').primaryKey(),
  label: text('label').notNull(),
  activeFrom: date('active_from').notNull(),
  activeTo: date('active_to'),
});
