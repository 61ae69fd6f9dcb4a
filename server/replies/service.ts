import { randomUUID } from 'node:crypto';
import type { Db, Tx } from '../../db/client.js';
import { TEMPLATE_PURPOSES } from '../../db/schema/replies.js';
import { londonDate } from '../correspondence/due.js';
import { createCorrespondenceRepository, isUuid } from '../correspondence/repository.js';
import type { CaseDetail, CorrespondenceService } from '../correspondence/service.js';
import {
  CASE_TYPES,
  findMove,
  STATUS_LABELS,
  TYPE_LABELS,
  type CaseType,
} from '../correspondence/workflow.js';
import type { Clock } from '../lib/clock.js';
import { formatDate } from '../lib/format.js';
import type { FailedEmail, MailService, SentEmail } from '../mail/service.js';
import { systemActor, type Actor, type AuditLog } from '../platform/audit.js';
import { AppError, notFound, validationError, type FieldErrors } from '../platform/errors.js';
import {
  checkTemplateText,
  icoRightsText,
  MergeError,
  renderTemplate,
  type MergeValues,
} from './merge.js';
import {
  createRepliesRepository,
  TemplateVersionTaken,
  type OutboundRow,
  type RepliesRepository,
  type TemplateRow,
} from './repository.js';
import { appendToTimeline } from '../timeline/timeline.js';

export type TemplatePurpose = (typeof TEMPLATE_PURPOSES)[number];
export { TEMPLATE_PURPOSES };

export const TEMPLATE_LIMITS = { name: 100, subject: 200, body: 20_000 };
export const REPLY_LIMITS = { subject: 200, body: 20_000 };

/** The email subject type whose outcomes this domain follows (mail service `onOutcome`). */
export const REPLY_SUBJECT_TYPE = 'reply';

export const PURPOSE_LABELS: Record<TemplatePurpose, string> = {
  acknowledgement: 'Acknowledgement',
  response: 'Response (answers the case)',
  holding: 'Holding reply',
  clarification: 'Request for clarification',
  general: 'General',
};

/** Sending a reply from one of these answers the case unless the sender says otherwise. */
const ANSWERING_PURPOSES: readonly TemplatePurpose[] = ['response', 'general'];

export interface TemplateInput {
  name: string;
  purpose: string;
  caseTypes?: string[];
  subject: string;
  body: string;
}

export interface TemplateView {
  id: string;
  familyId: string;
  version: number;
  name: string;
  purpose: TemplatePurpose;
  caseTypes: string[];
  subject: string;
  body: string;
  createdAt: string;
}

export interface ReplyInput {
  templateId?: string;
  subject: string;
  body: string;
  channel: 'email' | 'post';
  /** Whether sending it answers the case; by default, yes unless the template is not a response. */
  responds?: boolean;
}

export interface OutboundView {
  id: string;
  caseId: string;
  channel: 'email' | 'post';
  status: 'queued' | 'sent' | 'failed';
  responds: boolean;
  templateId: string | null;
  templateVersion: number | null;
  to: string | null;
  subject: string;
  body: string;
  emailId: string | null;
  messageId: string | null;
  inReplyTo: string | null;
  references: string | null;
  sender: { id: string; name: string } | null;
  createdAt: string;
  sentAt: string | null;
  failedAt: string | null;
  error: string | null;
}

export interface Composition {
  detail: CaseDetail;
  templates: TemplateView[];
  template: TemplateView | null;
  subject: string;
  body: string;
  mergeError: string | null;
  replies: OutboundView[];
  /** Where an email reply would go, when the requester has an address. */
  emailTo: string | null;
  /** Whether a reply now would move the case to responded, and who may send it. */
  canAnswer: boolean;
  answerNeedsManager: boolean;
}

// eslint-disable-next-line no-control-regex -- control characters are exactly what we refuse
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
const iso = (value: Date | null) => (value ? value.toISOString() : null);
const templateView = (row: TemplateRow): TemplateView => ({
  id: row.id,
  familyId: row.familyId,
  version: row.version,
  name: row.name,
  purpose: row.purpose,
  caseTypes: row.caseTypes,
  subject: row.subject,
  body: row.body,
  createdAt: row.createdAt.toISOString(),
});
const outboundView = (row: OutboundRow, senderName?: string | null): OutboundView => ({
  id: row.id,
  caseId: row.caseId,
  channel: row.channel,
  status: row.status,
  responds: row.responds,
  templateId: row.templateId,
  templateVersion: row.templateVersion,
  to: row.toAddress,
  subject: row.subject,
  body: row.body,
  emailId: row.emailId,
  messageId: row.messageId,
  inReplyTo: row.inReplyTo,
  references: row.references,
  sender: row.createdById ? { id: row.createdById, name: senderName ?? 'Unknown' } : null,
  createdAt: row.createdAt.toISOString(),
  sentAt: iso(row.sentAt),
  failedAt: iso(row.failedAt),
  error: row.error,
});

export const templateOffered = (template: { caseTypes: string[] }, type: string) =>
  template.caseTypes.length === 0 || template.caseTypes.includes(type);

/** The email subject §6 asks for: `Re: {subject} [OPCC-2026-00123]`. */
export const replySubject = (caseSubject: string, reference: string) =>
  `Re: ${caseSubject.replace(/^\s*re:\s*/i, '').trim()} [${reference}]`;

/** `"Name" <address>`: the display name of MAIL_FROM on the polled mailbox's address. */
export function mailboxSender(mailFrom: string, mailbox: string): string {
  const name = /^\s*"?([^"<]*?)"?\s*<[^>]*>\s*$/.exec(mailFrom)?.[1]?.trim();
  return name ? `"${name}" <${mailbox}>` : mailbox;
}

/**
 * Reply templates (versioned, merge fields only) and replies to cases. An email reply is
 * queued with its outbox row; the case becomes responded only when the email job reports
 * the email sent (the mail service's `onOutcome` hook for subject type `reply`). A letter
 * is recorded as posted and answers the case at once.
 */
export function createRepliesService(deps: {
  db: Db;
  clock: Clock;
  audit: AuditLog;
  mail: MailService;
  correspondence: CorrespondenceService;
  mailDomain: string;
  /** The polled mailbox (§6): From and Reply-To of every email reply. */
  mailbox: { address: string; from: string };
  officeName: string;
  officeAddress: string;
  repo?: RepliesRepository;
}) {
  const { db, clock, audit, mail, correspondence } = deps;
  const repo = deps.repo ?? createRepliesRepository();
  const cases = createCorrespondenceRepository();
  const viewerOf = (actor: Actor) => ({ id: actor.id, role: actor.role });
  const caseNotFound = () => notFound('Case not found');

  function checkTemplate(input: TemplateInput): FieldErrors {
    const fields: FieldErrors = {};
    const name = input.name?.trim() ?? '';
    if (!name) fields.name = 'Enter a name for the template';
    else if (name.length > TEMPLATE_LIMITS.name)
      fields.name = `Name must be ${TEMPLATE_LIMITS.name} characters or fewer`;
    if (!(TEMPLATE_PURPOSES as readonly string[]).includes(input.purpose))
      fields.purpose = 'Select what the template is for';
    const unknownTypes = (input.caseTypes ?? []).filter(
      (t) => !(CASE_TYPES as readonly string[]).includes(t),
    );
    if (unknownTypes.length) fields.caseTypes = 'Select case types from the list';
    const subject = input.subject?.trim() ?? '';
    if (!subject) fields.subject = 'Enter a subject';
    else if (subject.length > TEMPLATE_LIMITS.subject)
      fields.subject = `Subject must be ${TEMPLATE_LIMITS.subject} characters or fewer`;
    else if (CONTROL.test(subject) || /[\r\n]/.test(subject))
      fields.subject = 'The subject must be one line';
    if (!input.body?.trim()) fields.body = 'Enter the text of the template';
    else if (input.body.length > TEMPLATE_LIMITS.body)
      fields.body = `The text must be ${TEMPLATE_LIMITS.body.toLocaleString('en-GB')} characters or fewer`;
    const merge = checkTemplateText({ subject, body: input.body ?? '' });
    for (const [field, message] of Object.entries(merge)) fields[field] ??= message;
    return fields;
  }

  const isAdmin = (actor: Actor) => actor.role === 'admin' || actor.role === 'system';
  const adminOnly = () =>
    new AppError(403, 'forbidden', 'Only an administrator can change reply templates');

  async function mergeValues(detail: CaseDetail, actor: Actor): Promise<MergeValues> {
    const contact = detail.contact ? await cases.contact(db, detail.contact.id) : undefined;
    // Signed by whoever writes and sends it, not by the assignee: a colleague covering a
    // case signs their own letter.
    const writer = actor.id ? await repo.staff(db, actor.id) : undefined;
    const isMp = detail.type === 'mp_enquiry' || contact?.kind === 'mp';
    return {
      reference: detail.reference,
      contact: contact
        ? { salutation: contact.salutation?.trim() || contact.name, fullName: contact.name }
        : undefined,
      receivedDate: formatDate(detail.receivedOn),
      dueDate: detail.dueDate ? formatDate(detail.dueDate) : undefined,
      extendedDueDate: detail.deadline.extendedDueDate
        ? formatDate(detail.deadline.extendedDueDate)
        : undefined,
      caseworker: writer
        ? {
            name: writer.name,
            jobTitle:
              writer.jobTitle?.trim() ||
              (writer.role === 'manager' ? 'Casework manager' : 'Caseworker'),
          }
        : undefined,
      office: { name: deps.officeName, address: deps.officeAddress },
      mp: isMp && contact ? { name: contact.name } : undefined,
      constituent: detail.onBehalfOf ? { fullName: detail.onBehalfOf.name } : undefined,
      icoRights: icoRightsText(detail.type),
    };
  }

  /** Refuses a reply that would answer a case §5 does not let this person answer now. */
  function checkCanAnswer(actor: Actor, type: CaseType, status: keyof typeof STATUS_LABELS) {
    const move = findMove(type, status, 'responded');
    if (!move)
      throw new AppError(
        422,
        'correspondence.invalid_transition',
        `A case that is ${STATUS_LABELS[status].toLowerCase()} cannot be answered. Send it as a reply that does not answer the case, or change the status first.`,
        { responds: `A ${STATUS_LABELS[status].toLowerCase()} case cannot be answered` },
      );
    if (move.managerOnly && actor.role !== 'manager' && actor.role !== 'system')
      throw new AppError(
        403,
        'correspondence.manager_only',
        'This reply is awaiting approval: only a manager can send it',
        { responds: 'Only a manager can send a reply that is awaiting approval' },
      );
  }

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
    const row = await cases.lockVisible(tx, { id: null, role: 'system' }, outbound.caseId);
    if (!row || row.acknowledgedAt) return;
    const now = clock.now();
    const updated = await cases.updateCase(tx, row.id, row.version, {
      acknowledgedAt: now,
      updatedAt: now,
    });
    if (updated && updated.status === 'new')
      await correspondence.transition(
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
        const row = await cases.lockVisible(tx, viewerOf(actor), outbound.caseId);
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
          await correspondence.transition(
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
      const row = await cases.findVisible(tx, { id: null, role: 'system' }, outbound.caseId);
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

  async function templatesFor(type?: string): Promise<TemplateView[]> {
    const rows = await repo.latestTemplates(db);
    return rows.filter((row) => !type || templateOffered(row, type)).map(templateView);
  }

  async function replies(caseId: string): Promise<OutboundView[]> {
    const rows = await repo.forCase(db, caseId);
    return rows.map((r) => outboundView(r.outbound, r.senderName));
  }

  return {
    /** The latest version of each template (offered for `caseType`, when given). */
    listTemplates: templatesFor,

    /** One template family: its latest version and the history, newest first. */
    async templateFamily(
      familyId: string,
    ): Promise<{ latest: TemplateView; versions: TemplateView[] }> {
      const rows = await repo.family(db, familyId);
      if (!rows.length) throw notFound('Template not found');
      const versions = rows.map(templateView);
      return { latest: versions[0]!, versions };
    },

    async getTemplate(id: string): Promise<TemplateView> {
      const row = await repo.template(db, id);
      if (!row) throw notFound('Template not found');
      return templateView(row);
    },

    /** Saves version 1 of a new template; unknown merge fields are refused field by field. */
    async createTemplate(actor: Actor, input: TemplateInput): Promise<TemplateView> {
      if (!isAdmin(actor)) throw adminOnly();
      const fields = checkTemplate(input);
      if (Object.keys(fields).length) throw validationError(fields);
      return db.transaction(async (tx) => {
        const row = await repo.insertTemplate(tx, {
          familyId: randomUUID(),
          version: 1,
          name: input.name.trim(),
          purpose: input.purpose as TemplatePurpose,
          caseTypes: [...new Set(input.caseTypes ?? [])],
          subject: input.subject.trim(),
          body: input.body,
          createdById: actor.id,
          createdAt: clock.now(),
        });
        await audit.record(tx, actor, {
          action: 'template.create',
          subjectType: 'reply_template',
          subjectId: row.id,
        });
        return templateView(row);
      });
    },

    /**
     * Saves an edit as version n+1; `version` is the one the editor started from, so two
     * editors cannot silently overwrite each other (409).
     */
    async reviseTemplate(
      actor: Actor,
      familyId: string,
      input: TemplateInput & { version: number },
    ): Promise<TemplateView> {
      if (!isAdmin(actor)) throw adminOnly();
      const [latest] = await repo.family(db, familyId);
      if (!latest) throw notFound('Template not found');
      const fields = checkTemplate(input);
      if (Object.keys(fields).length) throw validationError(fields);
      const stale = () =>
        new AppError(
          409,
          'replies.stale_template',
          'Someone saved a newer version of this template since you opened it. Reload it and make your changes again.',
          { version: 'A newer version has been saved since you opened this template' },
        );
      if (latest.version !== input.version) throw stale();
      try {
        return await db.transaction(async (tx) => {
          const row = await repo.insertTemplate(tx, {
            familyId,
            version: latest.version + 1,
            name: input.name.trim(),
            purpose: input.purpose as TemplatePurpose,
            caseTypes: [...new Set(input.caseTypes ?? [])],
            subject: input.subject.trim(),
            body: input.body,
            createdById: actor.id,
            createdAt: clock.now(),
          });
          await audit.record(tx, actor, {
            action: 'template.revise',
            subjectType: 'reply_template',
            subjectId: row.id,
            justification: `version ${row.version}`,
          });
          return templateView(row);
        });
      } catch (error) {
        if (error instanceof TemplateVersionTaken) throw stale();
        throw error;
      }
    },

    /**
     * Everything the reply page needs: the case (an audited read), the templates offered for
     * its type, and the chosen template merged with the case's values (or why it cannot be).
     */
    async compose(actor: Actor, caseId: string, templateId?: string): Promise<Composition> {
      const detail = await correspondence.get(actor, caseId);
      const templates = await templatesFor(detail.type);
      let template: TemplateView | null = null;
      let body = '';
      let mergeError: string | null = null;
      if (templateId) {
        const row = isUuid(templateId) ? await repo.template(db, templateId) : undefined;
        if (!row) mergeError = 'Select a template from the list';
        else {
          template = templateView(row);
          try {
            body = renderTemplate(row.body, await mergeValues(detail, actor));
          } catch (error) {
            if (!(error instanceof MergeError)) throw error;
            mergeError = error.message;
          }
        }
      }
      const move = findMove(detail.type, detail.status, 'responded');
      return {
        detail,
        templates,
        template,
        subject: replySubject(detail.subject, detail.reference),
        body,
        mergeError,
        replies: await replies(detail.id),
        emailTo: detail.contact?.email ?? null,
        canAnswer: Boolean(move),
        answerNeedsManager: Boolean(move?.managerOnly),
      };
    },

    /** The replies on a visible case, oldest first. */
    async listReplies(actor: Actor, caseId: string): Promise<OutboundView[]> {
      const row = await cases.findVisible(db, viewerOf(actor), caseId);
      if (!row) throw caseNotFound();
      return replies(row.id);
    },

    async getReply(actor: Actor, caseId: string, outboundId: string): Promise<OutboundView> {
      const row = await cases.findVisible(db, viewerOf(actor), caseId);
      if (!row) throw caseNotFound();
      const outbound = await repo.outbound(db, outboundId);
      if (!outbound || outbound.caseId !== row.id) throw notFound('Reply not found');
      const sender = await repo.staff(db, outbound.createdById);
      return outboundView(outbound, sender?.name);
    },

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
      if (Object.keys(fields).length) throw validationError(fields);

      return db.transaction(async (tx: Tx) => {
        const row = await cases.lockVisible(tx, viewerOf(actor), caseId);
        if (!row) throw caseNotFound();
        const template = input.templateId ? await repo.template(tx, input.templateId) : undefined;
        if (input.templateId && !template)
          throw validationError({ templateId: 'Select a template from the list' });
        const responds =
          input.responds ?? (template ? ANSWERING_PURPOSES.includes(template.purpose) : true);
        if (responds) {
          checkCanAnswer(actor, row.type, row.status);
          if (await repo.pendingAnswer(tx, row.id))
            throw new AppError(
              409,
              'replies.already_sending',
              'A reply that answers this case is already being sent. Wait for it to be sent or to fail.',
              { responds: 'A reply that answers this case is already being sent' },
            );
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

        if (input.channel === 'email') {
          const to = contact?.email?.trim();
          if (!to)
            throw new AppError(
              422,
              'replies.no_email_address',
              'The requester has no email address: send the reply by post',
              { channel: 'The requester has no email address: send the reply by post' },
            );
          const inbound = await repo.latestInbound(tx, row.id, contact?.emailNorm ?? null);
          const messageId = `case-${row.id}.${id}@${deps.mailDomain}`;
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
            from: deps.mailbox.from,
            replyTo: deps.mailbox.address,
            automatic: false,
            subjectType: REPLY_SUBJECT_TYPE,
            subjectRef: id,
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
          await audit.record(tx, actor, {
            action: 'case.reply.queue',
            subjectType: 'case',
            subjectId: row.id,
            personId: row.contactId,
          });
          const sender = await repo.staff(tx, actor.id);
          return outboundView(outbound, sender?.name);
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
          await correspondence.transition(
            actor,
            row.id,
            { to: 'responded', version: row.version },
            { tx },
          );
        await acknowledgeIfTemplateSays(tx, actor, outbound);
        await audit.record(tx, actor, {
          action: 'case.reply.post',
          subjectType: 'case',
          subjectId: row.id,
          personId: row.contactId,
        });
        const sender = await repo.staff(tx, actor.id);
        return outboundView(outbound, sender?.name);
      });
    },

    /** The case's reference and requester, for the top of a printed letter (an audited read). */
    async letter(actor: Actor, caseId: string) {
      const detail = await correspondence.get(actor, caseId);
      return { reference: detail.reference, contact: detail.contact };
    },

    /** Who letters come from, and the sender emails show. */
    office: {
      officeName: deps.officeName,
      officeAddress: deps.officeAddress.split(/\r?\n/),
    },
    mailboxFrom: deps.mailbox.from,

    /** For pages: labels and today's London date. */
    labels: { purposes: PURPOSE_LABELS, types: TYPE_LABELS },
    today: () => londonDate(clock.now()),

    /** Exposed for the worker-free tests and scripts: the hook the mail service calls. */
    emailSent,
    emailFailed,
  };
}
export type RepliesService = ReturnType<typeof createRepliesService>;
