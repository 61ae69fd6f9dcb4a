import type { Tx } from '../../db/client.js';
import { findMove } from '../correspondence/workflow.js';
import { STATUS_LABELS } from '../lib/labels.js';
import type { FailedEmail, SentEmail } from '../mail/service.js';
import { systemActor, type Actor } from '../platform/audit.js';
import { AppError } from '../platform/errors.js';
import { appendToTimeline } from '../timeline/timeline.js';
import { viewerOf, type RepliesContext } from './context.js';
import { REPLY_SUBJECT_TYPE } from './model.js';

/**
 * What happens after a reply leaves: the mail service reports an email reply sent or failed
 * (its `onOutcome` hook for subject type `reply`, registered here, so workers get it too);
 * a sent reply that answers the case moves it to responded, and one from an acknowledgement
 * template acknowledges the case.
 */
export function createReplyOutcomes(ctx: RepliesContext) {
  const { db, clock, audit, mail, cases, repo } = ctx;

  /**
   * A reply from an acknowledgement template acknowledges the case once it has gone: the
   * first time, `acknowledged_at` is written (the acknowledgement target is met) and a new
   * case is opened, as acknowledging it means it has been read and its type accepted.
   */
  async function acknowledgeIfTemplateSays(
    tx: Tx,
    actor: Actor,
    outbound: { caseId: string; templateId: string | null },
  ): Promise<void> {
    if (!outbound.templateId) return;
    const template = await repo.template(tx, outbound.templateId);
    if (template?.purpose !== 'acknowledgement') return;
    const row = await cases.lock(tx, { id: null, role: 'system' }, outbound.caseId);
    if (!row || row.acknowledgedAt) return;
    const now = clock.now();
    const updated = await cases.markAcknowledged(tx, row, now);
    if (updated && updated.status === 'new')
      await cases.transition(
        { ...actor, role: 'system' },
        row.id,
        { to: 'open', version: updated.version },
        { tx },
      );
  }

  /** Marks a queued email reply sent and, if it answers the case, moves the case on. */
  async function emailSent(email: SentEmail): Promise<void> {
    if (!email.subjectRef) return;
    await db.transaction(async (tx) => {
      const outbound = await repo.lockQueued(tx, email.subjectRef!);
      if (!outbound) return; // already recorded: a retried job
      await repo.markOutbound(tx, outbound.id, { status: 'sent', sentAt: email.sentAt });
      // The sender made the change; `system` because the §5 check was made when it was queued.
      const actor: Actor = { id: outbound.createdById, role: 'system', requestId: null };
      let answer: { id: string; version: number } | undefined;
      let note: string | null = null;
      if (outbound.responds) {
        const row = await cases.lock(tx, viewerOf(actor), outbound.caseId);
        if (row && row.status !== 'responded' && row.status !== 'closed') {
          if (findMove(row.type, row.status, 'responded'))
            answer = { id: row.id, version: row.version };
          else
            note = `The case was ${STATUS_LABELS[row.status].toLowerCase()}, so it was not marked responded`;
        }
      }
      await appendToTimeline(tx, {
        caseId: outbound.caseId,
        at: clock.now(),
        actorId: outbound.createdById,
        kind: 'reply_sent',
        data: {
          outboundId: outbound.id,
          emailId: email.id,
          channel: 'email',
          to: outbound.toAddress,
          subject: outbound.subject,
          answered: Boolean(answer),
          ...(note ? { note } : {}),
        },
      });
      if (answer) {
        try {
          await cases.transition(
            actor,
            answer.id,
            { to: 'responded', version: answer.version },
            { tx },
          );
        } catch (error) {
          // A refusal is checked before anything is written: record it rather than retry forever.
          if (!(error instanceof AppError) || error.statusCode >= 500) throw error;
          await appendToTimeline(tx, {
            caseId: outbound.caseId,
            at: clock.now(),
            actorId: null,
            kind: 'reply_not_answered',
            data: { outboundId: outbound.id, reason: error.message },
          });
        }
      }
      await acknowledgeIfTemplateSays(tx, actor, outbound);
      await audit.record(tx, systemActor(), {
        action: 'case.reply.sent',
        subjectType: 'case',
        subjectId: outbound.caseId,
      });
    });
  }

  /** A permanent failure: the reply is failed, the case stays unanswered, the assignee hears. */
  async function emailFailed(email: FailedEmail): Promise<void> {
    if (!email.subjectRef) return;
    await db.transaction(async (tx) => {
      const outbound = await repo.lockQueued(tx, email.subjectRef!);
      if (!outbound) return;
      const now = clock.now();
      await repo.markOutbound(tx, outbound.id, {
        status: 'failed',
        failedAt: now,
        error: email.error.slice(0, 1000),
      });
      const row = await cases.find(tx, { id: null, role: 'system' }, outbound.caseId);
      await appendToTimeline(tx, {
        caseId: outbound.caseId,
        at: now,
        actorId: null,
        kind: 'reply_failed',
        data: {
          outboundId: outbound.id,
          emailId: email.id,
          to: outbound.toAddress,
          subject: outbound.subject,
          error: email.error.slice(0, 500),
        },
      });
      // Alert whoever holds the case (or the sender). Never the case subject: it may be restricted.
      const alertTo = await repo.staff(tx, row?.assigneeId ?? outbound.createdById);
      if (alertTo?.email && !alertTo.disabledAt && row) {
        await mail.queue(tx, {
          to: alertTo.email,
          subject: `A reply could not be delivered [${row.reference}]`,
          text: [
            `Dear ${alertTo.name},`,
            '',
            `The email reply on case ${row.reference} could not be delivered. The mail server said: ${email.error.slice(0, 300)}`,
            '',
            'The case has not been marked as responded. Check the address, then reply again or send the reply by post.',
            '',
            `Open the case: /casework/${row.id}`,
          ].join('\n'),
          automatic: true,
          subjectType: 'reply-alert',
          subjectRef: outbound.id,
        });
      }
      await audit.record(tx, systemActor(), {
        action: 'case.reply.failed',
        subjectType: 'case',
        subjectId: outbound.caseId,
      });
    });
  }

  mail.onOutcome(REPLY_SUBJECT_TYPE, { sent: emailSent, failed: emailFailed });
  return { acknowledgeIfTemplateSays, emailSent, emailFailed };
}
export type ReplyOutcomes = ReturnType<typeof createReplyOutcomes>;
