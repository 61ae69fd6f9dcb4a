/**
 * The APIs behind the admin and access pages (docs/rules/api.md error shape): equality-data grants
 * (admins), one complainant's equality answers (granted people only, 403 otherwise), adding
 * a factor, taking someone off an access list, and previewing a letter template.
 */
import { Type } from '@sinclair/typebox';
import { apiRoute } from '../platform/api-route.js';
import { ADMINS, CASEWORK } from '../platform/auth.js';
import { FactorBody, IdParams, TemplateBody, TemplateKeyParams } from './schemas.js';
import type { ComplaintsService } from './service.js';
import type { App } from '../platform/app-type.js';

const api = apiRoute('complaints');
const Answer = Type.Union([Type.String({ maxLength: 60 }), Type.Null()]);

export const GrantBody = Type.Object(
  {
    userId: Type.String({ maxLength: 64 }),
    reason: Type.String({ maxLength: 2000 }),
    until: Type.String({ maxLength: 10 }),
  },
  { additionalProperties: false },
);
/** The allow-list of what a granted person receives (nothing else about the complainant). */
export const EqualityAnswers = Type.Object({
  recorded: Type.Boolean(),
  answers: Type.Object({
    ageBand: Answer,
    sex: Answer,
    ethnicity: Answer,
    disability: Answer,
    religion: Answer,
    sexualOrientation: Answer,
  }),
});

export async function complaintAdminRoutes(app: App, opts: { complaints: ComplaintsService }) {
  const c = opts.complaints;

  app.get(
    '/api/complaints/:id/equality',
    api(CASEWORK, 'One complainant’s equality answers: only for people granted access (else 403)', {
      params: IdParams,
      response: { 200: EqualityAnswers },
    }),
    async (request) => c.equalityGrants.answers(request.actor(), request.params.id),
  );

  app.delete(
    '/api/complaints/:id/access/:userId',
    api(CASEWORK, 'Take someone off the access list (not the assignee, not the last person)', {
      params: Type.Object(
        { id: Type.String({ maxLength: 64 }), userId: Type.String({ maxLength: 64 }) },
        { additionalProperties: false },
      ),
    }),
    async (request, reply) => {
      await c.records.revoke(request.actor(), request.params.id, request.params.userId);
      return reply.code(204).send();
    },
  );

  app.get(
    '/api/complaint-equality-grants',
    api(ADMINS, 'Who may read individual equality answers (admins)'),
    async (request) => ({ items: await c.equalityGrants.list(request.actor()) }),
  );

  app.post(
    '/api/complaint-equality-grants',
    api(ADMINS, 'Grant a caseworker or manager access to individual equality answers (admins)', {
      body: GrantBody,
    }),
    async (request, reply) =>
      reply.code(201).send(await c.equalityGrants.grant(request.actor(), request.body)),
  );

  app.delete(
    '/api/complaint-equality-grants/:grantId',
    api(ADMINS, 'End an equality-data grant (admins)', {
      params: Type.Object(
        { grantId: Type.String({ maxLength: 64 }) },
        { additionalProperties: false },
      ),
    }),
    async (request, reply) => {
      await c.equalityGrants.revoke(request.actor(), request.params.grantId);
      return reply.code(204).send();
    },
  );

  app.post(
    '/api/complaint-factors',
    api(ADMINS, 'Add a factor (admins)', { body: FactorBody }),
    async (request, reply) =>
      reply.code(201).send(await c.admin.addFactor(request.actor(), request.body)),
  );

  app.post(
    '/api/complaint-templates/preview',
    api(ADMINS, 'A letter template rendered with example merge values (admins)', {
      // A preview takes what saving a version takes.
      body: TemplateBody,
    }),
    async (request) => c.admin.preview(request.body),
  );

  app.get(
    '/api/complaint-templates/:key',
    api(ADMINS, 'Every version of a letter template, newest first (admins)', {
      params: TemplateKeyParams,
    }),
    async (request) => ({ items: await c.admin.templateVersions(request.params.key) }),
  );
}
