import type { Db } from '../../db/client.js';
import type { Actor, AuditLog } from '../platform/audit.js';
import { csvStream, type CsvColumn } from '../lib/csv.js';
import { surveyErrors } from './errors.js';
import { LIKERT_AGREE, type QuestionDef } from './questions.js';
import type { ResultsRepository } from './results-repository.js';
import type { SurveysRepository } from './repository.js';

/** Percent to 1 dp, half up, in integers (no binary rounding surprises). */
export function percent(count: number, base: number): number {
  if (base === 0) return 0;
  return Math.floor((count * 2000 + base) / (2 * base)) / 10;
}

export interface OptionResult {
  key: string;
  label: string;
  count: number;
  percent: number;
  /** Position by count (ranking: Borda points); ties share it. Null for "None of these". */
  rank: number | null;
  /** "=4" when tied. */
  position: string | null;
  points?: number;
  firstPreferences?: number;
  meanRank?: number | null;
}
export interface QuestionResult {
  key: string;
  label: string;
  kind: QuestionDef['kind'];
  base: number;
  notAnswered: number;
  specialCategory: boolean;
  options: OptionResult[];
  /** Likert: % agree (top two). */
  agreePercent?: number;
  /** Free text: how many answered. */
  textCount?: number;
}
export interface SurveyResults {
  surveyId: string;
  title: string;
  responses: number;
  questions: QuestionResult[];
}

/** Positions: by score, ties share ("=4"), listed in builder order. */
function rankOptions(options: OptionResult[], score: (o: OptionResult) => number) {
  const ranked = options.filter((o) => o.rank !== null || o.position !== null);
  const order = [...ranked].sort((a, b) => score(b) - score(a));
  for (const option of ranked) {
    const better = order.filter((o) => score(o) > score(option)).length;
    const tied = order.filter((o) => score(o) === score(option)).length > 1;
    option.rank = better + 1;
    option.position = `${tied ? '=' : ''}${better + 1}`;
  }
}

/** Results (docs/rules/surveys.md §8): counts, %, ranking scores and top N, cross-tabs, CSV. */
export function createSurveyResults(deps: {
  db: Db;
  repo: SurveysRepository;
  results: ResultsRepository;
  audit: AuditLog;
}) {
  const { db, repo, results, audit } = deps;

  async function load(surveyId: string) {
    const survey = await repo.findSurvey(db, surveyId);
    if (!survey) throw surveyErrors.notFound();
    return survey;
  }

  async function compute(surveyId: string, opts: { specialCategory: boolean }) {
    const survey = await load(surveyId);
    const [responses, counts, bases] = await Promise.all([
      results.responseCount(db, surveyId),
      results.optionCounts(db, surveyId),
      results.bases(db, surveyId),
    ]);
    const questions: QuestionResult[] = [];
    for (const q of survey.questions) {
      if (q.specialCategory && !opts.specialCategory) continue;
      const base = bases.get(q.id) ?? 0;
      const result: QuestionResult = {
        key: q.key,
        label: q.label,
        kind: q.kind,
        base,
        notAnswered: responses - base,
        specialCategory: q.specialCategory,
        options: [],
      };
      if (q.kind === 'text') {
        result.textCount =
          counts.find((c) => c.questionId === q.id && c.optionId === null)?.count ?? 0;
        questions.push(result);
        continue;
      }
      const k = q.maxChoices ?? q.options.length;
      result.options = q.options.map((o) => {
        const row = counts.find((c) => c.questionId === q.id && c.optionId === o.id);
        const count = row?.count ?? 0;
        const option: OptionResult = {
          key: o.key,
          label: o.label,
          count,
          percent: percent(count, base),
          rank: o.exclusive ? null : 0,
          position: o.exclusive ? null : '',
        };
        if (q.kind === 'ranking') {
          // Borda: K − rank + 1 per mention.
          option.points = count * (k + 1) - (row?.rankSum ?? 0);
          option.firstPreferences = row?.firstPreferences ?? 0;
          option.meanRank = count ? Math.round(((row?.rankSum ?? 0) / count) * 100) / 100 : null;
        }
        return option;
      });
      rankOptions(result.options, (o) => (q.kind === 'ranking' ? o.points! : o.count));
      if (q.kind === 'likert') {
        const agree = result.options
          .filter((o) => LIKERT_AGREE.includes(o.key))
          .reduce((sum, o) => sum + o.count, 0);
        result.agreePercent = percent(agree, base);
      }
      questions.push(result);
    }
    return { survey, results: { surveyId, title: survey.title, responses, questions } };
  }

  return {
    async results(actor: Actor, surveyId: string, opts = { specialCategory: false }) {
      const { results: out } = await compute(surveyId, opts);
      await audit.recordRead(actor, {
        action: 'survey.results_read',
        subjectType: 'survey',
        subjectId: surveyId,
      });
      return out;
    },

    /** The top N options of a question, in order (ranking: by Borda points). */
    topN(result: QuestionResult, n: number): OptionResult[] {
      return result.options
        .filter((o) => o.rank !== null)
        .sort((a, b) => a.rank! - b.rank!)
        .slice(0, n);
    },

    /** Options × the chosen question's options: counts and column %, 1–4 suppressed as [c]. */
    async crossTab(actor: Actor, surveyId: string, key: string, byKey: string, analyst = false) {
      const survey = await load(surveyId);
      const q = survey.questions.find((x) => x.key === key && x.kind !== 'text');
      const by = survey.questions.find((x) => x.key === byKey && x.kind !== 'text');
      if (!q || !by) throw surveyErrors.invalidSurvey({ by: 'Choose a question with options' });
      if ((q.specialCategory || by.specialCategory) && !analyst)
        throw surveyErrors.invalidSurvey({ by: 'Equality cross-tabs are for analysts only' });
      const { cells, bases } = await results.crossTab(db, q.id, by.id);
      const columns = by.options.map((o) => ({
        key: o.key,
        label: o.label,
        base: bases.get(o.id) ?? 0,
      }));
      const rows = q.options.map((o) => ({
        key: o.key,
        label: o.label,
        cells: by.options.map((b) => {
          const count = cells.find((c) => c.optionId === o.id && c.byOptionId === b.id)?.count ?? 0;
          const base = bases.get(b.id) ?? 0;
          return {
            count,
            percent: percent(count, base),
            display: count >= 1 && count <= 4 ? '[c]' : String(count),
          };
        }),
        total: cells.filter((c) => c.optionId === o.id).reduce((s, c) => s + c.count, 0),
      }));
      await audit.recordRead(actor, {
        action: 'survey.crosstab_read',
        subjectType: 'survey',
        subjectId: surveyId,
      });
      return {
        question: { key: q.key, label: q.label },
        by: { key: by.key, label: by.label },
        columns,
        rows,
      };
    },

    /**
     * The CSV: one row per response in random-id order, a 0/1 column per option (ranking:
     * the rank), text as typed (formula-escaped by csvStream); no time column ever.
     */
    async exportCsv(actor: Actor, surveyId: string, opts = { specialCategory: false }) {
      const survey = await load(surveyId);
      const questions = survey.questions.filter((q) => opts.specialCategory || !q.specialCategory);
      type Row = {
        id: string;
        channel: string;
        answers: Array<{ q: string; o: string | null; r: number | null; t: string | null }>;
      };
      const columns: CsvColumn<Row>[] = [
        { header: 'Response', value: (r) => r.id },
        { header: 'Channel', value: (r) => r.channel },
      ];
      for (const q of questions) {
        if (q.kind === 'text') {
          columns.push({
            header: q.key,
            value: (r) => r.answers.find((a) => a.q === q.id)?.t ?? '',
          });
          continue;
        }
        for (const o of q.options)
          columns.push({
            header: `${q.key}:${o.key}`,
            value: (r) => {
              const hit = r.answers.find((a) => a.q === q.id && a.o === o.id);
              if (q.kind === 'ranking') return hit?.r ?? '';
              return hit ? 1 : 0;
            },
          });
      }
      await db.transaction(async (tx) =>
        audit.record(tx, actor, {
          action: 'survey.exported',
          subjectType: 'survey',
          subjectId: surveyId,
        }),
      );
      return {
        title: survey.title,
        stream: csvStream(results.responsesForExport(db, surveyId), columns),
      };
    },

    async textAnswers(surveyId: string, key: string, limit = 50, offset = 0) {
      const survey = await load(surveyId);
      const q = survey.questions.find((x) => x.key === key && x.kind === 'text');
      if (!q) throw surveyErrors.notFound();
      const [answers, themes] = await Promise.all([
        results.textAnswers(db, q.id, limit, offset),
        results.themeCounts(db, q.id),
      ]);
      return { question: q, answers: [...answers], themes: [...themes] };
    },

    async tagAnswer(actor: Actor, surveyId: string, key: string, answerId: number, theme: string) {
      const survey = await load(surveyId);
      const q = survey.questions.find((x) => x.key === key && x.kind === 'text');
      if (!q) throw surveyErrors.notFound();
      const label = theme.trim().slice(0, 100);
      if (!label) throw surveyErrors.invalidSurvey({ theme: 'Enter a theme' });
      await db.transaction(async (tx) => {
        const themeId = await results.addTheme(tx, q.id, label);
        if (
          (await results.tagAnswer(tx, answerId, themeId, q.id)) === 0 &&
          !(await results.textAnswers(tx, q.id, 1, 0)).length
        )
          throw surveyErrors.notFound();
        await audit.record(tx, actor, {
          action: 'survey.answer_themed',
          subjectType: 'survey',
          subjectId: surveyId,
        });
      });
    },
  };
}
export type SurveyResultsService = ReturnType<typeof createSurveyResults>;
