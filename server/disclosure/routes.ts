import multipart from '@fastify/multipart';
import { Type } from '@sinclair/typebox';
import { uploadRoute } from '../attachments/uploads.js';
import { apiRoute } from '../platform/api-route.js';
import { CASEWORK, MANAGERS } from '../platform/auth.js';
import {
  DocumentParams,
  DocumentSchema,
  EntryBody,
  EntrySchema,
  IdParams,
  StaffListQuery,
  VersionBody,
  WithdrawBody,
} from './schemas.js';
import { DOCUMENT_LIMITS, type DisclosureService } from './service.js';
import { publicPages } from './public-pages.js';
import { staffPages } from './staff-pages.js';
import type { App } from '../platform/app-type.js';

const api = apiRoute('disclosure');

/**
 * The disclosure log: the public pages (`/disclosure-log`), the JSON API and the staff
 * pages where caseworkers prepare entries and managers approve, publish and withdraw them.
 */
export async function disclosureRoutes(app: App, opts: { disclosure: DisclosureService }) {
  const svc = opts.disclosure;

  // Redacted documents (security §5): held in memory, cut off just past 10 MiB so the service
  // can name the file; one more file than allowed so the sixth gets a clear message.
  await app.register(multipart, {
    attachFieldsToBody: true,
    throwFileSizeLimit: false,
    limits: {
      fileSize: DOCUMENT_LIMITS.fileSize,
      files: DOCUMENT_LIMITS.files + 1,
      fields: 5,
      fieldSize: 1024,
      parts: 12,
      headerPairs: 50,
    },
  });
  app.staffNav.push({
    href: '/disclosure-entries',
    text: 'Disclosure log',
    roles: ['caseworker', 'manager'],
  });

  /* ---- JSON API (staff) ---- */

  app.post(
    '/api/cases/:id/disclosure',
    api(
      CASEWORK,
      'Start a disclosure log entry from an answered FOI/EIR case (422 disclosure.not_publishable otherwise)',
      { params: IdParams, response: { 200: EntrySchema, 201: EntrySchema } },
    ),
    async (request, reply) => {
      const { entry, created } = await svc.draftFromCase(request.actor(), request.params.id);
      return reply.code(created ? 201 : 200).send(entry);
    },
  );

  app.get(
    '/api/disclosure',
    api(CASEWORK, 'Disclosure log entries (all statuses) on cases you can see', {
      querystring: StaffListQuery,
      response: { 200: Type.Object({ items: Type.Array(EntrySchema) }) },
    }),
    async (request) => ({ items: await svc.list(request.actor(), request.query.status) }),
  );

  app.get(
    '/api/disclosure/:id',
    api(CASEWORK, 'One entry', { params: IdParams, response: { 200: EntrySchema } }),
    async (request) => svc.get(request.actor(), request.params.id),
  );

  app.put(
    '/api/disclosure/:id',
    api(
      CASEWORK,
      'Edit a draft or approved entry (back to draft); personalDataRemoved must be true',
      { params: IdParams, body: EntryBody, response: { 200: EntrySchema } },
    ),
    async (request) => svc.update(request.actor(), request.params.id, request.body),
  );

  const STEPS = {
    approve: 'Approve a draft (managers)',
    publish: 'Publish an approved entry (managers)',
  } as const;
  for (const action of ['approve', 'publish'] as const) {
    app.post(
      `/api/disclosure/:id/${action}`,
      api(MANAGERS, STEPS[action], {
        params: IdParams,
        body: VersionBody,
        response: { 200: EntrySchema },
      }),
      async (request) => svc[action](request.actor(), request.params.id, request.body),
    );
  }

  app.post(
    '/api/disclosure/:id/withdraw',
    api(MANAGERS, 'Withdraw a published entry (managers); its public page then answers 410', {
      params: IdParams,
      body: WithdrawBody,
      response: { 200: EntrySchema },
    }),
    async (request) => svc.withdraw(request.actor(), request.params.id, request.body),
  );

  uploadRoute(
    app,
    '/api/disclosure/:id/documents',
    api(
      CASEWORK,
      'Add redacted documents to a draft or approved entry (multipart/form-data; PDF only, 10 MiB each, 5 on an entry; an approved entry goes back to draft)',
    ),
    DocumentSchema,
    (actor, id, files) => svc.addDocuments(actor, id, files),
  );

  app.get(
    '/api/disclosure/:id/documents',
    api(CASEWORK, 'The redacted documents on an entry', {
      params: IdParams,
      response: { 200: Type.Object({ items: Type.Array(DocumentSchema) }) },
    }),
    async (request) => ({ items: await svc.documents(request.actor(), request.params.id) }),
  );

  app.delete(
    '/api/disclosure/:id/documents/:documentId',
    api(CASEWORK, 'Remove a document from a draft or approved entry', { params: DocumentParams }),
    async (request, reply) => {
      await svc.removeDocument(request.actor(), request.params.id, request.params.documentId);
      return reply.code(204).send();
    },
  );

  publicPages(app, svc);
  staffPages(app, svc);
}
