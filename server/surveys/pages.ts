import type { FastifyReply } from 'fastify';
import { MANAGERS } from '../platform/auth.js';
import { pageRoute } from '../platform/page-route.js';
import { AppError, type FieldErrors } from '../platform/errors.js';
import { LenientForm, LenientParams, LenientQuery } from '../platform/schemas.js';
import { statusOf } from './builder.js';
import { barChart } from './charts.js';
import { pagesOf, type QuestionInput } from './questions.js';
import { questionView } from './question-view.js';
import type { SurveysService } from './service.js';
import type { App } from '../platform/app-type.js';

const V = 'surveys/views';
const KIND_LABELS: Record<string, string> = {
  single: 'Single choice',
  multiple: 'Multiple choice (or choose up to N)',
  ranking: 'Ranking',
  likert: 'Agree/disagree scale (Likert)',
  text: 'Free text',
  area: 'Area (districts)',
  equality: 'Equality question (fixed wording)',
};

// The forms are read leniently through str() and their errors shown in the page's own error
// summary, so their schemas only type them (platform/schemas.ts LenientForm); a survey or
// question the service does not know is its 404.
type Body = Record<string, string | string[] | undefined>;
const str = (v: unknown) => (typeof v === 'string' ? v : '');
const SurveyParams = LenientParams('id');
const QuestionParams = LenientParams('id', 'key');
const NewSurveyForm = LenientForm('title', 'description', 'opensAt', 'closesAt', 'anonymous');
const QuestionForm = LenientForm(
  'key',
  'kind',
  'label',
  'hint',
  'section',
  'required',
  'maxChoices',
  'options',
  'exclusiveNone',
);
const QuestionActionForm = LenientForm('action');
const TagForm = LenientForm('answerId', 'theme');

/** "key|label" or "label" per line; a trailing "None of these" line becomes exclusive. */
export function optionsFromLines(text: string, exclusiveNone: boolean) {
  const options = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .map((line, i) => {
      const [a, b] = line.includes('|') ? line.split('|', 2) : [`o${i + 1}`, line];
      return {
        key: a!
          .trim()
          .toLowerCase()
          .replace(/[^a-z0-9_]/g, '_'),
        label: b!.trim(),
      };
    });
  return exclusiveNone
    ? [...options, { key: 'none', label: 'None of these', behaviour: 'exclusive' as const }]
    : options;
}

/** Staff pages: list, builder (add, move up/down, remove, preview, open), progress, results. */
export async function surveysPages(app: App, opts: { surveys: SurveysService; now: () => Date }) {
  const { builder, results, invitations } = opts.surveys;
  app.staffNav.push({ href: '/surveys', text: 'Surveys', roles: ['manager'] });

  app.get('/surveys', pageRoute(MANAGERS), async (_request, reply) => {
    const rows = await builder.list();
    return reply.page(`${V}/list.njk`, {
      pageTitle: 'Surveys',
      rows: rows.map((r) => ({ ...r, status: statusOf(r as never, opts.now()) })),
    });
  });

  function renderNew(reply: FastifyReply, values: Body, errors?: FieldErrors) {
    return reply.page(
      `${V}/new.njk`,
      { pageTitle: 'Create a survey', values, errors },
      errors ? 400 : 200,
    );
  }
  app.get('/surveys/new', pageRoute(MANAGERS), async (_r, reply) =>
    renderNew(reply, { anonymous: 'yes' }),
  );
  app.post('/surveys/new', pageRoute(MANAGERS, { body: NewSurveyForm }), async (request, reply) => {
    const b = request.body ?? {};
    try {
      const survey = await builder.create(request.actor(), {
        title: str(b.title),
        description: str(b.description),
        opensAt: str(b.opensAt),
        closesAt: str(b.closesAt),
        anonymous: b.anonymous !== 'no',
        questions: [],
      });
      return reply.redirect(`/surveys/${survey.id}`, 303);
    } catch (error) {
      if (error instanceof AppError && error.fields) {
        const { questions: _none, ...fields } = error.fields;
        if (Object.keys(fields).length === 0) {
          // A survey starts empty: create it, questions come next.
          return reply.redirect('/surveys', 303);
        }
        return renderNew(reply, b, fields);
      }
      throw error;
    }
  });

  async function renderSurvey(
    reply: FastifyReply,
    id: string,
    values: Body = {},
    errors?: FieldErrors,
  ) {
    const survey = await builder.get(id);
    const status = statusOf(survey, opts.now());
    const progress = survey.launchedAt ? await invitations.progress(id) : null;
    return reply.page(
      `${V}/survey.njk`,
      {
        pageTitle: survey.title,
        survey,
        status,
        progress,
        locked: Boolean(survey.launchedAt),
        publicUrl: builder.publicUrl(id),
        kindItems: Object.entries(KIND_LABELS).map(([value, text]) => ({
          value,
          text,
          checked: values.kind === value,
        })),
        kindLabels: KIND_LABELS,
        values,
        errors,
      },
      errors ? 400 : 200,
    );
  }
  app.get('/surveys/:id', pageRoute(MANAGERS, { params: SurveyParams }), async (request, reply) =>
    renderSurvey(reply, request.params.id),
  );

  app.post(
    '/surveys/:id/questions',
    pageRoute(MANAGERS, { params: SurveyParams, body: QuestionForm }),
    async (request, reply) => {
      const b = request.body ?? {};
      const question: QuestionInput = {
        key: str(b.key).trim(),
        kind: str(b.kind) as QuestionInput['kind'],
        label: str(b.label).trim(),
        ...(b.hint ? { hint: str(b.hint) } : {}),
        ...(b.section ? { section: str(b.section) } : {}),
        required: b.required === 'yes',
        ...(b.maxChoices ? { maxChoices: Number(b.maxChoices) } : {}),
        options: optionsFromLines(str(b.options), b.exclusiveNone === 'yes'),
      };
      try {
        await builder.addQuestions(request.actor(), request.params.id, [question]);
      } catch (error) {
        if (error instanceof AppError && error.fields) {
          const fields: FieldErrors = {};
          for (const [k, v] of Object.entries(error.fields))
            fields[k.replace(/^questions\.0\.?/, '').split('.')[0] || 'kind'] = v;
          return renderSurvey(reply, request.params.id, b, fields);
        }
        throw error;
      }
      return reply.redirect(`/surveys/${request.params.id}`, 303);
    },
  );

  app.post(
    '/surveys/:id/questions/:key',
    pageRoute(MANAGERS, { params: QuestionParams, body: QuestionActionForm }),
    async (request, reply) => {
      const { id, key } = request.params;
      const action = str(request.body?.action);
      if (action === 'up' || action === 'down')
        await builder.move(request.actor(), id, key, action);
      else if (action === 'remove') await builder.removeQuestion(request.actor(), id, key);
      else throw new AppError(400, 'validation', 'Choose what to do with the question');
      return reply.redirect(`/surveys/${id}#q-${key}`, 303);
    },
  );

  app.post(
    '/surveys/:id/open',
    pageRoute(MANAGERS, { params: SurveyParams }),
    async (request, reply) => {
      await builder.open(request.actor(), request.params.id);
      return reply.redirect(`/surveys/${request.params.id}`, 303);
    },
  );

  app.get(
    '/surveys/:id/preview',
    pageRoute(MANAGERS, { params: SurveyParams }),
    async (request, reply) => {
      const survey = await builder.get(request.params.id);
      return reply.page(`${V}/preview.njk`, {
        pageTitle: `Preview: ${survey.title}`,
        survey,
        pages: pagesOf(survey.questions).map((qs) => qs.map((q) => questionView(q, undefined))),
        equality: survey.questions
          .filter((q) => q.specialCategory)
          .map((q) => questionView(q, undefined)),
      });
    },
  );

  app.get(
    '/surveys/:id/results',
    pageRoute(MANAGERS, { params: SurveyParams, querystring: LenientQuery('by', 'question') }),
    async (request, reply) => {
      const out = await results.results(request.actor(), request.params.id);
      const survey = await builder.get(request.params.id);
      const choice = out.questions.filter((q) => q.kind !== 'text');
      const by = choice.find((q) => q.key === request.query.by);
      const of = choice.find((q) => q.key === request.query.question) ?? choice[0];
      const crossTab =
        by && of && by.key !== of.key
          ? await results.crossTab(request.actor(), request.params.id, of.key, by.key)
          : null;
      return reply.page(`${V}/results.njk`, {
        pageTitle: `Results: ${out.title}`,
        survey,
        results: out,
        charts: Object.fromEntries(choice.map((q) => [q.key, barChart(q, `chart-${q.key}`)])),
        choiceItems: choice.map((q) => ({ value: q.key, text: q.label })),
        byKey: by?.key,
        ofKey: of?.key,
        crossTab,
      });
    },
  );

  app.get(
    '/surveys/:id/text/:key',
    pageRoute(MANAGERS, { params: QuestionParams, querystring: LenientQuery('page') }),
    async (request, reply) => {
      const page = Math.max(1, Number(request.query.page) || 1);
      const data = await results.textAnswers(
        request.params.id,
        request.params.key,
        50,
        (page - 1) * 50,
      );
      return reply.page(`${V}/text.njk`, {
        pageTitle: data.question.label,
        surveyId: request.params.id,
        ...data,
        page,
      });
    },
  );

  app.post(
    '/surveys/:id/text/:key',
    pageRoute(MANAGERS, { params: QuestionParams, body: TagForm }),
    async (request, reply) => {
      await results.tagAnswer(
        request.actor(),
        request.params.id,
        request.params.key,
        Number(request.body?.answerId),
        str(request.body?.theme),
      );
      return reply.redirect(`/surveys/${request.params.id}/text/${request.params.key}`, 303);
    },
  );
}
