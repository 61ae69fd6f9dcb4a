import { Type } from '@sinclair/typebox';
import { apiRoute } from '../platform/api-route.js';
import { ADMINS, CASEWORK, STAFF } from '../platform/auth.js';
import {
  IdParams,
  ReplyBody,
  ReplySchema,
  TemplateBody,
  TemplateListQuery,
  TemplateRevisionBody,
  TemplateSchema,
} from './schemas.js';
import { type RepliesService } from './service.js';

import { replyPages } from './reply-pages.js';
import { templatePages } from './template-pages.js';
import type { App } from '../platform/app-type.js';

const templatesApi = apiRoute('templates');
const casesApi = apiRoute('cases');

/** Reply templates (admin) and replies to cases (casework): JSON API and pages. */
export async function repliesRoutes(app: App, opts: { replies: RepliesService }) {
  const { replies } = opts;
  app.staffNav.push({ href: '/admin/templates', text: 'Templates', roles: ['admin'] });

  /* ---- JSON API ---- */

  app.get(
    '/api/templates',
    templatesApi(
      STAFF,
      'Reply templates (latest versions), optionally those offered for a case type',
      {
        querystring: TemplateListQuery,
        response: { 200: Type.Object({ items: Type.Array(TemplateSchema) }) },
      },
    ),
    async (request) => ({ items: await replies.listTemplates(request.query.caseType) }),
  );

  app.get(
    '/api/templates/:id',
    templatesApi(STAFF, 'One saved template version', {
      params: IdParams,
      response: { 200: TemplateSchema },
    }),
    async (request) => replies.getTemplate(request.params.id),
  );

  app.post(
    '/api/templates',
    templatesApi(ADMINS, 'Create a reply template (merge fields only; anything else is refused)', {
      body: TemplateBody,
      response: { 201: TemplateSchema },
    }),
    async (request, reply) =>
      reply.code(201).send(await replies.createTemplate(request.actor(), request.body)),
  );

  app.put(
    '/api/templates/:id',
    templatesApi(
      ADMINS,
      'Save a new version of a template family (`id` is the family id; `version` the one edited)',
      { params: IdParams, body: TemplateRevisionBody, response: { 201: TemplateSchema } },
    ),
    async (request, reply) =>
      reply
        .code(201)
        .send(await replies.reviseTemplate(request.actor(), request.params.id, request.body)),
  );

  app.get(
    '/api/cases/:id/replies',
    casesApi(CASEWORK, 'Replies sent on a case, with their final text and template version', {
      params: IdParams,
      response: { 200: Type.Object({ items: Type.Array(ReplySchema) }) },
    }),
    async (request) => ({ items: await replies.listReplies(request.actor(), request.params.id) }),
  );

  app.post(
    '/api/cases/:id/replies',
    casesApi(
      CASEWORK,
      'Reply to a case: email (202, queued; the case is responded once it is sent) or a posted letter (201, responded now)',
      { params: IdParams, body: ReplyBody, response: { 201: ReplySchema, 202: ReplySchema } },
    ),
    async (request, reply) => {
      const sent = await replies.send(request.actor(), request.params.id, request.body);
      return reply.code(sent.channel === 'email' ? 202 : 201).send(sent);
    },
  );

  /* ---- Reply pages ---- */

  replyPages(app, replies);
  templatePages(app, replies);
}
