import multipart from '@fastify/multipart';
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { CASEWORK, MANAGERS } from '../platform/auth.js';
import { ATTACHMENT_LIMITS, sendAttachment, uploadedFiles } from './attachments.js';
import { correspondencePages } from './pages.js';
import {
  AccessBody,
  AccessListSchema,
  AccessParams,
  AssignBody,
  AttachmentIdParams,
  AttachmentSchema,
  BulkAssignBody,
  BulkAssignResult,
  BulkTagBody,
  BulkTagResult,
  CaseDetailSchema,
  CaseIdParams,
  CaseListSchema,
  CaseSummarySchema,
  CreateCaseBody,
  CreatedCaseSchema,
  ListQuery,
  NoteBody,
  NoteSchema,
  RestrictionBody,
  TransitionBody,
} from './schemas.js';
import type { CorrespondenceService } from './service.js';

const api = { tags: ['cases'], security: [{ bearer: [] }] };

/**
 * The service hands back the same object while it reuses an answer (change stamp), so its
 * JSON, made by this route's response serialiser, is kept beside it and sent as it is.
 * A new answer is a new object and is serialised afresh; nothing is ever invalidated here.
 * It is kept as UTF-8 bytes: a string would be encoded again on every send, which showed
 * at 11% of the app's CPU under `perf` for the 12 KB queue page.
 */
const serialised = new WeakMap<object, Buffer>();
function sendReused(reply: FastifyReply, answer: object) {
  let body = serialised.get(answer);
  if (body === undefined) {
    const json = reply.serialize(answer);
    body = typeof json === 'string' ? Buffer.from(json, 'utf8') : Buffer.from(json as ArrayBuffer);
    serialised.set(answer, body);
  }
  return reply.type('application/json; charset=utf-8').send(body);
}

export async function correspondenceRoutes(
  app: FastifyInstance,
  opts: { correspondence: CorrespondenceService },
) {
  const { correspondence } = opts;

  // Uploads for this plugin's routes only (security §5): files are held in memory, cut off
  // just past the limit so the service can say which file was too large.
  await app.register(multipart, {
    attachFieldsToBody: true,
    throwFileSizeLimit: false,
    limits: {
      fileSize: ATTACHMENT_LIMITS.fileSize,
      // One more than allowed, so the sixth file gets a clear message; more is refused outright.
      files: ATTACHMENT_LIMITS.files + 1,
      fields: 10,
      fieldSize: 1024,
      parts: 20,
      headerPairs: 50,
    },
  });

  app.post<{ Body: Static<typeof CreateCaseBody> }>(
    '/api/cases',
    {
      schema: {
        ...api,
        summary: 'Record a piece of correspondence (staff entry)',
        body: CreateCaseBody,
        response: { 201: CreatedCaseSchema },
      },
      config: { auth: CASEWORK },
    },
    async (request, reply) => {
      const created = await correspondence.createCase(request.actor(), request.body);
      return reply.code(201).send(created);
    },
  );

  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '/api/cases',
    {
      schema: {
        ...api,
        summary: 'List and search cases (keyset paged)',
        querystring: ListQuery,
        response: { 200: CaseListSchema },
      },
      config: { auth: CASEWORK },
    },
    async (request, reply) => {
      const { sort, limit, cursor, ...filters } = request.query;
      return sendReused(
        reply,
        await correspondence.list(request.actor(), filters, { sort, limit, cursor }),
      );
    },
  );

  app.post<{ Body: Static<typeof BulkAssignBody> }>(
    '/api/cases/bulk-assign',
    {
      schema: {
        ...api,
        summary: 'Assign many cases at once: all or none',
        body: BulkAssignBody,
        response: { 200: BulkAssignResult },
      },
      config: { auth: CASEWORK },
    },
    async (request) => correspondence.bulkAssign(request.actor(), request.body),
  );

  app.post<{ Body: Static<typeof BulkTagBody> }>(
    '/api/cases/bulk-tag',
    {
      schema: {
        ...api,
        summary: 'Add tags to many cases at once: all or none',
        body: BulkTagBody,
        response: { 200: BulkTagResult },
      },
      config: { auth: CASEWORK },
    },
    async (request) =>
      correspondence.bulkTag(request.actor(), {
        tags: request.body.tags,
        cases: request.body.items,
      }),
  );

  app.get<{ Params: Static<typeof CaseIdParams> }>(
    '/api/cases/:id',
    {
      schema: {
        ...api,
        summary: 'One case with its deadline, notes and timeline',
        params: CaseIdParams,
        response: { 200: CaseDetailSchema },
      },
      config: { auth: CASEWORK },
    },
    async (request, reply) =>
      sendReused(reply, await correspondence.get(request.actor(), request.params.id)),
  );

  app.post<{ Params: Static<typeof CaseIdParams>; Body: Static<typeof TransitionBody> }>(
    '/api/cases/:id/transitions',
    {
      schema: {
        ...api,
        summary: 'Move a case to another status (domain §5)',
        params: CaseIdParams,
        body: TransitionBody,
        response: { 200: CaseSummarySchema },
      },
      config: { auth: CASEWORK },
    },
    async (request) => correspondence.transition(request.actor(), request.params.id, request.body),
  );

  app.post<{ Params: Static<typeof CaseIdParams>; Body: Static<typeof NoteBody> }>(
    '/api/cases/:id/notes',
    {
      schema: {
        ...api,
        summary: 'Add an internal note (immutable)',
        params: CaseIdParams,
        body: NoteBody,
        response: { 201: NoteSchema },
      },
      config: { auth: CASEWORK },
    },
    async (request, reply) => {
      const note = await correspondence.addNote(request.actor(), request.params.id, request.body);
      return reply.code(201).send(note);
    },
  );

  app.post<{ Params: Static<typeof CaseIdParams>; Body: Static<typeof AssignBody> }>(
    '/api/cases/:id/assignment',
    {
      schema: {
        ...api,
        summary: 'Assign or unassign one case',
        params: CaseIdParams,
        body: AssignBody,
        response: { 200: CaseSummarySchema },
      },
      config: { auth: CASEWORK },
    },
    async (request) => correspondence.assign(request.actor(), request.params.id, request.body),
  );

  app.post<{ Params: Static<typeof CaseIdParams>; Body: Static<typeof RestrictionBody> }>(
    '/api/cases/:id/restriction',
    {
      schema: {
        ...api,
        summary: 'Restrict a case to its assignee and managers (managers only)',
        params: CaseIdParams,
        body: RestrictionBody,
        response: { 200: CaseSummarySchema },
      },
      config: { auth: MANAGERS },
    },
    async (request) =>
      correspondence.setRestricted(request.actor(), request.params.id, request.body),
  );

  app.get<{ Params: Static<typeof CaseIdParams> }>(
    '/api/cases/:id/access',
    {
      schema: {
        ...api,
        summary: 'Who has been given access to a restricted case (managers only)',
        params: CaseIdParams,
        response: { 200: AccessListSchema },
      },
      config: { auth: MANAGERS },
    },
    async (request) => ({
      items: await correspondence.accessList(request.actor(), request.params.id),
    }),
  );

  app.post<{ Params: Static<typeof CaseIdParams>; Body: Static<typeof AccessBody> }>(
    '/api/cases/:id/access',
    {
      schema: {
        ...api,
        summary: 'Give a caseworker or manager access to a restricted case (managers only)',
        params: CaseIdParams,
        body: AccessBody,
        response: { 201: AccessListSchema },
      },
      config: { auth: MANAGERS },
    },
    async (request, reply) => {
      const actor = request.actor();
      await correspondence.grantAccess(actor, request.params.id, request.body.userId);
      const items = await correspondence.accessList(actor, request.params.id);
      return reply.code(201).send({ items });
    },
  );

  app.delete<{ Params: Static<typeof AccessParams> }>(
    '/api/cases/:id/access/:userId',
    {
      schema: {
        ...api,
        summary: 'Take back access given to a member of staff (managers only)',
        params: AccessParams,
      },
      config: { auth: MANAGERS },
    },
    async (request, reply) => {
      await correspondence.revokeAccess(request.actor(), request.params.id, request.params.userId);
      return reply.code(204).send();
    },
  );

  app.post<{ Params: Static<typeof CaseIdParams> }>(
    '/api/cases/:id/attachments',
    {
      schema: {
        ...api,
        summary: 'Attach files (multipart/form-data; PDF, PNG, JPEG or DOCX; 10 MiB, 5 files)',
        consumes: ['multipart/form-data'],
        params: CaseIdParams,
        response: { 201: Type.Object({ items: Type.Array(AttachmentSchema) }) },
      },
      config: { auth: CASEWORK },
    },
    async (request, reply) => {
      if (!request.isMultipart())
        return reply.code(415).send({
          error: {
            code: 'unsupported_media_type',
            message: 'Send the files as multipart/form-data',
            requestId: request.id,
          },
        });
      const items = await correspondence.addAttachments(
        request.actor(),
        request.params.id,
        uploadedFiles(request.body),
      );
      return reply.code(201).send({ items });
    },
  );

  app.get<{ Params: Static<typeof AttachmentIdParams> }>(
    '/api/cases/:id/attachments/:attachmentId',
    {
      schema: {
        ...api,
        summary: 'Download one attachment (always as a download)',
        params: AttachmentIdParams,
      },
      config: { auth: CASEWORK },
    },
    async (request, reply) =>
      sendAttachment(
        reply,
        await correspondence.attachment(
          request.actor(),
          request.params.id,
          request.params.attachmentId,
        ),
      ),
  );

  app.get(
    '/api/cases/counts',
    {
      schema: {
        ...api,
        summary: 'Counts for each triage view',
        response: {
          200: Type.Object({
            unassigned: Type.Integer(),
            mine: Type.Integer(),
            due5wd: Type.Integer(),
            overdue: Type.Integer(),
            awaitingRequester: Type.Integer(),
            awaitingApproval: Type.Integer(),
            needsAttention: Type.Integer(),
            allOpen: Type.Integer(),
          }),
        },
      },
      config: { auth: CASEWORK },
    },
    async (request) => correspondence.counts(request.actor()),
  );

  await correspondencePages(app, { correspondence });
}
