import { sql } from 'drizzle-orm';
import {
  boolean,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { cases } from './correspondence.js';
import { emailMessages } from './mail.js';
import { users } from './users.js';

export const TEMPLATE_PURPOSES = [
  'acknowledgement',
  'response',
  'holding',
  'clarification',
  'general',
] as const;

/**
 * Reply templates. Each row is one saved version and never changes (a trigger refuses
 * UPDATE and DELETE): editing inserts version n+1 of the same `family_id`. Replies point at
 * the exact version row they were written from.
 */
export const replyTemplates = pgTable(
  'reply_templates',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    familyId: uuid('family_id').notNull(),
    version: integer('version').notNull(),
    name: text('name').notNull(),
    purpose: text('purpose', { enum: TEMPLATE_PURPOSES }).notNull(),
    /** The case types the template is offered for; empty means every type. */
    caseTypes: text('case_types')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    subject: text('subject').notNull(),
    body: text('body').notNull(),
    createdById: uuid('created_by_id').references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('reply_templates_family_version_uq').on(t.familyId, t.version)],
);
export type ReplyTemplateRow = typeof replyTemplates.$inferSelect;
export type NewReplyTemplateRow = typeof replyTemplates.$inferInsert;

export const OUTBOUND_CHANNELS = ['email', 'post'] as const;
export const OUTBOUND_STATUSES = ['queued', 'sent', 'failed'] as const;

/**
 * A reply to a case, with the final text exactly as sent and the template version it came
 * from. An email reply is `queued` with its email row (and outbox row) in one transaction,
 * and becomes `sent` or `failed` when the email job finishes; a letter is `sent` at once.
 */
export const outboundMessages = pgTable(
  'outbound_messages',
  {
    id: uuid('id').primaryKey(),
    caseId: uuid('case_id')
      .notNull()
      .references(() => cases.id),
    channel: text('channel', { enum: OUTBOUND_CHANNELS }).notNull(),
    status: text('status', { enum: OUTBOUND_STATUSES }).notNull(),
    /** Sending it answers the case (responded); acknowledgements and holding replies do not. */
    responds: boolean('responds').notNull(),
    templateId: uuid('template_id').references(() => replyTemplates.id),
    templateVersion: integer('template_version'),
    toAddress: text('to_address'),
    subject: text('subject').notNull(),
    body: text('body').notNull(),
    emailId: uuid('email_id').references(() => emailMessages.id),
    messageId: text('message_id'),
    inReplyTo: text('in_reply_to'),
    references: text('references'),
    createdById: uuid('created_by_id').references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    failedAt: timestamp('failed_at', { withTimezone: true }),
    error: text('error'),
  },
  (t) => [
    index('outbound_messages_case_idx').on(t.caseId, t.createdAt),
    uniqueIndex('outbound_messages_email_uq').on(t.emailId),
    uniqueIndex('outbound_messages_message_id_uq').on(t.messageId),
  ],
);
export type OutboundRow = typeof outboundMessages.$inferSelect;
export type NewOutboundRow = typeof outboundMessages.$inferInsert;

/**
 * A reply being written (issue #15 item 5): one draft per case and writer, saved from the
 * reply page and offered again when they come back; gone once that reply is sent. Drafts
 * are working copies, so unlike sent replies they change in place.
 */
export const replyDrafts = pgTable(
  'reply_drafts',
  {
    caseId: uuid('case_id')
      .notNull()
      .references(() => cases.id),
    authorId: uuid('author_id')
      .notNull()
      .references(() => users.id),
    templateId: uuid('template_id').references(() => replyTemplates.id),
    subject: text('subject').notNull(),
    body: text('body').notNull(),
    channel: text('channel', { enum: OUTBOUND_CHANNELS }),
    responds: boolean('responds'),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.caseId, t.authorId] })],
);
