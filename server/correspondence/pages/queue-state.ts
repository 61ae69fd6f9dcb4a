import type { Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { FieldErrors } from '../../platform/errors.js';
import type { CaseFilters, QueueView } from '../repository.js';
import { QueueQuery } from '../schemas.js';
import { filterProblems, normaliseTag, TAG_LIMITS } from '../validation.js';
import type { CaseCounts, CaseSummary } from '../types.js';
import { daysBetween } from '../../lib/dates.js';
import {
  CHANNEL_LABELS,
  humanise,
  OPEN_STATUSES,
  STATUS_LABELS,
  TYPE_LABELS,
} from '../workflow.js';

/** The triage queue's state as it lives in the URL, and what the pages show of a case row. */

export type Query = Static<typeof QueueQuery>;

export const VIEW_LABELS: Array<{
  view: QueueView;
  label: string;
  count: keyof CaseCounts | undefined;
}> = [
  { view: 'all-open', label: 'All open', count: 'allOpen' },
  { view: 'unassigned', label: 'Unassigned', count: 'unassigned' },
  { view: 'mine', label: 'Mine', count: 'mine' },
  { view: 'due-5wd', label: 'Due in 5 working days', count: 'due5wd' },
  { view: 'overdue', label: 'Overdue', count: 'overdue' },
  { view: 'awaiting-requester', label: 'Awaiting requester', count: 'awaitingRequester' },
  { view: 'awaiting-approval', label: 'Awaiting approval', count: 'awaitingApproval' },
  { view: 'needs-attention', label: 'Needs attention', count: 'needsAttention' },
  // No count for All: counting every case ever received would scan the whole table.
  { view: 'all', label: 'All', count: undefined },
];

export const STATUS_TAG: Record<string, string> = {
  new: 'govuk-tag--light-blue',
  open: 'govuk-tag--blue',
  awaiting_requester: 'govuk-tag--yellow',
  awaiting_approval: 'govuk-tag--purple',
  responded: 'govuk-tag--green',
  closed: 'govuk-tag--grey',
};

export const ARRAY_KEYS = ['status', 'type', 'channel', 'topic', 'tag'] as const;
export const SCALAR_KEYS = [
  'view',
  'assignee',
  'overdue',
  'q',
  'receivedFrom',
  'receivedTo',
  'restricted',
  'sort',
  'limit',
  'cursor',
  'page',
] as const;

export const RESTRICTION_LABELS: Record<string, string> = {
  true: 'Restricted only',
  false: 'Not restricted',
};

/** The queue URL for a filter state: the state lives in the URL, so it can be bookmarked. */
export function queueUrl(query: Partial<Query>, base = '/casework'): string {
  const params = new URLSearchParams();
  for (const key of SCALAR_KEYS) {
    const value = query[key];
    if (value !== undefined && value !== '') params.set(key, String(value));
  }
  for (const key of ARRAY_KEYS) for (const value of query[key] ?? []) params.append(key, value);
  const search = params.toString();
  return search ? `${base}?${search}` : base;
}

/** Reads a queue URL back (for returnTo): unknown or invalid parts are dropped. */
export function parseQueueUrl(url: string): Query {
  const params = new URL(url, 'http://local').searchParams;
  const raw: Record<string, unknown> = {};
  for (const key of ARRAY_KEYS) if (params.has(key)) raw[key] = params.getAll(key);
  for (const key of SCALAR_KEYS) if (params.has(key)) raw[key] = params.get(key);
  const converted = Value.Convert(QueueQuery, raw);
  return Value.Check(QueueQuery, converted) ? converted : {};
}

/** The queue's selection checkboxes: `id:version` each. */
export const selectedCases = (values: readonly string[] | undefined) =>
  (values ?? []).flatMap((value) => {
    const [id, version] = value.split(':');
    return id && version && /^\d{1,9}$/.test(version) ? [{ id, version: Number(version) }] : [];
  });

export const safeReturnTo = (value: string | undefined) =>
  value && /^\/casework(\?|$)/.test(value) ? value : '/casework';

/**
 * A filter date as typed: `2026-11-01` or `1/11/2026` (day first). The ISO date, or
 * undefined for an empty box, or null for something that is not a real date.
 */
export function parseFilterDate(value: string | undefined): string | null | undefined {
  const text = value?.trim() ?? '';
  if (!text) return undefined;
  const match =
    /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(text) ??
    /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(text);
  if (!match) return null;
  const [year, month, day] =
    match[1]!.length === 4
      ? [Number(match[1]), Number(match[2]), Number(match[3])]
      : [Number(match[3]), Number(match[2]), Number(match[1])];
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  if (
    year < 1900 ||
    date.getUTCFullYear() !== year ||
    date.getUTCMonth() !== month - 1 ||
    date.getUTCDate() !== day
  )
    return null;
  return `${String(year)}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Tags typed into the filter (comma separated) or carried in the URL, normalised. */
export const tagsOf = (values: readonly string[] | undefined) => [
  ...new Set(
    (values ?? [])
      .flatMap((v) => v.split(','))
      .map(normaliseTag)
      .filter(Boolean),
  ),
];

/**
 * The service's filters from the page's URL, checking what people type (dates, tags, the
 * restriction). `clean` is the URL state without the refused parts: links keep to it, so
 * the list, its pages and the CSV export all show the same cases.
 */
export function filtersOf(
  query: Query,
  opts: { manager: boolean },
): { filters: CaseFilters; view: QueueView; errors: FieldErrors; clean: Query } {
  const view: QueueView = query.view ?? (query.status?.length ? 'all' : 'all-open');
  const errors: FieldErrors = {};
  const clean: Query = { ...query };
  const from = parseFilterDate(query.receivedFrom);
  if (from === null)
    errors.receivedFrom = "'Received from' must be a real date, like 2026-11-01 or 1/11/2026";
  const to = parseFilterDate(query.receivedTo);
  if (to === null)
    errors.receivedTo = "'Received to' must be a real date, like 2026-11-30 or 30/11/2026";
  const tag = tagsOf(query.tag);
  if (tag.some((t) => t.length > TAG_LIMITS.length))
    errors.tag = `Each tag must be ${TAG_LIMITS.length} characters or fewer`;
  else if (tag.length > TAG_LIMITS.perCase)
    errors.tag = `Filter by ${TAG_LIMITS.perCase} tags or fewer`;
  clean.tag = errors.tag ? undefined : tag;
  let restricted: boolean | undefined;
  if (!opts.manager || !query.restricted) clean.restricted = undefined;
  else if (query.restricted === 'true' || query.restricted === 'false')
    restricted = query.restricted === 'true';
  else {
    errors.restricted = 'Select all cases, restricted only or not restricted';
    clean.restricted = undefined;
  }
  const filters: CaseFilters = {
    view,
    status: query.status,
    type: query.type,
    channel: query.channel,
    assignee: query.assignee || undefined,
    topic: query.topic,
    tag: clean.tag?.length ? clean.tag : undefined,
    restricted,
    overdue: query.overdue,
    q: query.q?.trim() || undefined,
    receivedFrom: from ?? undefined,
    receivedTo: to ?? undefined,
  };
  clean.receivedFrom = from ?? undefined;
  clean.receivedTo = to ?? undefined;
  Object.assign(errors, filterProblems(filters));
  if (errors.receivedFrom) {
    filters.receivedFrom = undefined;
    clean.receivedFrom = undefined;
  }
  if (errors.receivedTo) {
    filters.receivedTo = undefined;
    clean.receivedTo = undefined;
  }
  return { view, filters, errors, clean };
}

export const checkboxItems = <T extends string>(
  values: readonly T[],
  labels: Record<string, string>,
  selected: readonly string[] | undefined,
) =>
  values.map((value) => ({
    value,
    text: labels[value] ?? humanise(value),
    checked: selected?.includes(value) ?? false,
  }));

/**
 * How long is left on a row's due date: a tag on every open case that has one. A missed
 * acknowledgement target shows too, even while the response is not yet due (#15 item 2).
 */
export function dueTag(
  item: Pick<CaseSummary, 'dueDate' | 'overdue' | 'status' | 'missed'>,
  today: string,
): { text: string; classes: string } | undefined {
  if (!OPEN_STATUSES.includes(item.status)) return undefined;
  const plural = (n: number) => `${n} day${n === 1 ? '' : 's'}`;
  // The earlier of the acknowledgement targets missed (the office's, or s164A's).
  const ack = item.missed?.find((m) => m.kind === 'acknowledge' || m.kind === 'dp_ack');
  const days = item.dueDate ? daysBetween(today, item.dueDate) : undefined;
  if (days !== undefined && days < 0)
    return { text: `Overdue by ${plural(-days)}`, classes: 'govuk-tag--red' };
  if (ack)
    return {
      text: `${ack.kind === 'dp_ack' ? 'Data protection acknowledgement' : 'Acknowledgement'} overdue by ${plural(daysBetween(ack.dueDate, today))}`,
      classes: 'govuk-tag--red',
    };
  if (days === undefined) return undefined;
  if (days === 0) return { text: 'Due today', classes: 'govuk-tag--orange' };
  return {
    text: `${plural(days)} left`,
    classes: days <= 7 ? 'govuk-tag--yellow' : 'govuk-tag--grey',
  };
}

export function summaryRow(item: CaseSummary) {
  return {
    ...item,
    typeLabel: TYPE_LABELS[item.type],
    channelLabel: CHANNEL_LABELS[item.channel],
    statusLabel: STATUS_LABELS[item.status],
    statusClass: STATUS_TAG[item.status],
  };
}
