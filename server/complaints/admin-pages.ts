/**
 * Complaint admin pages (admins): IOPC categories and factors (add, rename, confirm, retire,
 * bring back) and letter templates (each save a new version; preview with example merge
 * values; old versions readable). Who may see what is in access-pages.ts. GOV.UK patterns,
 * no JavaScript needed; a refused form comes back with the error summary and what was
 * typed; forged ids get the not-found page.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import { ADMINS } from '../platform/auth.js';
import type { Actor } from '../platform/audit.js';
import type { FieldErrors } from '../platform/errors.js';
import { noticePage } from '../platform/views.js';
import { MERGE_FIELD_HINTS, TEMPLATE_LABELS } from './admin.js';
import { complaintErrors } from './errors.js';
import { MERGE_FIELDS, TEMPLATE_KEYS } from './letters.js';
import {
  formErrors,
  FormBody,
  NoticeQuery,
  refusedForm,
  pageWithState,
  str,
  type Form,
  type PageState,
} from './page-forms.js';
import type { ComplaintsService } from './service.js';
import { pageRoute } from '../platform/page-route.js';
import type { App } from '../platform/app-type.js';

const CODE = /^[a-z0-9_]{1,60}$/;
export async function complaintAdminPages(app: App, opts: { complaints: ComplaintsService }) {
  const c = opts.complaints;
  app.staffNav.push({ href: '/admin/complaints', text: 'Complaint settings', roles: ['admin'] });

  app.get('/admin/complaints', pageRoute(ADMINS), async (_request, reply) =>
    reply.page('complaints/views/admin-home.njk', { pageTitle: 'Complaint settings' }),
  );

  /* ---- Categories and factors ---- */

  async function renderCategories(reply: FastifyReply, extra: PageState = {}) {
    const data = await c.referenceData.list();
    const top = data.categories.filter((x) => !x.parent);
    return pageWithState(
      reply,
      'complaints/views/admin-categories.njk',
      {
        pageTitle: 'Complaint categories and factors',
        categories: top.map((x) => ({
          ...x,
          children: data.categories.filter((s) => s.parent === x.code),
        })),
        factors: data.factors,
        parents: top.filter((x) => x.inUse),
      },
      extra,
    );
  }

  const NOTICES: Record<string, string> = {
    category: 'Category added',
    factor: 'Factor added',
    saved: 'Changes saved',
    retired: 'Retired: it stays on the complaints that use it, and is no longer offered',
    reinstated: 'Back in use',
  };

  noticePage(
    app,
    '/admin/complaints/categories',
    { auth: ADMINS, notices: NOTICES, query: NoticeQuery },
    (reply, notice) => renderCategories(reply, { notice }),
  );

  function checkNewEntry(form: Form, prefix: string): FieldErrors {
    const errors: FieldErrors = {};
    const code = str(form, `${prefix}Code`);
    const label = str(form, `${prefix}Label`);
    if (!code) errors[`${prefix}Code`] = 'Enter a code';
    else if (!CODE.test(code))
      errors[`${prefix}Code`] =
        'The code must be 60 characters or fewer: lower-case letters, digits and underscores';
    if (!label) errors[`${prefix}Label`] = 'Enter the name shown to caseworkers';
    else if (label.length > 200)
      errors[`${prefix}Label`] = 'The name must be 200 characters or fewer';
    return errors;
  }

  const renameKey = (errors: FieldErrors, prefix: string) => {
    const out: FieldErrors = {};
    for (const [k, v] of Object.entries(errors))
      out[
        k === 'code'
          ? `${prefix}Code`
          : k === 'label'
            ? `${prefix}Label`
            : k === 'parent'
              ? 'categoryParent'
              : k
      ] = v;
    return out;
  };

  /**
   * Adding a category or a factor: the same form with field names prefixed by the kind, the
   * same checks, then back to the list with a notice named after the kind.
   */
  function addEntryRoute(
    prefix: 'category' | 'factor',
    add: (actor: Actor, form: Form) => Promise<unknown>,
  ) {
    app.post(
      prefix === 'category' ? '/admin/complaints/categories' : '/admin/complaints/factors',
      { ...pageRoute(ADMINS, { body: FormBody }), attachValidation: true },
      async (request, reply) => {
        const form = request.body ?? {};
        const errors = request.validationError
          ? { [`${prefix}Label`]: 'What was entered is too long' }
          : checkNewEntry(form, prefix);
        if (Object.keys(errors).length)
          return renderCategories(reply, { errors, values: form, status: 400 });
        try {
          await add(request.actor(), form);
        } catch (error) {
          const refused = formErrors(error);
          return renderCategories(reply, {
            errors: renameKey(refused.errors, prefix),
            values: form,
            status: refused.status,
          });
        }
        return reply.redirect(`/admin/complaints/categories?notice=${prefix}`, 303);
      },
    );
  }

  addEntryRoute('category', (actor, form) =>
    c.referenceData.addCategory(actor, {
      code: str(form, 'categoryCode'),
      label: str(form, 'categoryLabel'),
      parent: str(form, 'categoryParent') || undefined,
    }),
  );
  addEntryRoute('factor', (actor, form) =>
    c.admin.addFactor(actor, { code: str(form, 'factorCode'), label: str(form, 'factorLabel') }),
  );

  const EntryParams = Type.Object({
    kind: Type.String({ maxLength: 20 }),
    code: Type.String({ maxLength: 80 }),
  });
  type Entry = { kind: string; code: string };

  async function findEntry(params: Entry) {
    if (!['categories', 'factors'].includes(params.kind)) throw complaintErrors.notFound();
    const data = await c.referenceData.list();
    const entry =
      params.kind === 'categories'
        ? data.categories.find((x) => x.code === params.code)
        : data.factors.find((x) => x.code === params.code);
    if (!entry) throw complaintErrors.notFound();
    return entry;
  }

  async function renderEntry(
    reply: FastifyReply,
    params: Entry,
    extra: { errors?: FieldErrors; values?: Form; status?: number } = {},
  ) {
    const entry = await findEntry(params);
    return reply.page(
      'complaints/views/admin-category.njk',
      {
        pageTitle: `Change ${params.kind === 'categories' ? 'category' : 'factor'}: ${entry.label}`,
        kind: params.kind,
        noun: params.kind === 'categories' ? 'category' : 'factor',
        entry,
        values: extra.values ?? { label: entry.label },
        errors: extra.errors,
      },
      extra.status ?? 200,
    );
  }

  app.get(
    '/admin/complaints/categories/:kind/:code',
    pageRoute(ADMINS, { params: EntryParams }),
    async (request, reply) => renderEntry(reply, request.params),
  );

  app.post(
    '/admin/complaints/categories/:kind/:code',
    { ...pageRoute(ADMINS, { params: EntryParams, body: FormBody }), attachValidation: true },
    async (request, reply) => {
      const form = request.body ?? {};
      const entry = await findEntry(request.params);
      const action = str(form, 'action');
      const label = str(form, 'label');
      const errors: FieldErrors = {};
      if (request.validationError) errors.label = 'What was entered is too long';
      else if (action === 'save') {
        if (!label) errors.label = 'Enter the name shown to caseworkers';
        else if (label.length > 200) errors.label = 'The name must be 200 characters or fewer';
      }
      if (Object.keys(errors).length)
        return renderEntry(reply, request.params, { errors, values: form, status: 400 });
      const kind = request.params.kind === 'categories' ? 'category' : 'factor';
      const patch =
        action === 'retire'
          ? { retire: true }
          : action === 'reinstate'
            ? { validTo: null }
            : { label, confirmed: str(form, 'confirmed') === 'yes' || entry.confirmed };
      try {
        await c.referenceData.updateEntry(request.actor(), kind, entry.code, patch);
      } catch (error) {
        return renderEntry(reply, request.params, refusedForm(error, form));
      }
      const notice =
        action === 'retire' ? 'retired' : action === 'reinstate' ? 'reinstated' : 'saved';
      return reply.redirect(`/admin/complaints/categories?notice=${notice}`, 303);
    },
  );

  /* ---- Letter templates ---- */

  const mergeFields = MERGE_FIELDS.map((name) => ({ name, hint: MERGE_FIELD_HINTS[name] }));
  const KeyParams = Type.Object({ key: Type.String({ maxLength: 60 }) });
  const knownKey = (key: string) => {
    if (!(TEMPLATE_KEYS as readonly string[]).includes(key)) throw complaintErrors.notFound();
    return key as (typeof TEMPLATE_KEYS)[number];
  };

  app.get(
    '/admin/complaints/templates',
    pageRoute(ADMINS, { querystring: NoticeQuery }),
    async (_request, reply) =>
      reply.page('complaints/views/admin-templates.njk', {
        pageTitle: 'Complaint letter templates',
        templates: await c.admin.templates(),
      }),
  );

  async function renderTemplate(
    reply: FastifyReply,
    key: (typeof TEMPLATE_KEYS)[number],
    extra: {
      errors?: FieldErrors;
      values?: Form;
      status?: number;
      notice?: string;
      preview?: { subject: string; body: string };
    } = {},
  ) {
    const versions = await c.admin.templateVersions(key);
    const latest = versions[0];
    return reply.page(
      'complaints/views/admin-template.njk',
      {
        pageTitle: `Letter template: ${TEMPLATE_LABELS[key]}`,
        key,
        label: TEMPLATE_LABELS[key],
        versions,
        latest,
        values: extra.values ?? { subject: latest?.subject ?? '', body: latest?.body ?? '' },
        errors: extra.errors,
        notice: extra.notice,
        preview: extra.preview,
        mergeFields,
      },
      extra.status ?? 200,
    );
  }

  app.get(
    '/admin/complaints/templates/:key',
    pageRoute(ADMINS, { params: KeyParams, querystring: NoticeQuery }),
    async (request, reply) =>
      renderTemplate(reply, knownKey(request.params.key), {
        notice: request.query.notice === 'saved' ? 'New version saved' : undefined,
      }),
  );

  app.post(
    '/admin/complaints/templates/:key',
    { ...pageRoute(ADMINS, { params: KeyParams, body: FormBody }), attachValidation: true },
    async (request, reply) => {
      const key = knownKey(request.params.key);
      const form = request.body ?? {};
      const subject = str(form, 'subject');
      const body = str(form, 'body');
      const errors: FieldErrors = {};
      if (request.validationError) errors.body = 'The letter must be 20,000 characters or fewer';
      if (!subject) errors.subject = 'Enter the email subject';
      else if (subject.length > 200) errors.subject = 'The subject must be 200 characters or fewer';
      if (!body && !errors.body) errors.body = 'Enter the letter';
      if (Object.keys(errors).length)
        return renderTemplate(reply, key, { errors, values: form, status: 400 });
      try {
        if (str(form, 'action') === 'preview')
          return await renderTemplate(reply, key, {
            values: form,
            preview: c.admin.preview({ subject, body }),
          });
        await c.letters.saveTemplate(request.actor(), key, { subject, body });
      } catch (error) {
        return renderTemplate(reply, key, refusedForm(error, form));
      }
      return reply.redirect(`/admin/complaints/templates/${key}?notice=saved`, 303);
    },
  );

  app.get(
    '/admin/complaints/templates/:key/versions/:version',
    pageRoute(ADMINS, {
      params: Type.Object({
        key: Type.String({ maxLength: 60 }),
        version: Type.String({ maxLength: 10 }),
      }),
    }),
    async (request, reply) => {
      const key = knownKey(request.params.key);
      const version = (await c.admin.templateVersions(key)).find(
        (v) => String(v.version) === request.params.version,
      );
      if (!version) throw complaintErrors.notFound();
      return reply.page('complaints/views/admin-template-version.njk', {
        pageTitle: `${TEMPLATE_LABELS[key]}: version ${version.version}`,
        key,
        label: TEMPLATE_LABELS[key],
        version,
      });
    },
  );
}
