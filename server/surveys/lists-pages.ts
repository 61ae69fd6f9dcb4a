import { formatDate } from '../lib/format.js';
import { MANAGERS } from '../platform/auth.js';
import { pageRoute } from '../platform/page-route.js';
import { AppError } from '../platform/errors.js';
import { LenientForm, LenientParams } from '../platform/schemas.js';
import type { ContactLists, ImportSummary } from './lists.js';
import type { App } from '../platform/app-type.js';

const V = 'surveys/views/lists';
// The forms are read leniently through str() and their errors shown in the page's own error
// summary, so their schemas only type them (platform/schemas.ts LenientForm); a list the
// service does not know is its 404.
type Body = Record<string, string | string[] | undefined>;
const str = (v: unknown) => (typeof v === 'string' ? v : '');
const ListParams = LenientParams('id');

/** Staff pages for contact lists and consent (docs/rules/surveys.md §4): lists, import, members. */
export async function listsPages(app: App, opts: { lists: ContactLists }) {
  const { lists } = opts;

  async function renderIndex(
    reply: import('fastify').FastifyReply,
    values: Body = {},
    errors?: Record<string, string>,
  ) {
    return reply.page(
      `${V}/index.njk`,
      { pageTitle: 'Contact lists', rows: await lists.summaries(), values, errors },
      errors ? 400 : 200,
    );
  }

  async function renderList(
    reply: import('fastify').FastifyReply,
    id: string,
    extra: { values?: Body; errors?: Record<string, string>; imported?: ImportSummary } = {},
  ) {
    const { list, rows } = await lists.members(id);
    return reply.page(
      `${V}/show.njk`,
      {
        pageTitle: list.name,
        list,
        members: rows.map((r) => ({
          name: r.name,
          email: r.email ?? 'No email address',
          consent: r.withdrawn_at
            ? `Withdrawn ${formatDate(r.withdrawn_at)}`
            : r.given_at
              ? `Given ${formatDate(r.given_at)} (${r.source})`
              : 'None recorded',
        })),
        values: extra.values ?? { wordingVersion: '1' },
        errors: extra.errors,
        imported: extra.imported,
      },
      extra.errors ? 400 : 200,
    );
  }

  app.get('/surveys/lists', pageRoute(MANAGERS), async (_request, reply) => renderIndex(reply));

  app.post(
    '/surveys/lists',
    pageRoute(MANAGERS, { body: LenientForm('name') }),
    async (request, reply) => {
      try {
        const created = await lists.create(request.actor(), str(request.body?.name));
        return reply.redirect(`/surveys/lists/${created.id}`, 303);
      } catch (error) {
        if (error instanceof AppError && error.fields)
          return renderIndex(reply, request.body ?? {}, error.fields);
        throw error;
      }
    },
  );

  app.get(
    '/surveys/lists/:id',
    pageRoute(MANAGERS, { params: ListParams }),
    async (request, reply) => renderList(reply, request.params.id),
  );

  // Paste CSV (name,email): works without JavaScript or a file picker; all or nothing.
  app.post(
    '/surveys/lists/:id/import',
    {
      ...pageRoute(MANAGERS, {
        params: ListParams,
        body: LenientForm('csv', 'source', 'wordingVersion'),
      }),
      bodyLimit: 5 * 1024 * 1024,
    },
    async (request, reply) => {
      const b = request.body ?? {};
      try {
        const imported = await lists.importCsv(request.actor(), request.params.id, str(b.csv), {
          source: str(b.source),
          wordingVersion: str(b.wordingVersion),
        });
        return renderList(reply, request.params.id, { imported });
      } catch (error) {
        if (error instanceof AppError && error.fields)
          return renderList(reply, request.params.id, { values: b, errors: error.fields });
        throw error;
      }
    },
  );
}
