import { sql } from 'drizzle-orm';
import { bigserial, index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * Append-only (DPA 2018 s62 shape). A trigger in the migrations raises on UPDATE,
 * DELETE and TRUNCATE, so not even the application's own connection can rewrite history.
 */
export const auditEvents = pgTable(
  'audit_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: timestamp('at', { withTimezone: true }).notNull(),
    actorId: uuid('actor_id'),
    actorRole: text('actor_role'),
    action: text('action').notNull(),
    subjectType: text('subject_type').notNull(),
    subjectId: text('subject_id'),
    personId: uuid('person_id'),
    justification: text('justification'),
    requestId: text('request_id'),
    ip: text('ip'),
  },
  /*
   * Every staff read writes a row, so each index here is paid on the hottest path. Rows
   * arrive in time order and are never updated, so a BRIN index answers time ranges at a
   * fraction of a B-tree's insert cost. Questions about one record ("who saw case X") always
   * name it, so list and search reads (no subject id) stay out of the subject index.
   */
  (t) => [
    index('audit_subject_idx')
      .on(t.subjectType, t.subjectId)
      .where(sql`${t.subjectId} is not null`),
    index('audit_at_idx').using('brin', t.at),
  ],
);
