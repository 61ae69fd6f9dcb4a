import type { QuestionKind } from '../../db/schema/surveys.js';

/** The structure the builder saves and the answering pages and results read. */
export interface OptionDef {
  id: string;
  key: string;
  label: string;
  exclusive: boolean;
}
export interface QuestionDef {
  id: string;
  key: string;
  kind: QuestionKind;
  label: string;
  hint: string | null;
  section: string | null;
  required: boolean;
  maxChoices: number | null;
  specialCategory: boolean;
  options: OptionDef[];
}

export interface OptionInput {
  key: string;
  label: string;
  behaviour?: 'normal' | 'exclusive';
}
export interface QuestionInput {
  key: string;
  kind: QuestionKind;
  label: string;
  hint?: string;
  section?: string;
  required?: boolean;
  maxChoices?: number;
  options?: OptionInput[];
}

export const TEXT_MAX = 2000;

/** Five points and "Don't know" (docs/rules/surveys.md §2). */
export const LIKERT_OPTIONS: OptionInput[] = [
  { key: 'strongly_agree', label: 'Strongly agree' },
  { key: 'agree', label: 'Agree' },
  { key: 'neither', label: 'Neither agree nor disagree' },
  { key: 'disagree', label: 'Disagree' },
  { key: 'strongly_disagree', label: 'Strongly disagree' },
  { key: 'dont_know', label: "Don't know" },
];
export const LIKERT_AGREE = ['strongly_agree', 'agree'];

/** The six districts of Cambridgeshire and Peterborough, outside, prefer not to say. */
export const AREA_OPTIONS: OptionInput[] = [
  { key: 'cambridge', label: 'Cambridge' },
  { key: 'east_cambridgeshire', label: 'East Cambridgeshire' },
  { key: 'fenland', label: 'Fenland' },
  { key: 'huntingdonshire', label: 'Huntingdonshire' },
  { key: 'peterborough', label: 'Peterborough' },
  { key: 'south_cambridgeshire', label: 'South Cambridgeshire' },
  { key: 'outside', label: 'Outside Cambridgeshire and Peterborough' },
  { key: 'prefer_not', label: 'Prefer not to say' },
];

const PREFER_NOT: OptionInput = { key: 'prefer_not', label: 'Prefer not to say' };

/**
 * The GOV.UK equality questions (GSS harmonised wording), not editable, all optional,
 * special category. Added with `{ kind: "equality", key: "<one of these keys>" }`.
 */
export const EQUALITY_QUESTIONS: Record<string, { label: string; options: OptionInput[] }> = {
  equality_age: {
    label: 'What is your age?',
    options: [
      { key: 'under_18', label: 'Under 18' },
      { key: '18_24', label: '18 to 24' },
      { key: '25_34', label: '25 to 34' },
      { key: '35_44', label: '35 to 44' },
      { key: '45_54', label: '45 to 54' },
      { key: '55_64', label: '55 to 64' },
      { key: '65_plus', label: '65 or over' },
      PREFER_NOT,
    ],
  },
  equality_sex: {
    label: 'What is your sex?',
    options: [{ key: 'female', label: 'Female' }, { key: 'male', label: 'Male' }, PREFER_NOT],
  },
  equality_disability: {
    label:
      'Do you have any physical or mental health conditions or illnesses lasting or expected to last 12 months or more?',
    options: [{ key: 'yes', label: 'Yes' }, { key: 'no', label: 'No' }, PREFER_NOT],
  },
  equality_ethnicity: {
    label: 'What is your ethnic group?',
    options: [
      { key: 'white', label: 'White' },
      { key: 'mixed', label: 'Mixed or multiple ethnic groups' },
      { key: 'asian', label: 'Asian or Asian British' },
      { key: 'black', label: 'Black, Black British, Caribbean or African' },
      { key: 'other', label: 'Other ethnic group' },
      PREFER_NOT,
    ],
  },
};

/** Questions an anonymous survey must not ask (docs/rules/surveys.md §1). */
const PERSONAL = /\b(name|e-?mail|phone|telephone|mobile|postcode|post code|address)\b/i;
export const asksForPersonalData = (q: { key: string; label: string; kind: QuestionKind }) =>
  q.kind === 'text' && (PERSONAL.test(q.label) || PERSONAL.test(q.key.replace(/_/g, ' ')));

export const hasOptions = (kind: QuestionKind) => kind !== 'text';
export const isMultiPick = (kind: QuestionKind) => kind === 'multiple' || kind === 'ranking';

/** Equality questions come last, after check your answers; the rest in builder order. */
export function pagesOf(questions: QuestionDef[]): QuestionDef[][] {
  const pages: QuestionDef[][] = [];
  let current: QuestionDef[] | undefined;
  for (const q of questions.filter((x) => !x.specialCategory)) {
    if (q.section && current && current[0]!.section === q.section) current.push(q);
    else {
      current = [q];
      pages.push(current);
    }
  }
  return pages;
}
