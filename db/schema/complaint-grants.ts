import { sql } from 'drizzle-orm';
import {
  date,
  index,
  integer,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { users } from './users.js';

/**
 * Grants to read one complainant's equality answers (docs/rules/complaints.md §2 "own grants";
 * docs/rules/security.md §1: nobody by role). An admin grants a named caseworker or manager, with a
 * reason, until a date; revoking stamps `revoked_at` (rows are kept as the record of who
 * could see what, and when). At most one live grant per person.
 */
export const complaintEqualityGrants = pgTable(
  'complaint_equality_grants',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    reason: text('reason').notNull(),
    /** The last day the grant applies (London date). */
    until: date('until').notNull(),
    grantedById: uuid('granted_by_id').references(() => users.id),
    grantedAt: timestamp('granted_at', { withTimezone: true }).notNull(),
    revokedById: uuid('revoked_by_id').references(() => users.id),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('complaint_equality_grants_live_uq')
      .on(t.userId)
      .where(sql`${t.revokedAt} is null`),
    index('complaint_equality_grants_user_idx').on(t.userId),
  ],
);

/**
 * The weekly justified-reads email (§4): one row per London week (its Monday), written in
 * the transaction that queues the emails, so a rerun of the job sends nothing.
 */
export const complaintJustifiedReadReports = pgTable('complaint_justified_read_reports', {
  weekOf: date('week_of').primaryKey(),
  reads: integer('reads').notNull(),
  recipients: integer('recipients').notNull(),
  sentAt: timestamp('sent_at', { withTimezone: true }).notNull(),
});
