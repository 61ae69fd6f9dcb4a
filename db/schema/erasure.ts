import { pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from './users.js';

/**
 * The erasure ledger (docs/rules/security.md §8, UK GDPR Art 17): one row per erased person, holding
 * only the contact's id. A restored backup predates some erasures: scripts/db-restore.ts
 * replays this ledger after every restore, so an erased person stays erased.
 */
export const erasureLedger = pgTable('erasure_ledger', {
  personId: uuid('person_id').primaryKey(),
  erasedAt: timestamp('erased_at', { withTimezone: true }).notNull(),
  erasedById: uuid('erased_by_id').references(() => users.id),
  /** Why (the manager's words): never the person's details. */
  justification: text('justification').notNull(),
});
