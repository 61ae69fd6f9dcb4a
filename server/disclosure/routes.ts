import multipart from '@fastify/multipart';
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SCAN_STATES } from '../attachments/scan.js';
import { sendAttachment, uploadedFiles } from '../correspondence/attachments.js';
import { humanise } from '../correspondence/workflow.js';
import { pagination } from '../lib/pagination.js';
import { NoticeQuery } from '../platform/schemas.js';
import type { Actor } from '../platform/audit.js';
import { CASEWORK, MANAGERS } from '../platform/auth.js';
import { AppError, type FieldErrors } from '../platform/errors.js';
import { readDateFields } from '../platform/forms.js';
import {
  ActionForm,
  CsrfForm,
  DocumentParams,
  DocumentSchema,
  EntryBody,
  EntryForm,
  EntrySchema,
  IdParams,
  PublicDocumentParams,
  PublicEntrySchema,
  PublicQuery,
  ReferenceParams,
  StaffListQuery,
  VersionBody,
  WithdrawBody,
} from './schemas.js';
import {
  DOCUMENT_LIMITS,
  type DisclosureService,
  type EntryInput,
  type EntryView,
} from './service.js';

const api = { tags: ['disclosure'], security: [{ bearer: [] }] };

const STATUS_TAGS: Record<string, { text: string; classes: string }> = {
  draft: { text: 'Draft', classes: 'govuk-tag--grey' },
  approved: { text: 'Approved', classes: 'govuk-tag--blue' },
  published: { text: 'Published', classes: 'govuk-tag--green' },
  withdrawn: { text: 'Withdrawn', classes: 'govuk-tag--red' },
};

const parseVersion = (value: string | undefined) =>
  value && /^\d{1,9}$/.test(value) ? Number(value) : 0;

type PublicQueryT = Static<typeof PublicQuery>;

/** A public list URL for a filter state (empty values dropped). */
function listUrl(query: PublicQueryT): string {
  const params = new URLSearchParams();
  for (const key of ['q', 'year', 'topic', 'outcome', 'page'] as const) {
    const value = query[key];
    if (value) params.set(key, value);
  }
  const search = params.toString();
  return search ? `/disclosure-log?${search}` : '/disclosure-log';
}

/**
 * The disclosure log: the public pages (`/disclosure-log`), the JSON API and the staff
 * pages where caseworkers prepare entries and managers approve, publish and withdraw them.
 */
export async function disclosureRoutes(
  app: FastifyInstance,
  opts: { disclosure: DisclosureService },
) {
  const svc = opts.disclosure;

  // Redacted documents (security §5): held in memory, cut off just past 10 MiB so the service
  // can name the file; one more file than allowed so the sixth gets a clear message.
  await app.register(multipart, {
    attachFieldsToBody: true,
    throwFileSizeLimit: false,
    limits: {
      fileSize: DOCUMENT_LIMITS.fileSize,
      files: DOCUMENT_LIMITS.files + 1,
      fields: 5,
      fieldSize: 1024,
      parts: 12,
      headerPairs: 50,
    },
  });
  app.staffNav.push({
    href: '/disclosure-entries',
    text: 'Disclosure log',
    roles: ['caseworker', 'manager'],
  });

  /* ---- Public pages ---- */

  const publicFilters = (query: PublicQueryT) => ({
    year: query.year ? Number(query.year) : undefined,
    topic: query.topic || undefined,
    outcome: query.outcome || undefined,
    q: query.q?.trim() || undefined,
  });

  app.get<{ Querystring: PublicQueryT }>(
    '/disclosure-log',
    { schema: { querystring: PublicQuery, hide: true }, config: { public: true } },
    async (request, reply) => {
      const query = request.query;
      const page = Number(query.page || '1') || 1;
      const result = await svc.publicList(publicFilters(query), page);
      const base = { ...query, page: undefined };
      return reply.page('disclosure/views/public-list.njk', {
        pageTitle: 'Disclosure log',
        serviceName: 'Disclosure log',
        query,
        result,
        items: result.items,
        yearItems: [
          { value: '', text: 'Any year' },
          ...result.years.map((y) => ({
            value: String(y),
            text: String(y),
            selected: query.year === String(y),
          })),
        ],
        topicItems: [
          { value: '', text: 'Any topic' },
          ...result.topics.map((t) => ({
            value: t.slug,
            text: t.label,
            selected: query.topic === t.slug,
          })),
        ],
        outcomeItems: [
          { value: '', text: 'Any outcome' },
          ...result.outcomes.map((o) => ({
            value: o.value,
            text: o.label,
            selected: query.outcome === o.value,
          })),
        ],
        filtered: Boolean(query.q || query.year || query.topic || query.outcome),
        pagination: pagination(result.page, result.pages, (page) =>
          listUrl({ ...base, page: String(page) }),
        ),
      });
    },
  );

  app.get<{ Params: Static<typeof ReferenceParams> }>(
    '/disclosure-log/:reference',
    { schema: { params: ReferenceParams, hide: true }, config: { public: true } },
    async (request, reply) => {
      let entry: Awaited<ReturnType<DisclosureService['publicEntry']>>;
      try {
        entry = await svc.publicEntry(request.params.reference);
      } catch (error) {
        if (error instanceof AppError && error.statusCode === 410)
          return reply.page(
            'disclosure/views/withdrawn.njk',
            { pageTitle: 'This entry has been withdrawn', serviceName: 'Disclosure log' },
            410,
          );
        throw error;
      }
      return reply.page('disclosure/views/public-entry.njk', {
        pageTitle: entry.title,
        serviceName: 'Disclosure log',
        entry,
      });
    },
  );

  app.get<{ Params: Static<typeof PublicDocumentParams> }>(
    '/disclosure-log/:reference/documents/:documentId',
    {
      // A download, always (sandbox CSP, nosniff); 410 once the entry is withdrawn.
      schema: { params: PublicDocumentParams, hide: true },
      config: { public: true },
    },
    async (request, reply) =>
      sendAttachment(
        reply,
        await svc.publicDocument(request.params.reference, request.params.documentId),
      ),
  );

  app.get<{ Querystring: PublicQueryT }>(
    '/api/public/disclosure-log',
    {
      schema: {
        tags: ['disclosure'],
        summary: 'Published disclosure log entries, newest first (20 a page)',
        querystring: PublicQuery,
        response: {
          200: Type.Object({
            items: Type.Array(PublicEntrySchema),
            total: Type.Integer(),
            page: Type.Integer(),
            pages: Type.Integer(),
          }),
        },
      },
      config: { public: true },
    },
    async (request) => {
      const page = Number(request.query.page || '1') || 1;
      const result = await svc.publicList(publicFilters(request.query), page);
      return { items: result.items, total: result.total, page: result.page, pages: result.pages };
    },
  );

  /* ---- JSON API (staff) ---- */

  app.post<{ Params: Static<typeof IdParams> }>(
    '/api/cases/:id/disclosure',
    {
      schema: {
        ...api,
        summary:
          'Start a disclosure log entry from an answered FOI/EIR case (422 disclosure.not_publishable otherwise)',
        params: IdParams,
        response: { 200: EntrySchema, 201: EntrySchema },
      },
      config: { auth: CASEWORK },
    },
    async (request, reply) => {
      const { entry, created } = await svc.draftFromCase(request.actor(), request.params.id);
      return reply.code(created ? 201 : 200).send(entry);
    },
  );

  app.get<{ Querystring: Static<typeof StaffListQuery> }>(
    '/api/disclosure',
    {
      schema: {
        ...api,
        summary: 'Disclosure log entries (all statuses) on cases you can see',
        querystring: StaffListQuery,
        response: { 200: Type.Object({ items: Type.Array(EntrySchema) }) },
      },
      config: { auth: CASEWORK },
    },
    async (request) => ({ items: await svc.list(request.actor(), request.query.status) }),
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/api/disclosure/:id',
    {
      schema: { ...api, summary: 'One entry', params: IdParams, response: { 200: EntrySchema } },
      config: { auth: CASEWORK },
    },
    async (request) => svc.get(request.actor(), request.params.id),
  );

  app.put<{ Params: Static<typeof IdParams>; Body: Static<typeof EntryBody> }>(
    '/api/disclosure/:id',
    {
      schema: {
        ...api,
        summary: 'Edit a draft or approved entry (back to draft); personalDataRemoved must be true',
        params: IdParams,
        body: EntryBody,
        response: { 200: EntrySchema },
      },
      config: { auth: CASEWORK },
    },
    async (request) => svc.update(request.actor(), request.params.id, request.body),
  );

  for (const action of ['approve', 'publish'] as const) {
    app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof VersionBody> }>(
      `/api/disclosure/:id/${action}`,
      {
        schema: {
          ...api,
          summary:
            action === 'approve'
              ? 'Approve a draft (managers)'
              : 'Publish an approved entry (managers)',
          params: IdParams,
          body: VersionBody,
          response: { 200: EntrySchema },
        },
        config: { auth: MANAGERS },
      },
      async (request) => svc[action](request.actor(), request.params.id, request.body),
    );
  }

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof WithdrawBody> }>(
    '/api/disclosure/:id/withdraw',
    {
      schema: {
        ...api,
        summary: 'Withdraw a published entry (managers); its public page then answers 410',
        params: IdParams,
        body: WithdrawBody,
        response: { 200: EntrySchema },
      },
      config: { auth: MANAGERS },
    },
    async (request) => svc.withdraw(request.actor(), request.params.id, request.body),
  );

  app.post<{ Params: Static<typeof IdParams> }>(
    '/api/disclosure/:id/documents',
    {
      schema: {
        ...api,
        summary:
          'Add redacted documents to a draft or approved entry (multipart/form-data; PDF only, 10 MiB each, 5 on an entry; an approved entry goes back to draft)',
        consumes: ['multipart/form-data'],
        params: IdParams,
        response: { 201: Type.Object({ items: Type.Array(DocumentSchema) }) },
      },
      config: { auth: CASEWORK },
    },
    async (request, reply) => {
      if (!request.isMultipart())
        throw new AppError(415, 'unsupported_media_type', 'Send the files as multipart/form-data');
      const items = await svc.addDocuments(
        request.actor(),
        request.params.id,
        uploadedFiles(request.body),
      );
      return reply.code(201).send({ items });
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/api/disclosure/:id/documents',
    {
      schema: {
        ...api,
        summary: 'The redacted documents on an entry',
        params: IdParams,
        response: { 200: Type.Object({ items: Type.Array(DocumentSchema) }) },
      },
      config: { auth: CASEWORK },
    },
    async (request) => ({ items: await svc.documents(request.actor(), request.params.id) }),
  );

  app.delete<{ Params: Static<typeof DocumentParams> }>(
    '/api/disclosure/:id/documents/:documentId',
    {
      schema: {
        ...api,
        summary: 'Remove a document from a draft or approved entry',
        params: DocumentParams,
      },
      config: { auth: CASEWORK },
    },
    async (request, reply) => {
      await svc.removeDocument(request.actor(), request.params.id, request.params.documentId);
      return reply.code(204).send();
    },
  );

  /* ---- Staff pages ---- */

  const statusRow = (entry: EntryView) => ({
    ...entry,
    statusTag: STATUS_TAGS[entry.status],
    outcomeLabel: entry.outcome ? humanise(entry.outcome) : 'Not given',
  });

  app.get('/disclosure-entries', { config: { auth: CASEWORK } }, async (request, reply) => {
    const entries = await svc.list(request.actor());
    return reply.page('disclosure/views/staff-list.njk', {
      pageTitle: 'Disclosure log entries',
      entries: entries.map(statusRow),
    });
  });

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof CsrfForm> }>(
    '/casework/:id/disclosure',
    { schema: { params: IdParams, body: CsrfForm, hide: true }, config: { auth: CASEWORK } },
    async (request, reply) => {
      try {
        const { entry } = await svc.draftFromCase(request.actor(), request.params.id);
        return reply.redirect(`/disclosure-entries/${entry.id}`, 303);
      } catch (error) {
        if (error instanceof AppError && error.statusCode === 422)
          return reply.errorPage!(422, 'This case cannot be published', error.message);
        throw error;
      }
    },
  );

  type EntryValues = Partial<Static<typeof EntryForm>>;

  function valuesOf(entry: EntryView): EntryValues {
    const [year, month, day] = entry.responseDate.split('-');
    return {
      version: String(entry.version),
      title: entry.title,
      requestText: entry.requestText,
      summary: entry.summary,
      outcome: entry.outcome ?? '',
      exemptions: entry.exemptions.join('\n'),
      'responseDate-day': String(Number(day)),
      'responseDate-month': String(Number(month)),
      'responseDate-year': year,
      topics: entry.topics,
      personalDataRemoved: entry.personalDataRemoved ? 'yes' : undefined,
    };
  }

  async function renderEntry(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    extra: { values?: EntryValues; errors?: FieldErrors; status?: number; notice?: string } = {},
  ) {
    const actor = request.actor();
    const entry = await svc.get(actor, id);
    const values = extra.values ?? valuesOf(entry);
    const allTopics = await svc.allTopics();
    const known = new Set(allTopics.map((t) => t.slug));
    const extraTopics = await svc.topicList(entry.topics.filter((slug) => !known.has(slug)));
    const documents = await svc.documents(actor, id);
    const errors: FieldErrors = {};
    for (const [field, message] of Object.entries(extra.errors ?? {}))
      errors[field === 'responseDate' ? 'responseDate.day' : field] = message;
    return reply.page(
      'disclosure/views/staff-entry.njk',
      {
        pageTitle: `Disclosure log entry ${entry.reference}`,
        errors: Object.keys(errors).length ? errors : undefined,
        notice: extra.notice,
        entry: statusRow(entry),
        values,
        editable: entry.status === 'draft' || entry.status === 'approved',
        documents: documents.map((d) => ({ ...d, scan: SCAN_STATES[d.scanStatus] })),
        maxDocuments: DOCUMENT_LIMITS.files,
        isManager: actor.role === 'manager',
        outcomeItems: [
          { value: '', text: 'Not given', checked: !values.outcome },
          ...svc.outcomes.map((value) => ({
            value,
            text: humanise(value),
            checked: values.outcome === value,
          })),
        ],
        topicItems: [...allTopics, ...extraTopics].map((t) => ({
          value: t.slug,
          text: t.label,
          checked: values.topics?.includes(t.slug) ?? false,
        })),
      },
      extra.status ?? 200,
    );
  }

  const NOTICES: Record<string, string> = {
    saved: 'Entry saved',
    approved: 'Entry approved',
    published: 'Entry published',
    withdrawn: 'Entry withdrawn',
    documents: 'Document added. The entry needs approving again before it is published.',
    removed: 'Document removed',
    rescan: 'Virus check queued again',
  };

  app.get<{ Params: Static<typeof IdParams>; Querystring: { notice?: string } }>(
    '/disclosure-entries/:id',
    {
      schema: {
        params: IdParams,
        querystring: NoticeQuery,
        hide: true,
      },
      config: { auth: CASEWORK },
    },
    async (request, reply) =>
      renderEntry(request, reply, request.params.id, {
        notice: request.query.notice ? NOTICES[request.query.notice] : undefined,
      }),
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof EntryForm> }>(
    '/disclosure-entries/:id',
    { schema: { params: IdParams, body: EntryForm, hide: true }, config: { auth: CASEWORK } },
    async (request, reply) => {
      const { id } = request.params;
      const body = request.body;
      // What was typed goes to the service, which says what is wrong with it.
      const responseDate = readDateFields(body, 'responseDate').typed;
      const input: EntryInput = {
        version: parseVersion(body.version),
        title: body.title ?? '',
        requestText: body.requestText ?? '',
        summary: body.summary ?? '',
        outcome: body.outcome || null,
        exemptions: (body.exemptions ?? '').split(/\r?\n/),
        responseDate,
        topics: body.topics ?? [],
        personalDataRemoved: body.personalDataRemoved === 'yes',
      };
      try {
        await svc.update(request.actor(), id, input);
        return reply.redirect(`/disclosure-entries/${id}?notice=saved`, 303);
      } catch (error) {
        if (error instanceof AppError && error.statusCode < 500 && error.statusCode !== 404) {
          const fields: FieldErrors = error.fields ? { ...error.fields } : { title: error.message };
          if (fields.version) {
            fields.title ??= fields.version;
            delete fields.version;
          }
          return renderEntry(request, reply, id, {
            values: body,
            errors: fields,
            status: error.statusCode,
          });
        }
        throw error;
      }
    },
  );

  app.post<{ Params: Static<typeof IdParams> }>(
    '/disclosure-entries/:id/documents',
    { schema: { params: IdParams, hide: true }, config: { auth: CASEWORK } },
    async (request, reply) => {
      const { id } = request.params;
      try {
        await svc.addDocuments(request.actor(), id, uploadedFiles(request.body));
        return reply.redirect(`/disclosure-entries/${id}?notice=documents#documents`, 303);
      } catch (error) {
        if (error instanceof AppError && error.statusCode < 500 && error.statusCode !== 404)
          return renderEntry(request, reply, id, {
            errors: error.fields ? { ...error.fields } : { file: error.message },
            status: error.statusCode,
          });
        throw error;
      }
    },
  );

  app.get<{ Params: Static<typeof DocumentParams> }>(
    '/disclosure-entries/:id/documents/:documentId',
    { schema: { params: DocumentParams, hide: true }, config: { auth: CASEWORK } },
    async (request, reply) =>
      sendAttachment(
        reply,
        await svc.document(request.actor(), request.params.id, request.params.documentId),
      ),
  );

  /*
   * A button on one document: remove it (caseworkers, draft or approved entries) or, for
   * managers, "Scan again" while it is held for its virus check (see the service). A refusal
   * (422) shows the entry again with the reason against the documents.
   */
  const documentButtons = [
    {
      path: 'remove',
      roles: CASEWORK,
      run: (actor: Actor, id: string, doc: string) => svc.removeDocument(actor, id, doc),
      notice: 'removed',
    },
    {
      path: 'rescan',
      roles: MANAGERS,
      run: (actor: Actor, id: string, doc: string) => svc.rescanDocument(actor, id, doc),
      notice: 'rescan',
    },
  ] as const;
  for (const button of documentButtons) {
    app.post<{ Params: Static<typeof DocumentParams>; Body: Static<typeof CsrfForm> }>(
      `/disclosure-entries/:id/documents/:documentId/${button.path}`,
      {
        schema: { params: DocumentParams, body: CsrfForm, hide: true },
        config: { auth: button.roles },
      },
      async (request, reply) => {
        const { id, documentId } = request.params;
        try {
          await button.run(request.actor(), id, documentId);
          return reply.redirect(`/disclosure-entries/${id}?notice=${button.notice}#documents`, 303);
        } catch (error) {
          if (error instanceof AppError && error.statusCode === 422)
            return renderEntry(request, reply, id, {
              errors: { file: error.message },
              status: 422,
            });
          throw error;
        }
      },
    );
  }

  for (const action of ['approve', 'publish', 'withdraw'] as const) {
    app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof ActionForm> }>(
      `/disclosure-entries/:id/${action}`,
      { schema: { params: IdParams, body: ActionForm, hide: true }, config: { auth: MANAGERS } },
      async (request, reply) => {
        const { id } = request.params;
        const version = parseVersion(request.body.version);
        try {
          if (action === 'withdraw')
            await svc.withdraw(request.actor(), id, { version, reason: request.body.reason ?? '' });
          else await svc[action](request.actor(), id, { version });
          const notice = { approve: 'approved', publish: 'published', withdraw: 'withdrawn' }[
            action
          ];
          return reply.redirect(`/disclosure-entries/${id}?notice=${notice}`, 303);
        } catch (error) {
          if (error instanceof AppError && error.statusCode < 500 && error.statusCode !== 404) {
            const field = action === 'withdraw' ? 'reason' : 'action';
            const fields: FieldErrors = error.fields
              ? { ...error.fields }
              : { [field]: error.message };
            if (fields.version) {
              fields[field] ??= fields.version;
              delete fields.version;
            }
            return renderEntry(request, reply, id, { errors: fields, status: error.statusCode });
          }
          throw error;
        }
      },
    );
  }
}
