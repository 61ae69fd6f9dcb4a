import type { DbOrTx } from '../../db/client.js';
import type { Actor, AuditLog } from '../platform/audit.js';

/**
 * Surgeries' audit entries by what they are about, so each subject type is spelled once:
 * `audited.booking(tx, actor, 'surgeries.booking.move', booking.id)`. A justification, when
 * given, is the entry's own (otherwise the request's, as for every audit entry).
 */
export function surgeryAudit(audit: AuditLog) {
  const about =
    (subjectType: string) =>
    (tx: DbOrTx, actor: Actor, action: string, subjectId: string, justification?: string | null) =>
      audit.record(tx, actor, { action, subjectType, subjectId, justification });
  return {
    booking: about('surgery_booking'),
    waiting: about('surgery_waitlist'),
    conversation: about('street_conversation'),
  };
}
