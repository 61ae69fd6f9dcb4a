import { Type, type Static } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import { CASE_TYPES } from '../correspondence/workflow.js';
import { TYPE_LABELS } from '../lib/labels.js';
import { ADMINS } from '../platform/auth.js';
import { AppError, type FieldErrors } from '../platform/errors.js';
import { MERGE_FIELD_HINTS, MERGE_FIELDS } from './merge.js';
import { TemplateForm, IdParams } from './schemas.js';
import {
  PURPOSE_LABELS,
  TEMPLATE_PURPOSES,
  type RepliesService,
  type TemplateInput,
  type TemplateView,
} from './service.js';
import { pageRoute } from '../platform/page-route.js';
import type { App } from '../platform/app-type.js';

const typesLabel = (template: TemplateView) =>
  template.caseTypes.length
    ? template.caseTypes.map((t) => TYPE_LABELS[t as keyof typeof TYPE_LABELS] ?? t).join(', ')
    : 'All types';

/** The template admin pages: the list, a new template, one template and its versions. */
export function templatePages(app: App, replies: RepliesService) {
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

  app.get('/admin/templates', pageRoute(ADMINS), async (_request, reply) => {
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

  app.get('/admin/templates/new', pageRoute(ADMINS), async (_request, reply) =>
    renderForm(reply, { purpose: 'response', caseTypes: [] }),
  );

  const formInput = (body: Static<typeof TemplateForm>): TemplateInput => ({
    name: body.name ?? '',
    purpose: body.purpose ?? '',
    caseTypes: body.caseTypes ?? [],
    subject: body.subject ?? '',
    body: body.body ?? '',
  });

  app.post(
    '/admin/templates',
    pageRoute(ADMINS, { body: TemplateForm }),
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

  app.get(
    '/admin/templates/:id',
    pageRoute(ADMINS, {
      params: IdParams,
      // Type.Unsafe gives this JSON Schema its static type; the schema itself is unchanged.
      querystring: Type.Unsafe<{ saved?: string }>({
        type: 'object',
        additionalProperties: false,
        properties: { saved: { type: 'string', maxLength: 1 } },
      }),
    }),
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

  app.post(
    '/admin/templates/:id',
    pageRoute(ADMINS, { params: IdParams, body: TemplateForm }),
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
