import type { CaseDetail } from '../correspondence/types.js';
import { findMove } from '../correspondence/workflow.js';
import { TYPE_LABELS } from '../lib/labels.js';
import { formatDate } from '../lib/format.js';
import { londonDateOf } from '../lib/dates.js';
import type { Actor } from '../platform/audit.js';
import { createRepliesContext, viewerOf, type RepliesDeps } from './context.js';
import { caseNotFound, replyNotFound } from './errors.js';
import { icoRightsText, MergeError, renderTemplate, type MergeValues } from './merge.js';
import {
  outboundView,
  PURPOSE_LABELS,
  replySubject,
  templateView,
  type Composition,
  type OutboundView,
  type ReplyInput,
  type TemplateView,
} from './model.js';
import { createReplyOutcomes } from './outcomes.js';
import { createDraftCommands } from './drafts.js';
import { createSendCommand } from './send.js';
import { createTemplateCommands } from './templates.js';
import { isUuid } from '../lib/uuid.js';

// The shapes and rules routes and pages use, from the files that own them.
export * from './model.js';
export type { RepliesDeps } from './context.js';
export type { DraftInput, DraftView } from './drafts.js';

/**
 * Reply templates (versioned, merge fields only) and replies to cases. An email reply is
 * queued with its outbox row; the case becomes responded only when the email job reports
 * the email sent (the mail service's `onOutcome` hook for subject type `reply`). A letter
 * is recorded as posted and answers the case at once. Wiring and the reply page's reads:
 * templates.ts, send.ts and outcomes.ts hold the rest.
 */
export function createRepliesService(deps: RepliesDeps) {
  const ctx = createRepliesContext(deps);
  const { db, clock, cases, repo } = ctx;
  // Registers the mail outcome hook once, here, so workers get it too.
  const outcomes = createReplyOutcomes(ctx);
  const templates = createTemplateCommands(ctx);
  const sender = createSendCommand(ctx, outcomes);
  const drafts = createDraftCommands(ctx);

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

  async function replies(caseId: string): Promise<OutboundView[]> {
    const rows = await repo.forCase(db, caseId);
    return rows.map((r) => outboundView(r.outbound, r.senderName));
  }

  return {
    ...templates,
    ...drafts,

    /** Sends a reply (send.ts); the sender's draft on the case has then served its purpose. */
    async send(actor: Actor, caseId: string, input: ReplyInput): Promise<OutboundView> {
      const sent = await sender.send(actor, caseId, input);
      await drafts.discardDraft(actor, caseId);
      return sent;
    },

    /**
     * Everything the reply page needs: the case (an audited read), the templates offered for
     * its type, and the chosen template merged with the case's values (or why it cannot be).
     */
    async compose(actor: Actor, caseId: string, templateId?: string): Promise<Composition> {
      const detail = await cases.get(actor, caseId);
      const offered: TemplateView[] = await templates.listTemplates(detail.type);
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
        templates: offered,
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
      const row = await cases.find(db, viewerOf(actor), caseId);
      if (!row) throw caseNotFound();
      return replies(row.id);
    },

    async getReply(actor: Actor, caseId: string, outboundId: string): Promise<OutboundView> {
      const row = await cases.find(db, viewerOf(actor), caseId);
      if (!row) throw caseNotFound();
      const outbound = await repo.outbound(db, outboundId);
      if (!outbound || outbound.caseId !== row.id) throw replyNotFound();
      const sender = await repo.staff(db, outbound.createdById);
      return outboundView(outbound, sender?.name);
    },

    /** The case's reference and requester, for the top of a printed letter (an audited read). */
    async letter(actor: Actor, caseId: string) {
      const detail = await cases.get(actor, caseId);
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
    today: () => londonDateOf(clock.now()),

    /** Exposed for the worker-free tests and scripts: the hook the mail service calls. */
    emailSent: outcomes.emailSent,
    emailFailed: outcomes.emailFailed,
  };
}
export type RepliesService = ReturnType<typeof createRepliesService>;
