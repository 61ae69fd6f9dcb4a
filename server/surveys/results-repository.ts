import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';

export interface OptionCountRow {
  questionId: string;
  optionId: string | null;
  count: number;
  rankSum: number;
  firstPreferences: number;
}

/** The aggregate reads of the results (docs/rules/surveys.md §8); rows, not people. */
export function createResultsRepository() {
  return {
    async responseCount(db: DbOrTx, surveyId: string): Promise<number> {
      const [row] = await db.execute<{ n: number }>(
        sql`select count(*)::int as n from survey_responses where survey_id = ${surveyId}`,
      );
      return row?.n ?? 0;
    },

    async optionCounts(db: DbOrTx, surveyId: string): Promise<OptionCountRow[]> {
      const rows = await db.execute<{
        question_id: string;
        option_id: string | null;
        n: number;
        rank_sum: number;
        firsts: number;
      }>(sql`
        select a.question_id, a.option_id, count(*)::int as n,
               coalesce(sum(a.rank), 0)::int as rank_sum,
               count(*) filter (where a.rank = 1)::int as firsts
        from survey_answers a join survey_responses r on r.id = a.response_id
        where r.survey_id = ${surveyId}
        group by a.question_id, a.option_id`);
      return rows.map((r) => ({
        questionId: r.question_id,
        optionId: r.option_id,
        count: r.n,
        rankSum: r.rank_sum,
        firstPreferences: r.firsts,
      }));
    },

    /** Respondents answering each question (the base). */
    async bases(db: DbOrTx, surveyId: string): Promise<Map<string, number>> {
      const rows = await db.execute<{ question_id: string; n: number }>(sql`
        select a.question_id, count(distinct a.response_id)::int as n
        from survey_answers a join survey_responses r on r.id = a.response_id
        where r.survey_id = ${surveyId} group by a.question_id`);
      return new Map(rows.map((r) => [r.question_id, r.n]));
    },

    /** Options of `questionId` by options of `byQuestionId`, counted per respondent. */
    async crossTab(db: DbOrTx, questionId: string, byQuestionId: string) {
      const cells = await db.execute<{ option_id: string; by_option_id: string; n: number }>(sql`
        select a.option_id, d.option_id as by_option_id, count(*)::int as n
        from survey_answers a
        join survey_answers d on d.response_id = a.response_id and d.question_id = ${byQuestionId}
        where a.question_id = ${questionId} and a.option_id is not null
        group by a.option_id, d.option_id`);
      const bases = await db.execute<{ by_option_id: string; n: number }>(sql`
        select d.option_id as by_option_id, count(distinct d.response_id)::int as n
        from survey_answers d
        where d.question_id = ${byQuestionId}
          and exists (select 1 from survey_answers a
                      where a.response_id = d.response_id and a.question_id = ${questionId})
        group by d.option_id`);
      return {
        cells: cells.map((c) => ({
          optionId: c.option_id,
          byOptionId: c.by_option_id,
          count: c.n,
        })),
        bases: new Map(bases.map((b) => [b.by_option_id, b.n])),
      };
    },

    /** Free-text answers of one question, with their themes, in a stable random order. */
    async textAnswers(db: DbOrTx, questionId: string, limit: number, offset: number) {
      return db.execute<{ id: number; text: string; themes: string[] }>(sql`
        select a.id::int as id, a.text,
               coalesce(array_agg(t.label order by t.label) filter (where t.id is not null), '{}') as themes
        from survey_answers a
        left join survey_answer_themes at on at.answer_id = a.id
        left join survey_themes t on t.id = at.theme_id
        where a.question_id = ${questionId} and a.text is not null
        group by a.id, a.response_id order by a.response_id limit ${limit} offset ${offset}`);
    },

    async themeCounts(db: DbOrTx, questionId: string) {
      return db.execute<{ id: string; label: string; n: number }>(sql`
        select t.id, t.label, count(at.answer_id)::int as n
        from survey_themes t left join survey_answer_themes at on at.theme_id = t.id
        where t.question_id = ${questionId} group by t.id, t.label order by n desc, t.label`);
    },

    async addTheme(db: DbOrTx, questionId: string, label: string): Promise<string> {
      const [row] = await db.execute<{ id: string }>(sql`
        insert into survey_themes (question_id, label) values (${questionId}, ${label})
        on conflict (question_id, label) do update set label = excluded.label returning id`);
      return row!.id;
    },

    async tagAnswer(db: DbOrTx, answerId: number, themeId: string, questionId: string) {
      const rows = await db.execute(sql`
        insert into survey_answer_themes (answer_id, theme_id)
        select a.id, ${themeId} from survey_answers a
        where a.id = ${answerId} and a.question_id = ${questionId}
        on conflict do nothing returning answer_id`);
      return rows.length;
    },

    /**
     * Every response with its answers, ordered by the random response id (never by time),
     * for the CSV. Streams in pages of `pageSize`.
     */
    async *responsesForExport(db: DbOrTx, surveyId: string, pageSize = 1000) {
      let after = '00000000-0000-0000-0000-000000000000';
      for (;;) {
        const rows = await db.execute<{
          id: string;
          channel: string;
          answers: Array<{ q: string; o: string | null; r: number | null; t: string | null }>;
        }>(sql`
          select r.id, r.channel,
                 coalesce(json_agg(json_build_object('q', a.question_id, 'o', a.option_id, 'r', a.rank, 't', a.text))
                          filter (where a.id is not null), '[]') as answers
          from survey_responses r left join survey_answers a on a.response_id = r.id
          where r.survey_id = ${surveyId} and r.id > ${after}
          group by r.id order by r.id limit ${pageSize}`);
        if (rows.length === 0) return;
        yield* rows;
        after = rows[rows.length - 1]!.id;
        if (rows.length < pageSize) return;
      }
    },
  };
}
export type ResultsRepository = ReturnType<typeof createResultsRepository>;
