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
  (t) => [
    index('audit_subject_idx').on(t.subjectType, t.subjectId),
    index('audit_at_idx').on(t.at),
  ],
);
