import type { FastifyReply, FastifyRequest } from 'fastify';
import { formatDate, formatDateTime } from '../lib/format.js';
import { AppError, notFound, type FieldErrors } from '../platform/errors.js';
import { surveyErrors } from './errors.js';
import type { Answers } from './answers.js';
import { pagesOf, type QuestionDef } from './questions.js';
import type { SurveyWithQuestions } from './repository.js';
import { respondentActor, SURVEY_RATE_LIMIT } from './routes.js';
import type { SurveysService } from './service.js';
import { questionView } from './question-view.js';
import { publicPageRoute } from '../platform/page-route.js';
import { LenientForm, LenientParams } from '../platform/schemas.js';
import type { App } from '../platform/app-type.js';

const COOKIE = '__Host-opcc_survey';
const V = 'surveys/views/answer';
// Answers and sign-ups count in the surveys' own per-IP bucket; reading pages in the general one.
const POSTS = { rateLimit: SURVEY_RATE_LIMIT } as const;

// Path parameters are checked by the service (an unknown survey, token or page is its 404)
// and forms read leniently (answersFromForm, str()), so the schemas only type them.
const SurveyParams = LenientParams('id');
const TokenParams = LenientParams('token');
const PageParams = LenientParams('id', 'page');

/** Who this browser is answering as: the survey, and the draft key (resume or invitation token). */
interface Session {
  s: string;
  kind: 'link' | 'inv';
  t: string;
}

/** Posted form values as answers: checkboxes arrive as a string or an array; ranks as key__n. */
export function answersFromForm(questions: QuestionDef[], body: unknown): Answers {
  const raw = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const out: Answers = {};
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  for (const q of questions) {
    if (q.kind === 'ranking') {
      const ranks: string[] = [];
      for (let i = 1; i <= (q.maxChoices ?? q.options.length); i += 1) {
        const v = str(raw[`${q.key}__${i}`]);
        if (v) ranks.push(v);
      }
      if (ranks.length) out[q.key] = ranks;
    } else if (q.kind === 'multiple') {
      const v = raw[q.key];
      const list = (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter(
        (x): x is string => typeof x === 'string' && x !== '',
      );
      if (list.length) out[q.key] = list;
    } else {
      const v = str(Array.isArray(raw[q.key]) ? (raw[q.key] as unknown[])[0] : raw[q.key]);
      if (v !== undefined && v !== '') out[q.key] = v;
    }
  }
  return out;
}

/** The public answering journey (docs/rules/surveys.md §3): GOV.UK pages, no JavaScript needed. */
export async function surveysPublicRoutes(
  app: App,
  opts: { surveys: SurveysService; now: () => Date },
) {
  const { answering, invitations } = opts.surveys;

  function session(request: FastifyRequest, surveyId: string): Session | undefined {
    const raw = request.cookies[COOKIE];
    if (!raw) return undefined;
    const unsigned = request.unsignCookie(raw);
    if (!unsigned.valid || !unsigned.value) return undefined;
    try {
      const value = JSON.parse(unsigned.value) as Session;
      return value.s === surveyId ? value : undefined;
    } catch {
      return undefined;
    }
  }
  const setSession = (reply: FastifyReply, value: Session) =>
    reply.setCookie(COOKIE, JSON.stringify(value), {
      path: '/',
      secure: true,
      httpOnly: true,
      sameSite: 'lax',
      signed: true,
    });

  async function draftKeyOf(s: Session) {
    if (s.kind === 'link') return { key: s.t, invitationId: null };
    const invitation = await answering.invitationFor(s.s, s.t);
    return { key: answering.invitationDraftKey(invitation.id), invitationId: invitation.id };
  }

  function closedPage(reply: FastifyReply, survey: SurveyWithQuestions) {
    return reply.page(
      `${V}/closed.njk`,
      { pageTitle: 'This survey has closed', survey, closedOn: formatDateTime(survey.closesAt) },
      410,
    );
  }

  /** Loads the survey for a journey page; answers a closed or unstarted one itself. */
  async function journey(request: FastifyRequest, reply: FastifyReply, id: string) {
    const { survey, status } = await answering.publicSurvey(id);
    if (status === 'closed' || status === 'archived') {
      closedPage(reply, survey);
      return undefined;
    }
    if (status !== 'open') throw surveyErrors.notOpenYet();
    const s = session(request, id);
    if (!s) {
      reply.redirect(`/consultations/${id}`, 303);
      return undefined;
    }
    const { key, invitationId } = await draftKeyOf(s);
    const draft = await answering.loadDraft(id, key);
    return { survey, session: s, key, invitationId, draft, pages: pagesOf(survey.questions) };
  }

  type Journey = NonNullable<Awaited<ReturnType<typeof journey>>>;

  /**
   * A page at `/consultations/:id/<path>` (`id`) that needs the journey: `handler` runs only
   * when journey() has not answered the request itself (closed survey, no session).
   */
  async function inJourney(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    handler: (j: Journey) => unknown,
  ) {
    const j = await journey(request, reply, id);
    return j ? handler(j) : reply;
  }

  /** The page of questions `/q/:page` names (404 for a page the survey lacks). */
  function questionPage(j: Journey, page: string) {
    const pageNo = Number(page);
    const questions = j.pages[pageNo - 1];
    if (!questions) throw notFound('There is no such page');
    return { j, pageNo, questions };
  }

  function renderPage(
    reply: FastifyReply,
    { j, pageNo, questions }: ReturnType<typeof questionPage>,
    values: Answers,
    errors?: FieldErrors,
  ) {
    const { survey } = j;
    return reply.page(
      `${V}/question.njk`,
      {
        pageTitle: (questions.length > 1 && questions[0]!.section) || questions[0]!.label,
        survey,
        pageNo,
        total: j.pages.length,
        section: questions.length > 1 ? questions[0]!.section : null,
        questions: questions.map((q) => questionView(q, values[q.key], errors?.[q.key])),
        errors,
        canSave: j.session.kind === 'link',
        back:
          pageNo > 1
            ? `/consultations/${survey.id}/q/${pageNo - 1}`
            : `/consultations/${survey.id}`,
      },
      errors ? 400 : 200,
    );
  }

  // The index: open consultations first (closing soonest first), then the recently closed.
  app.get('/consultations', publicPageRoute(), async (_request, reply) => {
    const { open, closed } = await answering.publicIndex();
    const row = (r: (typeof open)[number]) => ({
      ...r,
      closes: formatDateTime(r.closesAt),
      closedOn: formatDate(r.closesAt),
    });
    return reply.page(`${V}/index.njk`, {
      pageTitle: 'Consultations',
      open: open.map(row),
      closed: closed.map(row),
    });
  });

  app.get(
    '/consultations/:id',
    publicPageRoute({ params: SurveyParams }),
    async (request, reply) => {
      const { survey, status } = await answering.publicSurvey(request.params.id);
      if (status === 'closed' || status === 'archived') return closedPage(reply, survey);
      return reply.page(`${V}/start.njk`, {
        pageTitle: survey.title,
        survey,
        status,
        closes: formatDateTime(survey.closesAt),
        started: Boolean(session(request, survey.id)),
      });
    },
  );

  // Start: the public link gets a fresh resume token (hashed in the draft table).
  app.post(
    '/consultations/:id/start',
    publicPageRoute({ params: SurveyParams, body: LenientForm('website') }, POSTS),
    async (request, reply) => {
      const { survey, status } = await answering.publicSurvey(request.params.id);
      if (status !== 'open') return closedPage(reply, survey);
      if (request.body?.website)
        return reply.page(`${V}/done.njk`, { pageTitle: 'Thank you', survey });
      if (!session(request, survey.id))
        setSession(reply, { s: survey.id, kind: 'link', t: answering.freshResumeToken() });
      return reply.redirect(`/consultations/${survey.id}/q/1`, 303);
    },
  );

  // A personal invitation link: signed cookie, then a URL without the token (§3).
  app.get(
    '/consultations/i/:token',
    publicPageRoute({ params: TokenParams }),
    async (request, reply) => {
      const { surveyId, responded } = await answering.resolveInvitation(request.params.token);
      if (responded)
        return reply.page(`${V}/already.njk`, { pageTitle: 'You have already responded' }, 409);
      setSession(reply, { s: surveyId, kind: 'inv', t: request.params.token });
      return reply.redirect(`/consultations/${surveyId}`, 303);
    },
  );

  app.get(
    '/consultations/:id/resume/:token',
    publicPageRoute({ params: LenientParams('id', 'token') }),
    async (request, reply) => {
      setSession(reply, { s: request.params.id, kind: 'link', t: request.params.token });
      return reply.redirect(`/consultations/${request.params.id}/check`, 303);
    },
  );

  app.get('/consultations/:id/q/:page', publicPageRoute({ params: PageParams }), (request, reply) =>
    inJourney(request, reply, request.params.id, (j) =>
      renderPage(reply, questionPage(j, request.params.page), j.draft),
    ),
  );

  // Answers are named by the survey's own question keys: every field is allowed.
  app.post(
    '/consultations/:id/q/:page',
    publicPageRoute({ params: PageParams, body: LenientForm('save') }, POSTS),
    (request, reply) =>
      inJourney(request, reply, request.params.id, async (j) => {
        const at = questionPage(j, request.params.page);
        const answers = answersFromForm(at.questions, request.body);
        const { errors } = await answering.savePage(
          j.survey.id,
          j.key,
          j.invitationId,
          at.questions.map((q) => q.key),
          answers,
        );
        if (Object.keys(errors).length > 0) return renderPage(reply, at, answers, errors);
        if (request.body?.save === 'later' && j.session.kind === 'link')
          return reply.redirect(`/consultations/${j.survey.id}/saved`, 303);
        const next = at.pageNo < j.pages.length ? `q/${at.pageNo + 1}` : 'check';
        return reply.redirect(`/consultations/${j.survey.id}/${next}`, 303);
      }),
  );

  function savedPage(
    reply: FastifyReply,
    j: Journey,
    extra: { emailed?: boolean; errors?: FieldErrors; email?: string } = {},
    status = 200,
  ) {
    return reply.page(
      `${V}/saved.njk`,
      {
        pageTitle: 'Your answers have been saved',
        survey: j.survey,
        resumeUrl: `${opts.surveys.builder.publicUrl(j.survey.id)}/resume/${j.session.t}`,
        closes: formatDateTime(j.survey.closesAt),
        canEmail: j.session.kind === 'link',
        ...extra,
      },
      status,
    );
  }

  app.get('/consultations/:id/saved', publicPageRoute({ params: SurveyParams }), (request, reply) =>
    inJourney(request, reply, request.params.id, (j) => savedPage(reply, j)),
  );

  // "Email me the link": sent once, straight to the relay; the address is not kept.
  app.post(
    '/consultations/:id/saved/email',
    publicPageRoute({ params: SurveyParams, body: LenientForm('email') }, POSTS),
    (request, reply) =>
      inJourney(request, reply, request.params.id, async (j) => {
        if (j.session.kind !== 'link')
          return reply.redirect(`/consultations/${j.survey.id}/saved`, 303);
        const { resumeMailer } = opts.surveys;
        const email = typeof request.body?.email === 'string' ? request.body.email : '';
        const problem = resumeMailer.check(email);
        if (problem) return savedPage(reply, j, { errors: { email: problem }, email }, 400);
        try {
          await resumeMailer.send(
            email,
            j.survey,
            `${opts.surveys.builder.publicUrl(j.survey.id)}/resume/${j.session.t}`,
            formatDateTime(j.survey.closesAt),
          );
        } catch {
          const errors = {
            email: 'We could not send the email just now. Copy the link above instead.',
          };
          return savedPage(reply, j, { errors, email }, 503);
        }
        return savedPage(reply, j, { emailed: true });
      }),
  );

  app.get('/consultations/:id/check', publicPageRoute({ params: SurveyParams }), (request, reply) =>
    inJourney(request, reply, request.params.id, (j) => {
      const rows = j.pages.flatMap((questions, index) =>
        questions.map((q) => ({ q: questionView(q, j.draft[q.key]), page: index + 1 })),
      );
      return reply.page(`${V}/check.njk`, {
        pageTitle: 'Check your answers',
        survey: j.survey,
        rows,
        hasEquality: j.survey.questions.some((q) => q.specialCategory),
      });
    }),
  );

  app.get(
    '/consultations/:id/equality',
    publicPageRoute({ params: SurveyParams }),
    (request, reply) =>
      inJourney(request, reply, request.params.id, (j) =>
        reply.page(`${V}/equality.njk`, {
          pageTitle: 'Equality information',
          survey: j.survey,
          questions: j.survey.questions
            .filter((q) => q.specialCategory)
            .map((q) => questionView(q, j.draft[q.key])),
        }),
      ),
  );

  // Submit: the equality page posts its (optional) answers here too, named by question key.
  app.post(
    '/consultations/:id/submit',
    publicPageRoute({ params: SurveyParams, body: LenientForm() }, POSTS),
    (request, reply) =>
      inJourney(request, reply, request.params.id, async (j) => {
        const equality = j.survey.questions.filter((q) => q.specialCategory);
        const answers = { ...j.draft, ...answersFromForm(equality, request.body) };
        try {
          await answering.submit(
            respondentActor(request),
            j.survey.id,
            j.session.kind === 'inv'
              ? { channel: 'invitation', token: j.session.t }
              : { channel: 'link', resumeToken: j.session.t },
            answers,
          );
        } catch (error) {
          if (error instanceof AppError && error.code === 'surveys.already_responded')
            return reply.page(`${V}/already.njk`, { pageTitle: 'You have already responded' }, 409);
          if (error instanceof AppError && error.code === 'surveys.invalid_answers')
            return reply.redirect(`/consultations/${j.survey.id}/check`, 303);
          throw error;
        }
        reply.clearCookie(COOKIE, { path: '/', secure: true, httpOnly: true, sameSite: 'lax' });
        return reply.page(`${V}/done.njk`, { pageTitle: 'Thank you', survey: j.survey });
      }),
  );

  // RFC 8058: GET shows a button (inert); POST (no login, cookie or CSRF) unsubscribes.
  app.get('/u/:token', publicPageRoute({ params: TokenParams }), async (request, reply) =>
    reply.page('surveys/views/unsubscribe.njk', {
      pageTitle: 'Stop survey emails',
      token: request.params.token,
    }),
  );
  app.post(
    '/u/:token',
    publicPageRoute({ params: TokenParams }, { csrf: false, ...POSTS }),
    async (request, reply) => {
      const done = await invitations.unsubscribe(request.params.token);
      if (!done) throw surveyErrors.badUnsubscribeLink();
      return reply.page('surveys/views/unsubscribed.njk', {
        pageTitle: 'You have been unsubscribed',
      });
    },
  );
}
