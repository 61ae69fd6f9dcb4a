import { Type } from '@sinclair/typebox';
import { apiRoute } from '../platform/api-route.js';
import { ADMINS, MANAGERS } from '../platform/auth.js';
import { sendCsv } from '../platform/csv-download.js';
import { CrossTabQuery, ResultsView, SurveyIdParams } from './schemas.js';
import type { SurveysService } from './service.js';
import type { App } from '../platform/app-type.js';

const api = apiRoute('surveys');
const UserIdParams = Type.Object({ userId: Type.String({ format: 'uuid', maxLength: 36 }) });

/**
 * Equality (special category) results for survey analysts only (docs/rules/surveys.md §2, §8), and
 * the admin's grant and revocation. The ordinary results, cross-tabs and export leave
 * equality questions out for everyone.
 */
export async function surveysAnalystRoutes(app: App, opts: { surveys: SurveysService }) {
  const { analysts, results } = opts.surveys;

  // Granting and revoking differ only in the method, the wording and the service call.
  const CHANGES = [
    { method: 'PUT', change: 'grant', summary: 'Make a manager a survey analyst (admin)' },
    {
      method: 'DELETE',
      change: 'revoke',
      summary: 'Stop a survey analyst seeing equality data (admin)',
    },
  ] as const;
  for (const { method, change, summary } of CHANGES)
    app.route({
      method,
      url: '/api/surveys/analysts/:userId',
      ...api(ADMINS, summary, { params: UserIdParams }),
      handler: async (request, reply) => {
        await analysts[change](request.actor(), request.params.userId);
        return reply.code(204).send();
      },
    });

  app.get(
    '/api/surveys/:id/equality-results',
    api(MANAGERS, 'Results with the equality questions (survey analysts only; 403 otherwise)', {
      params: SurveyIdParams,
      response: { 200: ResultsView },
    }),
    async (request) => {
      await analysts.assertAnalyst(request.actor());
      return results.results(request.actor(), request.params.id, { specialCategory: true });
    },
  );

  app.get(
    '/api/surveys/:id/equality-crosstab',
    api(MANAGERS, 'A cross-tab by or of an equality question (survey analysts only)', {
      params: SurveyIdParams,
      querystring: CrossTabQuery,
    }),
    async (request) => {
      await analysts.assertAnalyst(request.actor());
      return results.crossTab(
        request.actor(),
        request.params.id,
        request.query.question,
        request.query.by,
        true,
      );
    },
  );

  app.get(
    '/api/surveys/:id/equality-responses.csv',
    {
      ...api(
        MANAGERS,
        'Every response as CSV with the equality columns (survey analysts only; re-authentication within 5 minutes, see POST /api/auth/reauth; audited with its justification)',
        { params: SurveyIdParams },
      ),
      // Raw special-category data: R in the role table (docs/rules/security.md §1).
      config: { auth: MANAGERS, reauth: true },
    },
    async (request, reply) => {
      await analysts.assertAnalyst(request.actor());
      const { stream } = await results.exportCsv(request.actor(), request.params.id, {
        specialCategory: true,
      });
      return sendCsv(reply, `survey-${request.params.id}-equality`, stream);
    },
  );
}
