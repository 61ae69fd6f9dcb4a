import multipart from '@fastify/multipart';
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import { apiRoute, type RouteAuth } from '../platform/api-route.js';
import type { Actor } from '../platform/audit.js';
import { CASEWORK, MANAGERS } from '../platform/auth.js';
import { ATTACHMENT_LIMITS, sendAttachment, uploadRoute } from '../attachments/uploads.js';
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
  IdParams,
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
import type { App } from '../platform/app-type.js';

const api = apiRoute('cases');

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
  app: App,
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

  /**
   * A change to one case (POST `/api/cases/:id/<path>`), answered with the case's summary, or
   * with what was added (201) when `answer` says so.
   */
  function caseChange<B extends TSchema>(
    path: string,
    auth: RouteAuth,
    summary: string,
    body: B,
    change: (actor: Actor, id: string, body: Static<B>) => Promise<unknown>,
    answer: { status: 200 | 201; schema: TSchema } = { status: 200, schema: CaseSummarySchema },
  ) {
    app.post(
      `/api/cases/:id/${path}`,
      api(auth, summary, { params: IdParams, body, response: { [answer.status]: answer.schema } }),
      async (request, reply) =>
        reply
          .code(answer.status)
          .send(await change(request.actor(), request.params.id, request.body)),
    );
  }

  app.post(
    '/api/cases',
    api(CASEWORK, 'Record a piece of correspondence (staff entry)', {
      body: CreateCaseBody,
      response: { 201: CreatedCaseSchema },
    }),
    async (request, reply) => {
      const created = await correspondence.createCase(request.actor(), request.body);
      return reply.code(201).send(created);
    },
  );

  app.get(
    '/api/cases',
    api(CASEWORK, 'List and search cases (keyset paged)', {
      querystring: ListQuery,
      response: { 200: CaseListSchema },
    }),
    async (request, reply) => {
      const { sort, limit, cursor, ...filters } = request.query;
      return sendReused(
        reply,
        await correspondence.list(request.actor(), filters, { sort, limit, cursor }),
      );
    },
  );

  app.post(
    '/api/cases/bulk-assign',
    api(CASEWORK, 'Assign many cases at once: all or none', {
      body: BulkAssignBody,
      response: { 200: BulkAssignResult },
    }),
    async (request) => correspondence.bulkAssign(request.actor(), request.body),
  );

  app.post(
    '/api/cases/bulk-tag',
    api(CASEWORK, 'Add tags to many cases at once: all or none', {
      body: BulkTagBody,
      response: { 200: BulkTagResult },
    }),
    async (request) =>
      correspondence.bulkTag(request.actor(), {
        tags: request.body.tags,
        cases: request.body.items,
      }),
  );

  app.get(
    '/api/cases/:id',
    api(CASEWORK, 'One case with its deadline, notes and timeline', {
      params: IdParams,
      response: { 200: CaseDetailSchema },
    }),
    async (request, reply) =>
      sendReused(reply, await correspondence.get(request.actor(), request.params.id)),
  );

  caseChange(
    'transitions',
    CASEWORK,
    'Move a case to another status (domain §5)',
    TransitionBody,
    (actor, id, body) => correspondence.transition(actor, id, body),
  );

  caseChange(
    'notes',
    CASEWORK,
    'Add an internal note (immutable)',
    NoteBody,
    (actor, id, body) => correspondence.addNote(actor, id, body),
    { status: 201, schema: NoteSchema },
  );

  caseChange('assignment', CASEWORK, 'Assign or unassign one case', AssignBody, (actor, id, body) =>
    correspondence.assign(actor, id, body),
  );

  caseChange(
    'restriction',
    MANAGERS,
    'Restrict a case to its assignee and managers (managers only)',
    RestrictionBody,
    (actor, id, body) => correspondence.setRestricted(actor, id, body),
  );

  app.get(
    '/api/cases/:id/access',
    api(MANAGERS, 'Who has been given access to a restricted case (managers only)', {
      params: IdParams,
      response: { 200: AccessListSchema },
    }),
    async (request) => ({
      items: await correspondence.accessList(request.actor(), request.params.id),
    }),
  );

  caseChange(
    'access',
    MANAGERS,
    'Give a caseworker or manager access to a restricted case (managers only)',
    AccessBody,
    async (actor, id, body) => {
      await correspondence.grantAccess(actor, id, body.userId);
      return { items: await correspondence.accessList(actor, id) };
    },
    { status: 201, schema: AccessListSchema },
  );

  app.delete(
    '/api/cases/:id/access/:userId',
    api(MANAGERS, 'Take back access given to a member of staff (managers only)', {
      params: AccessParams,
    }),
    async (request, reply) => {
      await correspondence.revokeAccess(request.actor(), request.params.id, request.params.userId);
      return reply.code(204).send();
    },
  );

  uploadRoute(
    app,
    '/api/cases/:id/attachments',
    api(CASEWORK, 'Attach files (multipart/form-data; PDF, PNG, JPEG or DOCX; 10 MiB, 5 files)'),
    AttachmentSchema,
    (actor, id, files) => correspondence.addAttachments(actor, id, files),
  );

  app.get(
    '/api/cases/:id/attachments/:attachmentId',
    api(CASEWORK, 'Download one attachment (always as a download)', {
      params: AttachmentIdParams,
    }),
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
    api(CASEWORK, 'Counts for each triage view', {
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
    }),
    async (request) => correspondence.counts(request.actor()),
  );

  await correspondencePages(app, { correspondence });
}
