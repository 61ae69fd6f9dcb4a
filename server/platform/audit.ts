import type { DbOrTx } from '../../db/client.js';
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
}

export function createAuditLog(clock: Clock): AuditLog {
  return {
    async record(tx, actor, entry) {
      await tx.insert(auditEvents).values({
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
    },
  };
}
