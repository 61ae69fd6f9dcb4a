import type { AnswerValue } from './answers.js';
import { TEXT_MAX, type QuestionDef } from './questions.js';

const ORDINALS = [
  'Most important',
  'Second',
  'Third',
  'Fourth',
  'Fifth',
  'Sixth',
  'Seventh',
  'Eighth',
];

/** What a page needs to draw one question with the GOV.UK macros (and to summarise it). */
export function questionView(q: QuestionDef, value: AnswerValue | undefined, error?: string) {
  const picked = value === undefined ? [] : Array.isArray(value) ? value : [value];
  const hint =
    q.hint ??
    (q.kind === 'multiple' && q.maxChoices
      ? `Select up to ${q.maxChoices}`
      : q.kind === 'multiple'
        ? 'Select all that apply'
        : q.kind === 'ranking'
          ? `Choose up to ${q.maxChoices ?? q.options.length}, most important first`
          : null);
  const items: Array<Record<string, unknown>> = [];
  for (const o of q.options) {
    if (o.exclusive) items.push({ divider: 'or' });
    items.push({
      value: o.key,
      text: o.label,
      checked: picked.includes(o.key),
      ...(o.exclusive ? { behaviour: 'exclusive' } : {}),
    });
  }
  const labels = new Map(q.options.map((o) => [o.key, o.label]));
  return {
    key: q.key,
    kind: q.kind,
    label: q.label,
    hint,
    required: q.required,
    error: error ? { text: error } : undefined,
    items,
    text: typeof value === 'string' && q.kind === 'text' ? value : '',
    maxLength: TEXT_MAX,
    // Ranking without drag and drop (WCAG 2.5.7): one radio group per place.
    rankSlots:
      q.kind === 'ranking'
        ? Array.from({ length: q.maxChoices ?? q.options.length }, (_, i) => ({
            name: `${q.key}__${i + 1}`,
            legend: ORDINALS[i] ?? `Choice ${i + 1}`,
            items: q.options.map((o) => ({
              value: o.key,
              text: o.label,
              checked: picked[i] === o.key,
            })),
          }))
        : [],
    summary:
      picked.length === 0
        ? 'Not answered'
        : q.kind === 'text'
          ? String(value)
          : picked
              .map((k, i) => (q.kind === 'ranking' ? `${i + 1}. ` : '') + (labels.get(k) ?? k))
              .join('; '),
  };
}
