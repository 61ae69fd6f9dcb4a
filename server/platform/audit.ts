import type { Db, DbOrTx } from '../../db/client.js';
import { auditEvents } from '../../db/schema/index.js';
import type { Clock } from '../lib/clock.js';

/** Who is acting, carried from the request into services (never a Fastify object). */
export interface Actor {
  id: string | null;
  role: string | null;
  requestId: string | null;
  ip?: string | null;
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
}

/** PostgreSQL takes at most 65,535 parameters a statement; 10 a row leaves room to spare. */
const MAX_BATCH = 1_000;

export function createAuditLog(clock: Clock, db?: Db): AuditLog {
  const toRow = (actor: Actor, entry: AuditEntry): typeof auditEvents.$inferInsert => ({
    at: clock.now(),
    actorId: actor.id,
    actorRole: actor.role,
    action: entry.action,
    subjectType: entry.subjectType,
    subjectId: entry.subjectId ?? null,
    personId: entry.personId ?? null,
    justification: entry.justification ?? null,
    requestId: actor.requestId,
    ip: actor.ip ?? null,
  });

  type Waiting = {
    row: typeof auditEvents.$inferInsert;
    resolve: () => void;
    reject: (error: unknown) => void;
  };
  let waiting: Waiting[] = [];
  let flushing: Promise<void> | null = null;

  async function flush(target: Db) {
    while (waiting.length > 0) {
      const batch = waiting.slice(0, MAX_BATCH);
      waiting = waiting.slice(batch.length);
      try {
        await target.insert(auditEvents).values(batch.map((w) => w.row));
        for (const w of batch) w.resolve();
      } catch (error) {
        for (const w of batch) w.reject(error);
      }
    }
    flushing = null;
  }

  return {
    async record(tx, actor, entry) {
      await tx.insert(auditEvents).values(toRow(actor, entry));
    },
    recordRead(actor, entry) {
      if (!db) return Promise.reject(new Error('createAuditLog: reads need a database handle'));
      return new Promise<void>((resolve, reject) => {
        waiting.push({ row: toRow(actor, entry), resolve, reject });
        flushing ??= flush(db);
      });
    },
  };
}
