import { Type, type Static } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { pagination } from '../lib/pagination.js';
import { ADMINS } from './auth.js';
import { validationError } from './errors.js';
import {
  encodeTyped,
  eventJson,
  HTTP_EVENT_TYPES,
  SECURITY_EVENT_DAYS,
  type SecurityEventFilter,
  type SecurityEvents,
} from './security-events.js';
import { pageRoute } from './page-route.js';
import type { App } from './app-type.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The error code the error handler answered with (`csrf`, `rate_limited`, ...). */
    errorCode?: string;
  }
}

/** One refusal event per kind, address and route a minute: a flood writes a row, not a million. */
const REPEAT_MS = 60_000;

/**
 * Records the refusals only the HTTP layer sees: CSRF (403), other 403s, rate limits and
 * sign-in throttling (429). Sign-ins, failures, locks and MFA changes are recorded with
 * their audit rows (audit.ts).
 */
export const securityEventsPlugin = fp(
  async (app: App, opts: { events: SecurityEvents }) => {
    const recent = new Map<string, number>();
    app.decorateRequest('errorCode', undefined);

    const typeOf = (request: FastifyRequest, status: number): string | undefined => {
      if (status === 403) return request.errorCode === 'csrf' ? 'csrf.refused' : 'access.forbidden';
      if (status === 429)
        return request.errorCode === 'rate_limited' ? 'rate.limited' : 'auth.throttled';
      return undefined;
    };

    app.addHook('onResponse', async (request, reply) => {
      const type = typeOf(request, reply.statusCode);
      if (!type) return;
      const route = request.routeOptions.url ?? null;
      if (type === 'rate.limited' || type === 'auth.throttled') {
        const key = `${type}|${request.ip}|${request.method} ${route}`;
        const now = Date.now();
        if (now - (recent.get(key) ?? 0) < REPEAT_MS) return;
        if (recent.size > 10_000) recent.clear();
        recent.set(key, now);
      }
      const body = request.body as Record<string, unknown> | undefined;
      try {
        const event = await opts.events.record({
          type,
          actor: request.actor(),
          username: typeof body?.email === 'string' ? body.email : null,
          method: request.method,
          route,
          status: reply.statusCode,
        });
        // One JSON line too, without the username: logs hold no email address (§9 #25).
        request.log.info({ securityEvent: { ...event, username: undefined } }, 'security event');
      } catch (error) {
        request.log.warn({ err: error }, 'security event not recorded');
      }
    });
  },
  { name: 'security-events', dependencies: ['auth'] },
);

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const ListQuery = Type.Object(
  {
    type: Type.Optional(Type.String({ maxLength: 64 })),
    who: Type.Optional(Type.String({ maxLength: 254 })),
    from: Type.Optional(Type.String({ maxLength: 10 })),
    to: Type.Optional(Type.String({ maxLength: 10 })),
    page: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
  },
  { additionalProperties: false },
);
type ListQuery = Static<typeof ListQuery>;

const EventItem = Type.Object({
  id: Type.Number(),
  at: Type.String({ format: 'date-time', description: 'UTC' }),
  type: Type.String(),
  actorId: Type.Union([Type.String(), Type.Null()]),
  actorRole: Type.Union([Type.String(), Type.Null()]),
  username: Type.Union([Type.String(), Type.Null()], {
    description: 'As typed, control characters escaped (\\n, \\u0000)',
  }),
  ip: Type.Union([Type.String(), Type.Null()]),
  requestId: Type.Union([Type.String(), Type.Null()]),
  method: Type.Union([Type.String(), Type.Null()]),
  route: Type.Union([Type.String(), Type.Null()]),
  status: Type.Union([Type.Number(), Type.Null()]),
  detail: Type.Union([
    Type.Record(
      Type.String(),
      Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()]),
    ),
    Type.Null(),
  ]),
});

/** UTC days, as the page says: `from` its start, `to` through its end. */
function filterOf(query: ListQuery): SecurityEventFilter {
  const fields: Record<string, string> = {};
  const day = (name: 'from' | 'to', value: string | undefined) => {
    if (!value) return undefined;
    const date = DAY.test(value) ? new Date(`${value}T00:00:00Z`) : new Date(NaN);
    if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value) {
      fields[name] = 'Enter a real date, like 2026-11-23';
      return undefined;
    }
    return name === 'to' ? new Date(date.getTime() + 86_400_000) : date;
  };
  const from = day('from', query.from);
  const to = day('to', query.to);
  if (Object.keys(fields).length > 0) throw validationError(fields);
  return {
    ...(query.type ? { type: query.type } : {}),
    ...(query.who?.trim() ? { who: query.who.trim() } : {}),
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
  };
}

export async function securityEventsRoutes(app: App, opts: { events: SecurityEvents }) {
  const { events } = opts;

  app.get(
    '/api/admin/security-events',
    {
      schema: {
        tags: ['admin'],
        summary: `Security events of the last ${SECURITY_EVENT_DAYS} days, newest first, 50 a page`,
        security: [{ bearer: [] }],
        querystring: ListQuery,
        response: {
          200: Type.Object({
            items: Type.Array(EventItem),
            total: Type.Integer(),
            page: Type.Integer(),
            pageSize: Type.Integer(),
          }),
        },
      },
      config: { auth: ADMINS },
    },
    async (request) => {
      const page = request.query.page ?? 1;
      const list = await events.list(filterOf(request.query), page);
      return {
        items: list.rows.map((row) => eventJson(row) as Static<typeof EventItem>),
        total: list.total,
        page,
        pageSize: list.pageSize,
      };
    },
  );

  app.staffNav.push({ href: '/admin/security-events', text: 'Security events', roles: ['admin'] });

  app.get(
    '/admin/security-events',
    { ...pageRoute(ADMINS, { querystring: ListQuery }), attachValidation: true },
    async (request, reply) => {
      const query = request.validationError ? {} : request.query;
      let filter: SecurityEventFilter = {};
      let errors: Record<string, string> | undefined;
      try {
        filter = filterOf(query);
      } catch (error) {
        errors = (error as { fields?: Record<string, string> }).fields;
      }
      if (request.validationError) errors = { _: 'Check the filters and try again' };
      const page = query.page ?? 1;
      const [list, types] = await Promise.all([events.list(filter, page), events.types()]);
      const pages = Math.max(1, Math.ceil(list.total / list.pageSize));
      const href = (n: number) => {
        const params = new URLSearchParams();
        for (const key of ['type', 'who', 'from', 'to'] as const) {
          const value = query[key];
          if (value) params.set(key, value);
        }
        if (n > 1) params.set('page', String(n));
        const text = params.toString();
        return `/admin/security-events${text ? `?${text}` : ''}`;
      };
      return reply.page(
        'platform/views/security-events.njk',
        {
          pageTitle: 'Security events',
          rows: list.rows.map((row) => ({
            ...row,
            atUtc: `${row.at.toISOString().slice(0, 19).replace('T', ' ')} UTC`,
            atIso: row.at.toISOString(),
          })),
          total: list.total,
          typeItems: [
            { value: '', text: 'All types' },
            ...[...new Set([...types, ...HTTP_EVENT_TYPES])].sort().map((t) => ({
              value: t,
              text: t,
              selected: t === query.type,
            })),
          ],
          values: query,
          errors,
          days: SECURITY_EVENT_DAYS,
          pagination: pagination(Math.min(page, pages), pages, href),
          firstShown: list.total === 0 ? 0 : (page - 1) * list.pageSize + 1,
          lastShown: Math.min(page * list.pageSize, list.total),
          encodedHint: encodeTyped('a\nb'),
        },
        errors ? 400 : 200,
      );
    },
  );
}
