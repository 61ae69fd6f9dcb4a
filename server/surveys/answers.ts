import type { FieldErrors } from '../platform/errors.js';
import { TEXT_MAX, type QuestionDef } from './questions.js';

/** An answer as posted: an option key, option keys (ranking: in order) or text. */
export type AnswerValue = string | string[];
export type Answers = Record<string, AnswerValue>;

/** What is stored: one row per option (with a rank) or one text row. */
export interface AnswerRow {
  questionId: string;
  optionId: string | null;
  rank: number | null;
  text: string | null;
}

// eslint-disable-next-line no-control-regex -- control characters are exactly what we strip
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;
export const cleanText = (value: string) => value.replace(CONTROL, '').replace(/\r\n?/g, '\n');

const asList = (value: AnswerValue | undefined): string[] =>
  value === undefined ? [] : Array.isArray(value) ? value : value === '' ? [] : [value];

const isBlank = (value: AnswerValue | undefined) =>
  value === undefined ||
  (Array.isArray(value) ? value.length === 0 : cleanText(value).trim() === '');

/**
 * Checks answers against the questions. `only` limits the check to one page's questions
 * (save as you go); a full check also names answers to questions that do not exist.
 * Every message names the question, so the API's 400 and the page's error summary agree.
 */
export function checkAnswers(
  questions: QuestionDef[],
  answers: Answers,
  only?: ReadonlySet<string>,
): { errors: FieldErrors; rows: AnswerRow[]; clean: Answers } {
  const errors: FieldErrors = {};
  const rows: AnswerRow[] = [];
  const clean: Answers = {};
  const known = new Set(questions.map((q) => q.key));
  if (!only) {
    for (const key of Object.keys(answers)) {
      if (!known.has(key)) errors[key] = `"${key}" is not a question in this survey`;
    }
  }
  for (const q of questions) {
    if (only && !only.has(q.key)) continue;
    const value = answers[q.key];
    if (isBlank(value)) {
      if (q.required) errors[q.key] = `Answer "${q.label}"`;
      continue;
    }
    if (q.kind === 'text') {
      if (typeof value !== 'string') {
        errors[q.key] = `Answer "${q.label}" in words`;
        continue;
      }
      const text = cleanText(value).trim();
      if (text.length > TEXT_MAX) {
        errors[q.key] =
          `"${q.label}" must be ${TEXT_MAX.toLocaleString('en-GB')} characters or fewer`;
        continue;
      }
      clean[q.key] = text;
      rows.push({ questionId: q.id, optionId: null, rank: null, text });
      continue;
    }
    const byKey = new Map(q.options.map((o) => [o.key, o]));
    const picks = asList(value);
    const unknown = picks.find((key) => typeof key !== 'string' || !byKey.has(key));
    if (unknown !== undefined) {
      errors[q.key] = `"${String(unknown)}" is not an option of "${q.label}"`;
      continue;
    }
    if (new Set(picks).size !== picks.length) {
      errors[q.key] = `Choose each option of "${q.label}" once`;
      continue;
    }
    if (q.kind === 'multiple' || q.kind === 'ranking') {
      const exclusive = picks.filter((key) => byKey.get(key)!.exclusive);
      if (exclusive.length > 0 && picks.length > 1) {
        const none = byKey.get(exclusive[0]!)!.label;
        errors[q.key] = `For "${q.label}", select options or "${none}", not both`;
        continue;
      }
      if (q.maxChoices && picks.length > q.maxChoices) {
        errors[q.key] = `For "${q.label}", select up to ${q.maxChoices}`;
        continue;
      }
    } else if (picks.length > 1) {
      errors[q.key] = `Choose one answer to "${q.label}"`;
      continue;
    }
    clean[q.key] = q.kind === 'multiple' || q.kind === 'ranking' ? picks : picks[0]!;
    picks.forEach((key, index) =>
      rows.push({
        questionId: q.id,
        optionId: byKey.get(key)!.id,
        rank: q.kind === 'ranking' ? index + 1 : null,
        text: null,
      }),
    );
  }
  return { errors, rows, clean };
}
