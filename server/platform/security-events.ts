import { and, desc, eq, gte, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client.js';
import { rateLimitCounters, securityEvents } from '../../db/schema/index.js';
import type { Clock } from '../lib/clock.js';
import type { Actor } from './audit.js';

/**
 * Security events (docs/rules/security.md §7): one JSON record each, with UTC time, actor, IP and
 * request id, in a store of their own (`security_events`, 90 days), apart from the audit
 * log (7 years). Admins read them at /admin/security-events and /api/admin/security-events.
 */
export const SECURITY_EVENT_DAYS = 90;

/** Audit actions that are also security events (the audit row is written in the same transaction). */
export function isSecurityAction(action: string): boolean {
  return (
    /^auth\./.test(action) ||
    /^user\.(mfa_reset|session_ended|password|disable|enable|role\.)/.test(action)
  );
}

/** The events the HTTP layer records itself (the rest come from the audit actions above). */
export const HTTP_EVENT_TYPES = [
  'csrf.refused',
  'access.forbidden',
  'rate.limited',
  'auth.throttled',
];

/**
 * Text someone typed (a username), made safe to store, log and show: a backslash and every
 * control character (C0, DEL, C1, the Unicode line and paragraph separators) become escapes,
 * so `\n` can never start a forged line in a log or an export. Reversible, and printable
 * text is unchanged.
 */
export function encodeTyped(text: string, maxLength = 320): string {
  const named: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\\': '\\\\' };
  return text.slice(0, maxLength).replace(
    // Control characters are the point here: they are what gets escaped.
    // eslint-disable-next-line no-control-regex
    /[\\\u0000-\u001f\u007f-\u009f\u2028\u2029]/g,
    (c) => named[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

export interface SecurityEventInput {
  type: string;
  actor: Actor;
  /** As typed; stored encoded. */
  username?: string | null;
  method?: string | null;
  route?: string | null;
  status?: number | null;
  detail?: Record<string, string | number | boolean | null>;
}

export type SecurityEventRow = typeof securityEvents.$inferSelect;

export interface SecurityEventFilter {
  type?: string;
  /** An actor id, an IP address or (part of) a username. */
  who?: string;
  from?: Date;
  to?: Date;
}

export const PAGE_SIZE = 50;

export function toRow(at: Date, event: SecurityEventInput): typeof securityEvents.$inferInsert {
  return {
    at,
    type: event.type,
    actorId: event.actor.id,
    actorRole: event.actor.role,
    username: event.username ? encodeTyped(event.username) : null,
    ip: event.actor.ip ?? null,
    requestId: event.actor.requestId,
    method: event.method ?? null,
    route: event.route ?? null,
    status: event.status ?? null,
    detail: event.detail ?? null,
  };
}

/** The JSON form of an event: the API's item and the log line's `securityEvent`. */
export function eventJson(row: typeof securityEvents.$inferInsert) {
  return {
    ...(row.id === undefined ? {} : { id: row.id }),
    at: row.at.toISOString(),
    type: row.type,
    actorId: row.actorId ?? null,
    actorRole: row.actorRole ?? null,
    username: row.username ?? null,
    ip: row.ip ?? null,
    requestId: row.requestId ?? null,
    method: row.method ?? null,
    route: row.route ?? null,
    status: row.status ?? null,
    detail: row.detail ?? null,
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function createSecurityEvents(deps: { db: Db; clock: Clock }) {
  const { db, clock } = deps;

  function where(filter: SecurityEventFilter): SQL | undefined {
    const parts: SQL[] = [];
    if (filter.type) parts.push(eq(securityEvents.type, filter.type));
    if (filter.from) parts.push(gte(securityEvents.at, filter.from));
    if (filter.to) parts.push(lt(securityEvents.at, filter.to));
    const who = filter.who?.trim();
    if (who) {
      const typed = `%${encodeTyped(who).replace(/[\\%_]/g, '\\$&')}%`;
      parts.push(
        or(
          UUID.test(who) ? eq(securityEvents.actorId, who) : undefined,
          eq(securityEvents.ip, who),
          sql`${securityEvents.username} ilike ${typed}`,
        )!,
      );
    }
    return parts.length > 0 ? and(...parts) : undefined;
  }

  return {
    /** Writes one event now, on its own (HTTP-layer refusals: nothing else to commit with). */
    async record(event: SecurityEventInput, tx: DbOrTx = db) {
      const row = toRow(clock.now(), event);
      await tx.insert(securityEvents).values(row);
      return eventJson(row);
    },

    async list(filter: SecurityEventFilter, page: number) {
      const condition = where(filter);
      const [rows, [count]] = await Promise.all([
        db
          .select()
          .from(securityEvents)
          .where(condition)
          .orderBy(desc(securityEvents.at), desc(securityEvents.id))
          .limit(PAGE_SIZE)
          .offset((page - 1) * PAGE_SIZE),
        db
          .select({ n: sql<number>`count(*)::int` })
          .from(securityEvents)
          .where(condition),
      ]);
      return { rows, total: count?.n ?? 0, pageSize: PAGE_SIZE };
    },

    async types(): Promise<string[]> {
      const rows = await db
        .selectDistinct({ type: securityEvents.type })
        .from(securityEvents)
        .orderBy(securityEvents.type);
      return rows.map((r) => r.type);
    },

    /**
     * Nightly: events older than 90 days go, and rate-limit counters whose window ended
     * (the PostgreSQL store; Redis expires its own).
     */
    async purge(): Promise<{ events: number; counters: number }> {
      const now = clock.now();
      const cutoff = new Date(now.getTime() - SECURITY_EVENT_DAYS * 86_400_000);
      const events = await db
        .delete(securityEvents)
        .where(lt(securityEvents.at, cutoff))
        .returning({ id: securityEvents.id });
      const counters = await db
        .delete(rateLimitCounters)
        .where(lte(rateLimitCounters.expiresAt, sql`clock_timestamp()`))
        .returning({ key: rateLimitCounters.key });
      return { events: events.length, counters: counters.length };
    },
  };
}
export type SecurityEvents = ReturnType<typeof createSecurityEvents>;
