import type { Db } from '../../db/client.js';
import type { CaseGateway } from '../correspondence/gateway.js';
import type { Clock } from '../lib/clock.js';
import type { AuditLog } from '../platform/audit.js';
import { createContactService } from './contact.js';
import { createInboundService } from './inbound.js';

/** Intake: the public contact form and inbound email, both ending in `createCase`. */
export function createIntakeService(deps: {
  db: Db;
  clock: Clock;
  audit: AuditLog;
  /** Cases, through correspondence's public entry point. */
  cases: CaseGateway;
  mailDomain: string;
  /** The mailbox `mail-poll` reads; absent, nothing is polled or scheduled. */
  imapUrl: string | undefined;
}) {
  const contact = createContactService(deps);
  const inbound = createInboundService(deps);
  return {
    submitContact: contact.submit,
    /** Deletes public-form idempotency keys older than 24 h (the `idempotency-sweep` job). */
    sweepIdempotencyKeys: contact.sweepExpiredKeys,
    ingestRawEmail: inbound.ingestRawEmail,
    imapUrl: deps.imapUrl,
  };
}
export type IntakeService = ReturnType<typeof createIntakeService>;
