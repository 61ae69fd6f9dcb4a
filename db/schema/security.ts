import {
  bigserial,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';

/**
 * Security events (docs/rules/security.md §7): sign-ins and their failures, locks, MFA changes, CSRF
 * refusals, 403s and 429s. A store of its own, apart from the audit log: kept 90 days
 * (a nightly purge), shown to admins at /admin/security-events. Text a person typed (a
 * username) is stored encoded: control characters as `\n`-style escapes.
 */
export const securityEvents = pgTable(
  'security_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    /** UTC (timestamptz, sessions run in UTC). */
    at: timestamp('at', { withTimezone: true }).notNull(),
    type: text('type').notNull(),
    actorId: uuid('actor_id'),
    actorRole: text('actor_role'),
    /** What was typed as the username, encoded; only for sign-in and reset attempts. */
    username: text('username'),
    ip: text('ip'),
    requestId: text('request_id'),
    method: text('method'),
    /** The route pattern (`/cases/:id`), never the raw URL. */
    route: text('route'),
    status: integer('status'),
    detail: jsonb('detail').$type<Record<string, string | number | boolean | null>>(),
  },
  (t) => [
    index('security_events_at_idx').on(t.at, t.id),
    index('security_events_type_idx').on(t.type, t.at),
  ],
);

/**
 * Rate-limit counters when there is no Redis (docs/rules/security.md §6): one row per bucket and key.
 * UNLOGGED (the migration says so; drizzle cannot): a crash may reset them.
 */
export const rateLimitCounters = pgTable(
  'rate_limit_counters',
  {
    key: text('key').primaryKey(),
    hits: integer('hits').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('rate_limit_counters_expires_idx').on(t.expiresAt)],
);
