import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { pagination } from '../lib/pagination.js';
import { STATUS_LABELS, TYPE_LABELS } from '../lib/labels.js';
import { apiRoute } from '../platform/api-route.js';
import { CASEWORK, MANAGERS } from '../platform/auth.js';
import { AppError, type FieldErrors } from '../platform/errors.js';
import { CsrfField, IdParams } from '../platform/schemas.js';
import { recordPage } from '../platform/views.js';
import { JUSTIFICATION_MAX } from './erasure.js';
import { CONTACT_SEARCH_MAX, CONTACTS_MAX_PAGE, type ContactsService } from './service.js';
import { pageRoute } from '../platform/page-route.js';
import type { App } from '../platform/app-type.js';

const api = apiRoute('contacts');

const MergeBody = Type.Object(
  { into: Type.String({ minLength: 1, maxLength: 64, description: 'The contact that is kept' }) },
  { additionalProperties: false },
);

const MergeResultSchema = Type.Object({
  id: Type.String(),
  mergedIntoId: Type.String(),
  movedCases: Type.Integer(),
});

const MergeForm = Type.Object(
  {
    _csrf: CsrfField,
    /** A suggested contact's id, or `other` for the typed `intoId`. */
    into: Type.Optional(Type.String({ maxLength: 64 })),
    intoId: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);

const NOTICES: Record<string, string> = {
  merged: 'Contacts merged',
  erased: 'Personal data erased',
};

const EraseBody = Type.Object(
  {
    justification: Type.String({
      maxLength: 2_000,
      description: `Why the person is erased (at most ${JUSTIFICATION_MAX} characters); never their details`,
    }),
  },
  { additionalProperties: false },
);

const EraseResultSchema = Type.Object({
  id: Type.String(),
  erasedAt: Type.String({ format: 'date-time' }),
  cases: Type.Integer(),
  cancelledEmails: Type.Integer(),
});

const EraseForm = Type.Object(
  {
    _csrf: CsrfField,
    justification: Type.Optional(Type.String({ maxLength: 2_000 })),
    confirm: Type.Optional(
      Type.Union([
        Type.String({ maxLength: 10 }),
        Type.Array(Type.String({ maxLength: 10 }), { maxItems: 2 }),
      ]),
    ),
  },
  { additionalProperties: false },
);

/** Loose on purpose: the service names a bad field, so the page can keep what was typed. */
const ListQuery = Type.Object(
  {
    q: Type.Optional(
      Type.String({
        maxLength: 2_000,
        description: `A name fragment, an email address, a telephone number or a postcode (at most ${CONTACT_SEARCH_MAX} characters)`,
      }),
    ),
    page: Type.Optional(Type.String({ maxLength: 12, description: 'From 1' })),
  },
  { additionalProperties: false },
);

const ContactListSchema = Type.Object({
  items: Type.Array(
    Type.Object({
      id: Type.String(),
      kind: Type.String(),
      name: Type.String(),
      email: Type.Union([Type.String(), Type.Null()]),
      phone: Type.Union([Type.String(), Type.Null()]),
      address: Type.Union([Type.String(), Type.Null()]),
      postcode: Type.Union([Type.String(), Type.Null()]),
      caseCount: Type.Integer(),
    }),
  ),
  total: Type.Integer(),
  page: Type.Integer(),
  pageSize: Type.Integer(),
  matchedOn: Type.String(),
});

const FindQuery = Type.Object(
  {
    q: Type.String({
      maxLength: 2_000,
      description: `A name fragment, an email address, a telephone number or a postcode (2 to ${CONTACT_SEARCH_MAX} characters)`,
    }),
  },
  { additionalProperties: false },
);

const ContactFoundSchema = Type.Object({
  items: ContactListSchema.properties.items,
  total: Type.Integer({ description: 'All that match; at most 10 are listed' }),
  matchedOn: Type.String(),
});

/** A form page shown again after a refused post: its errors, status and what was typed. */
type FormState = { errors?: FieldErrors; status?: number; values?: Record<string, string> };

const pageNumber = (page: string | undefined) =>
  page === undefined || page === '' ? undefined : /^\d+$/.test(page) ? Number(page) : NaN;

/**
 * Contacts (domain §7): a contact's page and merging a duplicate into the contact that is
 * kept, for managers, as a page and as `POST /api/contacts/:id/merge`.
 */
export async function contactsRoutes(app: App, opts: { contacts: ContactsService }) {
  const { contacts } = opts;
  app.staffNav.push({ href: '/contacts', text: 'Contacts', roles: ['manager'] });

  app.get(
    '/api/contacts',
    api(MANAGERS, 'Contacts A to Z, or those matching a name, email, telephone or postcode', {
      querystring: ListQuery,
      response: { 200: ContactListSchema },
    }),
    async (request) =>
      contacts.list(request.actor(), {
        q: request.query.q,
        page: pageNumber(request.query.page),
      }),
  );

  // "Find an existing contact" while recording a case (#15 item 4): caseworkers too.
  app.get(
    '/api/contacts/find',
    api(CASEWORK, 'Find existing contacts by name, email, telephone or postcode (at most 10)', {
      querystring: FindQuery,
      response: { 200: ContactFoundSchema },
    }),
    async (request) => contacts.find(request.actor(), request.query.q),
  );

  app.get('/contacts', pageRoute(MANAGERS, { querystring: ListQuery }), async (request, reply) => {
    const q = request.query.q ?? '';
    try {
      // A page number only ever comes from our own links: a mangled one shows the first page.
      const asked = pageNumber(request.query.page);
      const page = asked && asked >= 1 && asked <= CONTACTS_MAX_PAGE ? asked : undefined;
      const list = await contacts.list(request.actor(), { q, page });
      const pages = Math.min(Math.ceil(list.total / list.pageSize), CONTACTS_MAX_PAGE);
      const href = (page: number) =>
        `/contacts?${new URLSearchParams({ ...(q ? { q } : {}), page: String(page) })}`;
      return reply.page('contacts/views/list.njk', {
        pageTitle: q ? `Contacts matching ${q}` : 'Contacts',
        q,
        list,
        maxPage: CONTACTS_MAX_PAGE,
        pagination: pagination(list.page, pages, href),
      });
    } catch (error) {
      if (!(error instanceof AppError) || error.statusCode !== 400 || !error.fields) throw error;
      return reply.page(
        'contacts/views/list.njk',
        { pageTitle: 'Error: Contacts', q, errors: error.fields },
        400,
      );
    }
  });

  app.post(
    '/api/contacts/:id/merge',
    api(MANAGERS, 'Merge a duplicate contact into another: its cases move there (managers)', {
      params: IdParams,
      body: MergeBody,
      response: { 200: MergeResultSchema },
    }),
    async (request) => contacts.merge(request.actor(), request.params.id, request.body.into),
  );

  recordPage(
    app,
    '/contacts/:id',
    { auth: MANAGERS, notices: NOTICES },
    async (request, reply, id, notice) => {
      const contact = await contacts.detail(request.actor(), id);
      return reply.page('contacts/views/contact.njk', {
        pageTitle: contact.name,
        contact,
        cases: contact.cases.map((c) => ({
          ...c,
          typeLabel: TYPE_LABELS[c.type],
          statusLabel: STATUS_LABELS[c.status],
        })),
        notice,
      });
    },
  );

  async function renderMerge(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    extra: FormState = {},
  ) {
    const contact = await contacts.detail(request.actor(), id);
    // The likely duplicates of this one (same email, phone, or name and postcode), never itself.
    const suggestions = contact.mergedInto
      ? []
      : (await contacts.suggest(contact)).filter((s) => s.id !== contact.id);
    const values = extra.values ?? {};
    let errors = extra.errors;
    // With suggestions on the page, a missing or wrong choice belongs to the radios.
    if (errors?.intoId && suggestions.length > 0 && values.into !== 'other')
      errors = { into: errors.intoId };
    return reply.page(
      'contacts/views/merge.njk',
      {
        pageTitle: `Merge ${contact.name} into another contact`,
        contact,
        suggestions,
        errors,
        values,
        intoItems: suggestions.map((s) => ({
          value: s.id,
          text: s.name,
          hint: {
            text: [s.email, s.phone, s.postcode].filter(Boolean).join(', ') || 'No contact details',
          },
          checked: values.into === s.id,
        })),
      },
      extra.status ?? 200,
    );
  }

  app.get(
    '/contacts/:id/merge',
    pageRoute(MANAGERS, { params: IdParams }),
    async (request, reply) => renderMerge(request, reply, request.params.id),
  );

  app.post(
    '/contacts/:id/merge',
    pageRoute(MANAGERS, { params: IdParams, body: MergeForm }),
    async (request, reply) => {
      const { id } = request.params;
      const values = { into: request.body.into ?? '', intoId: request.body.intoId ?? '' };
      const into = values.into && values.into !== 'other' ? values.into : values.intoId.trim();
      try {
        const result = await contacts.merge(request.actor(), id, into);
        return reply.redirect(`/contacts/${result.mergedIntoId}?notice=merged`, 303);
      } catch (error) {
        if (error instanceof AppError && error.statusCode === 422) {
          // The message goes to the radios, or to the ID box when that is what was used.
          const message = error.fields?.into ?? error.message;
          const field = values.into && values.into !== 'other' ? 'into' : 'intoId';
          // (renderMerge moves it to the radios when they were shown and "Another" was not chosen.)
          return renderMerge(request, reply, id, {
            errors: { [field]: message },
            status: 422,
            values,
          });
        }
        throw error;
      }
    },
  );

  // Erasure (Art 17, docs/rules/security.md §8): managers, re-authenticated within 5 minutes with a
  // recorded justification (docs/rules/security.md §1 marks erasure R).
  app.post(
    '/api/contacts/:id/erase',
    {
      ...api(
        MANAGERS,
        'Erase a person (UK GDPR Art 17): anonymise their details, cancel unsent email, record it in the erasure ledger (managers)',
        { params: IdParams, body: EraseBody, response: { 200: EraseResultSchema } },
      ),
      config: { auth: MANAGERS, reauth: true },
    },
    async (request) =>
      contacts.erase(request.actor(), request.params.id, request.body.justification),
  );

  async function renderErase(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    extra: FormState = {},
  ) {
    const contact = await contacts.detail(request.actor(), id);
    if (contact.erasedAt || contact.mergedInto)
      return reply.redirect(`/contacts/${contact.id}`, 303);
    return reply.page(
      'contacts/views/erase.njk',
      {
        pageTitle: `${extra.errors ? 'Error: ' : ''}Erase ${contact.name}’s personal data`,
        contact,
        errors: extra.errors,
        values: extra.values ?? {},
      },
      extra.status ?? 200,
    );
  }

  app.get(
    '/contacts/:id/erase',
    pageRoute(MANAGERS, { params: IdParams }, { reauth: true }),
    async (request, reply) => renderErase(request, reply, request.params.id),
  );

  app.post(
    '/contacts/:id/erase',
    pageRoute(
      MANAGERS,
      { params: IdParams, body: EraseForm },
      { reauth: { returnTo: (request) => request.url } },
    ),
    async (request, reply) => {
      const { id } = request.params;
      const confirm = [request.body.confirm ?? []].flat();
      const values = {
        justification: request.body.justification ?? '',
        confirm: confirm.includes('yes') ? 'yes' : '',
      };
      const errors: FieldErrors = {};
      if (!values.justification.trim()) errors.justification = 'Enter why this person is erased';
      else if (values.justification.trim().length > JUSTIFICATION_MAX)
        errors.justification = `Reason must be ${JUSTIFICATION_MAX} characters or fewer`;
      if (!values.confirm) errors.confirm = 'Confirm that you understand this cannot be undone';
      if (Object.keys(errors).length)
        return renderErase(request, reply, id, { errors, status: 400, values });
      const result = await contacts.erase(request.actor(), id, values.justification);
      return reply.redirect(`/contacts/${result.id}?notice=erased`, 303);
    },
  );
}
