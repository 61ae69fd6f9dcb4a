import { apiRoute, publicApiRoute } from '../platform/api-route.js';
import type { FastifyRequest } from 'fastify';
import { sendCsv } from '../platform/csv-download.js';
import { FORM_LIMITS } from '../platform/rate-limits.js';
import { MANAGERS } from '../platform/auth.js';
import type { Actor } from '../platform/audit.js';
import { IdempotencyHeaders } from '../intake/schemas.js';
import { statusOf } from './builder.js';
import type { SurveyWithQuestions } from './repository.js';
import {
  AnonymityBody,
  CreatedSurvey,
  CreateSurveyBody,
  CrossTabQuery,
  InvitationsBody,
  InvitationsQueued,
  ProgressView,
  ResponseBody,
  ResponseReceipt,
  ResultsView,
  SurveyIdParams,
  SurveyView,
} from './schemas.js';
import type { SurveysService } from './service.js';
import type { App } from '../platform/app-type.js';

const api = apiRoute('surveys');
/** Survey posts, every page of a consultation and the API, share one bucket: 20 per IP per 10 minutes (§6). */
export const SURVEY_RATE_LIMIT = FORM_LIMITS.survey;

/**
 * A survey respondent as services and the audit log see one: no staff id and, unlike
 * platform's publicActor, no IP, so nothing stored ties a response to an address
 * (docs/rules/surveys.md S12).
 */
export const respondentActor = (request: FastifyRequest): Actor => ({
  id: null,
  role: 'public',
  requestId: request.id,
  ip: null,
});

export function surveyJson(survey: SurveyWithQuestions, now: Date, publicUrl: string) {
  return {
    id: survey.id,
    title: survey.title,
    status: statusOf(survey, now),
    anonymous: survey.anonymous,
    opensAt: survey.opensAt.toISOString(),
    closesAt: survey.closesAt.toISOString(),
    launchedAt: survey.launchedAt?.toISOString() ?? null,
    publicUrl,
    questions: survey.questions.map((q) => ({
      key: q.key,
      kind: q.kind,
      label: q.label,
      hint: q.hint,
      section: q.section,
      required: q.required,
      maxChoices: q.maxChoices,
      options: q.options.map((o) => ({
        key: o.key,
        label: o.label,
        behaviour: o.exclusive ? 'exclusive' : 'normal',
      })),
    })),
  };
}

/** The surveys JSON API (docs/rules/api.md "Consultations and surveys"). */
export async function surveysApiRoutes(
  app: App,
  opts: { surveys: SurveysService; now: () => Date },
) {
  const { builder, answering, results, invitations } = opts.surveys;

  app.post(
    '/api/surveys/:id/invitations',
    api(MANAGERS, 'Invite contacts (ids or a list) who consented and are not suppressed', {
      description:
        'One invitation per contact per survey, however often this is called; sending runs in the background at the configured rate. `queued` counts deliveries queued by this call.',
      params: SurveyIdParams,
      body: InvitationsBody,
      response: { 202: InvitationsQueued },
    }),
    async (request, reply) => {
      const result = await invitations.invite(request.actor(), request.params.id, request.body);
      return reply.code(202).send({ queued: result.queued, waveId: result.waveId });
    },
  );

  app.get(
    '/api/surveys/:id/progress',
    api(MANAGERS, 'Invitation progress: queued, sending, sent, failed, skipped, answered', {
      params: SurveyIdParams,
      response: { 200: ProgressView },
    }),
    async (request) => invitations.progress(request.params.id),
  );

  app.post(
    '/api/surveys',
    api(MANAGERS, 'Create a survey (draft) with its questions', {
      body: CreateSurveyBody,
      response: { 201: CreatedSurvey },
    }),
    async (request, reply) => {
      const survey = await builder.create(request.actor(), request.body);
      return reply.code(201).send({ id: survey.id, publicUrl: builder.publicUrl(survey.id) });
    },
  );

  app.get(
    '/api/surveys/:id',
    api(MANAGERS, 'A survey with its questions and status', {
      params: SurveyIdParams,
      response: { 200: SurveyView },
    }),
    async (request) => {
      const survey = await builder.get(request.params.id);
      return surveyJson(survey, opts.now(), builder.publicUrl(survey.id));
    },
  );

  app.post(
    '/api/surveys/:id/open',
    api(
      MANAGERS,
      'Launch: locks anonymity and structure; answers are taken from opensAt to closesAt',
      {
        params: SurveyIdParams,
        response: { 200: SurveyView },
      },
    ),
    async (request) => {
      const survey = await builder.open(request.actor(), request.params.id);
      return surveyJson(survey, opts.now(), builder.publicUrl(survey.id));
    },
  );

  app.put(
    '/api/surveys/:id/anonymity',
    api(MANAGERS, 'Change anonymity (before launch only: 409 after)', {
      params: SurveyIdParams,
      body: AnonymityBody,
    }),
    async (request, reply) => {
      await builder.setAnonymity(request.actor(), request.params.id, request.body.anonymous);
      return reply.code(204).send();
    },
  );

  app.get(
    '/api/surveys/:id/results',
    api(MANAGERS, 'Results: counts, percentages (base: those answering), positions, Borda points', {
      params: SurveyIdParams,
      response: { 200: ResultsView },
    }),
    async (request) => results.results(request.actor(), request.params.id),
  );

  app.get(
    '/api/surveys/:id/crosstab',
    api(MANAGERS, 'Cross-tab of one question by another (counts, column %; 1-4 shown as [c])', {
      params: SurveyIdParams,
      querystring: CrossTabQuery,
    }),
    async (request) =>
      results.crossTab(
        request.actor(),
        request.params.id,
        request.query.question,
        request.query.by,
      ),
  );

  app.get(
    '/api/surveys/:id/responses.csv',
    api(MANAGERS, 'Every response as CSV (no time columns; formula-escaped; audited)', {
      params: SurveyIdParams,
    }),
    async (request, reply) => {
      const { stream } = await results.exportCsv(request.actor(), request.params.id);
      return sendCsv(reply, `survey-${request.params.id}`, stream);
    },
  );

  app.post(
    '/api/public/surveys/:id/responses',
    publicApiRoute(
      SURVEY_RATE_LIMIT,
      'Submit a response (public link, or an invitation with its token)',
      {
        description:
          '400 names each question with a bad answer and stores nothing; 409 when the invitation has already answered; 422 when the survey is not open. An `Idempotency-Key` header makes a retry with the same body return the first answer (201, `Idempotent-Replayed: true`, nothing stored again); the same key with other answers gets 422 `idempotency.key_reused`.',
        params: SurveyIdParams,
        headers: IdempotencyHeaders,
        body: ResponseBody,
        response: { 201: ResponseReceipt },
      },
    ),
    async (request, reply) => {
      const { token, answers } = request.body;
      const { replayed } = await answering.submit(
        respondentActor(request),
        request.params.id,
        token ? { channel: 'invitation', token } : { channel: 'link' },
        answers,
        request.headers['idempotency-key'],
      );
      // A retry with the same key gets the first answer again, marked as a replay.
      if (replayed) reply.header('idempotent-replayed', 'true');
      return reply.code(201).send({ status: 'received' as const });
    },
  );
}
