import type { Db, DbOrTx } from '../../db/client.js';
import { sql } from 'drizzle-orm';
import { auditEvents, securityEvents } from '../../db/schema/index.js';
import type { Clock } from '../lib/clock.js';
import { isSecurityAction, toRow as securityRow } from './security-events.js';

/** Who is acting, carried from the request into services (never a Fastify object). */
export interface Actor {
  id: string | null;
  role: string | null;
  requestId: string | null;
  ip?: string | null;
  /**
   * The reason given at re-authentication, on a route that requires one (§1 "R"): every
   * audit row the request writes records it unless the entry gives its own.
   */
  justification?: string | null;
}

export const systemActor = (requestId: string | null = null): Actor => ({
  id: null,
  role: 'system',
  requestId,
});

export interface AuditEntry {
  action: string;
  subjectType: string;
  subjectId?: string | null;
  personId?: string | null;
  justification?: string | null;
  /**
   * What was typed as the username (sign-in failures): kept only in the security event the
   * action also makes (isSecurityAction), encoded there; never in the audit row.
   */
  username?: string | null;
}

export interface AuditLog {
  /** Written in the caller's transaction, so a rolled-back change leaves no audit row. */
  record(tx: DbOrTx, actor: Actor, entry: AuditEntry): Promise<void>;
  /**
   * A read (no transaction of its own): resolves once the row is committed, so the answer
   * never goes out unaudited. Reads arriving while an insert is in flight share the next
   * one (group commit): one INSERT per batch instead of one per request.
   */
  recordRead(actor: Actor, entry: AuditEntry): Promise<void>;
  /** The row a read would write now, for a statement that audits as it reads. */
  row(actor: Actor, entry: AuditEntry): AuditRow;
}

const MAX_BATCH = 1_000;

export type AuditRow = typeof auditEvents.$inferInsert;

/**
 * A PostgreSQL array literal (`{"a","b",NULL}`), sent as one text parameter and cast in
 * SQL: the driver is not asked to guess array types.
 */
export function arrayLiteral(values: Array<string | number | null>): string {
  const items = values.map((value) =>
    value === null ? 'NULL' : `"${String(value).replace(/[\\"]/g, '\\$&')}"`,
  );
  return `{${items.join(',')}}`;
}

const AUDIT_COLUMNS = [
  'at',
  'actorId',
  'actorRole',
  'action',
  'subjectType',
  'subjectId',
  'personId',
  'justification',
  'requestId',
  'ip',
] as const satisfies ReadonlyArray<keyof AuditRow>;
type AuditColumn = (typeof AUDIT_COLUMNS)[number];

/** A batch's values for `auditBatchInsert`: one array literal per column. */
export function auditBatchValues(rows: readonly AuditRow[]): Record<AuditColumn, string> {
  const values = {} as Record<AuditColumn, string>;
  for (const key of AUDIT_COLUMNS) {
    values[key] = arrayLiteral(
      rows.map((row) => {
        const value = row[key] ?? null;
        return value instanceof Date ? value.toISOString() : value;
      }),
    );
  }
  return values;
}

/**
 * A batch of read audits as a data-modifying CTE: INSERT … SELECT FROM unnest(arrays) with
 * ten placeholders whatever the batch size. Statements built on it are prepared once, so
 * a batch costs one round trip (postgres.js sends an unprepared statement with parameters
 * as Parse/Describe, waits for the parameter types, then Bind/Execute: two), and building
 * it costs the same for one row or a thousand (a multi-row VALUES showed at 7% of a cached
 * read). Joined to another read (the change stamp), the audit and the read share one trip.
 */
export function auditBatchInsert(db: Db) {
  const p = (column: AuditColumn) => sql.placeholder(column);
  return db.$with('audited', { one: sql<number>`one` }).as(sql`
    insert into ${auditEvents} (at, actor_id, actor_role, action, subject_type, subject_id,
      person_id, justification, request_id, ip)
    select * from unnest(
      ${p('at')}::text::timestamptz[], ${p('actorId')}::text::uuid[], ${p('actorRole')}::text::text[],
      ${p('action')}::text::text[], ${p('subjectType')}::text::text[], ${p('subjectId')}::text::text[],
      ${p('personId')}::text::uuid[], ${p('justification')}::text::text[],
      ${p('requestId')}::text::text[], ${p('ip')}::text::text[])
    returning 1 as one`);
}

function prepareInsertMany(db: Db) {
  const audited = auditBatchInsert(db);
  const statement = db
    .with(audited)
    .select({ rows: sql<number>`count(*)`.mapWith(Number) })
    .from(audited)
    .prepare('audit_read_batch');
  return async (rows: AuditRow[]) => {
    await statement.execute(auditBatchValues(rows));
  };
}

export function createAuditLog(clock: Clock, db?: Db): AuditLog {
  const toRow = (actor: Actor, entry: AuditEntry): AuditRow => ({
    at: clock.now(),
    actorId: actor.id,
    actorRole: actor.role,
    action: entry.action,
    subjectType: entry.subjectType,
    subjectId: entry.subjectId ?? null,
    personId: entry.personId ?? null,
    justification: entry.justification ?? actor.justification ?? null,
    requestId: actor.requestId,
    ip: actor.ip ?? null,
  });

  type Waiting = {
    row: AuditRow;
    resolve: () => void;
    reject: (error: unknown) => void;
  };
  let waiting: Waiting[] = [];
  let flushing: Promise<void> | null = null;
  const insertMany = db ? prepareInsertMany(db) : undefined;

  async function flush(insert: (rows: AuditRow[]) => Promise<void>) {
    while (waiting.length > 0) {
      const batch = waiting.slice(0, MAX_BATCH);
      waiting = waiting.slice(batch.length);
      try {
        await insert(batch.map((w) => w.row));
        for (const w of batch) w.resolve();
      } catch (error) {
        for (const w of batch) w.reject(error);
      }
    }
    flushing = null;
  }

  return {
    async record(tx, actor, entry) {
      const row = toRow(actor, entry);
      await tx.insert(auditEvents).values(row);
      // Sign-ins, failures, locks, MFA and account changes are security events too (§7),
      // written with the audit row so neither exists without the other.
      if (isSecurityAction(entry.action)) {
        await tx.insert(securityEvents).values(
          securityRow(row.at, {
            type: entry.action,
            actor,
            username: entry.username,
            detail: { subjectType: entry.subjectType, subjectId: entry.subjectId ?? null },
          }),
        );
      }
    },
    row: toRow,
    recordRead(actor, entry) {
      if (!insertMany)
        return Promise.reject(new Error('createAuditLog: reads need a database handle'));
      return new Promise<void>((resolve, reject) => {
        waiting.push({ row: toRow(actor, entry), resolve, reject });
        flushing ??= flush(insertMany);
      });
    },
  };
}
