import { bigint, pgTable, text } from 'drizzle-orm/pg-core';

/**
 * One counter per scope, bumped by statement triggers (migration 0014) whenever a table the
 * scope covers changes. Readers that cache derived answers (the triage queue, its counts,
 * a case view) read the counter first and reuse an answer computed under the same value.
 * The bump is transactional: a reader never sees it before the change itself is visible.
 */
export const changeStamps = pgTable('change_stamps', {
  scope: text('scope').primaryKey(),
  n: bigint('n', { mode: 'number' }).notNull().default(0),
});
