import type { Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { formatDate } from '../lib/format.js';
import { NoticeQuery } from '../platform/schemas.js';
import { CASEWORK, MANAGERS } from '../platform/auth.js';
import {
  AppError,
  fieldsFromValidation,
  validationError,
  type FieldErrors,
} from '../platform/errors.js';
import {
  ACCEPTED_EXTENSIONS,
  ATTACHMENT_LIMITS,
  formatSize,
  multipartFields,
  sendAttachment,
  uploadedFiles,
  type UploadedFile,
} from './attachments.js';
import { SCAN_STATES } from '../attachments/scan.js';
import { checkUploads } from './attachment-store.js';
import { csvStream, type CsvColumn } from './csv.js';
import { londonDate } from './due.js';
import type { CaseFilters, CaseSort, QueueView } from './repository.js';
import {
  AssignForm,
  AttachmentIdParams,
  AccessForm,
  BulkAssignForm,
  BulkTagForm,
  CaseIdParams,
  CsrfOnlyForm,
  NewCaseForm,
  NoteForm,
  QueueQuery,
  RestrictionForm,
  TransitionForm,
} from './schemas.js';
import {
  filterProblems,
  normaliseTag,
  TAG_LIMITS,
  type AccessGrant,
  type CaseCounts,
  type CaseDetail,
  type CaseSummary,
  type CorrespondenceService,
  type NewCaseInput,
} from './service.js';
import {
  CASE_CHANNELS,
  CASE_STATUSES,
  CASE_TYPES,
  CHANNEL_LABELS,
  CHANNEL_PHRASES,
  humanise,
  STATUS_LABELS,
  TYPE_LABELS,
  type CaseChannel,
  type CaseType,
} from './workflow.js';

type Query = Static<typeof QueueQuery>;

const VIEW_LABELS: Array<{ view: QueueView; label: string; count: keyof CaseCounts | undefined }> =
  [
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

/** Manual-entry channels offered on the staff form (email and web arrive by themselves). */
const STAFF_CHANNELS: CaseChannel[] = ['letter', 'phone', 'in_person', 'email', 'social', 'mp'];

const STATUS_TAG: Record<string, string> = {
  new: 'govuk-tag--light-blue',
  open: 'govuk-tag--blue',
  awaiting_requester: 'govuk-tag--yellow',
  awaiting_approval: 'govuk-tag--purple',
  responded: 'govuk-tag--green',
  closed: 'govuk-tag--grey',
};

const ARRAY_KEYS = ['status', 'type', 'channel', 'topic', 'tag'] as const;
const SCALAR_KEYS = [
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
] as const;

const RESTRICTION_LABELS: Record<string, string> = {
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
function parseQueueUrl(url: string): Query {
  const params = new URL(url, 'http://local').searchParams;
  const raw: Record<string, unknown> = {};
  for (const key of ARRAY_KEYS) if (params.has(key)) raw[key] = params.getAll(key);
  for (const key of SCALAR_KEYS) if (params.has(key)) raw[key] = params.get(key);
  const converted = Value.Convert(QueueQuery, raw);
  return Value.Check(QueueQuery, converted) ? converted : {};
}

/** The queue's selection checkboxes: `id:version` each. */
const selectedCases = (values: readonly string[] | undefined) =>
  (values ?? []).flatMap((value) => {
    const [id, version] = value.split(':');
    return id && version && /^\d{1,9}$/.test(version) ? [{ id, version: Number(version) }] : [];
  });

const safeReturnTo = (value: string | undefined) =>
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
const tagsOf = (values: readonly string[] | undefined) => [
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
function filtersOf(
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

const checkboxItems = <T extends string>(
  values: readonly T[],
  labels: Record<string, string>,
  selected: readonly string[] | undefined,
) =>
  values.map((value) => ({
    value,
    text: labels[value] ?? humanise(value),
    checked: selected?.includes(value) ?? false,
  }));

function summaryRow(item: CaseSummary) {
  return {
    ...item,
    typeLabel: TYPE_LABELS[item.type],
    channelLabel: CHANNEL_LABELS[item.channel],
    statusLabel: STATUS_LABELS[item.status],
    statusClass: STATUS_TAG[item.status],
  };
}

/** Page values for the new-case form, from a posted body. */
type NewCaseValues = Partial<Static<typeof NewCaseForm>>;

/** Form field name → service field (the service's names are the API's). */
const NEW_CASE_FIELDS: Record<string, string> = {
  contactName: 'contact.name',
  contactEmail: 'contact.email',
  contactPhone: 'contact.phone',
  contactAddress: 'contact.address',
  contactPostcode: 'contact.postcode',
  'receivedAt-day': 'receivedAt',
  'receivedAt-month': 'receivedAt',
  'receivedAt-year': 'receivedAt',
  receivedTime: 'receivedAt',
};

/** Service field → the id of the input the error summary links to. */
function pageFieldErrors(fields: FieldErrors): FieldErrors {
  const out: FieldErrors = {};
  for (const [field, message] of Object.entries(fields)) {
    const mapped = NEW_CASE_FIELDS[field] ?? field;
    const key = mapped === 'receivedAt' ? 'receivedAt.day' : mapped;
    out[key] ??= message;
  }
  return out;
}

export async function correspondencePages(
  app: FastifyInstance,
  opts: { correspondence: CorrespondenceService },
) {
  const svc = opts.correspondence;
  app.staffNav.push({
    href: '/casework',
    text: 'Casework',
    roles: ['caseworker', 'manager'],
    // Work waiting to be picked up: open cases with nobody assigned that this person can see.
    count: (_staff, request) => svc.unassignedCount(request.actor()),
    countLabel: 'unassigned',
  });

  async function renderQueue(
    request: FastifyRequest,
    reply: FastifyReply,
    query: Query,
    extra: {
      errors?: FieldErrors;
      status?: number;
      notice?: string;
      values?: { tags?: string };
    } = {},
  ) {
    const actor = request.actor();
    const manager = actor.role === 'manager';
    const checked = filtersOf(query, { manager });
    const { filters, view } = checked;
    const errors = { ...checked.errors, ...extra.errors };
    const hasErrors = Object.keys(errors).length > 0;
    const sort: CaseSort = query.sort ?? (filters.q ? 'relevance' : 'due');
    // A plain view of the queue is the same HTML until a case changes (or the day does).
    let reuseKey: string | undefined;
    if (!hasErrors && Object.keys(extra).length === 0) {
      // The read is audited with the stamp: a reused page goes out audited, and the list
      // worked out below for a new one does not audit it twice.
      reuseKey = `queue|${await svc.changeStamp(actor, filters)}|${svc.today()}`;
      if (reply.reusedPage(reuseKey)) return reply;
    }
    const [page, counts, options] = await Promise.all([
      svc.list(actor, filters, {
        sort,
        limit: query.limit ?? 50,
        // A refused filter changes the list: start again from its first page.
        cursor: Object.keys(checked.errors).length > 0 ? undefined : query.cursor,
      }),
      svc.counts(actor),
      svc.options(),
    ]);
    // What was typed, for the form; links use the checked state (refused parts left out).
    const typed: Query = query;
    const base: Query = {
      ...checked.clean,
      cursor: undefined,
      assigned: undefined,
      tagged: undefined,
    };
    const views = VIEW_LABELS.map((item) => ({
      text: item.count ? `${item.label} (${counts[item.count]})` : item.label,
      href: queueUrl({ ...base, view: item.view }),
      active: item.view === view,
    }));
    const staffNames = new Map(options.staff.map((s) => [s.id, s.name]));
    const topicLabels = Object.fromEntries(options.topics.map((t) => [t.slug, t.label]));
    const categories: Array<{
      heading: { text: string };
      items: Array<{ href: string; text: string }>;
    }> = [];
    const removeFrom = (key: (typeof ARRAY_KEYS)[number], value: string) =>
      queueUrl({ ...base, [key]: (base[key] ?? []).filter((v) => v !== value) });
    const addCategory = (
      heading: string,
      key: (typeof ARRAY_KEYS)[number],
      labels: Record<string, string>,
    ) => {
      const values = base[key] ?? [];
      if (values.length)
        categories.push({
          heading: { text: heading },
          items: values.map((value) => ({
            href: removeFrom(key, value),
            text: labels[value] ?? humanise(value),
          })),
        });
    };
    addCategory('Type', 'type', TYPE_LABELS);
    addCategory('Channel', 'channel', CHANNEL_LABELS);
    addCategory('Status', 'status', STATUS_LABELS);
    addCategory('Topic', 'topic', topicLabels);
    // Tags show as stored, not humanised.
    addCategory('Tag', 'tag', Object.fromEntries((base.tag ?? []).map((tag) => [tag, tag])));
    for (const [key, heading] of [
      ['receivedFrom', 'Received from'],
      ['receivedTo', 'Received to'],
    ] as const) {
      const value = base[key];
      if (value)
        categories.push({
          heading: { text: heading },
          items: [{ href: queueUrl({ ...base, [key]: undefined }), text: formatDate(value) }],
        });
    }
    if (base.restricted)
      categories.push({
        heading: { text: 'Restriction' },
        items: [
          {
            href: queueUrl({ ...base, restricted: undefined }),
            text: RESTRICTION_LABELS[base.restricted] ?? base.restricted,
          },
        ],
      });
    if (base.assignee)
      categories.push({
        heading: { text: 'Assigned to' },
        items: [
          {
            href: queueUrl({ ...base, assignee: undefined }),
            text:
              base.assignee === 'none'
                ? 'Unassigned'
                : base.assignee === 'me'
                  ? 'Me'
                  : (staffNames.get(base.assignee) ?? 'Someone'),
          },
        ],
      });
    if (base.q)
      categories.push({
        heading: { text: 'Search' },
        items: [{ href: queueUrl({ ...base, q: undefined, sort: undefined }), text: base.q }],
      });
    const sortLink = (column: 'due' | 'received') => {
      const ascending = column;
      const descending = `-${column}` as CaseSort;
      const current =
        sort === ascending ? 'ascending' : sort === descending ? 'descending' : 'none';
      return {
        href: queueUrl({ ...base, sort: sort === ascending ? descending : ascending }),
        ariaSort: current,
      };
    };
    return reply.page(
      'correspondence/views/queue.njk',
      {
        pageTitle: 'Casework',
        errors: hasErrors ? errors : undefined,
        notice:
          extra.notice ??
          (query.assigned !== undefined
            ? `${query.assigned} case${query.assigned === 1 ? '' : 's'} assigned`
            : query.tagged !== undefined
              ? `${query.tagged} case${query.tagged === 1 ? '' : 's'} tagged`
              : undefined),
        views,
        view,
        query: base,
        typed: {
          receivedFrom: typed.receivedFrom,
          receivedTo: typed.receivedTo,
          tag: checked.errors.tag ? (typed.tag ?? []).join(', ') : (base.tag ?? []).join(', '),
          tags: extra.values?.tags,
        },
        isManager: manager,
        restrictionItems: [
          { value: '', text: 'All cases', checked: !base.restricted },
          { value: 'true', text: RESTRICTION_LABELS.true, checked: base.restricted === 'true' },
          { value: 'false', text: RESTRICTION_LABELS.false, checked: base.restricted === 'false' },
        ],
        items: page.items.map(summaryRow),
        nextUrl: page.nextCursor ? queueUrl({ ...base, cursor: page.nextCursor }) : undefined,
        firstUrl: query.cursor ? queueUrl(base) : undefined,
        exportUrl: queueUrl({ ...base, limit: undefined }, '/casework/export.csv'),
        clearUrl: queueUrl({ view: base.view }),
        returnTo: queueUrl(base),
        selectedCategories: categories,
        typeItems: checkboxItems(CASE_TYPES, TYPE_LABELS, base.type),
        channelItems: checkboxItems(CASE_CHANNELS, CHANNEL_LABELS, base.channel),
        statusItems: checkboxItems(CASE_STATUSES, STATUS_LABELS, base.status),
        topicItems: options.topics.map((t) => ({
          value: t.slug,
          text: t.label,
          checked: base.topic?.includes(t.slug) ?? false,
        })),
        assigneeItems: [
          { value: '', text: 'Anyone' },
          { value: 'none', text: 'Unassigned', selected: base.assignee === 'none' },
          { value: 'me', text: 'Me', selected: base.assignee === 'me' },
          ...options.staff.map((s) => ({
            value: s.id,
            text: s.name,
            selected: base.assignee === s.id,
          })),
        ],
        bulkAssigneeItems: [
          { value: '', text: 'Choose a person' },
          { value: 'me', text: 'Me' },
          ...options.staff.map((s) => ({ value: s.id, text: s.name })),
        ],
        dueSort: sortLink('due'),
        receivedSort: sortLink('received'),
        counts,
      },
      extra.status ?? (Object.keys(checked.errors).length > 0 ? 400 : 200),
      { reuseKey },
    );
  }

  app.get<{ Querystring: Query }>(
    '/casework',
    { schema: { querystring: QueueQuery, hide: true }, config: { auth: CASEWORK } },
    async (request, reply) => {
      const { q, cursor } = request.query;
      if (q && !cursor) {
        // Typing a reference opens the case.
        const id = await svc.findIdByReference(request.actor(), q);
        if (id) return reply.redirect(`/casework/${id}`, 303);
      }
      return renderQueue(request, reply, request.query);
    },
  );

  app.get<{ Querystring: Query }>(
    '/casework/export.csv',
    { schema: { querystring: QueueQuery, hide: true }, config: { auth: CASEWORK } },
    async (request, reply) => {
      const actor = request.actor();
      const { filters, errors } = filtersOf(request.query, { manager: actor.role === 'manager' });
      if (Object.keys(errors).length > 0) throw validationError(errors);
      const rows = svc.exportRows(actor, filters, request.query.sort);
      type Row = CaseSummary & { workingDaysTaken: number | null; onTime: boolean | null };
      const columns: CsvColumn<Row>[] = [
        { header: 'Reference', value: (r) => r.reference },
        { header: 'Type', value: (r) => TYPE_LABELS[r.type] },
        { header: 'Channel', value: (r) => CHANNEL_LABELS[r.channel] },
        { header: 'Status', value: (r) => STATUS_LABELS[r.status] },
        { header: 'Outcome', value: (r) => (r.outcome ? humanise(r.outcome) : '') },
        { header: 'Subject', value: (r) => r.subject },
        { header: 'Received on', value: (r) => r.receivedOn },
        { header: 'Due on', value: (r) => r.dueDate },
        { header: 'Responded on', value: (r) => r.respondedOn },
        { header: 'Overdue', value: (r) => r.overdue },
        { header: 'On time', value: (r) => r.onTime },
        { header: 'Working days taken', value: (r) => r.workingDaysTaken },
        { header: 'Assigned to', value: (r) => r.assignee?.name ?? '' },
        { header: 'Topics', value: (r) => r.topics.join('; ') },
        { header: 'Tags', value: (r) => r.tags.join('; ') },
        { header: 'Restricted', value: (r) => r.restricted },
      ];
      // Audited before the first byte: exportRows records the export when it starts.
      const first = await rows.next();
      async function* all() {
        if (!first.done) yield first.value;
        yield* rows;
      }
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="cases-${londonDate(svc.now())}.csv"`)
        .header('x-content-type-options', 'nosniff')
        .send(csvStream(all(), columns));
    },
  );

  app.post<{ Body: Static<typeof BulkAssignForm> }>(
    '/casework/bulk-assign',
    { schema: { body: BulkAssignForm, hide: true }, config: { auth: CASEWORK } },
    async (request, reply) => {
      const actor = request.actor();
      const returnTo = safeReturnTo(request.body.returnTo);
      const cases = selectedCases(request.body.cases);
      const choice = request.body.assigneeId ?? '';
      const fields: FieldErrors = {};
      if (cases.length === 0) fields.cases = 'Select the cases to assign';
      if (!choice) fields.assigneeId = 'Choose who to assign the cases to';
      try {
        if (Object.keys(fields).length > 0)
          throw new AppError(400, 'validation', 'Check the form', fields);
        const result = await svc.bulkAssign(actor, {
          assigneeId: choice === 'me' ? actor.id : choice,
          cases,
        });
        const url = new URL(returnTo, 'http://local');
        url.searchParams.set('assigned', String(result.assigned));
        return reply.redirect(`${url.pathname}${url.search}`, 303);
      } catch (error) {
        if (error instanceof AppError && error.statusCode < 500) {
          return renderQueue(request, reply, parseQueueUrl(returnTo), {
            errors: error.fields ?? { cases: error.message },
            status: error.statusCode,
          });
        }
        throw error;
      }
    },
  );

  app.post<{ Body: Static<typeof BulkTagForm> }>(
    '/casework/bulk-tag',
    { schema: { body: BulkTagForm, hide: true }, config: { auth: CASEWORK } },
    async (request, reply) => {
      const returnTo = safeReturnTo(request.body.returnTo);
      const cases = selectedCases(request.body.cases);
      const typed = request.body.tags ?? '';
      const fields: FieldErrors = {};
      if (cases.length === 0) fields.cases = 'Select the cases to tag';
      const tags = typed.split(',');
      if (!tags.some((tag) => tag.trim())) fields.tags = 'Enter the tags to add';
      try {
        if (Object.keys(fields).length > 0)
          throw new AppError(400, 'validation', 'Check the form', fields);
        const result = await svc.bulkTag(request.actor(), { tags, cases });
        const url = new URL(returnTo, 'http://local');
        url.searchParams.set('tagged', String(result.tagged));
        return reply.redirect(`${url.pathname}${url.search}`, 303);
      } catch (error) {
        if (error instanceof AppError && error.statusCode < 500) {
          return renderQueue(request, reply, parseQueueUrl(returnTo), {
            errors: error.fields ?? { cases: error.message },
            status: error.statusCode,
            values: { tags: typed },
          });
        }
        throw error;
      }
    },
  );

  async function renderNewCase(
    request: FastifyRequest,
    reply: FastifyReply,
    values: NewCaseValues,
    extra: {
      errors?: FieldErrors;
      status?: number;
      suggestions?: unknown[];
      /** Files that were fine but must be chosen again (a browser cannot refill a file input). */
      reselect?: string[];
    } = {},
  ) {
    const options = await svc.options();
    return reply.page(
      'correspondence/views/new.njk',
      {
        pageTitle: 'Record correspondence',
        errors: extra.errors,
        values,
        suggestions: extra.suggestions,
        typeItems: CASE_TYPES.map((value) => ({
          value,
          text: TYPE_LABELS[value],
          checked: values.type === value,
        })),
        channelItems: STAFF_CHANNELS.map((value) => ({
          value,
          text: CHANNEL_LABELS[value],
          checked: values.channel === value,
        })),
        topicItems: options.topics.map((t) => ({
          value: t.slug,
          text: t.label,
          checked: values.topics?.includes(t.slug) ?? false,
        })),
        acceptedExtensions: ACCEPTED_EXTENSIONS,
        maxFiles: ATTACHMENT_LIMITS.files,
        reselect: extra.reselect ?? [],
      },
      extra.status ?? 200,
    );
  }

  /** The files of each staff-entry submission (multipart), taken off the body before validation. */
  const newCaseFiles = new WeakMap<FastifyRequest, UploadedFile[]>();

  app.get(
    '/casework/new',
    { schema: { hide: true }, config: { auth: CASEWORK } },
    async (request, reply) => {
      const [year, month, day] = londonDate(svc.now()).split('-');
      return renderNewCase(request, reply, {
        'receivedAt-day': String(Number(day)),
        'receivedAt-month': String(Number(month)),
        'receivedAt-year': year,
      });
    },
  );

  app.post<{ Body: Static<typeof NewCaseForm> }>(
    '/casework/new',
    {
      schema: { body: NewCaseForm, hide: true },
      attachValidation: true,
      config: {
        auth: CASEWORK,
        // The whole form arrives as multipart with its scanned attachments: room for every
        // field (the text is up to 20,000 characters) besides the files. `files` is only the
        // transport's hard stop: past it @fastify/multipart answers a bare 413 and the typed
        // form is lost, so it sits well above our own 5-file rule (checkUploads), which gives
        // the field error and keeps the text. Each file is still cut off just past 10 MiB.
        multipartOptions: {
          limits: { fields: 60, fieldSize: 128 * 1024, files: 20, parts: 80 },
        },
      },
      // Multipart fields arrive as { value } parts: made a plain form body, files set aside,
      // so the same schema validates both encodings.
      preValidation: async (request) => {
        if (!request.isMultipart()) return;
        newCaseFiles.set(request, uploadedFiles(request.body));
        request.body = multipartFields(request.body) as never;
      },
    },
    async (request, reply) => {
      const values = (request.body ?? {}) as NewCaseValues;
      const files = newCaseFiles.get(request) ?? [];
      // A bad file is one more field error: the typed form is shown again, nothing saved.
      let fileError: AppError | undefined;
      try {
        await checkUploads(files, { required: false });
      } catch (error) {
        if (!(error instanceof AppError) || !error.fields?.file) throw error;
        fileError = error;
      }
      const reselect = fileError ? [] : files.map((file) => displayName(file.filename));
      if (request.validationError) {
        const errors = pageFieldErrors(
          fieldsFromValidation(
            (request.validationError.validation ?? []) as Parameters<
              typeof fieldsFromValidation
            >[0],
          ),
        );
        if (fileError) errors.file ??= fileError.fields!.file!;
        return renderNewCase(request, reply, keepTyped(values), {
          errors,
          status: 400,
          reselect,
        });
      }
      const actor = request.actor();
      const contact = {
        name: values.contactName ?? '',
        email: values.contactEmail,
        phone: values.contactPhone,
        address: values.contactAddress,
        postcode: values.contactPostcode,
      };
      const fields: FieldErrors = {};
      let receivedAt = receivedAtFrom(values, fields);
      // A letter dated today, with no time given, arrived "now" (never in the future).
      const now = svc.now();
      if (
        receivedAt &&
        !values.receivedTime?.trim() &&
        receivedAt > now &&
        londonDate(receivedAt) === londonDate(now)
      )
        receivedAt = now;
      const choice = values.contactChoice ?? '';
      const input: NewCaseInput = {
        type: values.type as CaseType,
        channel: values.channel as CaseChannel,
        receivedAt: receivedAt ?? now,
        subject: values.subject ?? '',
        body: values.body ?? '',
        topics: values.topics ?? [],
        ...(choice && choice !== 'new' ? { contactId: choice } : { contact }),
      };
      // All the problems at once: the form's own (the date), the service's and the files'.
      Object.assign(fields, { ...svc.validateNewCase(input), ...fields });
      if (fileError) fields.file = fileError.fields!.file!;
      try {
        if (fileError && Object.keys(fields).length === 1) throw fileError; // 413 or 415
        if (Object.keys(fields).length > 0)
          throw new AppError(400, 'validation', 'Check the form', fields);
        if (!choice && contact.name.trim()) {
          const suggestions = await svc.suggestContacts(contact);
          const byReason = (reason: string) =>
            suggestions.filter((s) => s.reason === reason).length;
          // Name and postcode matches are only ever suggested: staff decide. So are ambiguous ones.
          if (byReason('name_postcode') > 0 || byReason('email') > 1 || byReason('phone') > 1)
            return await renderNewCase(request, reply, values, { suggestions, reselect });
        }
        const created = await svc.createCase(actor, input, { files });
        return reply.redirect(`/casework/${created.id}?notice=created`, 303);
      } catch (error) {
        if (error instanceof AppError && error.fields && error.statusCode < 500) {
          return renderNewCase(request, reply, values, {
            errors: pageFieldErrors(error.fields),
            status: error.statusCode,
            reselect: error.fields.file ? [] : reselect,
          });
        }
        throw error;
      }
    },
  );

  /* ---- The case page and its forms ---- */

  const NOTICES: Record<string, string> = {
    created: 'Case recorded',
    note: 'Note added',
    status: 'Status changed',
    assigned: 'Assignment saved',
    restriction: 'Restriction saved',
    access: 'Access given',
    'access-removed': 'Access removed',
    attachments: 'Attachment added',
    rescan: 'Virus check queued again',
  };

  async function renderCase(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    extra: {
      errors?: FieldErrors;
      status?: number;
      values?: Record<string, unknown>;
      notice?: string;
    } = {},
  ) {
    const actor = request.actor();
    const manager = actor.role === 'manager';
    const [detail, options] = await Promise.all([svc.get(actor, id), svc.options()]);
    // Only after get(): a case this person may not see is a 404 before anything else.
    const access: AccessGrant[] = manager ? await svc.accessList(actor, detail.id) : [];
    const granted = new Set(access.map((grant) => grant.user.id));
    return reply.page(
      'correspondence/views/case.njk',
      {
        pageTitle: `${detail.reference}: ${detail.subject}`,
        errors: extra.errors,
        values: extra.values ?? {},
        notice: extra.notice,
        c: caseView(detail),
        isManager: actor.role === 'manager',
        moveItems: detail.allowedMoves.map((move) => ({
          value: move.to,
          text: `${STATUS_LABELS[move.to]}: ${move.label}`,
          checked: extra.values?.to === move.to,
        })),
        outcomeItems: [...new Set(detail.allowedMoves.flatMap((m) => m.outcomes))].map((value) => ({
          value,
          text: humanise(value),
          checked: extra.values?.outcome === value,
        })),
        reasonItems: [...new Set(detail.allowedMoves.flatMap((m) => m.reasons))].map((value) => ({
          value,
          text: humanise(value),
          checked: extra.values?.reasonEvent === value,
        })),
        needsReasonText: detail.allowedMoves.some((m) => m.requires.includes('reason')),
        assigneeItems: [
          { value: '', text: 'Nobody (unassigned)', selected: !detail.assignee },
          ...options.staff.map((s) => ({
            value: s.id,
            text: s.id === actor.id ? `${s.name} (me)` : s.name,
            selected: detail.assignee?.id === s.id,
          })),
        ],
        mayAssign: actor.role === 'manager' || !detail.assignee || detail.assignee.id === actor.id,
        access,
        // Managers see every case anyway: access is for caseworkers other than the assignee.
        accessItems: [
          { value: '', text: 'Choose a person' },
          ...options.staff
            .filter(
              (s) => s.role === 'caseworker' && !granted.has(s.id) && s.id !== detail.assignee?.id,
            )
            .map((s) => ({ value: s.id, text: s.name, selected: extra.values?.userId === s.id })),
        ],
        acceptedExtensions: ACCEPTED_EXTENSIONS,
        maxFiles: ATTACHMENT_LIMITS.files,
      },
      extra.status ?? 200,
    );
  }

  function caseView(detail: CaseDetail) {
    return {
      ...summaryRow(detail),
      ...detail,
      typeLabel: TYPE_LABELS[detail.type],
      channelLabel: CHANNEL_LABELS[detail.channel],
      channelPhrase: CHANNEL_PHRASES[detail.channel],
      statusLabel: STATUS_LABELS[detail.status],
      statusClass: STATUS_TAG[detail.status],
      outcomeLabel: detail.outcome ? humanise(detail.outcome) : null,
      dueLabel: detail.dueDate ? formatDate(detail.dueDate) : null,
      timeline: [...detail.timeline].reverse(),
      attachments: detail.attachments.map((a) => ({
        ...a,
        sizeLabel: formatSize(a.size),
        scan: SCAN_STATES[a.scanStatus],
      })),
    };
  }

  /** Runs a case form's action; a refusal re-renders the page with the error summary. */
  async function caseAction(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    field: string,
    values: Record<string, unknown>,
    action: () => Promise<unknown>,
    notice: string,
    anchor = '',
  ) {
    try {
      await action();
      return reply.redirect(`/casework/${id}?notice=${notice}${anchor}`, 303);
    } catch (error) {
      if (error instanceof AppError && error.statusCode < 500 && error.statusCode !== 404) {
        const fields = error.fields ? { ...error.fields } : { [field]: error.message };
        if (fields.version) {
          fields[field] ??= fields.version;
          delete fields.version;
        }
        return renderCase(request, reply, id, { errors: fields, status: error.statusCode, values });
      }
      throw error;
    }
  }

  const parseVersion = (value: string | undefined) =>
    value && /^\d{1,9}$/.test(value) ? Number(value) : 0;

  app.get<{ Params: Static<typeof CaseIdParams>; Querystring: { notice?: string } }>(
    '/casework/:id',
    {
      schema: {
        params: CaseIdParams,
        querystring: NoticeQuery,
        hide: true,
      },
      config: { auth: CASEWORK },
    },
    async (request, reply) =>
      renderCase(request, reply, request.params.id, {
        notice: request.query.notice ? NOTICES[request.query.notice] : undefined,
      }),
  );

  app.post<{ Params: Static<typeof CaseIdParams>; Body: Static<typeof NoteForm> }>(
    '/casework/:id/notes',
    { schema: { params: CaseIdParams, body: NoteForm, hide: true }, config: { auth: CASEWORK } },
    async (request, reply) => {
      const { id } = request.params;
      const body = request.body.body ?? '';
      return caseAction(
        request,
        reply,
        id,
        'body',
        { body },
        () => svc.addNote(request.actor(), id, { body }),
        'note',
        '#notes',
      );
    },
  );

  app.post<{ Params: Static<typeof CaseIdParams>; Body: Static<typeof TransitionForm> }>(
    '/casework/:id/transition',
    {
      schema: { params: CaseIdParams, body: TransitionForm, hide: true },
      config: { auth: CASEWORK },
    },
    async (request, reply) => {
      const { id } = request.params;
      const { to, outcome, reasonEvent, reasonText } = request.body;
      const values = { to, outcome, reasonEvent, reasonText };
      return caseAction(
        request,
        reply,
        id,
        'to',
        values,
        async () => {
          if (!to)
            throw new AppError(400, 'validation', 'Select a new status', {
              to: 'Select a new status',
            });
          await svc.transition(request.actor(), id, {
            to,
            version: parseVersion(request.body.version),
            outcome: outcome || undefined,
            reason: reasonEvent || reasonText?.trim() || undefined,
          });
        },
        'status',
      );
    },
  );

  app.post<{ Params: Static<typeof CaseIdParams>; Body: Static<typeof AssignForm> }>(
    '/casework/:id/assign',
    { schema: { params: CaseIdParams, body: AssignForm, hide: true }, config: { auth: CASEWORK } },
    async (request, reply) => {
      const { id } = request.params;
      const assigneeId = request.body.assigneeId || null;
      return caseAction(
        request,
        reply,
        id,
        'assigneeId',
        { assigneeId },
        () =>
          svc.assign(request.actor(), id, {
            assigneeId,
            version: parseVersion(request.body.version),
          }),
        'assigned',
      );
    },
  );

  app.post<{ Params: Static<typeof CaseIdParams> }>(
    '/casework/:id/attachments',
    { schema: { params: CaseIdParams, hide: true }, config: { auth: CASEWORK } },
    async (request, reply) => {
      const { id } = request.params;
      return caseAction(
        request,
        reply,
        id,
        'file',
        {},
        () => svc.addAttachments(request.actor(), id, uploadedFiles(request.body)),
        'attachments',
        '#attachments',
      );
    },
  );

  // "Scan again" next to a file still held for its virus check (managers: see the service).
  app.post<{ Params: Static<typeof AttachmentIdParams>; Body: Static<typeof CsrfOnlyForm> }>(
    '/casework/:id/attachments/:attachmentId/rescan',
    {
      schema: { params: AttachmentIdParams, body: CsrfOnlyForm, hide: true },
      config: { auth: MANAGERS },
    },
    async (request, reply) => {
      const { id, attachmentId } = request.params;
      return caseAction(
        request,
        reply,
        id,
        'file',
        {},
        () => svc.rescanAttachment(request.actor(), id, attachmentId),
        'rescan',
        '#attachments-heading',
      );
    },
  );

  app.get<{ Params: Static<typeof AttachmentIdParams> }>(
    '/casework/:id/attachments/:attachmentId',
    { schema: { params: AttachmentIdParams, hide: true }, config: { auth: CASEWORK } },
    async (request, reply) =>
      sendAttachment(
        reply,
        await svc.attachment(request.actor(), request.params.id, request.params.attachmentId),
      ),
  );

  app.post<{ Params: Static<typeof CaseIdParams>; Body: Static<typeof AccessForm> }>(
    '/casework/:id/access',
    {
      schema: { params: CaseIdParams, body: AccessForm, hide: true },
      config: { auth: MANAGERS },
    },
    async (request, reply) => {
      const { id } = request.params;
      const userId = request.body.userId ?? '';
      return caseAction(
        request,
        reply,
        id,
        'userId',
        { userId },
        async () => {
          if (!userId)
            throw new AppError(400, 'validation', 'Choose a person', {
              userId: 'Choose who to give access to',
            });
          await svc.grantAccess(request.actor(), id, userId);
        },
        'access',
        '#access',
      );
    },
  );

  app.post<{ Params: Static<typeof CaseIdParams>; Body: Static<typeof AccessForm> }>(
    '/casework/:id/access/remove',
    {
      schema: { params: CaseIdParams, body: AccessForm, hide: true },
      config: { auth: MANAGERS },
    },
    async (request, reply) => {
      const { id } = request.params;
      const userId = request.body.userId ?? '';
      return caseAction(
        request,
        reply,
        id,
        'userId',
        {},
        async () => {
          try {
            await svc.revokeAccess(request.actor(), id, userId);
          } catch (error) {
            // Already removed (a second click, or another manager): the outcome they wanted.
            if (!(error instanceof AppError && error.code === 'correspondence.access_not_found'))
              throw error;
          }
        },
        'access-removed',
        '#access',
      );
    },
  );

  app.post<{ Params: Static<typeof CaseIdParams>; Body: Static<typeof RestrictionForm> }>(
    '/casework/:id/restriction',
    {
      schema: { params: CaseIdParams, body: RestrictionForm, hide: true },
      config: { auth: MANAGERS },
    },
    async (request, reply) => {
      const { id } = request.params;
      return caseAction(
        request,
        reply,
        id,
        'restricted',
        {},
        () =>
          svc.setRestricted(request.actor(), id, {
            restricted: request.body.restricted === 'yes',
            version: parseVersion(request.body.version),
          }),
        'restriction',
      );
    },
  );
}

/** A file's name as the browser gave it, without its path, for "select it again". */
const displayName = (raw: string) => raw.split(/[\\/]/).pop()?.slice(0, 100) || 'attachment';

/** What was typed, limited to the form's own fields and lengths, to show it again. */
function keepTyped(values: Record<string, unknown>): NewCaseValues {
  const kept: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(NewCaseForm.properties)) {
    const value = values[key];
    const max = (schema as { maxLength?: number }).maxLength ?? 1000;
    if (typeof value === 'string') kept[key] = value.slice(0, max);
    else if (Array.isArray(value))
      kept[key] = value.filter((v): v is string => typeof v === 'string').slice(0, 20);
  }
  return kept;
}

/** The staff form's date (and optional time) of receipt, read in London time. */
function receivedAtFrom(values: NewCaseValues, fields: FieldErrors): Date | undefined {
  const day = Number(values['receivedAt-day']);
  const month = Number(values['receivedAt-month']);
  const year = Number(values['receivedAt-year']);
  const date = new Date(Date.UTC(year, month - 1, day, 12));
  if (
    !Number.isInteger(day) ||
    !Number.isInteger(month) ||
    !Number.isInteger(year) ||
    year < 2000 ||
    date.getUTCDate() !== day ||
    date.getUTCMonth() !== month - 1
  ) {
    fields.receivedAt = 'Enter the date it was received, for example 27 3 2026';
    return undefined;
  }
  const isoDate = date.toISOString().slice(0, 10);
  const time = values.receivedTime?.trim();
  if (!time) return date; // midday UTC is the same London date all year round
  const match = /^(\d{1,2})[:.](\d{2})$/.exec(time);
  if (!match || Number(match[1]) > 23 || Number(match[2]) > 59) {
    fields.receivedAt = 'Enter the time as hours and minutes, like 14:30';
    return undefined;
  }
  // London local time → instant: try both offsets and keep the one that reads back.
  for (const offset of ['+00:00', '+01:00']) {
    const candidate = new Date(`${isoDate}T${match[1]!.padStart(2, '0')}:${match[2]}:00${offset}`);
    const back = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/London',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).format(candidate);
    if (back === `${match[1]!.padStart(2, '0')}:${match[2]}` && londonDate(candidate) === isoDate)
      return candidate;
  }
  return date;
}
