import { sql } from 'drizzle-orm';
import {
  boolean,
  customType,
  index,
  integer,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { cases } from './correspondence.js';

const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' });

/**
 * Every inbound email, stored once. `message_key` is the Message-ID without `<>` (or a
 * `sha256:` of From, Date, Subject and body when there is none) and is UNIQUE: the ingest
 * inserts it `ON CONFLICT DO NOTHING` in the same transaction as the case change, so a
 * refetched or redelivered message is recognised and skipped (domain §2).
 */
export const inboundMessages = pgTable(
  'inbound_messages',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    messageKey: text('message_key').notNull(),
    /** The Message-ID as sent (without `<>`); null when the message had none. */
    messageId: text('message_id'),
    /** The case it opened or joined; null for automated mail that matched no case. */
    caseId: uuid('case_id').references(() => cases.id),
    /** How it found its case: `in_reply_to`, `reference`, `new`, or null. */
    threadedBy: text('threaded_by'),
    fromAddress: text('from_address'),
    fromName: text('from_name'),
    toAddresses: text('to_addresses'),
    subject: text('subject').notNull().default(''),
    /** The Date header (sender's claim); `received_at` is when it reached us. */
    sentAt: timestamp('sent_at', { withTimezone: true }),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull(),
    inReplyTo: text('in_reply_to'),
    /** The References header's ids, oldest first, space-separated, without `<>`. */
    references: text('references'),
    /** Auto-replies, bounces and bulk mail are stored and threaded but never open a case. */
    automated: boolean('automated').notNull().default(false),
    automatedReason: text('automated_reason'),
    textBody: text('text_body').notNull().default(''),
    rawHeaders: text('raw_headers').notNull(),
    /** The whole message as received (attachments included), for staff and for audit. */
    raw: bytea('raw').notNull(),
    size: integer('size').notNull(),
    /** Which adapter delivered it: `imap`, `api` or `smtp`. */
    via: text('via').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('inbound_messages_key_uq').on(t.messageKey),
    index('inbound_messages_case_idx')
      .on(t.caseId, t.receivedAt)
      .where(sql`${t.caseId} is not null`),
    index('inbound_messages_from_idx').on(sql`lower(${t.fromAddress})`, t.receivedAt),
  ],
);
