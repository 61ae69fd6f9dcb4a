/**
 * What the complaints domain needs from others, as plain functions that app.ts wires to
 * their services (cases through correspondence's gateway): it never imports another
 * domain's service or repository.
 */
import type { Db, DbOrTx, Tx } from '../../db/client.js';
import type { ComplaintRow } from '../../db/schema/index.js';
import type { CaseGateway } from '../correspondence/gateway.js';
import type { DeadlinesService } from '../deadlines/service.js';
import type { WorkingCalendar } from '../lib/calendar.js';
import type { Clock } from '../lib/clock.js';
import type { Actor, AuditLog } from '../platform/audit.js';
import type { ComplaintsRepository } from './repository.js';

/** The shared clock (server/deadlines), as far as complaints use it. */
export type ComplaintClock = Pick<
  DeadlinesService,
  'recompute' | 'registerAdapter' | 'regimes' | 'calendar'
>;

/** The England and Wales working-day calendar from the clock's one calendar service. */
export interface ComplaintCalendar {
  version: number;
  calendar: WorkingCalendar;
}

/** The complaint's timers, stored by the clock in the caller's transaction. */
export interface ComplaintTimers {
  recompute(tx: Tx, row: ComplaintRow): Promise<void>;
}

export interface ComplainantInput {
  name: string;
  email?: string | null;
  phone?: string | null;
  address?: string | null;
  postcode?: string | null;
}

/** The contacts domain's linking rule (email, then phone) or a new contact, in `tx`. */
export interface ContactPort {
  resolve(
    tx: DbOrTx,
    actor: Actor,
    input: ComplainantInput,
  ): Promise<{ contact: { id: string }; matchedBy: string }>;
}

/** A correspondence case of type complaint, read with the viewer's own access (audited there). */
export interface CaseForComplaint {
  id: string;
  reference: string;
  type: string;
  channel: string;
  receivedAt: string;
  subject: string;
  body: string;
  contactId: string | null;
  contact: ComplainantInput | null;
}
export interface CasePort {
  forComplaint(actor: Actor, caseId: string): Promise<CaseForComplaint>;
}

/** A case as a complaint reads it, through correspondence's gateway (its audited `get`). */
export function casesThroughGateway(cases: Pick<CaseGateway, 'get'>): CasePort {
  return {
    async forComplaint(actor, caseId) {
      const found = await cases.get(actor, caseId);
      return {
        id: found.id,
        reference: found.reference,
        type: found.type,
        channel: found.channel,
        receivedAt: found.receivedAt,
        subject: found.subject,
        body: found.body,
        contactId: found.contact?.id ?? null,
        contact: found.contact,
      };
    },
  };
}

/** Queues an email through the ledger and outbox in `tx`; returns the email id. */
export interface MailPort {
  queue(
    tx: DbOrTx,
    email: {
      to: string;
      subject: string;
      text: string;
      subjectType?: string;
      subjectRef?: string;
      messageId?: string;
    },
  ): Promise<string>;
}

export interface ComplaintsDeps {
  db: Db;
  clock: Clock;
  audit: AuditLog;
  repo: ComplaintsRepository;
  timers: ComplaintTimers;
  calendar: (tx: DbOrTx) => Promise<ComplaintCalendar>;
  mail: MailPort;
  contacts: ContactPort;
  cases: CasePort;
  publicUrl: string;
  officeName: string;
  mailDomain: string;
}
