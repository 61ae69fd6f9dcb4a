import { randomUUID } from 'node:crypto';
import type { Tx } from '../../db/client.js';
import { findMove, type CaseStatus, type CaseType } from '../correspondence/workflow.js';
import type { Actor } from '../platform/audit.js';
import { AppError, validationError, type FieldErrors } from '../platform/errors.js';
import type { EmailAttachment, OutboundRow } from '../../db/schema/index.js';
import { appendToTimeline } from '../timeline/timeline.js';
import { viewerOf, type RepliesContext } from './context.js';
import {
  alreadySending,
  answerNeedsManager,
  cannotAnswer,
  caseNotFound,
  noEmailAddress,
} from './errors.js';
import {
  ANSWERING_PURPOSES,
  CONTROL,
  outboundView,
  REPLY_ATTACHMENT_LIMITS,
  REPLY_LIMITS,
  REPLY_SUBJECT_TYPE,
  type OutboundView,
  type ReplyInput,
} from './model.js';
import type { ReplyOutcomes } from './outcomes.js';
import { isUuid } from '../lib/uuid.js';

/** Refuses a reply that would answer a case §5 does not let this person answer now. */
function checkCanAnswer(actor: Actor, type: CaseType, status: CaseStatus) {
  const move = findMove(type, status, 'responded');
  if (!move) throw cannotAnswer(status);
  if (move.managerOnly && actor.role !== 'manager' && actor.role !== 'system')
    throw answerNeedsManager();
}

/** Sending a reply by email (queued) or post (recorded as sent). */
export function createSendCommand(ctx: RepliesContext, outcomes: ReplyOutcomes) {
  const { db, clock, audit, mail, cases, repo } = ctx;
  const { acknowledgeIfTemplateSays } = outcomes;
  /**
   * The case's files chosen to go with an email reply, read under the download rules: one
   * still being virus-checked, found infected or not on this case is a field error, not a
   * send (security §5: nothing unchecked leaves by our hand once scanning is on).
   */
  async function replyAttachments(actor: Actor, caseId: string, ids: string[]) {
    const files: EmailAttachment[] = [];
    let total = 0;
    for (const attachmentId of ids) {
      try {
        const file = await cases.attachment(actor, caseId, attachmentId);
        total += file.size;
        files.push({
          filename: file.filename,
          contentType: file.contentType,
          content: Buffer.from(file.data).toString('base64'),
        });
      } catch (error) {
        if (!(error instanceof AppError) || error.statusCode >= 500) throw error;
        throw validationError({
          attachmentIds: error.statusCode === 404 ? 'Choose files from the list' : error.message,
        });
      }
    }
    if (total > REPLY_ATTACHMENT_LIMITS.totalBytes)
      throw validationError({ attachmentIds: 'The files chosen must be 10 MB or less in all' });
    return files;
  }

  return {
    /**
     * Sends a reply. Email: the outbound message, its email row and outbox row in one
     * transaction (status queued; the case is answered when the email is sent). Post: the
     * letter is recorded as sent and, if it answers the case, the case is responded now.
     */
    async send(actor: Actor, caseId: string, input: ReplyInput): Promise<OutboundView> {
      const fields: FieldErrors = {};
      let subject = (input.subject ?? '').replace(/[\r\n\t]+/g, ' ').trim();
      if (!subject) fields.subject = 'Enter a subject';
      else if (subject.length > REPLY_LIMITS.subject + 20)
        fields.subject = `Subject must be ${REPLY_LIMITS.subject} characters or fewer`;
      else if (CONTROL.test(subject))
        fields.subject = 'The subject must not contain control characters';
      if (!input.body?.trim()) fields.body = 'Enter the text of the reply';
      else if (input.body.length > REPLY_LIMITS.body)
        fields.body = `The reply must be ${REPLY_LIMITS.body.toLocaleString('en-GB')} characters or fewer`;
      if (input.channel !== 'email' && input.channel !== 'post')
        fields.channel = 'Select how to send the reply';
      if (input.templateId !== undefined && !isUuid(input.templateId))
        fields.templateId = 'Select a template from the list';
      const attachmentIds = [...new Set(input.attachmentIds ?? [])];
      if (attachmentIds.length && input.channel !== 'email')
        fields.attachmentIds =
          'Files can only be sent with an email: print them and enclose them with the letter';
      else if (attachmentIds.length > REPLY_ATTACHMENT_LIMITS.files)
        fields.attachmentIds = `Choose up to ${REPLY_ATTACHMENT_LIMITS.files} files to send`;
      else if (attachmentIds.some((a) => !isUuid(a)))
        fields.attachmentIds = 'Choose files from the list';
      if (Object.keys(fields).length) throw validationError(fields);
      const attachments = await replyAttachments(actor, caseId, attachmentIds);

      return db.transaction(async (tx: Tx) => {
        const row = await cases.lock(tx, viewerOf(actor), caseId);
        if (!row) throw caseNotFound();
        const template = input.templateId ? await repo.template(tx, input.templateId) : undefined;
        if (input.templateId && !template)
          throw validationError({ templateId: 'Select a template from the list' });
        const responds =
          input.responds ?? (template ? ANSWERING_PURPOSES.includes(template.purpose) : true);
        if (responds) {
          checkCanAnswer(actor, row.type, row.status);
          if (await repo.pendingAnswer(tx, row.id)) throw alreadySending();
        }
        if (!subject.includes(`[${row.reference}]`)) subject = `${subject} [${row.reference}]`;
        const contact = await cases.contact(tx, row.contactId);
        const now = clock.now();
        const id = randomUUID();
        const common = {
          id,
          caseId: row.id,
          channel: input.channel,
          responds,
          templateId: template?.id ?? null,
          templateVersion: template?.version ?? null,
          subject,
          body: input.body,
          createdById: actor.id,
          createdAt: now,
        };
        // Either channel ends alike: the audit entry, then the reply as its sender sees it.
        const recorded = async (outbound: OutboundRow, action: string) => {
          await audit.record(tx, actor, {
            action,
            subjectType: 'case',
            subjectId: row.id,
            personId: row.contactId,
          });
          const sender = await repo.staff(tx, actor.id);
          return outboundView(outbound, sender?.name);
        };

        if (input.channel === 'email') {
          const to = contact?.email?.trim();
          if (!to) throw noEmailAddress();
          const inbound = await repo.latestInbound(tx, row.id, contact?.emailNorm ?? null);
          const messageId = `case-${row.id}.${id}@${ctx.mailDomain}`;
          const references = inbound
            ? [...(inbound.references ?? '').split(/\s+/), inbound.messageId]
                .map((r) => r.replace(/[<>]/g, '').trim())
                .filter(Boolean)
                .filter((r, i, all) => all.indexOf(r) === i)
                .join(' ')
            : null;
          const emailId = await mail.queue(tx, {
            to,
            subject,
            text: input.body,
            messageId,
            inReplyTo: inbound?.messageId,
            references: references ?? undefined,
            // §6: the answer must reach the mailbox we poll, so it threads onto this case.
            from: ctx.mailbox.from,
            replyTo: ctx.mailbox.address,
            automatic: false,
            subjectType: REPLY_SUBJECT_TYPE,
            subjectRef: id,
            ...(attachments.length ? { attachments } : {}),
          });
          const outbound = await repo.insertOutbound(tx, {
            ...common,
            status: 'queued',
            toAddress: to,
            emailId,
            messageId,
            inReplyTo: inbound?.messageId ?? null,
            references,
          });
          await appendToTimeline(tx, {
            caseId: row.id,
            at: now,
            actorId: actor.id,
            kind: 'reply_queued',
            data: { outboundId: id, emailId, channel: 'email', to, subject, responds },
          });
          return recorded(outbound, 'case.reply.queue');
        }

        const outbound = await repo.insertOutbound(tx, {
          ...common,
          status: 'sent',
          sentAt: now,
          toAddress: contact?.address ?? null,
        });
        await appendToTimeline(tx, {
          caseId: row.id,
          at: now,
          actorId: actor.id,
          kind: 'letter_sent',
          data: { outboundId: id, channel: 'post', subject, responds },
        });
        if (responds)
          await cases.transition(actor, row.id, { to: 'responded', version: row.version }, { tx });
        await acknowledgeIfTemplateSays(tx, actor, outbound);
        return recorded(outbound, 'case.reply.post');
      });
    },
  };
}
