import type { Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { formatDate } from '../lib/format.js';
import { NoticeQuery } from '../platform/schemas.js';
import { CASEWORK, MANAGERS } from '../platform/auth.js';
import { AppError, fieldsFromValidation, type FieldErrors } from '../platform/errors.js';
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
  BulkAssignForm,
  CaseIdParams,
  NewCaseForm,
  NoteForm,
  QueueQuery,
  RestrictionForm,
  TransitionForm,
} from './schemas.js';
import type {
  CaseCounts,
  CaseDetail,
  CaseSummary,
  CorrespondenceService,
  NewCaseInput,
} from './service.js';
import {
  CASE_CHANNELS,
  CASE_STATUSES,
  CASE_TYPES,
  CHANNEL_LABELS,
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

const ARRAY_KEYS = ['status', 'type', 'channel', 'topic'] as const;
const SCALAR_KEYS = [
  'view',
  'assignee',
  'overdue',
  'q',
  'receivedFrom',
  'receivedTo',
  'sort',
  'limit',
  'cursor',
] as const;

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

const safeReturnTo = (value: string | undefined) =>
  value && /^\/casework(\?|$)/.test(value) ? value : '/casework';

function filtersOf(query: Query): { filters: CaseFilters; view: QueueView } {
  const view: QueueView = query.view ?? (query.status?.length ? 'all' : 'all-open');
  return {
    view,
    filters: {
      view,
      status: query.status,
      type: query.type,
      channel: query.channel,
      assignee: query.assignee || undefined,
      topic: query.topic,
      overdue: query.overdue,
      q: query.q?.trim() || undefined,
      receivedFrom: query.receivedFrom,
      receivedTo: query.receivedTo,
    },
  };
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
    count: (staff) => svc.unassignedCount({ id: staff.id, role: staff.role, requestId: null }),
    countLabel: 'unassigned',
  });

  async function renderQueue(
    request: FastifyRequest,
    reply: FastifyReply,
    query: Query,
    extra: { errors?: FieldErrors; status?: number; notice?: string } = {},
  ) {
    const actor = request.actor();
    const { filters, view } = filtersOf(query);
    const sort: CaseSort = query.sort ?? (filters.q ? 'relevance' : 'due');
    const [page, counts, options] = await Promise.all([
      svc.list(actor, filters, { sort, limit: query.limit ?? 50, cursor: query.cursor }),
      svc.counts(actor),
      svc.options(),
    ]);
    const base: Query = { ...query, cursor: undefined, assigned: undefined };
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
        errors: extra.errors,
        notice:
          extra.notice ??
          (query.assigned !== undefined
            ? `${query.assigned} case${query.assigned === 1 ? '' : 's'} assigned`
            : undefined),
        views,
        view,
        query: base,
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
      extra.status ?? 200,
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
      const { filters } = filtersOf(request.query);
      const rows = svc.exportRows(request.actor(), filters, request.query.sort);
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
      const cases = (request.body.cases ?? []).flatMap((value) => {
        const [id, version] = value.split(':');
        return id && version && /^\d+$/.test(version) ? [{ id, version: Number(version) }] : [];
      });
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
        // field (the text is up to 20,000 characters) besides the files.
        multipartOptions: {
          limits: { fields: 60, fieldSize: 128 * 1024, parts: 80 },
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
    attachments: 'Attachment added',
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
    const [detail, options] = await Promise.all([svc.get(actor, id), svc.options()]);
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

  app.get<{ Params: Static<typeof AttachmentIdParams> }>(
    '/casework/:id/attachments/:attachmentId',
    { schema: { params: AttachmentIdParams, hide: true }, config: { auth: CASEWORK } },
    async (request, reply) =>
      sendAttachment(
        reply,
        await svc.attachment(request.actor(), request.params.id, request.params.attachmentId),
      ),
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
