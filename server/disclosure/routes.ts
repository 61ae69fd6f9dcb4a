import multipart from '@fastify/multipart';
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { uploadedFiles } from '../correspondence/attachments.js';
import { CASEWORK, MANAGERS } from '../platform/auth.js';
import { AppError } from '../platform/errors.js';
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

const api = { tags: ['disclosure'], security: [{ bearer: [] }] };

/**
 * The disclosure log: the public pages (`/disclosure-log`), the JSON API and the staff
 * pages where caseworkers prepare entries and managers approve, publish and withdraw them.
 */
export async function disclosureRoutes(
  app: FastifyInstance,
  opts: { disclosure: DisclosureService },
) {
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

  app.post<{ Params: Static<typeof IdParams> }>(
    '/api/cases/:id/disclosure',
    {
      schema: {
        ...api,
        summary:
          'Start a disclosure log entry from an answered FOI/EIR case (422 disclosure.not_publishable otherwise)',
        params: IdParams,
        response: { 200: EntrySchema, 201: EntrySchema },
      },
      config: { auth: CASEWORK },
    },
    async (request, reply) => {
      const { entry, created } = await svc.draftFromCase(request.actor(), request.params.id);
      return reply.code(created ? 201 : 200).send(entry);
    },
  );

  app.get<{ Querystring: Static<typeof StaffListQuery> }>(
    '/api/disclosure',
    {
      schema: {
        ...api,
        summary: 'Disclosure log entries (all statuses) on cases you can see',
        querystring: StaffListQuery,
        response: { 200: Type.Object({ items: Type.Array(EntrySchema) }) },
      },
      config: { auth: CASEWORK },
    },
    async (request) => ({ items: await svc.list(request.actor(), request.query.status) }),
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/api/disclosure/:id',
    {
      schema: { ...api, summary: 'One entry', params: IdParams, response: { 200: EntrySchema } },
      config: { auth: CASEWORK },
    },
    async (request) => svc.get(request.actor(), request.params.id),
  );

  app.put<{ Params: Static<typeof IdParams>; Body: Static<typeof EntryBody> }>(
    '/api/disclosure/:id',
    {
      schema: {
        ...api,
        summary: 'Edit a draft or approved entry (back to draft); personalDataRemoved must be true',
        params: IdParams,
        body: EntryBody,
        response: { 200: EntrySchema },
      },
      config: { auth: CASEWORK },
    },
    async (request) => svc.update(request.actor(), request.params.id, request.body),
  );

  for (const action of ['approve', 'publish'] as const) {
    app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof VersionBody> }>(
      `/api/disclosure/:id/${action}`,
      {
        schema: {
          ...api,
          summary:
            action === 'approve'
              ? 'Approve a draft (managers)'
              : 'Publish an approved entry (managers)',
          params: IdParams,
          body: VersionBody,
          response: { 200: EntrySchema },
        },
        config: { auth: MANAGERS },
      },
      async (request) => svc[action](request.actor(), request.params.id, request.body),
    );
  }

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof WithdrawBody> }>(
    '/api/disclosure/:id/withdraw',
    {
      schema: {
        ...api,
        summary: 'Withdraw a published entry (managers); its public page then answers 410',
        params: IdParams,
        body: WithdrawBody,
        response: { 200: EntrySchema },
      },
      config: { auth: MANAGERS },
    },
    async (request) => svc.withdraw(request.actor(), request.params.id, request.body),
  );

  app.post<{ Params: Static<typeof IdParams> }>(
    '/api/disclosure/:id/documents',
    {
      schema: {
        ...api,
        summary:
          'Add redacted documents to a draft or approved entry (multipart/form-data; PDF only, 10 MiB each, 5 on an entry; an approved entry goes back to draft)',
        consumes: ['multipart/form-data'],
        params: IdParams,
        response: { 201: Type.Object({ items: Type.Array(DocumentSchema) }) },
      },
      config: { auth: CASEWORK },
    },
    async (request, reply) => {
      if (!request.isMultipart())
        throw new AppError(415, 'unsupported_media_type', 'Send the files as multipart/form-data');
      const items = await svc.addDocuments(
        request.actor(),
        request.params.id,
        uploadedFiles(request.body),
      );
      return reply.code(201).send({ items });
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/api/disclosure/:id/documents',
    {
      schema: {
        ...api,
        summary: 'The redacted documents on an entry',
        params: IdParams,
        response: { 200: Type.Object({ items: Type.Array(DocumentSchema) }) },
      },
      config: { auth: CASEWORK },
    },
    async (request) => ({ items: await svc.documents(request.actor(), request.params.id) }),
  );

  app.delete<{ Params: Static<typeof DocumentParams> }>(
    '/api/disclosure/:id/documents/:documentId',
    {
      schema: {
        ...api,
        summary: 'Remove a document from a draft or approved entry',
        params: DocumentParams,
      },
      config: { auth: CASEWORK },
    },
    async (request, reply) => {
      await svc.removeDocument(request.actor(), request.params.id, request.params.documentId);
      return reply.code(204).send();
    },
  );

  publicPages(app, svc);
  staffPages(app, svc);
}
