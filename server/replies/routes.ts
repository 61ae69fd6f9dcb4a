import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  CASE_TYPES,
  CHANNEL_PHRASES,
  STATUS_LABELS,
  TYPE_LABELS,
} from '../correspondence/workflow.js';
import { formatDate } from '../lib/format.js';
import { ADMINS, CASEWORK, STAFF } from '../platform/auth.js';
import { AppError, type FieldErrors } from '../platform/errors.js';
import { MERGE_FIELD_HINTS, MERGE_FIELDS } from './merge.js';
import {
  CaseIdParams,
  ComposeQuery,
  ReplyBody,
  ReplyForm,
  ReplyParams,
  ReplySchema,
  TemplateBody,
  TemplateForm,
  TemplateIdParams,
  TemplateListQuery,
  TemplateRevisionBody,
  TemplateSchema,
} from './schemas.js';
import {
  PURPOSE_LABELS,
  TEMPLATE_PURPOSES,
  type OutboundView,
  type RepliesService,
  type TemplateInput,
  type TemplateView,
} from './service.js';

const api = (tag: string) => ({ tags: [tag], security: [{ bearer: [] }] });

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

const typesLabel = (template: TemplateView) =>
  template.caseTypes.length
    ? template.caseTypes.map((t) => TYPE_LABELS[t as keyof typeof TYPE_LABELS] ?? t).join(', ')
    : 'All types';

/** Reply templates (admin) and replies to cases (casework): JSON API and pages. */
export async function repliesRoutes(app: FastifyInstance, opts: { replies: RepliesService }) {
  const { replies } = opts;
  app.staffNav.push({ href: '/admin/templates', text: 'Templates', roles: ['admin'] });

  /* ---- JSON API ---- */

  app.get<{ Querystring: Static<typeof TemplateListQuery> }>(
    '/api/templates',
    {
      schema: {
        ...api('templates'),
        summary: 'Reply templates (latest versions), optionally those offered for a case type',
        querystring: TemplateListQuery,
        response: { 200: Type.Object({ items: Type.Array(TemplateSchema) }) },
      },
      config: { auth: STAFF },
    },
    async (request) => ({ items: await replies.listTemplates(request.query.caseType) }),
  );

  app.get<{ Params: Static<typeof TemplateIdParams> }>(
    '/api/templates/:id',
    {
      schema: {
        ...api('templates'),
        summary: 'One saved template version',
        params: TemplateIdParams,
        response: { 200: TemplateSchema },
      },
      config: { auth: STAFF },
    },
    async (request) => replies.getTemplate(request.params.id),
  );

  app.post<{ Body: Static<typeof TemplateBody> }>(
    '/api/templates',
    {
      schema: {
        ...api('templates'),
        summary: 'Create a reply template (merge fields only; anything else is refused)',
        body: TemplateBody,
        response: { 201: TemplateSchema },
      },
      config: { auth: ADMINS },
    },
    async (request, reply) =>
      reply.code(201).send(await replies.createTemplate(request.actor(), request.body)),
  );

  app.put<{ Params: Static<typeof TemplateIdParams>; Body: Static<typeof TemplateRevisionBody> }>(
    '/api/templates/:id',
    {
      schema: {
        ...api('templates'),
        summary:
          'Save a new version of a template family (`id` is the family id; `version` the one edited)',
        params: TemplateIdParams,
        body: TemplateRevisionBody,
        response: { 201: TemplateSchema },
      },
      config: { auth: ADMINS },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(await replies.reviseTemplate(request.actor(), request.params.id, request.body)),
  );

  app.get<{ Params: Static<typeof CaseIdParams> }>(
    '/api/cases/:id/replies',
    {
      schema: {
        ...api('cases'),
        summary: 'Replies sent on a case, with their final text and template version',
        params: CaseIdParams,
        response: { 200: Type.Object({ items: Type.Array(ReplySchema) }) },
      },
      config: { auth: CASEWORK },
    },
    async (request) => ({ items: await replies.listReplies(request.actor(), request.params.id) }),
  );

  app.post<{ Params: Static<typeof CaseIdParams>; Body: Static<typeof ReplyBody> }>(
    '/api/cases/:id/replies',
    {
      schema: {
        ...api('cases'),
        summary:
          'Reply to a case: email (202, queued; the case is responded once it is sent) or a posted letter (201, responded now)',
        params: CaseIdParams,
        body: ReplyBody,
        response: { 201: ReplySchema, 202: ReplySchema },
      },
      config: { auth: CASEWORK },
    },
    async (request, reply) => {
      const sent = await replies.send(request.actor(), request.params.id, request.body);
      return reply.code(sent.channel === 'email' ? 202 : 201).send(sent);
    },
  );

  /* ---- Reply pages ---- */

  /** Purposes whose replies never answer a case: the question is not asked for them. */
  const NEVER_ANSWERS = new Set(['acknowledgement', 'holding', 'clarification']);

  async function renderCompose(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    templateId: string | undefined,
    extra: {
      errors?: FieldErrors;
      values?: Record<string, string | undefined>;
      status?: number;
      preview?: boolean;
    } = {},
  ) {
    const actor = request.actor();
    const c = await replies.compose(actor, id, templateId);
    const errors: FieldErrors = { ...(extra.errors ?? {}) };
    if (c.mergeError && !extra.values) errors.templateId = c.mergeError;
    const values = extra.values ?? {
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
      },
      extra.status ?? 200,
    );
  }

  app.get<{ Params: Static<typeof CaseIdParams>; Querystring: Static<typeof ComposeQuery> }>(
    '/casework/:id/reply',
    {
      schema: { params: CaseIdParams, querystring: ComposeQuery, hide: true },
      config: { auth: CASEWORK },
    },
    async (request, reply) =>
      renderCompose(request, reply, request.params.id, request.query.templateId || undefined),
  );

  app.post<{ Params: Static<typeof CaseIdParams>; Body: Static<typeof ReplyForm> }>(
    '/casework/:id/reply',
    { schema: { params: CaseIdParams, body: ReplyForm, hide: true }, config: { auth: CASEWORK } },
    async (request, reply) => {
      const { id } = request.params;
      const { templateId, subject, body, channel, responds, action } = request.body;
      const values = { templateId, subject, body, channel, responds };
      try {
        const fields: FieldErrors = {};
        if (channel !== 'email' && channel !== 'post')
          fields.channel = 'Select how to send the reply';
        if (responds !== 'yes' && responds !== 'no')
          fields.responds = 'Select whether this reply answers the case';
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
        });
        return reply.redirect(`/casework/${id}/replies/${sent.id}`, 303);
      } catch (error) {
        if (error instanceof AppError && error.statusCode < 500 && error.statusCode !== 404) {
          return renderCompose(request, reply, id, templateId || undefined, {
            errors: error.fields ?? { body: error.message },
            values,
            status: error.statusCode,
          });
        }
        throw error;
      }
    },
  );

  app.get<{ Params: Static<typeof ReplyParams> }>(
    '/casework/:id/replies/:replyId',
    { schema: { params: ReplyParams, hide: true }, config: { auth: CASEWORK } },
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
  app.get<{ Params: Static<typeof ReplyParams> }>(
    '/casework/:id/replies/:replyId/letter',
    { schema: { params: ReplyParams, hide: true }, config: { auth: CASEWORK } },
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

  /* ---- Template admin pages ---- */

  const purposeItems = (selected?: string) =>
    TEMPLATE_PURPOSES.map((value) => ({
      value,
      text: PURPOSE_LABELS[value],
      checked: value === selected,
    }));
  const typeItems = (selected: readonly string[] = []) =>
    CASE_TYPES.map((value) => ({
      value,
      text: TYPE_LABELS[value],
      checked: selected.includes(value),
    }));
  const mergeFields = MERGE_FIELDS.map((name) => ({ name, hint: MERGE_FIELD_HINTS[name] }));

  type TemplateValues = Partial<TemplateInput> & { version?: string };
  function renderForm(
    reply: FastifyReply,
    values: TemplateValues,
    extra: {
      familyId?: string;
      versions?: TemplateView[];
      errors?: FieldErrors;
      status?: number;
      notice?: string;
    } = {},
  ) {
    return reply.page(
      'replies/views/template-form.njk',
      {
        pageTitle: extra.familyId ? `Edit template: ${values.name ?? ''}` : 'New reply template',
        errors: extra.errors,
        values,
        familyId: extra.familyId,
        notice: extra.notice,
        versions: extra.versions?.map((v) => ({ ...v, typesLabel: typesLabel(v) })),
        purposeItems: purposeItems(values.purpose),
        typeItems: typeItems(values.caseTypes),
        mergeFields,
      },
      extra.status ?? 200,
    );
  }

  app.get('/admin/templates', { config: { auth: ADMINS } }, async (_request, reply) => {
    const templates = await replies.listTemplates();
    return reply.page('replies/views/templates.njk', {
      pageTitle: 'Reply templates',
      templates: templates.map((t) => ({
        ...t,
        purposeLabel: PURPOSE_LABELS[t.purpose],
        typesLabel: typesLabel(t),
      })),
    });
  });

  app.get('/admin/templates/new', { config: { auth: ADMINS } }, async (_request, reply) =>
    renderForm(reply, { purpose: 'response', caseTypes: [] }),
  );

  const formInput = (body: Static<typeof TemplateForm>): TemplateInput => ({
    name: body.name ?? '',
    purpose: body.purpose ?? '',
    caseTypes: body.caseTypes ?? [],
    subject: body.subject ?? '',
    body: body.body ?? '',
  });

  app.post<{ Body: Static<typeof TemplateForm> }>(
    '/admin/templates',
    { schema: { body: TemplateForm, hide: true }, config: { auth: ADMINS } },
    async (request, reply) => {
      const input = formInput(request.body);
      try {
        const saved = await replies.createTemplate(request.actor(), input);
        return reply.redirect(`/admin/templates/${saved.familyId}?saved=1`, 303);
      } catch (error) {
        if (error instanceof AppError && error.fields && error.statusCode < 500)
          return renderForm(reply, input, { errors: error.fields, status: error.statusCode });
        throw error;
      }
    },
  );

  app.get<{ Params: Static<typeof TemplateIdParams>; Querystring: { saved?: string } }>(
    '/admin/templates/:id',
    {
      schema: {
        params: TemplateIdParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { saved: { type: 'string', maxLength: 1 } },
        },
        hide: true,
      },
      config: { auth: ADMINS },
    },
    async (request, reply) => {
      const { latest, versions } = await replies.templateFamily(request.params.id);
      return renderForm(
        reply,
        { ...latest, version: String(latest.version) },
        {
          familyId: latest.familyId,
          versions,
          notice: request.query.saved ? `Version ${latest.version} saved` : undefined,
        },
      );
    },
  );

  app.post<{ Params: Static<typeof TemplateIdParams>; Body: Static<typeof TemplateForm> }>(
    '/admin/templates/:id',
    {
      schema: { params: TemplateIdParams, body: TemplateForm, hide: true },
      config: { auth: ADMINS },
    },
    async (request, reply) => {
      const familyId = request.params.id;
      const input = formInput(request.body);
      const version = Number(request.body.version ?? '0') || 0;
      try {
        await replies.reviseTemplate(request.actor(), familyId, { ...input, version });
        return reply.redirect(`/admin/templates/${familyId}?saved=1`, 303);
      } catch (error) {
        if (error instanceof AppError && error.fields && error.statusCode < 500) {
          const { versions } = await replies.templateFamily(familyId);
          const errors = { ...error.fields };
          if (errors.version) {
            errors.name ??= errors.version;
            delete errors.version;
          }
          return renderForm(
            reply,
            { ...input, version: request.body.version },
            { familyId, versions, errors, status: error.statusCode },
          );
        }
        throw error;
      }
    },
  );
}
