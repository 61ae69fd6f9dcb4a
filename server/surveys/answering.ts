import { createHmac } from 'node:crypto';
import type { Db } from '../../db/client.js';
import type { Clock } from '../lib/clock.js';
import type { Actor, AuditLog } from '../platform/audit.js';
import { checkAnswers, type Answers } from './answers.js';
import { statusOf } from './builder.js';
import { surveyErrors } from './errors.js';
import type { SurveysRepository, SurveyWithQuestions } from './repository.js';
import { sha256, type SurveyTokens } from './tokens.js';
import { surveyIdempotency } from './idempotency.js';

/** Who is answering: the public link, or an invitation found by its token. */
export type Respondent =
  { channel: 'link'; resumeToken?: string } | { channel: 'invitation'; token: string };

/**
 * Public answering (docs/rules/surveys.md §3): checks the survey is open at this request, validates
 * every answer (400 naming the question, nothing stored), and for an invitation marks it
 * responded in the same transaction (zero rows: already responded, 409). An anonymous
 * response keeps no invitation id and no time (the CHECK makes sure).
 */
export function createSurveyAnswering(deps: {
  db: Db;
  repo: SurveysRepository;
  clock: Clock;
  audit: AuditLog;
  tokens: SurveyTokens;
}) {
  const { db, repo, clock, audit } = deps;
  const idempotency = surveyIdempotency();

  async function openSurvey(surveyId: string): Promise<SurveyWithQuestions> {
    const survey = await repo.findSurvey(db, surveyId);
    if (!survey || !survey.launchedAt) throw surveyErrors.notFound();
    const status = statusOf(survey, clock.now());
    if (status !== 'open') {
      if (status === 'closed' || status === 'archived') await purgeIfClosed(survey);
      throw surveyErrors.notOpen(
        status === 'scheduled' ? 'This survey is not open yet' : 'This survey has closed',
      );
    }
    return survey;
  }

  async function purgeIfClosed(survey: SurveyWithQuestions) {
    if (!survey.draftsPurgedAt && survey.closesAt <= clock.now())
      await repo.purgeDrafts(db, survey.id, clock.now());
  }

  async function invitationFor(surveyId: string, token: string) {
    const invitation = await repo.invitationByTokenHash(db, sha256(token));
    if (!invitation || invitation.surveyId !== surveyId) throw surveyErrors.badToken();
    return invitation;
  }

  return {
    openSurvey,

    /** The public index: open consultations, and those closed in the last `recentDays`. */
    async publicIndex(recentDays = 90) {
      const now = clock.now();
      const since = new Date(now.getTime() - recentDays * 86_400_000);
      const rows = await repo.publicSurveys(db, now, since);
      return {
        open: rows.filter((r) => r.closesAt > now),
        closed: rows.filter((r) => r.closesAt <= now).reverse(),
      };
    },

    /** The survey as the public sees it (404 for a draft); status decides what is shown. */
    async publicSurvey(surveyId: string) {
      const survey = await repo.findSurvey(db, surveyId);
      if (!survey || !survey.launchedAt) throw surveyErrors.notFound();
      const status = statusOf(survey, clock.now());
      if (status === 'closed' || status === 'archived') await purgeIfClosed(survey);
      return { survey, status };
    },

    /** Which survey an invitation token belongs to (the link sets a cookie and redirects). */
    async resolveInvitation(token: string) {
      const invitation = await repo.invitationByTokenHash(db, sha256(token));
      if (!invitation) throw surveyErrors.badToken();
      return { surveyId: invitation.surveyId, responded: invitation.responded };
    },

    /**
     * Submits every answer at once: the API, and the pages' final "Submit". With an
     * Idempotency-Key, a repeat with the same body returns `replayed` (the first answer
     * stands) before any other check, and the same key with another body gets 422.
     */
    async submit(
      actor: Actor,
      surveyId: string,
      who: Respondent,
      answers: Answers,
      idempotencyKey?: string,
    ): Promise<{ replayed: boolean }> {
      const idem = idempotencyKey
        ? {
            scope: `survey-response:${surveyId}`,
            key: idempotencyKey,
            // Keyed with the app's secret: the row keeps no hash a database reader could
            // match against an anonymous response's answers to learn when it was sent.
            requestHash: createHmac('sha256', deps.tokens.key)
              .update(`idem:${surveyId}:${JSON.stringify({ who, answers })}`)
              .digest('hex'),
          }
        : undefined;
      if (idem && (await idempotency.seen(db, idem))) return { replayed: true };
      const survey = await openSurvey(surveyId);
      const invitation =
        who.channel === 'invitation' ? await invitationFor(surveyId, who.token) : undefined;
      if (invitation?.responded) throw surveyErrors.alreadyResponded();
      const { errors, rows } = checkAnswers(survey.questions, answers);
      if (Object.keys(errors).length > 0) throw surveyErrors.invalidAnswers(errors);
      const replayed = await db.transaction(async (tx) => {
        // Claimed in the same transaction: a key is never kept without its response.
        if (idem && !(await idempotency.claim(tx, idem, clock.now()))) return true;
        if (invitation && !(await repo.markResponded(tx, invitation.id)))
          throw surveyErrors.alreadyResponded();
        await repo.insertResponse(
          tx,
          {
            surveyId,
            anonymous: survey.anonymous,
            channel: who.channel,
            invitationId: survey.anonymous ? null : (invitation?.id ?? null),
            submittedAt: survey.anonymous ? null : clock.now(),
          },
          rows,
        );
        if (invitation) await repo.deleteDraft(tx, sha256(`inv:${invitation.id}`));
        else if (who.channel === 'link' && who.resumeToken)
          await repo.deleteDraft(tx, sha256(who.resumeToken));
        // An anonymous response is not audited against anyone: the survey only.
        if (!survey.anonymous)
          await audit.record(tx, actor, {
            action: 'survey.response_submitted',
            subjectType: 'survey',
            subjectId: surveyId,
          });
        return false;
      });
      // A concurrent twin committed first: this one stored nothing; check it was the same.
      if (replayed && idem) await idempotency.seen(db, idem);
      return { replayed };
    },

    /** Loads a draft by its key: an invitation's own, or the public link's resume token. */
    async loadDraft(surveyId: string, draftKey: string): Promise<Answers> {
      const draft = await repo.draft(db, sha256(draftKey));
      if (!draft || draft.surveyId !== surveyId) return {};
      return draft.answers as Answers;
    },

    /**
     * Saves one page's answers into the draft (each *Continue*). Returns the field errors of
     * that page; nothing is saved when there are any.
     */
    async savePage(
      surveyId: string,
      draftKey: string,
      invitationId: string | null,
      pageKeys: string[],
      answers: Answers,
    ) {
      const survey = await openSurvey(surveyId);
      const { errors, clean } = checkAnswers(survey.questions, answers, new Set(pageKeys));
      if (Object.keys(errors).length > 0) return { errors, survey };
      const existing = await this.loadDraft(surveyId, draftKey);
      for (const key of pageKeys) delete existing[key];
      await repo.saveDraft(db, {
        surveyId,
        tokenHash: sha256(draftKey),
        invitationId,
        answers: { ...existing, ...clean },
        updatedAt: clock.now(),
      });
      return { errors, survey };
    },

    /** The draft key of an invitation: derived, so an invitation link resumes by itself. */
    invitationDraftKey: (invitationId: string) => `inv:${invitationId}`,
    invitationFor,
    freshResumeToken: () => deps.tokens.fresh(),

    /** Deletes the drafts of every closed survey (the sweep; also done lazily per request). */
    async purgeClosedDrafts(): Promise<number> {
      let purged = 0;
      for (const id of await repo.closedWithDrafts(db, clock.now()))
        purged += await repo.purgeDrafts(db, id, clock.now());
      return purged;
    },
  };
}
export type SurveyAnswering = ReturnType<typeof createSurveyAnswering>;
