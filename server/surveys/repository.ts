import { and, asc, eq, gt, inArray, isNotNull, isNull, lte, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { pgConstraint, pgErrorCode } from '../../db/errors.js';
import { insertRow, rowWhere } from '../../db/rows.js';
import {
  surveyAnswers,
  surveyDrafts,
  surveyInvitations,
  surveyOptions,
  surveyQuestions,
  surveyResponses,
  surveys,
  type NewSurveyResponseRow,
  type NewSurveyRow,
  type SurveyRow,
} from '../../db/schema/index.js';
import type { AnswerRow } from './answers.js';
import { surveyErrors } from './errors.js';
import type { QuestionDef, QuestionInput } from './questions.js';
import { isUuid } from '../lib/uuid.js';

export interface SurveyWithQuestions extends SurveyRow {
  questions: QuestionDef[];
}

/** The launch triggers raise check_violation on constraint `surveys_launched_lock`. */
export function mapLockError(error: unknown): never {
  if (pgErrorCode(error) === '23514' && String(error).includes('launched'))
    throw surveyErrors.locked();
  if (pgConstraint(error) === 'surveys_launched_lock') throw surveyErrors.locked();
  throw error;
}

/** A question's columns as a QuestionDef carries them (its options are read apart). */
const questionDefColumns = {
  id: surveyQuestions.id,
  key: surveyQuestions.key,
  kind: surveyQuestions.kind,
  label: surveyQuestions.label,
  hint: surveyQuestions.hint,
  section: surveyQuestions.section,
  required: surveyQuestions.required,
  maxChoices: surveyQuestions.maxChoices,
  specialCategory: surveyQuestions.specialCategory,
};

/** Every Drizzle query on surveys, questions, answers and drafts. */
export function createSurveysRepository() {
  return {
    async insertSurvey(tx: DbOrTx, row: NewSurveyRow): Promise<SurveyRow> {
      return insertRow(tx, surveys, row);
    },

    async insertQuestions(tx: DbOrTx, surveyId: string, questions: QuestionInput[], from = 0) {
      for (const [index, q] of questions.entries()) {
        const [row] = await tx
          .insert(surveyQuestions)
          .values({
            surveyId,
            key: q.key,
            kind: q.kind,
            position: from + index,
            section: q.section ?? null,
            label: q.label,
            hint: q.hint ?? null,
            required: q.kind === 'equality' ? false : (q.required ?? false),
            maxChoices: q.maxChoices ?? null,
            specialCategory: q.kind === 'equality',
          })
          .returning({ id: surveyQuestions.id })
          .catch(mapLockError);
        const options = q.options ?? [];
        if (options.length > 0)
          await tx.insert(surveyOptions).values(
            options.map((o, position) => ({
              questionId: row!.id,
              key: o.key,
              label: o.label,
              position,
              behaviour: o.behaviour ?? ('normal' as const),
            })),
          );
      }
    },

    async findSurvey(db: DbOrTx, id: string): Promise<SurveyWithQuestions | undefined> {
      if (!isUuid(id)) return undefined;
      const survey = await rowWhere(db, surveys, eq(surveys.id, id));
      if (!survey) return undefined;
      const questions = await db
        .select(questionDefColumns)
        .from(surveyQuestions)
        .where(eq(surveyQuestions.surveyId, id))
        .orderBy(asc(surveyQuestions.position));
      const options =
        questions.length === 0
          ? []
          : await db
              .select()
              .from(surveyOptions)
              .where(
                inArray(
                  surveyOptions.questionId,
                  questions.map((q) => q.id),
                ),
              )
              .orderBy(asc(surveyOptions.position));
      return {
        ...survey,
        questions: questions.map((q) => ({
          ...q,
          options: options
            .filter((o) => o.questionId === q.id)
            .map((o) => ({
              id: o.id,
              key: o.key,
              label: o.label,
              exclusive: o.behaviour === 'exclusive',
            })),
        })),
      };
    },

    async listSurveys(db: DbOrTx) {
      return db
        .select({
          id: surveys.id,
          title: surveys.title,
          anonymous: surveys.anonymous,
          opensAt: surveys.opensAt,
          closesAt: surveys.closesAt,
          launchedAt: surveys.launchedAt,
          archivedAt: surveys.archivedAt,
          responses: sql<number>`(select count(*)::int from ${surveyResponses} r where r.survey_id = ${surveys.id})`,
        })
        .from(surveys)
        .orderBy(sql`${surveys.opensAt} desc`);
    },

    /** Launched, not archived, opened by `now` and closing after `since`: the public index. */
    async publicSurveys(db: DbOrTx, now: Date, since: Date) {
      return db
        .select({
          id: surveys.id,
          title: surveys.title,
          description: surveys.description,
          opensAt: surveys.opensAt,
          closesAt: surveys.closesAt,
        })
        .from(surveys)
        .where(
          and(
            isNotNull(surveys.launchedAt),
            isNull(surveys.archivedAt),
            lte(surveys.opensAt, now),
            gt(surveys.closesAt, since),
          ),
        )
        .orderBy(asc(surveys.closesAt), asc(surveys.title));
    },

    async updateSurvey(tx: DbOrTx, id: string, values: Partial<NewSurveyRow>) {
      await tx.update(surveys).set(values).where(eq(surveys.id, id)).catch(mapLockError);
    },

    /** Sets `launched_at` once; false if someone else launched it first. */
    async launch(tx: DbOrTx, id: string, at: Date): Promise<boolean> {
      const rows = await tx
        .update(surveys)
        .set({ launchedAt: at })
        .where(and(eq(surveys.id, id), isNull(surveys.launchedAt)))
        .returning({ id: surveys.id });
      return rows.length === 1;
    },

    async deleteQuestion(tx: DbOrTx, questionId: string) {
      await tx
        .delete(surveyQuestions)
        .where(eq(surveyQuestions.id, questionId))
        .catch(mapLockError);
    },

    async setPositions(tx: DbOrTx, ids: string[]) {
      for (const [position, id] of ids.entries())
        await tx
          .update(surveyQuestions)
          .set({ position })
          .where(eq(surveyQuestions.id, id))
          .catch(mapLockError);
    },

    async updateWording(
      tx: DbOrTx,
      questionId: string,
      values: { label: string; hint: string | null },
    ) {
      await tx.update(surveyQuestions).set(values).where(eq(surveyQuestions.id, questionId));
    },

    /** One response and its answer rows, in the caller's transaction. */
    async insertResponse(
      tx: DbOrTx,
      response: NewSurveyResponseRow,
      rows: AnswerRow[],
    ): Promise<string> {
      const [created] = await tx
        .insert(surveyResponses)
        .values(response)
        .returning({ id: surveyResponses.id });
      if (rows.length > 0)
        await tx.insert(surveyAnswers).values(rows.map((r) => ({ ...r, responseId: created!.id })));
      return created!.id;
    },

    /** The one conditional update that makes an invitation answer once (docs/rules/surveys.md §3). */
    async markResponded(tx: DbOrTx, invitationId: string): Promise<boolean> {
      const rows = await tx
        .update(surveyInvitations)
        .set({ responded: true })
        .where(and(eq(surveyInvitations.id, invitationId), eq(surveyInvitations.responded, false)))
        .returning({ id: surveyInvitations.id });
      return rows.length === 1;
    },

    async invitationByTokenHash(db: DbOrTx, tokenHash: string) {
      return rowWhere(db, surveyInvitations, eq(surveyInvitations.tokenHash, tokenHash));
    },

    async invitationById(db: DbOrTx, id: string) {
      return rowWhere(db, surveyInvitations, eq(surveyInvitations.id, id));
    },

    async draft(db: DbOrTx, tokenHash: string) {
      return rowWhere(db, surveyDrafts, eq(surveyDrafts.tokenHash, tokenHash));
    },

    async saveDraft(
      db: DbOrTx,
      draft: {
        surveyId: string;
        tokenHash: string;
        invitationId: string | null;
        answers: Record<string, unknown>;
        updatedAt: Date;
      },
    ) {
      await db
        .insert(surveyDrafts)
        .values(draft)
        .onConflictDoUpdate({
          target: surveyDrafts.tokenHash,
          set: { answers: draft.answers, updatedAt: draft.updatedAt },
        });
    },

    async deleteDraft(tx: DbOrTx, tokenHash: string) {
      await tx.delete(surveyDrafts).where(eq(surveyDrafts.tokenHash, tokenHash));
    },

    /** Drafts go at close (docs/rules/surveys.md §3). */
    async purgeDrafts(db: DbOrTx, surveyId: string, at: Date): Promise<number> {
      const deleted = await db
        .delete(surveyDrafts)
        .where(eq(surveyDrafts.surveyId, surveyId))
        .returning({ id: surveyDrafts.id });
      await db
        .update(surveys)
        .set({ draftsPurgedAt: at })
        .where(and(eq(surveys.id, surveyId), isNull(surveys.draftsPurgedAt)));
      return deleted.length;
    },

    /** Closed surveys whose drafts are still there. */
    async closedWithDrafts(db: DbOrTx, now: Date): Promise<string[]> {
      const rows = await db
        .select({ id: surveys.id })
        .from(surveys)
        .where(and(isNull(surveys.draftsPurgedAt), lte(surveys.closesAt, now)));
      return rows.map((r) => r.id);
    },
  };
}
export type SurveysRepository = ReturnType<typeof createSurveysRepository>;
