import { index, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export interface EmailAttachment {
  filename: string;
  contentType: string;
  /** base64 */
  content: string;
}

/**
 * Every outgoing email is a row: the ledger that makes the `email` job idempotent.
 * A retried job finds `sent` and does nothing; `sending` means a crash mid-send, and the
 * resend reuses the same Message-ID so the recipient's client folds the duplicate.
 */
export const emailMessages = pgTable(
  'email_messages',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    to: text('to').notNull(),
    subject: text('subject').notNull(),
    textBody: text('text_body').notNull(),
    attachments: jsonb('attachments').$type<EmailAttachment[]>().notNull().default([]),
    headers: jsonb('headers').$type<Record<string, string>>().notNull().default({}),
    messageId: text('message_id').notNull().unique(),
    inReplyTo: text('in_reply_to'),
    references: text('references'),
    /** The From header when not the default MAIL_FROM (case replies come from the mailbox). */
    fromAddress: text('from_address'),
    /** Where the recipient's answer should go (case replies: the polled mailbox). */
    replyTo: text('reply_to'),
    // `suppressed`: never sent, the address is on the suppression list (a 550 earlier).
    // `cancelled`: never sent, the person was erased (Art 17) before it went.
    status: text('status', {
      enum: ['queued', 'sending', 'sent', 'failed', 'suppressed', 'cancelled'],
    })
      .notNull()
      .default('queued'),
    attempts: integer('attempts').notNull().default(0),
    providerResponse: text('provider_response'),
    error: text('error'),
    /** What the email is about, for staff pages (e.g. 'case', '<uuid>'). */
    subjectType: text('subject_type'),
    subjectRef: text('subject_ref'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastAttemptAt: timestamp('last_attempt_at', { withTimezone: true }),
    sentAt: timestamp('sent_at', { withTimezone: true }),
  },
  (t) => [index('email_status_idx').on(t.status, t.createdAt)],
);

/** The development mailbox: raw RFC 822 messages "delivered" when no SMTP_URL is set. */
export const devMailbox = pgTable('dev_mailbox', {
  id: uuid('id').primaryKey().defaultRandom(),
  messageId: text('message_id').notNull(),
  envelopeTo: text('envelope_to').notNull(),
  subject: text('subject').notNull(),
  raw: text('raw').notNull(),
  receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
});
