import type { Static, TSchema } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { csvStream, type CsvColumn } from '../../lib/csv.js';
import { formatDate } from '../../lib/format.js';
import { pagination } from '../../lib/pagination.js';
import type { Actor } from '../../platform/audit.js';
import { CASEWORK, MANAGERS } from '../../platform/auth.js';
import { AppError, validationError, type FieldErrors } from '../../platform/errors.js';
import { londonDate } from '../due.js';
import type { CaseSort } from '../repository.js';
import { BulkAssignForm, BulkTagForm, QueueQuery, TakeForm } from '../schemas.js';
import type { CorrespondenceService } from '../service.js';
import type { CaseSummary } from '../types.js';
import {
  CASE_CHANNELS,
  CASE_STATUSES,
  CASE_TYPES,
  CHANNEL_LABELS,
  humanise,
  OPEN_STATUSES,
  STATUS_LABELS,
  TYPE_LABELS,
} from '../workflow.js';
import {
  ARRAY_KEYS,
  checkboxItems,
  dueTag,
  filtersOf,
  parseQueueUrl,
  queueUrl,
  RESTRICTION_LABELS,
  safeReturnTo,
  selectedCases,
  summaryRow,
  VIEW_LABELS,
  type Query,
} from './queue-state.js';
import { pageRoute } from '../../platform/page-route.js';
import type { App } from '../../platform/app-type.js';

/** A queue form's field errors, refused as one 400 (the queue shows them in its summary). */
function refuseIfAny(fields: FieldErrors) {
  if (Object.keys(fields).length > 0)
    throw new AppError(400, 'validation', 'Check the form', fields);
}

/** The triage queue page, its CSV export and its bulk actions. */
export function queuePages(app: App, svc: CorrespondenceService) {
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
        page: Object.keys(checked.errors).length > 0 ? undefined : query.page,
      }),
      svc.counts(actor),
      svc.options(),
    ]);
    // What was typed, for the form; links use the checked state (refused parts left out).
    const typed: Query = query;
    const base: Query = {
      ...checked.clean,
      cursor: undefined,
      page: undefined,
      assigned: undefined,
      tagged: undefined,
    };
    const limit = query.limit ?? 50;
    const pageNumber = query.cursor || checked.errors.q ? 1 : (query.page ?? 1);
    const pages = Math.max(1, Math.ceil(page.total / limit));
    const today = svc.today();
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
        items: page.items.map((item) => ({
          ...summaryRow(item),
          dueTag: dueTag(item, today),
          canTake: item.assignee?.id !== actor.id && OPEN_STATUSES.includes(item.status),
        })),
        total: page.total,
        firstShown: page.items.length ? (pageNumber - 1) * limit + 1 : 0,
        lastShown: (pageNumber - 1) * limit + page.items.length,
        // Numbered pages; a cursor link (the API's paging) still works and starts page 1 again.
        pagination: query.cursor
          ? undefined
          : pagination(Math.min(pageNumber, pages), pages, (n) =>
              queueUrl({ ...base, page: n > 1 ? n : undefined }),
            ),
        nextUrl: page.nextCursor ? queueUrl({ ...base, cursor: page.nextCursor }) : undefined,
        firstUrl: query.cursor ? queueUrl(base) : undefined,
        // The role table allows the CSV export to managers only.
        exportUrl: manager
          ? queueUrl({ ...base, limit: undefined }, '/casework/export.csv')
          : undefined,
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

  app.get('/casework', pageRoute(CASEWORK, { querystring: QueueQuery }), async (request, reply) => {
    const { q, cursor } = request.query;
    if (q && !cursor) {
      // Typing a reference opens the case.
      const id = await svc.findIdByReference(request.actor(), q);
      if (id) return reply.redirect(`/casework/${id}`, 303);
    }
    return renderQueue(request, reply, request.query);
  });

  app.get(
    '/casework/export.csv',
    pageRoute(MANAGERS, { querystring: QueueQuery }),
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

  /**
   * Registers one of the queue's bulk actions (assign, take, tag): a POST from the queue page
   * its form names (`returnTo`). `run` reads the form into the action, which says how many
   * cases changed, and what was typed; done, it goes back to that queue with the count
   * (`?assigned=3`). A refusal a person can act on (any 4xx) shows that queue again with the
   * errors and what was typed, not an error page.
   */
  function bulkAction<B extends TSchema>(
    path: string,
    body: B,
    countParam: 'assigned' | 'tagged',
    run: (
      form: Static<B>,
      actor: Actor,
    ) => { act: () => Promise<number>; values?: { tags?: string } },
  ) {
    app.post(path, pageRoute(CASEWORK, { body }), async (request, reply) => {
      // Every bulk form carries its queue's URL (BulkFields in schemas.ts).
      const returnTo = safeReturnTo((request.body as { returnTo?: string }).returnTo);
      const { act, values } = run(request.body, request.actor());
      try {
        const changed = await act();
        const url = new URL(returnTo, 'http://local');
        url.searchParams.set(countParam, String(changed));
        return reply.redirect(`${url.pathname}${url.search}`, 303);
      } catch (error) {
        if (error instanceof AppError && error.statusCode < 500) {
          return renderQueue(request, reply, parseQueueUrl(returnTo), {
            errors: error.fields ?? { cases: error.message },
            status: error.statusCode,
            ...(values ? { values } : {}),
          });
        }
        throw error;
      }
    });
  }

  bulkAction('/casework/bulk-assign', BulkAssignForm, 'assigned', (form, actor) => {
    const cases = selectedCases(form.cases);
    const choice = form.assigneeId ?? '';
    const fields: FieldErrors = {};
    if (cases.length === 0) fields.cases = 'Select the cases to assign';
    if (!choice) fields.assigneeId = 'Choose who to assign the cases to';
    const assigneeId = choice === 'me' ? actor.id : choice;
    return {
      act: async () => {
        refuseIfAny(fields);
        return (await svc.bulkAssign(actor, { assigneeId, cases })).assigned;
      },
    };
  });

  // "Take": one case from the list assigned to me, with the same version check as bulk assign.
  bulkAction('/casework/take', TakeForm, 'assigned', (form, actor) => {
    const cases = selectedCases(form.take ? [form.take] : []);
    return {
      act: async () => {
        if (cases.length !== 1) refuseIfAny({ cases: 'Choose a case to take' });
        return (await svc.bulkAssign(actor, { assigneeId: actor.id, cases })).assigned;
      },
    };
  });

  bulkAction('/casework/bulk-tag', BulkTagForm, 'tagged', (form, actor) => {
    const cases = selectedCases(form.cases);
    const typed = form.tags ?? '';
    const fields: FieldErrors = {};
    if (cases.length === 0) fields.cases = 'Select the cases to tag';
    const tags = typed.split(',');
    if (!tags.some((tag) => tag.trim())) fields.tags = 'Enter the tags to add';
    return {
      act: async () => {
        refuseIfAny(fields);
        return (await svc.bulkTag(actor, { tags, cases })).tagged;
      },
      values: { tags: typed },
    };
  });
}
