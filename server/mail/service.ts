import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client.js';
import { devMailbox, emailMessages, type EmailAttachment } from '../../db/schema/index.js';
import type { Clock } from '../lib/clock.js';
import { enqueue } from '../platform/outbox.js';
import type { Actor, AuditLog } from '../platform/audit.js';
import { isMailboxRefusal, type SuppressionList } from './suppressions.js';
import type { MailTransport } from './transport.js';
import { headerSafe } from './header-safe.js';

/** A calendar attachment, so the mailbox shows how .ics invitations arrive. */
function testInvite(now: Date): EmailAttachment {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  const ics = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//OPCC//casework//EN',
    'BEGIN:VEVENT',
    `UID:test-${stamp}@opcc`,
    `DTSTAMP:${stamp}`,
    `DTSTART:${stamp}`,
    'SUMMARY:Test calendar entry',
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ].join('\r\n');
  return {
    filename: 'test.ics',
    contentType: 'text/calendar; charset=utf-8',
    content: Buffer.from(ics).toString('base64'),
  };
}

export interface OutgoingEmail {
  to: string;
  subject: string;
  text: string;
  attachments?: EmailAttachment[];
  /** Message-ID without angle brackets; generated from the row id when absent. */
  messageId?: string;
  inReplyTo?: string;
  references?: string;
  /** The From header, when not the service's default (MAIL_FROM). */
  from?: string;
  /** Where answers should go (a Reply-To header); none by default. */
  replyTo?: string;
  /** Automatic mail says so (RFC 3834), so auto-responders do not answer it. */
  automatic?: boolean;
  subjectType?: string;
  subjectRef?: string;
  /**
   * `outbox` (the default): the email job sends it. `caller`: no job; the caller sends it
   * with `send(id)` when it decides (a reminder re-checked under a row lock).
   */
  delivery?: 'outbox' | 'caller';
  /** The email job's id when the domain names it (one job per key); `outbox-{row}` otherwise. */
  jobId?: string;
}

/**
 * Fills in, just before sending, what must not be stored with the email (a manage link is
 * a bearer token: only its hash is kept). Must give the same text every time it is asked.
 */
export type MailRenderer = (email: {
  id: string;
  subjectRef: string | null;
  text: string;
}) => string | Promise<string>;

export type SendResult =
  'sent' | 'already-sent' | 'failed-permanently' | 'suppressed' | 'cancelled' | 'missing';

/** What a domain learns when one of its emails reaches a final state. */
export interface SentEmail {
  id: string;
  subjectRef: string | null;
  sentAt: Date;
}
export interface FailedEmail {
  id: string;
  subjectRef: string | null;
  error: string;
}

/**
 * Follow-up work for emails of one `subject_type` (replies mark the case responded only
 * once the email is really sent). Handlers run after the row is final, in their own
 * transaction, and again whenever a retried job finds the row already final: they must be
 * idempotent. A handler that throws makes the job retry without sending the email again.
 */
export interface MailOutcomeHandler {
  sent?(email: SentEmail): Promise<void>;
  failed?(email: FailedEmail): Promise<void>;
}

export class TransientMailError extends Error {}
export class PermanentMailError extends Error {}

/**
 * A deadline for one send: an SMTP server that accepts and never answers would otherwise hold
 * the caller, and any row lock it holds, for nodemailer's minutes-long socket timeout. The
 * signal ends the attempt itself (nodemailer closes the connection), so a server that has not
 * had the whole message by the deadline never gets it: a send given up on cannot arrive after
 * what the released lock let through next (a reminder after its booking's cancellation).
 * `race` rejects at the deadline for every transport, as the development mailbox ignores the
 * signal once it has the message.
 */
function sendDeadline(ms: number) {
  const signal = AbortSignal.timeout(ms);
  const noAnswer = () => new Error(`No answer from the mail server within ${ms / 1000} s`);
  return {
    signal,
    race<T>(work: Promise<T>): Promise<T> {
      work.catch(() => undefined);
      return new Promise<T>((resolve, reject) => {
        signal.addEventListener('abort', () => reject(noAnswer()), { once: true });
        work.then(resolve, (error: Error) => reject(signal.aborted ? noAnswer() : error));
      });
    },
  };
}

function isPermanent(error: unknown): boolean {
  const code = (error as { responseCode?: number }).responseCode;
  return typeof code === 'number' && code >= 500 && code < 600;
}

export function createMailService(deps: {
  db: Db;
  clock: Clock;
  transport: MailTransport;
  from: string;
  domain: string;
  /** The shared list: a mailbox refusal adds the address; a listed address is not sent to. */
  suppressions: SuppressionList;
}) {
  const { db, clock, transport, suppressions } = deps;
  const handlers = new Map<string, MailOutcomeHandler>();
  const renderers = new Map<string, MailRenderer>();

  /** The follow-up registered for a message's `subject_type`, told once it is sent or failed. */
  type Outcome = { id: string; subjectType: string | null; subjectRef: string | null };
  const handlerOf = (row: Outcome) => (row.subjectType ? handlers.get(row.subjectType) : undefined);
  async function afterSent(row: Outcome & { sentAt: Date | null }) {
    await handlerOf(row)?.sent?.({
      id: row.id,
      subjectRef: row.subjectRef,
      sentAt: row.sentAt ?? clock.now(),
    });
  }
  async function afterFailed(row: Outcome & { error: string | null }) {
    await handlerOf(row)?.failed?.({
      id: row.id,
      subjectRef: row.subjectRef,
      error: row.error ?? 'failed',
    });
  }

  return {
    /** Registers the follow-up for one `subject_type` (at most one handler each). */
    onOutcome(subjectType: string, handler: MailOutcomeHandler): void {
      handlers.set(subjectType, handler);
    },

    /** Registers the last-moment text filler for one `subject_type` (at most one each). */
    onRender(subjectType: string, renderer: MailRenderer): void {
      renderers.set(subjectType, renderer);
    },

    /** Writes the email row and its outbox row in the caller's transaction. */
    async queue(tx: DbOrTx, email: OutgoingEmail): Promise<string> {
      const id = crypto.randomUUID();
      await tx.insert(emailMessages).values({
        id,
        to: headerSafe(email.to),
        subject: headerSafe(email.subject),
        textBody: email.text,
        attachments: email.attachments ?? [],
        headers:
          email.automatic === false
            ? {}
            : { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' },
        messageId: email.messageId ?? `email-${id}@${deps.domain}`,
        inReplyTo: email.inReplyTo ?? null,
        references: email.references ?? null,
        fromAddress: email.from ? headerSafe(email.from) : null,
        replyTo: email.replyTo ? headerSafe(email.replyTo) : null,
        subjectType: email.subjectType ?? null,
        subjectRef: email.subjectRef ?? null,
      });
      if (email.delivery !== 'caller')
        await enqueue(
          tx,
          'email',
          email.jobId ? { emailId: id, jobId: email.jobId } : { emailId: id },
        );
      return id;
    },

    /**
     * Sends one email row, at most once in effect. `sent` and `failed` rows are final; a row
     * left `sending` by a crash is sent again with the same Message-ID.
     */
    async send(emailId: string, opts: { timeoutMs?: number } = {}): Promise<SendResult> {
      const [claimed] = await db
        .update(emailMessages)
        .set({
          status: 'sending',
          attempts: sql`${emailMessages.attempts} + 1`,
          lastAttemptAt: clock.now(),
        })
        .where(
          and(eq(emailMessages.id, emailId), inArray(emailMessages.status, ['queued', 'sending'])),
        )
        .returning();
      if (!claimed) {
        const [existing] = await db
          .select({
            id: emailMessages.id,
            status: emailMessages.status,
            subjectType: emailMessages.subjectType,
            subjectRef: emailMessages.subjectRef,
            sentAt: emailMessages.sentAt,
            error: emailMessages.error,
          })
          .from(emailMessages)
          .where(eq(emailMessages.id, emailId));
        if (!existing) return 'missing';
        // Cancelled by an erasure (Art 17): nothing to send and nothing to follow up.
        if (existing.status === 'cancelled') return 'cancelled';
        // A retry after a handler failed: the email stays sent once, the follow-up runs again.
        if (existing.status === 'sent') {
          await afterSent(existing);
          return 'already-sent';
        }
        await afterFailed(existing);
        return 'failed-permanently';
      }
      // An address that refused mail for good (a 550 to an earlier email) is not tried again:
      // the email ends `suppressed`, its job completes, and staff see why.
      if (await suppressions.isSuppressed(db, claimed.to)) {
        const error = 'not sent: the address refused mail before and is suppressed';
        await db
          .update(emailMessages)
          .set({ status: 'suppressed', error })
          .where(eq(emailMessages.id, emailId));
        await afterFailed({ ...claimed, error });
        return 'suppressed';
      }
      let sentAt: Date;
      try {
        const renderer = claimed.subjectType ? renderers.get(claimed.subjectType) : undefined;
        const text = renderer
          ? await renderer({
              id: claimed.id,
              subjectRef: claimed.subjectRef,
              text: claimed.textBody,
            })
          : claimed.textBody;
        const deadline = opts.timeoutMs ? sendDeadline(opts.timeoutMs) : undefined;
        const sending = transport.transporter.sendMail({
          ...(deadline ? { signal: deadline.signal } : {}),
          from: claimed.fromAddress ?? deps.from,
          ...(claimed.replyTo ? { replyTo: claimed.replyTo } : {}),
          to: claimed.to,
          subject: claimed.subject,
          text,
          messageId: `<${claimed.messageId}>`,
          ...(claimed.inReplyTo ? { inReplyTo: `<${claimed.inReplyTo}>` } : {}),
          ...(claimed.references
            ? {
                references: claimed.references
                  .split(/\s+/)
                  .map((r) => `<${r.replace(/[<>]/g, '')}>`),
              }
            : {}),
          headers: claimed.headers,
          attachments: claimed.attachments.map((a) => ({
            filename: a.filename,
            contentType: a.contentType,
            content: Buffer.from(a.content, 'base64'),
          })),
        });
        const info = (await (deadline ? deadline.race(sending) : sending)) as {
          response?: string;
        };
        sentAt = clock.now();
        await db
          .update(emailMessages)
          .set({
            status: 'sent',
            sentAt,
            providerResponse: String(info.response ?? ''),
            error: null,
          })
          .where(eq(emailMessages.id, emailId));
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (isPermanent(error)) {
          await db.transaction(async (tx) => {
            await tx
              .update(emailMessages)
              .set({ status: 'failed', error: message, providerResponse: message })
              .where(eq(emailMessages.id, emailId));
            if (isMailboxRefusal(error))
              await suppressions.suppress(tx, claimed.to, 'hard_bounce', clock.now());
          });
          await afterFailed({ ...claimed, error: message });
          throw new PermanentMailError(message);
        }
        await db.update(emailMessages).set({ error: message }).where(eq(emailMessages.id, emailId));
        throw new TransientMailError(message);
      }
      await afterSent({ ...claimed, sentAt });
      return 'sent';
    },

    /** A test message from the admin page: proves outbox, relay, queue and mailer end to end. */
    async queueTest(to: string, actor: Actor, audit: AuditLog): Promise<string> {
      return db.transaction(async (tx) => {
        const id = await this.queue(tx, {
          to,
          subject: 'Test email from OPCC casework',
          text: `This is a test email sent at ${clock.now().toISOString()} to check that mail is delivered.\n\nNo action is needed.`,
          attachments: [testInvite(clock.now())],
          subjectType: 'test',
        });
        await audit.record(tx, actor, { action: 'mail.test', subjectType: 'email', subjectId: id });
        return id;
      });
    },

    /** The email row with this Message-ID (without `<>`), if one was written. */
    async idByMessageId(messageId: string): Promise<string | undefined> {
      const [row] = await db
        .select({ id: emailMessages.id })
        .from(emailMessages)
        .where(eq(emailMessages.messageId, messageId));
      return row?.id;
    },

    async recent(limit = 50) {
      return db.select().from(emailMessages).orderBy(desc(emailMessages.createdAt)).limit(limit);
    },
    async failed() {
      return db
        .select()
        .from(emailMessages)
        .where(inArray(emailMessages.status, ['failed', 'suppressed']))
        .orderBy(desc(emailMessages.createdAt))
        .limit(200);
    },
    async devMailbox(limit = 100) {
      return db
        .select({
          id: devMailbox.id,
          subject: devMailbox.subject,
          envelopeTo: devMailbox.envelopeTo,
          receivedAt: devMailbox.receivedAt,
        })
        .from(devMailbox)
        .orderBy(desc(devMailbox.receivedAt))
        .limit(limit);
    },
    async devMessage(id: string) {
      const [row] = await db.select().from(devMailbox).where(eq(devMailbox.id, id));
      return row;
    },
  };
}
export type MailService = ReturnType<typeof createMailService>;
