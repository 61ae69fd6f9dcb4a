import { sql, type SQL } from 'drizzle-orm';
import {
  boolean,
  customType,
  date,
  index,
  integer,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { cases, scanColumns } from './correspondence.js';
import { users } from './users.js';

const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });
const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' });

export const DISCLOSURE_STATUSES = ['draft', 'approved', 'published', 'withdrawn'] as const;

/**
 * The public FOI/EIR disclosure log. An entry is written from an answered case, edited until
 * the caseworker confirms personal data is removed, approved by a manager, then published.
 * Public pages read only this table, never the case or its contact.
 */
export const disclosureLogEntries = pgTable(
  'disclosure_log_entries',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    caseId: uuid('case_id')
      .notNull()
      .references(() => cases.id),
    reference: text('reference').notNull(),
    title: text('title').notNull(),
    requestText: text('request_text').notNull(),
    summary: text('summary').notNull().default(''),
    outcome: text('outcome'),
    exemptions: text('exemptions')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    responseDate: date('response_date').notNull(),
    topics: text('topics')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    status: text('status', { enum: DISCLOSURE_STATUSES }).notNull().default('draft'),
    personalDataRemoved: boolean('personal_data_removed').notNull().default(false),
    version: integer('version').notNull().default(1),
    createdById: uuid('created_by_id').references(() => users.id),
    confirmedById: uuid('confirmed_by_id').references(() => users.id),
    approvedById: uuid('approved_by_id').references(() => users.id),
    approvedAt: timestamp('approved_at', { withTimezone: true }),
    publishedAt: timestamp('published_at', { withTimezone: true }),
    withdrawnAt: timestamp('withdrawn_at', { withTimezone: true }),
    withdrawnReason: text('withdrawn_reason'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
    search: tsvector('search').generatedAlwaysAs(
      (): SQL =>
        sql`setweight(to_tsvector('english', coalesce(${disclosureLogEntries.title}, '')), 'A') || setweight(to_tsvector('english', coalesce(${disclosureLogEntries.requestText}, '') || ' ' || coalesce(${disclosureLogEntries.summary}, '')), 'B')`,
    ),
  },
  (t) => [
    uniqueIndex('disclosure_log_entries_case_uq').on(t.caseId),
    uniqueIndex('disclosure_log_entries_reference_uq').on(t.reference),
    index('disclosure_log_entries_public_idx').on(t.status, t.responseDate),
    index('disclosure_log_entries_search_idx').using('gin', t.search),
  ],
);
export type EntryRow = typeof disclosureLogEntries.$inferSelect;
export type NewEntryRow = typeof disclosureLogEntries.$inferInsert;

/**
 * Redacted documents published with an entry (§9): PDFs only, checked by their bytes, added
 * while the entry is a draft or approved. The public page serves them only as downloads.
 */
export const disclosureDocuments = pgTable(
  'disclosure_documents',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    entryId: uuid('entry_id')
      .notNull()
      .references(() => disclosureLogEntries.id),
    filename: text('filename').notNull(),
    /** Detected from the content. */
    contentType: text('content_type').notNull(),
    size: integer('size').notNull(),
    data: bytea('data').notNull(),
    /** Hex SHA-256 of `data`. */
    sha256: text('sha256').notNull(),
    uploadedById: uuid('uploaded_by_id').references(() => users.id),
    uploadedAt: timestamp('uploaded_at', { withTimezone: true }).notNull(),
    ...scanColumns(),
  },
  (t) => [
    index('disclosure_documents_entry_idx').on(t.entryId, t.uploadedAt),
    // The scan sweep's lookup: files still held, oldest first (few rows, so a partial index).
    index('disclosure_documents_scan_pending_idx')
      .on(t.uploadedAt)
      .where(sql`${t.scanStatus} = 'pending'`),
  ],
);
export type DocumentRow = typeof disclosureDocuments.$inferSelect;
export type NewDocumentRow = typeof disclosureDocuments.$inferInsert;
