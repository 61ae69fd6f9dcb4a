import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { apiRoute, type RouteAuth } from '../platform/api-route.js';
import type { Actor } from '../platform/audit.js';
import { ADMINS, CASEWORK, MANAGERS, STAFF } from '../platform/auth.js';
import { complaintAccessPages } from './access-pages.js';
import { complaintAdminPages } from './admin-pages.js';
import { complaintAdminRoutes } from './admin-routes.js';
import { complaintPages } from './pages.js';
import {
  AccessBody,
  CategoryBody,
  ContactBody,
  CreateComplaintBody,
  CreatedComplaint,
  DetailQuery,
  EntryParams,
  EntryUpdateBody,
  EqualityBody,
  IdParams,
  LegalHoldBody,
  LetterBody,
  ListQuery,
  TemplateBody,
  TemplateKeyParams,
  TransitionBody,
  TransitionResult,
} from './schemas.js';
import type { ComplaintsService } from './service.js';
import { statsRoutes } from './stats-routes.js';
import type { App } from '../platform/app-type.js';

const api = apiRoute('complaints');

export async function complaintsRoutes(app: App, opts: { complaints: ComplaintsService }) {
  const c = opts.complaints;

  /**
   * A change to one complaint (`/api/complaints/:id/<path>`), answered with `status`: 200 or
   * 201 with what the service returns (checked against `response` when given), 204 with nothing.
   */
  function complaintChange<B extends TSchema>(
    method: 'POST' | 'PUT',
    path: string,
    route: {
      auth: RouteAuth;
      summary: string;
      body: B;
      status: 200 | 201 | 204;
      response?: TSchema;
    },
    change: (actor: Actor, id: string, body: Static<B>) => Promise<unknown>,
  ) {
    const { auth, summary, body, status, response } = route;
    app.route({
      method,
      url: `/api/complaints/:id/${path}`,
      ...api(auth, summary, {
        params: IdParams,
        body,
        ...(response ? { response: { [status]: response } } : {}),
      }),
      handler: async (request, reply) => {
        const answer = await change(request.actor(), request.params.id, request.body);
        return reply.code(status).send(status === 204 ? undefined : answer);
      },
    });
  }

  app.post(
    '/api/complaints',
    api(CASEWORK, 'Record a complaint or a review application', {
      body: CreateComplaintBody,
      response: { 201: CreatedComplaint },
    }),
    async (request, reply) =>
      reply.code(201).send(await c.records.create(request.actor(), request.body)),
  );

  app.get(
    '/api/complaints',
    api(CASEWORK, 'Complaints on my access list (keyset paged)', { querystring: ListQuery }),
    async (request) => {
      const { limit, cursor, ...filters } = request.query;
      return c.records.list(request.actor(), filters, { limit, cursor });
    },
  );

  app.get(
    '/api/complaints/justified-reads',
    api(MANAGERS, 'Weekly report: managers who read complaints off their access list, and why', {
      querystring: Type.Object(
        { weekOf: Type.Optional(Type.String({ maxLength: 10 })) },
        { additionalProperties: false },
      ),
    }),
    async (request) => c.justifiedReads.week(request.actor(), request.query.weekOf),
  );

  app.get(
    '/api/complaints/:id',
    api(CASEWORK, 'One complaint with status, allegations, timers and timeline', {
      params: IdParams,
      querystring: DetailQuery,
    }),
    async (request) =>
      c.detail.get(request.actor(), request.params.id, request.query.justification),
  );

  complaintChange(
    'POST',
    'transitions',
    {
      auth: CASEWORK,
      summary: 'Move a complaint (domain §3): 422 when not allowed, 409 when stale',
      body: TransitionBody,
      status: 200,
      response: TransitionResult,
    },
    (actor, id, body) => c.transitions.transition(actor, id, body),
  );

  complaintChange(
    'POST',
    'letters',
    {
      auth: CASEWORK,
      summary: 'Send a letter from a template: emailed, or recorded as posted',
      body: LetterBody,
      status: 201,
    },
    (actor, id, body) => c.letters.send(actor, id, body),
  );

  complaintChange(
    'POST',
    'contacts',
    {
      auth: CASEWORK,
      summary: 'Log a contact with the complainant (call, visit, update)',
      body: ContactBody,
      status: 201,
    },
    (actor, id, body) => c.letters.logContact(actor, id, body),
  );

  complaintChange(
    'PUT',
    'equality',
    {
      auth: CASEWORK,
      summary: 'Record the complainant’s optional equality answers (special category)',
      body: EqualityBody,
      status: 204,
    },
    (actor, id, body) => c.records.setEquality(actor, id, body),
  );

  app.get(
    '/api/complaints/:id/access',
    api(CASEWORK, 'Who is on the access list', { params: IdParams }),
    async (request) => ({ items: await c.records.accessList(request.actor(), request.params.id) }),
  );

  complaintChange(
    'POST',
    'access',
    { auth: CASEWORK, summary: 'Add someone to the access list', body: AccessBody, status: 204 },
    (actor, id, body) => c.records.grant(actor, id, body.userId, body.role ?? 'staff'),
  );

  complaintChange(
    'POST',
    'legal-hold',
    {
      auth: MANAGERS,
      summary: 'Set or clear a legal hold (stops the retention sweep)',
      body: LegalHoldBody,
      status: 200,
    },
    (actor, id, body) => c.records.setLegalHold(actor, id, body),
  );

  app.get(
    '/api/complaint-categories',
    api(STAFF, 'IOPC categories and factors, with which are in use'),
    async () => c.referenceData.list(),
  );

  app.post(
    '/api/complaint-categories',
    api(ADMINS, 'Add a category or sub-category (admins)', { body: CategoryBody }),
    async (request, reply) =>
      reply.code(201).send(await c.referenceData.addCategory(request.actor(), request.body)),
  );

  app.patch(
    '/api/complaint-categories/:kind/:code',
    api(ADMINS, 'Edit, confirm or retire a category or factor (admins)', {
      params: EntryParams,
      body: EntryUpdateBody,
    }),
    async (request) =>
      c.referenceData.updateEntry(
        request.actor(),
        request.params.kind === 'categories' ? 'category' : 'factor',
        request.params.code,
        request.body,
      ),
  );

  app.put(
    '/api/complaint-templates/:key',
    // The GET of the same path takes the same `:key`; a malformed one is a 400 here too.
    api(ADMINS, 'Save a new version of a letter template (admins)', {
      params: TemplateKeyParams,
      body: TemplateBody,
    }),
    async (request, reply) =>
      reply
        .code(201)
        .send(await c.letters.saveTemplate(request.actor(), request.params.key, request.body)),
  );

  await statsRoutes(app, { complaints: c });
  await complaintAdminRoutes(app, { complaints: c });
  await complaintAdminPages(app, { complaints: c });
  await complaintAccessPages(app, { complaints: c });
  await complaintPages(app, { complaints: c });
}
