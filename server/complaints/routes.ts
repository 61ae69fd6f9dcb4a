import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
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
  StatsQuery,
  TemplateBody,
  TransitionBody,
  TransitionResult,
} from './schemas.js';
import type { ComplaintsService } from './service.js';
import { statsRoutes } from './stats-routes.js';

const api = { tags: ['complaints'], security: [{ bearer: [] }] };
type Id = { Params: Static<typeof IdParams> };

export async function complaintsRoutes(
  app: FastifyInstance,
  opts: { complaints: ComplaintsService },
) {
  const c = opts.complaints;

  app.post<{ Body: Static<typeof CreateComplaintBody> }>(
    '/api/complaints',
    {
      schema: {
        ...api,
        summary: 'Record a complaint or a review application',
        body: CreateComplaintBody,
        response: { 201: CreatedComplaint },
      },
      config: { auth: CASEWORK },
    },
    async (request, reply) =>
      reply.code(201).send(await c.records.create(request.actor(), request.body)),
  );

  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '/api/complaints',
    {
      schema: {
        ...api,
        summary: 'Complaints on my access list (keyset paged)',
        querystring: ListQuery,
      },
      config: { auth: CASEWORK },
    },
    async (request) => {
      const { limit, cursor, ...filters } = request.query;
      return c.records.list(request.actor(), filters, { limit, cursor });
    },
  );

  app.get<{ Querystring: { weekOf?: string } }>(
    '/api/complaints/justified-reads',
    {
      schema: {
        ...api,
        summary: 'Weekly report: managers who read complaints off their access list, and why',
        querystring: Type.Object(
          { weekOf: Type.Optional(Type.String({ maxLength: 10 })) },
          { additionalProperties: false },
        ),
      },
      config: { auth: MANAGERS },
    },
    async (request) => c.justifiedReads.week(request.actor(), request.query.weekOf),
  );

  app.get<Id & { Querystring: Static<typeof DetailQuery> }>(
    '/api/complaints/:id',
    {
      schema: {
        ...api,
        summary: 'One complaint with status, allegations, timers and timeline',
        params: IdParams,
        querystring: DetailQuery,
      },
      config: { auth: CASEWORK },
    },
    async (request) =>
      c.detail.get(request.actor(), request.params.id, request.query.justification),
  );

  app.post<Id & { Body: Static<typeof TransitionBody> }>(
    '/api/complaints/:id/transitions',
    {
      schema: {
        ...api,
        summary: 'Move a complaint (domain §3): 422 when not allowed, 409 when stale',
        params: IdParams,
        body: TransitionBody,
        response: { 200: TransitionResult },
      },
      config: { auth: CASEWORK },
    },
    async (request) => c.transitions.transition(request.actor(), request.params.id, request.body),
  );

  app.post<Id & { Body: Static<typeof LetterBody> }>(
    '/api/complaints/:id/letters',
    {
      schema: {
        ...api,
        summary: 'Send a letter from a template: emailed, or recorded as posted',
        params: IdParams,
        body: LetterBody,
      },
      config: { auth: CASEWORK },
    },
    async (request, reply) =>
      reply.code(201).send(await c.letters.send(request.actor(), request.params.id, request.body)),
  );

  app.post<Id & { Body: Static<typeof ContactBody> }>(
    '/api/complaints/:id/contacts',
    {
      schema: {
        ...api,
        summary: 'Log a contact with the complainant (call, visit, update)',
        params: IdParams,
        body: ContactBody,
      },
      config: { auth: CASEWORK },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(await c.letters.logContact(request.actor(), request.params.id, request.body)),
  );

  app.put<Id & { Body: Static<typeof EqualityBody> }>(
    '/api/complaints/:id/equality',
    {
      schema: {
        ...api,
        summary: 'Record the complainant’s optional equality answers (special category)',
        params: IdParams,
        body: EqualityBody,
      },
      config: { auth: CASEWORK },
    },
    async (request, reply) => {
      await c.records.setEquality(request.actor(), request.params.id, request.body);
      return reply.code(204).send();
    },
  );

  app.get<Id>(
    '/api/complaints/:id/access',
    {
      schema: { ...api, summary: 'Who is on the access list', params: IdParams },
      config: { auth: CASEWORK },
    },
    async (request) => ({ items: await c.records.accessList(request.actor(), request.params.id) }),
  );

  app.post<Id & { Body: Static<typeof AccessBody> }>(
    '/api/complaints/:id/access',
    {
      schema: {
        ...api,
        summary: 'Add someone to the access list',
        params: IdParams,
        body: AccessBody,
      },
      config: { auth: CASEWORK },
    },
    async (request, reply) => {
      await c.records.grant(
        request.actor(),
        request.params.id,
        request.body.userId,
        request.body.role ?? 'staff',
      );
      return reply.code(204).send();
    },
  );

  app.post<Id & { Body: Static<typeof LegalHoldBody> }>(
    '/api/complaints/:id/legal-hold',
    {
      schema: {
        ...api,
        summary: 'Set or clear a legal hold (stops the retention sweep)',
        params: IdParams,
        body: LegalHoldBody,
      },
      config: { auth: MANAGERS },
    },
    async (request) => c.records.setLegalHold(request.actor(), request.params.id, request.body),
  );

  app.get(
    '/api/complaint-categories',
    {
      schema: { ...api, summary: 'IOPC categories and factors, with which are in use' },
      config: { auth: STAFF },
    },
    async () => c.referenceData.list(),
  );

  app.post<{ Body: Static<typeof CategoryBody> }>(
    '/api/complaint-categories',
    {
      schema: { ...api, summary: 'Add a category or sub-category (admins)', body: CategoryBody },
      config: { auth: ADMINS },
    },
    async (request, reply) =>
      reply.code(201).send(await c.referenceData.addCategory(request.actor(), request.body)),
  );

  app.patch<{ Params: Static<typeof EntryParams>; Body: Static<typeof EntryUpdateBody> }>(
    '/api/complaint-categories/:kind/:code',
    {
      schema: {
        ...api,
        summary: 'Edit, confirm or retire a category or factor (admins)',
        params: EntryParams,
        body: EntryUpdateBody,
      },
      config: { auth: ADMINS },
    },
    async (request) =>
      c.referenceData.updateEntry(
        request.actor(),
        request.params.kind === 'categories' ? 'category' : 'factor',
        request.params.code,
        request.body,
      ),
  );

  app.put<{ Params: { key: string }; Body: Static<typeof TemplateBody> }>(
    '/api/complaint-templates/:key',
    {
      schema: {
        ...api,
        summary: 'Save a new version of a letter template (admins)',
        body: TemplateBody,
      },
      config: { auth: ADMINS },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(await c.letters.saveTemplate(request.actor(), request.params.key, request.body)),
  );

  app.get<{ Querystring: Static<typeof StatsQuery> }>(
    '/api/stats/complaints',
    {
      schema: {
        tags: ['stats'],
        security: [{ bearer: [] }],
        summary: 'Complaint statistics (domain §5)',
        querystring: StatsQuery,
      },
      config: { auth: MANAGERS },
    },
    async (request) => c.stats.complaints(request.actor(), request.query),
  );

  await statsRoutes(app, { complaints: c });
  await complaintAdminRoutes(app, { complaints: c });
  await complaintAdminPages(app, { complaints: c });
  await complaintAccessPages(app, { complaints: c });
  await complaintPages(app, { complaints: c });
}
