import { Type, type Static } from '@sinclair/typebox';
import { sendAttachment } from '../attachments/uploads.js';
import { pagination } from '../lib/pagination.js';
import { AppError } from '../platform/errors.js';
import {
  PublicDocumentParams,
  PublicEntrySchema,
  PublicQuery,
  ReferenceParams,
} from './schemas.js';
import { type DisclosureService } from './service.js';
import { publicPageRoute } from '../platform/page-route.js';
import type { App } from '../platform/app-type.js';

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

/** The public disclosure log: the list with its filters, one entry, its documents, the feed. */
export function publicPages(app: App, svc: DisclosureService) {
  /* ---- Public pages ---- */

  const publicFilters = (query: PublicQueryT) => ({
    year: query.year ? Number(query.year) : undefined,
    topic: query.topic || undefined,
    outcome: query.outcome || undefined,
    q: query.q?.trim() || undefined,
  });

  /** A filter's select: "Any …" first, then each option, the one in the query selected. */
  const filterItems = (
    any: string,
    options: Array<{ value: string; text: string }>,
    current: string | undefined,
  ) => [{ value: '', text: any }, ...options.map((o) => ({ ...o, selected: current === o.value }))];

  app.get(
    '/disclosure-log',
    publicPageRoute({ querystring: PublicQuery }),
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
        yearItems: filterItems(
          'Any year',
          result.years.map((y) => ({ value: String(y), text: String(y) })),
          query.year,
        ),
        topicItems: filterItems(
          'Any topic',
          result.topics.map((t) => ({ value: t.slug, text: t.label })),
          query.topic,
        ),
        outcomeItems: filterItems(
          'Any outcome',
          result.outcomes.map((o) => ({ value: o.value, text: o.label })),
          query.outcome,
        ),
        filtered: Boolean(query.q || query.year || query.topic || query.outcome),
        pagination: pagination(result.page, result.pages, (page) =>
          listUrl({ ...base, page: String(page) }),
        ),
      });
    },
  );

  app.get(
    '/disclosure-log/:reference',
    publicPageRoute({ params: ReferenceParams }),
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

  app.get(
    '/disclosure-log/:reference/documents/:documentId',
    // A download, always (sandbox CSP, nosniff); 410 once the entry is withdrawn.
    publicPageRoute({ params: PublicDocumentParams }),
    async (request, reply) =>
      sendAttachment(
        reply,
        await svc.publicDocument(request.params.reference, request.params.documentId),
      ),
  );

  app.get(
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
}
