import type { FastifyReply, FastifyRequest } from 'fastify';
import { CHANNEL_PHRASES, STATUS_LABELS, TYPE_LABELS } from '../lib/labels.js';
import { formatDate } from '../lib/format.js';
import { CASEWORK } from '../platform/auth.js';
import { AppError, type FieldErrors } from '../platform/errors.js';
import { formRefusal } from '../platform/forms.js';
import { IdParams, ComposeQuery, ReplyForm, ReplyParams } from './schemas.js';
import {
  PURPOSE_LABELS,
  type DraftView,
  type OutboundView,
  type RepliesService,
} from './service.js';
import { pageRoute } from '../platform/page-route.js';
import type { App } from '../platform/app-type.js';

const STATUS_TAGS: Record<string, { text: string; classes: string }> = {
  queued: { text: 'Queued', classes: 'govuk-tag--yellow' },
  sent: { text: 'Sent', classes: 'govuk-tag--green' },
  failed: { text: 'Failed', classes: 'govuk-tag--red' },
};

const replyRow = (reply: OutboundView) => ({
  ...reply,
  statusTag: STATUS_TAGS[reply.status],
  channelLabel: reply.channel === 'email' ? 'Email' : 'Post',
});

const DRAFT_NOTICES: Record<string, string> = {
  draft: 'Draft saved. It will be here when you come back to reply to this case.',
  discarded: 'Draft discarded.',
};

const withArticle = (noun: string) => `${/^[aeiou]/i.test(noun) ? 'An' : 'A'} ${noun}`;

/** The requester's name and address lines for the top of a letter. */
const letterAddress = (
  contact: { name: string; address?: string | null; postcode?: string | null } | null | undefined,
) => {
  const lines = (contact?.address ?? '')
    .split(/\r?\n|,\s*/)
    .map((line) => line.trim())
    .filter(Boolean);
  const postcode = contact?.postcode?.trim();
  if (postcode && !lines.some((line) => line.toUpperCase().includes(postcode.toUpperCase())))
    lines.push(postcode);
  return { name: contact?.name ?? null, address: lines };
};

/** The reply pages of a case: compose, preview, send, one reply, a letter to print. */
export function replyPages(app: App, replies: RepliesService) {
  /** Purposes whose replies never answer a case: the question is not asked for them. */
  const NEVER_ANSWERS = new Set(['acknowledgement', 'holding', 'clarification']);

  async function renderCompose(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    templateId: string | undefined,
    extra: {
      errors?: FieldErrors;
      values?: Record<string, string | string[] | undefined>;
      status?: number;
      preview?: boolean;
      /** The writer's saved draft, when they come back to it. */
      draft?: DraftView | null;
      notice?: string;
    } = {},
  ) {
    const actor = request.actor();
    const draft = extra.draft ?? undefined;
    const c = await replies.compose(actor, id, templateId ?? draft?.templateId ?? undefined);
    const errors: FieldErrors = { ...(extra.errors ?? {}) };
    if (c.mergeError && !extra.values && !draft) errors.templateId = c.mergeError;
    const fromDraft = draft
      ? {
          templateId: draft.templateId ?? undefined,
          subject: draft.subject,
          body: draft.body,
          channel: draft.channel ?? (c.emailTo ? 'email' : 'post'),
          responds: draft.responds === null ? undefined : draft.responds ? 'yes' : 'no',
        }
      : undefined;
    const values = extra.values ??
      fromDraft ?? {
        templateId: c.template?.id,
        subject: c.subject,
        body: c.body,
        channel: c.emailTo ? 'email' : 'post',
        responds:
          c.canAnswer && (!c.template || ['response', 'general'].includes(c.template.purpose))
            ? 'yes'
            : 'no',
      };
    const chosen = values.templateId ?? c.template?.id;
    // "Does this reply answer the case?" is only asked where the answer could be yes.
    const askResponds = c.canAnswer && !(c.template && NEVER_ANSWERS.has(c.template.purpose));
    const cannotAnswerReason = !c.canAnswer
      ? `This reply will not answer the case: a ${STATUS_LABELS[c.detail.status].toLowerCase()} case cannot be answered${c.detail.status === 'new' ? ' until it is opened' : ''}.`
      : `${withArticle(PURPOSE_LABELS[c.template?.purpose ?? 'holding'].toLowerCase())} does not answer the case.`;
    const contact = c.detail.contact;
    return reply.page(
      'replies/views/compose.njk',
      {
        pageTitle: `Reply to ${c.detail.reference}`,
        errors: Object.keys(errors).length ? errors : undefined,
        notice: extra.notice,
        draftSavedAt: draft?.updatedAt,
        c: {
          ...c.detail,
          statusLabel: STATUS_LABELS[c.detail.status],
          typeLabel: TYPE_LABELS[c.detail.type],
          channelPhrase: CHANNEL_PHRASES[c.detail.channel],
        },
        values,
        template: c.template,
        templateItems: c.templates.map((t) => ({
          value: t.id,
          text: t.name,
          hint:
            t.name === PURPOSE_LABELS[t.purpose] ? undefined : { text: PURPOSE_LABELS[t.purpose] },
          checked: t.id === chosen,
        })),
        emailTo: c.emailTo,
        preview:
          extra.preview && Object.keys(errors).length === 0
            ? {
                channel: values.channel === 'post' ? 'post' : 'email',
                from: replies.mailboxFrom,
                to: c.emailTo,
                subject: values.subject,
                body: values.body,
                letter: {
                  ...replies.office,
                  date: formatDate(replies.today()),
                  ...letterAddress(contact),
                  reference: c.detail.reference,
                },
              }
            : undefined,
        channelItems: [
          ...(c.emailTo
            ? [
                {
                  value: 'email',
                  text: `Email to ${c.emailTo}`,
                  checked: values.channel === 'email',
                },
              ]
            : []),
          {
            value: 'post',
            text: 'Post: record a letter sent today',
            hint: {
              text: 'After sending, print the letter from the reply page and post it. It is recorded as sent today.',
            },
            checked: values.channel === 'post',
          },
        ],
        askResponds,
        cannotAnswerReason,
        respondsItems: [
          {
            value: 'yes',
            text: 'Yes, this answers the case',
            hint: {
              text:
                'The case becomes Responded when the email is sent (a letter: straight away).' +
                (c.answerNeedsManager ? ' Only a manager can send an approved reply.' : ''),
            },
            checked: values.responds === 'yes',
          },
          {
            value: 'no',
            text: 'No, for example a holding reply or a request for more information',
            checked: values.responds === 'no',
          },
        ],
        replies: c.replies.map(replyRow),
        // The case's files that may go with an email: those past their virus check (or on a
        // system without scanning, with its warning); held and infected ones are not offered.
        attachmentItems: c.detail.attachments
          .filter((a) => a.downloadable)
          .map((a) => ({
            value: a.id,
            text: a.filename,
            hint:
              a.scanStatus === 'not_scanned'
                ? { text: 'Not virus-checked: only send it if you trust it' }
                : undefined,
            checked: [(values as { attachmentIds?: string | string[] }).attachmentIds ?? []]
              .flat()
              .includes(a.id),
          })),
        heldFiles: c.detail.attachments.filter((a) => !a.downloadable).map((a) => a.filename),
      },
      extra.status ?? 200,
    );
  }

  app.get(
    '/casework/:id/reply',
    pageRoute(CASEWORK, { params: IdParams, querystring: ComposeQuery }),
    async (request, reply) => {
      const templateId = request.query.templateId || undefined;
      // Coming back to the page brings back the draft; choosing a template starts afresh.
      const draft = templateId ? null : await replies.getDraft(request.actor(), request.params.id);
      return renderCompose(request, reply, request.params.id, templateId, {
        draft,
        notice: DRAFT_NOTICES[request.query.notice ?? ''],
      });
    },
  );

  app.post(
    '/casework/:id/reply',
    pageRoute(CASEWORK, { params: IdParams, body: ReplyForm }),
    async (request, reply) => {
      const { id } = request.params;
      const { templateId, subject, body, channel, responds, action } = request.body;
      const attachmentIds = [request.body.attachmentIds ?? []].flat();
      const values = { templateId, subject, body, channel, responds, attachmentIds };
      try {
        const fields: FieldErrors = {};
        if (channel !== 'email' && channel !== 'post')
          fields.channel = 'Select how to send the reply';
        if (responds !== 'yes' && responds !== 'no')
          fields.responds = 'Select whether this reply answers the case';
        if (action === 'discard') {
          await replies.discardDraft(request.actor(), id);
          return await reply.redirect(`/casework/${id}/reply?notice=discarded`, 303);
        }
        if (action === 'draft') {
          await replies.saveDraft(request.actor(), id, {
            templateId: templateId || undefined,
            subject: subject ?? '',
            body: body ?? '',
            channel: channel === 'email' || channel === 'post' ? channel : undefined,
            responds: responds === 'yes' ? true : responds === 'no' ? false : undefined,
          });
          return await reply.redirect(`/casework/${id}/reply?notice=draft`, 303);
        }
        if (action === 'preview' && !body?.trim()) fields.body = 'Enter the text of the reply';
        if (Object.keys(fields).length)
          throw new AppError(400, 'validation', 'Check the form', fields);
        if (action === 'preview')
          return await renderCompose(request, reply, id, templateId || undefined, {
            values,
            preview: true,
          });
        const sent = await replies.send(request.actor(), id, {
          templateId: templateId || undefined,
          subject: subject ?? '',
          body: body ?? '',
          channel: channel as 'email' | 'post',
          responds: responds === 'yes',
          attachmentIds,
        });
        return reply.redirect(`/casework/${id}/replies/${sent.id}`, 303);
      } catch (error) {
        const refusal = formRefusal(error, 'body');
        if (!refusal) throw error;
        return renderCompose(request, reply, id, templateId || undefined, {
          errors: refusal.fields,
          values,
          status: refusal.status,
        });
      }
    },
  );

  app.get(
    '/casework/:id/replies/:replyId',
    pageRoute(CASEWORK, { params: ReplyParams }),
    async (request, reply) => {
      const { id, replyId } = request.params;
      const sent = await replies.getReply(request.actor(), id, replyId);
      const template = sent.templateId ? await replies.getTemplate(sent.templateId) : undefined;
      return reply.page('replies/views/reply.njk', {
        pageTitle: sent.subject,
        r: replyRow(sent),
        templateName: template?.name,
        caseId: id,
      });
    },
  );

  // A letter to print and post: the office's address, the date, the requester's address.
  app.get(
    '/casework/:id/replies/:replyId/letter',
    pageRoute(CASEWORK, { params: ReplyParams }),
    async (request, reply) => {
      const { id, replyId } = request.params;
      const sent = await replies.getReply(request.actor(), id, replyId);
      const letter = await replies.letter(request.actor(), id);
      return reply.page('replies/views/letter.njk', {
        pageTitle: `Letter: ${sent.subject}`,
        r: sent,
        caseId: id,
        letter: {
          ...replies.office,
          date: formatDate(sent.sentAt ?? sent.createdAt),
          ...letterAddress(letter.contact),
          reference: letter.reference,
        },
      });
    },
  );
}
