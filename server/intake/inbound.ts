/**
 * Inbound email (docs/rules/correspondence.md §2): one entry point, `ingestRawEmail(raw)`, for
 * every adapter (the IMAP poll, the integration endpoint, an SMTP hook). Each message is
 * stored once, keyed by its Message-ID, in the same transaction as the case change it
 * causes: a refetched or redelivered message is recognised and skipped.
 */
import { and, eq, inArray } from 'drizzle-orm';
import { simpleParser } from 'mailparser';
import type { Db, Tx } from '../../db/client.js';
import { emailMessages, inboundMessages } from '../../db/schema/index.js';
import { normaliseEmail } from '../contacts/normalise.js';
import { LIMITS, type CaseGateway } from '../correspondence/gateway.js';
import type { Clock } from '../lib/clock.js';
import { headerSafe } from '../mail/header-safe.js';
import { systemActor, type Actor, type AuditLog } from '../platform/audit.js';
import { emptyMessage, messageTooLarge } from './errors.js';
import {
  automatedReason,
  headerText,
  idsIn,
  messageKeyOf,
  rawHeaderBlock,
  recipientsOf,
  senderOf,
  threadIds,
} from './email.js';
import { appendToTimeline } from '../timeline/timeline.js';
import { isUuid } from '../lib/uuid.js';

/** Flags a caseworker sees in the "Needs attention" view (domain §2). */
export const FLAG_CLOSED = 'New email on closed case';
export const FLAG_REPLY = 'Reply received';

export const MAX_INBOUND_BYTES = 10 * 1024 * 1024;

export type ThreadedBy = 'in_reply_to' | 'reference' | 'new';

export interface IngestOptions {
  /** When it reached us (the IMAP INTERNALDATE); never later than now. Default: now. */
  receivedAt?: Date;
  /** Which adapter delivered it. */
  via?: 'imap' | 'api' | 'smtp';
  actor?: Actor;
}

export interface IngestResult {
  /** The stored inbound message (the first delivery's, for a duplicate). */
  inboundId: string;
  messageKey: string;
  caseId: string | null;
  reference: string | null;
  /** True when this delivery opened a new case. */
  created: boolean;
  /** True when the message was already stored: nothing was changed. */
  duplicate: boolean;
  automated: boolean;
  threadedBy: ThreadedBy | null;
  /** A flag this message raised on its case, if any. */
  flag: string | null;
}

const REFERENCE_IN_SUBJECT = /\[(OPCC-\d{4}-\d{5,})\]/gi;
const ADDRESS = /^[^\s@<>()",;:]+@[^\s@<>()",;:]+\.[^\s@<>()",;:]+$/;
// eslint-disable-next-line no-control-regex -- PostgreSQL text cannot hold NUL
const NUL = /\u0000/g;
const SYSTEM_VIEWER = { id: null, role: 'system' } as const;

const TRUNCATED = '\n\n[Truncated: the full email is stored with the case.]';

export function createInboundService(deps: {
  db: Db;
  clock: Clock;
  audit: AuditLog;
  /** Cases, through correspondence's public entry point. */
  cases: CaseGateway;
  /** Our Message-ID domain: `case-{caseId}.{id}@domain` ids name their case. */
  mailDomain: string;
}) {
  const { db, clock, audit, cases } = deps;
  const escapedDomain = deps.mailDomain.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const OUR_CASE_ID = new RegExp(
    `^case-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\\.[^@]+@${escapedDomain}$`,
    'i',
  );

  /** Rule 1: In-Reply-To or References names a message we stored or sent on a case. */
  async function caseByThread(tx: Tx, ids: string[]): Promise<string | undefined> {
    if (ids.length === 0) return undefined;
    const [inbound, outbound] = await Promise.all([
      tx
        .select({ id: inboundMessages.messageKey, caseId: inboundMessages.caseId })
        .from(inboundMessages)
        .where(inArray(inboundMessages.messageKey, ids)),
      tx
        .select({ id: emailMessages.messageId, caseId: emailMessages.subjectRef })
        .from(emailMessages)
        .where(and(inArray(emailMessages.messageId, ids), eq(emailMessages.subjectType, 'case'))),
    ]);
    const known = new Map<string, string>();
    for (const row of [...inbound, ...outbound])
      if (row.caseId && isUuid(row.caseId) && !known.has(row.id)) known.set(row.id, row.caseId);
    for (const id of ids) {
      // Our replies' ids name their case even if the row is not (yet) where we look.
      const caseId = known.get(id) ?? OUR_CASE_ID.exec(id)?.[1];
      if (caseId && (await cases.find(tx, SYSTEM_VIEWER, caseId))) return caseId;
    }
    return undefined;
  }

  /** Rule 2: `[OPCC-2026-00123]` in the subject, sent by that case's contact. */
  async function caseByReference(
    tx: Tx,
    subject: string,
    fromNorm: string | null,
  ): Promise<string | undefined> {
    if (!fromNorm) return undefined;
    for (const match of subject.matchAll(REFERENCE_IN_SUBJECT)) {
      const found = await cases.findByReference(tx, SYSTEM_VIEWER, match[1]!);
      if (!found) continue;
      const row = await cases.find(tx, SYSTEM_VIEWER, found.id);
      const contact = await cases.contact(tx, row?.contactId ?? null);
      if (contact?.emailNorm && contact.emailNorm === fromNorm) return found.id;
    }
    return undefined;
  }

  /** Appends the email to the case's timeline and raises the flag its status calls for. */
  async function joinCase(
    tx: Tx,
    actor: Actor,
    caseId: string,
    inbound: {
      id: string;
      subject: string;
      receivedAt: Date;
      automated: boolean;
      fromAddress: string | null;
    },
    threadedBy: ThreadedBy,
  ) {
    const row = await cases.lock(tx, SYSTEM_VIEWER, caseId);
    if (!row) throw new Error(`case ${caseId} vanished while threading`);
    const now = clock.now();
    // Auto-replies and bounces are recorded but raise nothing: an out-of-office is not a reply.
    const flag = inbound.automated
      ? null
      : row.status === 'closed'
        ? FLAG_CLOSED
        : row.status === 'awaiting_requester'
          ? FLAG_REPLY
          : null;
    if (flag && !row.flags.includes(flag)) {
      const updated = await cases.addFlag(tx, row, flag, now);
      if (!updated) throw new Error(`case ${caseId} changed under its row lock`);
    }
    await appendToTimeline(tx, {
      caseId: row.id,
      at: now,
      actorId: actor.id,
      kind: 'email_in',
      data: {
        inboundId: inbound.id,
        from: inbound.fromAddress,
        subject: inbound.subject,
        receivedAt: inbound.receivedAt.toISOString(),
        threadedBy,
        automated: inbound.automated,
        ...(flag ? { flag } : {}),
      },
    });
    await audit.record(tx, actor, {
      action: 'case.email_in',
      subjectType: 'case',
      subjectId: row.id,
      personId: row.contactId,
    });
    return { reference: row.reference, flag };
  }

  async function ingestRawEmail(
    raw: Buffer | string,
    options: IngestOptions = {},
  ): Promise<IngestResult> {
    const bytes = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
    if (bytes.length === 0) throw emptyMessage();
    if (bytes.length > MAX_INBOUND_BYTES) throw messageTooLarge();
    const parsed = await simpleParser(bytes, { skipImageLinks: true, skipTextToHtml: true });
    const { key: messageKey, messageId } = messageKeyOf(parsed);
    const reason = automatedReason(parsed);
    const automated = reason !== null;
    const sender = senderOf(parsed);
    const fromAddress =
      sender.address && sender.address.length <= LIMITS.email && ADDRESS.test(sender.address)
        ? sender.address
        : null;
    const fromNorm = normaliseEmail(fromAddress);
    const subject = headerSafe((parsed.subject ?? '').replace(NUL, ''));
    const text = (parsed.text ?? '').replace(NUL, '');
    const now = clock.now();
    const arrived = options.receivedAt ?? now;
    // Never future-dated (a server clock ahead of ours), never unparseable.
    const receivedAt =
      Number.isNaN(arrived.getTime()) || arrived.getTime() > now.getTime() ? now : arrived;
    const actor = options.actor ?? systemActor();
    const ids = threadIds(parsed);

    return db.transaction(async (tx) => {
      const [stored] = await tx
        .insert(inboundMessages)
        .values({
          messageKey,
          messageId,
          fromAddress: sender.address,
          fromName: sender.name ? headerSafe(sender.name) : null,
          toAddresses: recipientsOf(parsed),
          subject,
          sentAt: parsed.date && !Number.isNaN(parsed.date.getTime()) ? parsed.date : null,
          receivedAt,
          inReplyTo: headerText(parsed, 'in-reply-to') ?? null,
          references: idsIn(headerText(parsed, 'references')).join(' ') || null,
          automated,
          automatedReason: reason,
          textBody: text,
          rawHeaders: rawHeaderBlock(bytes).replace(NUL, ''),
          raw: bytes,
          size: bytes.length,
          via: options.via ?? 'api',
          createdAt: now,
        })
        .onConflictDoNothing({ target: inboundMessages.messageKey })
        .returning({ id: inboundMessages.id });

      if (!stored) {
        // Seen before (a refetch after a crash, a second adapter): answer as the first time.
        const [first] = await tx
          .select({
            id: inboundMessages.id,
            caseId: inboundMessages.caseId,
            automated: inboundMessages.automated,
            threadedBy: inboundMessages.threadedBy,
          })
          .from(inboundMessages)
          .where(eq(inboundMessages.messageKey, messageKey));
        const row = first?.caseId ? await cases.find(tx, SYSTEM_VIEWER, first.caseId) : undefined;
        return {
          inboundId: first!.id,
          messageKey,
          caseId: first?.caseId ?? null,
          reference: row?.reference ?? null,
          created: false,
          duplicate: true,
          automated: first?.automated ?? automated,
          threadedBy: (first?.threadedBy as ThreadedBy | null) ?? null,
          flag: null,
        };
      }

      let caseId: string | undefined;
      let threadedBy: ThreadedBy | null = null;
      let reference: string | null = null;
      let flag: string | null = null;
      let created = false;

      caseId = await caseByThread(tx, ids);
      if (caseId) threadedBy = 'in_reply_to';
      else {
        caseId = await caseByReference(tx, subject, fromNorm);
        if (caseId) threadedBy = 'reference';
      }

      if (caseId && threadedBy) {
        ({ reference, flag } = await joinCase(
          tx,
          actor,
          caseId,
          { id: stored.id, subject, receivedAt, automated, fromAddress },
          threadedBy,
        ));
      } else if (!automated) {
        // Rule 3: a new general case, acknowledged (at most 3 a day per address) by createCase.
        const body =
          text.trim().length === 0
            ? '(This email had no text.)'
            : text.length > LIMITS.body
              ? text.slice(0, LIMITS.body - TRUNCATED.length) + TRUNCATED
              : text;
        const name =
          (sender.name ? headerSafe(sender.name) : '') || fromAddress || 'Unknown sender';
        const result = await cases.createCase(
          actor,
          {
            type: 'general',
            channel: 'email',
            receivedAt,
            subject: (subject || '(no subject)').slice(0, LIMITS.subject),
            body,
            contact: { name: name.slice(0, LIMITS.name), email: fromAddress },
            source: { type: 'email', id: messageKey },
          },
          { tx },
        );
        caseId = result.id;
        reference = result.reference;
        created = !result.duplicate;
        threadedBy = 'new';
      }

      if (caseId)
        await tx
          .update(inboundMessages)
          .set({ caseId, threadedBy })
          .where(eq(inboundMessages.id, stored.id));
      return {
        inboundId: stored.id,
        messageKey,
        caseId: caseId ?? null,
        reference,
        created,
        duplicate: false,
        automated,
        threadedBy,
        flag,
      };
    });
  }

  return { ingestRawEmail };
}
export type InboundService = ReturnType<typeof createInboundService>;
