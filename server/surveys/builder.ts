import type { Db } from '../../db/client.js';
import { QUESTION_KINDS } from '../../db/schema/surveys.js';
import type { SurveyRow } from '../../db/schema/index.js';
import type { Clock } from '../lib/clock.js';
import type { Actor, AuditLog } from '../platform/audit.js';
import type { FieldErrors } from '../platform/errors.js';
import { surveyErrors } from './errors.js';
import {
  AREA_OPTIONS,
  asksForPersonalData,
  EQUALITY_QUESTIONS,
  LIKERT_OPTIONS,
  type QuestionInput,
} from './questions.js';
import type { SurveysRepository, SurveyWithQuestions } from './repository.js';

export interface SurveyInput {
  title: string;
  description?: string;
  privacyNotice?: string;
  opensAt: string;
  closesAt: string;
  anonymous: boolean;
  reminderMinGapDays?: number;
  reminderMaxCount?: number;
  questions: QuestionInput[];
}

export type SurveyStatus = 'draft' | 'scheduled' | 'open' | 'closed' | 'archived';

/** draft → scheduled → open → closed → archived, from the dates and the clock (§1). */
export function statusOf(survey: SurveyRow, now: Date): SurveyStatus {
  if (survey.archivedAt) return 'archived';
  if (!survey.launchedAt) return 'draft';
  if (now < survey.opensAt) return 'scheduled';
  if (now >= survey.closesAt) return 'closed';
  return 'open';
}

const KEY = /^[a-z][a-z0-9_]{0,59}$/;

/** Fills the fixed options (Likert, area, equality) and checks the rest; field errors by path. */
export function normaliseQuestions(
  questions: QuestionInput[],
  anonymous: boolean,
  prefix = 'questions',
): { questions: QuestionInput[]; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const seen = new Set<string>();
  const out: QuestionInput[] = [];
  questions.forEach((input, index) => {
    const at = `${prefix}.${index}`;
    let q: QuestionInput = { ...input };
    if (!KEY.test(q.key)) {
      errors[`${at}.key`] =
        'Use lower-case letters, digits and underscores, starting with a letter';
      return;
    }
    if (seen.has(q.key)) errors[`${at}.key`] = `"${q.key}" is used by another question`;
    seen.add(q.key);
    if (!(QUESTION_KINDS as readonly string[]).includes(q.kind)) {
      errors[`${at}.kind`] = 'Choose a question type';
      return;
    }
    if (q.kind === 'likert' && !q.options?.length) q.options = LIKERT_OPTIONS;
    if (q.kind === 'area') q.options = AREA_OPTIONS;
    if (q.kind === 'equality') {
      const preset = EQUALITY_QUESTIONS[q.key];
      if (!preset) {
        errors[`${at}.key`] =
          `Equality questions are fixed: use one of ${Object.keys(EQUALITY_QUESTIONS).join(', ')}`;
        return;
      }
      q = { key: q.key, kind: 'equality', label: preset.label, options: preset.options };
      q.hint = 'This question is optional.';
    }
    if (!q.label?.trim()) errors[`${at}.label`] = 'Enter the question';
    if (anonymous && asksForPersonalData(q))
      errors[`${at}.label`] =
        'An anonymous survey cannot ask for a name, email, phone number, address or postcode';
    if (q.kind === 'text') {
      if (q.options?.length) errors[`${at}.options`] = 'A free-text question has no options';
      q.options = [];
    } else {
      const options = q.options ?? [];
      if (options.length < 2) errors[`${at}.options`] = 'Give at least two options';
      const keys = new Set<string>();
      for (const [i, o] of options.entries()) {
        if (!KEY.test(o.key) && !/^[a-z0-9_]{1,60}$/.test(o.key))
          errors[`${at}.options.${i}.key`] = 'Use lower-case letters, digits and underscores';
        if (keys.has(o.key)) errors[`${at}.options.${i}.key`] = `"${o.key}" is used twice`;
        keys.add(o.key);
        if (!o.label?.trim()) errors[`${at}.options.${i}.label`] = 'Enter the option';
        if (o.behaviour === 'exclusive' && q.kind !== 'multiple')
          errors[`${at}.options.${i}.behaviour`] =
            'Only a multiple-choice question has a "None of these" option';
      }
      if (options.filter((o) => o.behaviour === 'exclusive').length > 1)
        errors[`${at}.options`] = 'Only one option can be "None of these"';
      const pickable = options.filter((o) => o.behaviour !== 'exclusive').length;
      if (q.maxChoices !== undefined) {
        if (q.kind !== 'multiple' && q.kind !== 'ranking')
          errors[`${at}.maxChoices`] = 'Only multiple choice and ranking take a maximum';
        else if (!Number.isInteger(q.maxChoices) || q.maxChoices < 1 || q.maxChoices > pickable)
          errors[`${at}.maxChoices`] = `Give a whole number from 1 to ${pickable}`;
      } else if (q.kind === 'ranking') q.maxChoices = pickable;
    }
    out.push(q);
  });
  if (questions.length === 0) errors[prefix] = 'Add at least one question';
  return { questions: out, errors };
}

function parseInstant(value: string, field: string, errors: FieldErrors): Date {
  const date = new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(date.getTime())) errors[field] = 'Enter a real date and time';
  return date;
}

/** The staff builder: create, edit before launch, reorder, open (launch) and archive. */
export function createSurveyBuilder(deps: {
  db: Db;
  repo: SurveysRepository;
  clock: Clock;
  audit: AuditLog;
  publicUrl: string;
}) {
  const { db, repo, clock, audit } = deps;

  async function get(id: string): Promise<SurveyWithQuestions> {
    const survey = await repo.findSurvey(db, id);
    if (!survey) throw surveyErrors.notFound();
    return survey;
  }

  return {
    publicUrl: (id: string) => `${deps.publicUrl}/consultations/${id}`,
    get,
    list: () => repo.listSurveys(db),

    async create(actor: Actor, input: SurveyInput): Promise<SurveyWithQuestions> {
      const errors: FieldErrors = {};
      if (!input.title.trim()) errors.title = 'Enter a title';
      const opensAt = parseInstant(input.opensAt, 'opensAt', errors);
      const closesAt = parseInstant(input.closesAt, 'closesAt', errors);
      if (!errors.opensAt && !errors.closesAt && closesAt <= opensAt)
        errors.closesAt = 'The closing date must be after the opening date';
      const normalised = normaliseQuestions(input.questions, input.anonymous);
      Object.assign(errors, normalised.errors);
      if (Object.keys(errors).length > 0) throw surveyErrors.invalidSurvey(errors);
      const id = await db.transaction(async (tx) => {
        const survey = await repo.insertSurvey(tx, {
          title: input.title.trim(),
          description: input.description ?? '',
          privacyNotice: input.privacyNotice ?? '',
          anonymous: input.anonymous,
          opensAt,
          closesAt,
          reminderMinGapDays: input.reminderMinGapDays ?? 7,
          reminderMaxCount: input.reminderMaxCount ?? 2,
          createdBy: actor.id,
          createdAt: clock.now(),
        });
        await repo.insertQuestions(tx, survey.id, normalised.questions);
        await audit.record(tx, actor, {
          action: 'survey.created',
          subjectType: 'survey',
          subjectId: survey.id,
        });
        return survey.id;
      });
      return get(id);
    },

    /** Adds questions at the end (before launch; the trigger refuses after). */
    async addQuestions(actor: Actor, id: string, questions: QuestionInput[]) {
      const survey = await get(id);
      if (survey.launchedAt) throw surveyErrors.locked();
      const { questions: fresh, errors } = normaliseQuestions(questions, survey.anonymous);
      const taken = new Set(survey.questions.map((q) => q.key));
      fresh.forEach((q, index) => {
        if (taken.has(q.key))
          errors[`questions.${index}.key`] = `"${q.key}" is used by another question`;
      });
      if (Object.keys(errors).length > 0) throw surveyErrors.invalidSurvey(errors);
      await db.transaction(async (tx) => {
        await repo.insertQuestions(tx, id, fresh, survey.questions.length);
        await audit.record(tx, actor, {
          action: 'survey.question_added',
          subjectType: 'survey',
          subjectId: id,
        });
      });
      return get(id);
    },

    /** "Move up" / "Move down" (no drag, WCAG 2.5.7). */
    async move(actor: Actor, id: string, questionKey: string, direction: 'up' | 'down') {
      const survey = await get(id);
      if (survey.launchedAt) throw surveyErrors.locked();
      const ids = survey.questions.map((q) => q.id);
      const at = survey.questions.findIndex((q) => q.key === questionKey);
      const to = direction === 'up' ? at - 1 : at + 1;
      if (at < 0) throw surveyErrors.notFound();
      if (to < 0 || to >= ids.length) return survey;
      [ids[at], ids[to]] = [ids[to]!, ids[at]!];
      await db.transaction(async (tx) => {
        await repo.setPositions(tx, ids);
        await audit.record(tx, actor, {
          action: 'survey.question_moved',
          subjectType: 'survey',
          subjectId: id,
        });
      });
      return get(id);
    },

    async removeQuestion(actor: Actor, id: string, questionKey: string) {
      const survey = await get(id);
      const question = survey.questions.find((q) => q.key === questionKey);
      if (!question) throw surveyErrors.notFound();
      if (survey.launchedAt) throw surveyErrors.locked();
      await db.transaction(async (tx) => {
        await repo.deleteQuestion(tx, question.id);
        await audit.record(tx, actor, {
          action: 'survey.question_removed',
          subjectType: 'survey',
          subjectId: id,
        });
      });
      return get(id);
    },

    /** Wording fixes stay possible after launch, audited. */
    async reword(actor: Actor, id: string, key: string, label: string, hint: string | null) {
      const survey = await get(id);
      const question = survey.questions.find((q) => q.key === key);
      if (!question) throw surveyErrors.notFound();
      if (!label.trim()) throw surveyErrors.invalidSurvey({ label: 'Enter the question' });
      await db.transaction(async (tx) => {
        await repo.updateWording(tx, question.id, { label: label.trim(), hint });
        await audit.record(tx, actor, {
          action: 'survey.question_reworded',
          subjectType: 'survey',
          subjectId: id,
        });
      });
    },

    /** Anonymity can change only before launch; after, the trigger refuses (409). */
    async setAnonymity(actor: Actor, id: string, anonymous: boolean) {
      await db.transaction(async (tx) => {
        await repo.updateSurvey(tx, id, { anonymous });
        await audit.record(tx, actor, {
          action: 'survey.anonymity_changed',
          subjectType: 'survey',
          subjectId: id,
        });
      });
    },

    /** Launch: locks anonymity and structure; answers flow from `opens_at`. */
    async open(actor: Actor, id: string) {
      const survey = await get(id);
      if (survey.questions.length === 0)
        throw surveyErrors.invalidSurvey({ questions: 'Add at least one question' });
      if (survey.closesAt <= clock.now()) throw surveyErrors.notOpen('The closing date has passed');
      await db.transaction(async (tx) => {
        if (!(await repo.launch(tx, id, clock.now()))) throw surveyErrors.alreadyLaunched();
        await audit.record(tx, actor, {
          action: 'survey.launched',
          subjectType: 'survey',
          subjectId: id,
        });
      });
      return get(id);
    },
  };
}
export type SurveyBuilder = ReturnType<typeof createSurveyBuilder>;
