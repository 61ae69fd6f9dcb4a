import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import view from '@fastify/view';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import nunjucks from 'nunjucks';
import type { StaffIdentity } from '../auth/session-rules.js';
import type { RouteAuth } from './api-route.js';
import { isApiRequest, type FieldErrors } from './errors.js';
import { IdParams, NoticeQuery } from './schemas.js';
import { csrfBinding } from './security.js';
import { formatDate, formatDateTime, formatShortDate } from '../lib/format.js';
import { collapseIndentation } from '../lib/html.js';
import { pageRoute } from './page-route.js';
import type { App } from './app-type.js';

const serverDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// Found by Node's resolution, so the compiled server in dist/ finds them as well.
const packageDir = (name: string) =>
  path.dirname(createRequire(import.meta.url).resolve(`${name}/package.json`));
export const govukDist = path.join(packageDir('govuk-frontend'), 'dist');
export const mojDist = packageDir('@ministryofjustice/frontend');
export const publicDir = path.join(serverDir, 'public');

/** Staff navigation; domains add themselves here as they land. */
export interface NavItem {
  href: string;
  text: string;
  roles: ReadonlyArray<'caseworker' | 'manager' | 'admin'>;
  /**
   * A number to show with the item for this person (one cheap query), and what it counts
   * for screen readers: `Casework 12 unassigned`. Resolved before the handler runs.
   */
  count?: (staff: StaffIdentity, request: FastifyRequest) => Promise<number | undefined>;
  countLabel?: string;
}

export interface PageContext {
  pageTitle?: string;
  errors?: FieldErrors;
  [key: string]: unknown;
}

declare module 'fastify' {
  interface FastifyReply {
    /**
     * Renders a page. With `reuseKey` (which must name everything the page shows apart from
     * the person, the URL and the navigation counts, e.g. a change stamp) the HTML is kept
     * and `reusedPage` can send it again with this request's nonce and CSRF token.
     */
    page: (
      template: string,
      context?: PageContext,
      status?: number,
      options?: { reuseKey?: string },
    ) => FastifyReply;
    /** Sends the page kept under `reuseKey` for this person and URL; false if there is none. */
    reusedPage: (reuseKey: string) => boolean;
  }
  interface FastifyInstance {
    staffNav: NavItem[];
  }
  interface FastifyRequest {
    /** Navigation counts by item href, resolved for staff page requests. */
    navCounts?: Map<string, number>;
  }
}

/** GOV.UK error summary list from field errors, anchored to each field's id. */
export function errorList(errors: FieldErrors | undefined): Array<{ text: string; href: string }> {
  return Object.entries(errors ?? {}).map(([field, text]) => ({
    text,
    href: `#${field.replace(/\./g, '-')}`,
  }));
}

/** The banner a page shows for `?notice=<key>`: one of its own messages, never URL text. */
const noticeText = (messages: Record<string, string>, key: string | undefined) =>
  key !== undefined && Object.hasOwn(messages, key) ? messages[key] : undefined;

/**
 * Registers the GET of one record's page, `path` with `:id`: the page its forms come back to
 * after a post (post/redirect/get), with the banner `?notice=<key>` picks from `notices`.
 * `query` is the querystring schema when a page takes more than NoticeQuery (typed as
 * NoticeQuery, which it extends: `notice` is all the page reads of it here).
 */
export function recordPage(
  app: App,
  path: string,
  options: { auth: RouteAuth; notices: Record<string, string>; query?: typeof NoticeQuery },
  render: (
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    notice: string | undefined,
  ) => Promise<unknown>,
) {
  app.get(
    path,
    pageRoute(options.auth, { params: IdParams, querystring: options.query ?? NoticeQuery }),
    async (request, reply) =>
      render(request, reply, request.params.id, noticeText(options.notices, request.query.notice)),
  );
}

/**
 * Registers the GET of a page that is no one record's (an admin list, say): the page its forms
 * come back to after a post, with the banner `?notice=<key>` picks from `notices`. `query` as
 * for recordPage.
 */
export function noticePage(
  app: App,
  path: string,
  options: { auth: RouteAuth; notices: Record<string, string>; query?: typeof NoticeQuery },
  render: (reply: FastifyReply, notice: string | undefined) => Promise<unknown>,
) {
  app.get(
    path,
    pageRoute(options.auth, { querystring: options.query ?? NoticeQuery }),
    async (request, reply) => render(reply, noticeText(options.notices, request.query.notice)),
  );
}

export const viewsPlugin = fp(
  async (app: FastifyInstance, opts: { officeName: string; virusScanning?: boolean }) => {
    const env = nunjucks.configure([path.join(serverDir, 'views'), serverDir, govukDist, mojDist], {
      autoescape: true,
      throwOnUndefined: false,
      trimBlocks: true,
      lstripBlocks: true,
    });
    env.addFilter('date', (value: unknown) => (value ? formatDate(value as string | Date) : ''));
    env.addFilter('shortDate', (value: unknown) =>
      value ? formatShortDate(value as string | Date) : '',
    );
    env.addFilter('datetime', (value: unknown) =>
      value ? formatDateTime(value as string | Date) : '',
    );
    env.addFilter('errorList', errorList);
    env.addFilter('fieldError', (errors: FieldErrors | undefined, field: string) =>
      errors?.[field] ? { text: errors[field] } : undefined,
    );
    env.addGlobal('officeName', opts.officeName);
    // Whether uploads are virus-checked (CLAMD_URL): pages promise it only when they are.
    env.addGlobal('virusScanning', opts.virusScanning ?? false);

    await app.register(view, { engine: { nunjucks }, templates: [], options: { env } });
    app.decorate('staffNav', [] as NavItem[]);
    app.decorateRequest('navCounts', undefined);

    // `page` is synchronous: the counts its navigation shows are fetched here, for staff pages.
    async function fetchNavCounts(request: FastifyRequest, staff: StaffIdentity) {
      const items = app.staffNav.filter((item) => item.count && item.roles.includes(staff.role));
      if (items.length === 0) return;
      const counts = new Map<string, number>();
      await Promise.all(
        items.map(async (item) => {
          try {
            const n = await item.count!(staff, request);
            if (n !== undefined) counts.set(item.href, n);
          } catch (err) {
            // A count is a convenience: the page renders without it.
            request.log.warn({ err, nav: item.href }, 'navigation count failed');
          }
        }),
      );
      request.navCounts = counts;
    }
    // A callback hook, not an async one: the API and public pages pass straight through
    // without a promise and a microtask turn on every request.
    app.addHook('preHandler', (request, _reply, done) => {
      const staff = request.staff;
      if (!staff || request.method !== 'GET' || isApiRequest(request)) return done();
      fetchNavCounts(request, staff).then(() => done(), done);
    });

    /*
     * Reused pages are rendered once with random placeholders where the per-request values
     * go (CSP nonce, CSRF token, request id) and kept split on them; each send joins the
     * parts with this request's values. The placeholders never leave the process.
     */
    const placeholders = {
      nonce: `nonce${randomBytes(12).toString('hex')}`,
      csrf: `csrf${randomBytes(12).toString('hex')}`,
      requestId: `req${randomBytes(12).toString('hex')}`,
    };
    const placeholderPattern = new RegExp(
      `(${placeholders.nonce}|${placeholders.csrf}|${placeholders.requestId})`,
    );
    const reused = new Map<string, PageParts>();
    const MAX_REUSED_PAGES = 200; // a queue page is about 100 KB
    const reuseKeyOf = (request: FastifyRequest, key: string) =>
      `${key}|${request.staff?.id ?? '-'}|${request.staff?.role ?? '-'}|${request.url}|${[
        ...(request.navCounts ?? new Map<string, number>()),
      ].join()}`;
    /** Parts alternate: UTF-8 bytes of the page, then the name of a per-request value. */
    type PageParts = Array<Buffer | keyof typeof placeholders>;
    const byPlaceholder = new Map(
      Object.entries(placeholders).map(([name, value]) => [
        value,
        name as keyof typeof placeholders,
      ]),
    );
    // Kept as bytes: a queue page is about 70 KB, and encoding it on every send costs more
    // than the rest of the request. Rendered once and sent many times, so its indentation
    // is dropped once here: 68 KB → 58 KB for the queue page.
    const toParts = (html: string): PageParts =>
      collapseIndentation(html)
        .split(placeholderPattern)
        .map((part, i) => (i % 2 === 0 ? Buffer.from(part) : byPlaceholder.get(part)!));
    function sendParts(reply: FastifyReply, parts: PageParts) {
      const values = {
        nonce: reply.cspNonce?.script ?? '',
        csrf: reply.generateCsrf(csrfBinding(reply.request)),
        requestId: reply.request.id,
      };
      return reply.send(
        Buffer.concat(
          parts.map((part) => (Buffer.isBuffer(part) ? part : Buffer.from(values[part]))),
        ),
      );
    }

    app.decorateReply('reusedPage', function reusedPage(this: FastifyReply, reuseKey: string) {
      const parts = reused.get(reuseKeyOf(this.request, reuseKey));
      if (!parts) return false;
      // Every page carries a CSRF token, and many echo what someone typed: never stored.
      this.code(200)
        .header('content-type', 'text/html; charset=utf-8')
        .header('cache-control', 'no-store');
      void sendParts(this, parts);
      return true;
    });

    app.decorateReply(
      'page',
      function page(
        this: FastifyReply,
        template: string,
        context: PageContext = {},
        status = 200,
        options: { reuseKey?: string } = {},
      ) {
        const request: FastifyRequest = this.request;
        const staff = request.staff;
        const nav = staff
          ? app.staffNav
              .filter((item) => item.roles.includes(staff.role))
              .map(({ count: _count, ...item }) => ({
                ...item,
                count: request.navCounts?.get(item.href),
                active:
                  request.url === item.href ||
                  request.url.startsWith(item.href + '/') ||
                  request.url.startsWith(item.href + '?'),
              }))
          : [];
        this.code(status)
          .header('content-type', 'text/html; charset=utf-8')
          .header('cache-control', 'no-store');
        const shared = { ...context, staff, nav, currentPath: request.url };
        if (options.reuseKey && status === 200) {
          const parts = toParts(
            env.render(template, {
              ...shared,
              cspNonce: placeholders.nonce,
              csrfToken: placeholders.csrf,
              requestId: placeholders.requestId,
            }),
          );
          if (reused.size >= MAX_REUSED_PAGES) reused.clear();
          reused.set(reuseKeyOf(request, options.reuseKey), parts);
          return sendParts(this, parts);
        }
        const html = env.render(template, {
          ...shared,
          cspNonce: this.cspNonce?.script,
          csrfToken: this.generateCsrf(csrfBinding(request)),
          requestId: request.id,
        });
        return this.send(html);
      },
    );

    app.decorateReply(
      'errorPage',
      function errorPage(this: FastifyReply, status: number, title: string, message: string) {
        return this.page('errors/error.njk', { pageTitle: title, status, message }, status);
      },
    );
  },
  { name: 'views', dependencies: ['security'] },
);
