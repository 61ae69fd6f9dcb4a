import { createHmac } from 'node:crypto';
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Redis } from 'ioredis';
import { AppError, isApiRequest } from './errors.js';
import type postgres from 'postgres';
import {
  GENERAL_LIMIT,
  accountKeyGenerator,
  ipKey,
  limiterStore,
  memoryCounters,
  postgresCounters,
  redisCounters,
} from './rate-limits.js';
import { securityHeadersPlugin } from './security-headers.js';

export const CSRF_COOKIE = '__Host-csrf';

/** Reads the form's hidden `_csrf` field, or the header scripts send. */
function csrfTokenOf(request: FastifyRequest): string | undefined {
  const body = request.body as Record<string, unknown> | undefined;
  const field = body?._csrf;
  if (typeof field === 'string') return field;
  // Multipart bodies (attachFieldsToBody) wrap fields as { value }.
  if (field && typeof field === 'object' && 'value' in field) return String(field.value);
  const header = request.headers['x-csrf-token'];
  return typeof header === 'string' ? header : undefined;
}

/**
 * What a form's CSRF token is bound to: the staff session (`sid`) when someone is signed in,
 * else the anonymous visitor. A token taken from an anonymous page is refused on a staff form.
 */
export function csrfBinding(request: FastifyRequest): { userInfo: string } {
  return { userInfo: request.staff ? `sid:${request.staff.sid}` : 'anonymous' };
}

/**
 * True when the request's `Origin` (sent by browsers on every cross-origin POST) names
 * another site. No `Origin`, or `null` (what browsers send on our own forms under
 * `Referrer-Policy: no-referrer`), is left to the session-bound token check.
 */
function foreignOrigin(request: FastifyRequest, publicOrigin: string): boolean {
  const origin = request.headers.origin;
  if (origin === undefined || origin === 'null') return false;
  if (origin === publicOrigin) return false;
  try {
    const url = new URL(origin);
    // Through the same protocol, so a default port (:80, :443) compares equal to none.
    return url.host !== new URL(`${url.protocol}//${request.host}`).host;
  } catch {
    return true; // not a URL
  }
}

/**
 * Cookies, form bodies, headers (nonce CSP), CSRF and rate limits. CSRF applies to every
 * state-changing request outside /api: pages authenticate with a cookie, the API with a
 * Bearer header that a cross-site form cannot send.
 */
export interface RateLimitOptions {
  /**
   * Counters live here when given (REDIS_URL), so every web process shares one limit per
   * visitor (otherwise each process would allow the full limit again).
   */
  redis?: Redis | undefined;
  /** Without Redis, counters live in PostgreSQL (`rate_limit_counters`), shared the same way. */
  sql?: postgres.Sql | undefined;
  /** Key prefix in Redis: one deployment (or test) never counts another's requests. */
  nameSpace: string;
  /** Addresses never counted (loopback under BENCH=1 only). */
  allowList: readonly string[];
  /** Told once per outage that the shared store failed and this process counts alone. */
  onStoreDown?: (error: unknown) => void;
}

/** auth/mfa-routes.ts MFA_COOKIE: the pending second step names its account. */
const PENDING_MFA_COOKIE = '__Host-opcc_mfa';

/** Never counted by the general limit: files, health checks and metrics. */
const UNCOUNTED = /^\/(static|assets)\/|^\/(healthz|readyz|metrics)$/;

export const securityPlugin = fp(
  async (
    app: FastifyInstance,
    opts: { cookieSecret: string; publicUrl: string; rateLimit?: RateLimitOptions },
  ) => {
    const publicOrigin = new URL(opts.publicUrl).origin;
    await app.register(cookie, { secret: opts.cookieSecret });
    await app.register(formbody, { bodyLimit: 64 * 1024 });
    await app.register(securityHeadersPlugin);
    await app.register(csrf, {
      cookieKey: CSRF_COOKIE,
      cookieOpts: { path: '/', secure: true, httpOnly: true, sameSite: 'lax', signed: true },
      getToken: csrfTokenOf,
      getUserInfo: (request: FastifyRequest) => csrfBinding(request).userInfo,
      // A key of its own, derived from the app secret, for the token's HMAC over the binding.
      csrfOpts: {
        hmacKey: createHmac('sha256', opts.cookieSecret).update('opcc csrf user info').digest(),
      },
    });
    const limits = opts.rateLimit;
    const shared = limits?.redis
      ? redisCounters(limits.redis, limits.nameSpace)
      : limits?.sql
        ? postgresCounters(limits.sql)
        : memoryCounters();
    const allowed = new Set(limits?.allowList ?? []);
    app.decorate('accountRateKey', accountKeyGenerator(opts.cookieSecret, PENDING_MFA_COOKIE));
    await app.register(rateLimit, {
      // Every route is counted: by its own bucket (config.rateLimit) or by the general limit.
      global: true,
      max: (request: FastifyRequest) =>
        request.staff ? GENERAL_LIMIT.staff : GENERAL_LIMIT.visitor,
      timeWindow: GENERAL_LIMIT.timeWindow,
      keyGenerator: (request: FastifyRequest) =>
        request.staff ? `user:${request.staff.id}` : ipKey(request),
      allowList: (request: FastifyRequest) =>
        allowed.has(request.ip) || UNCOUNTED.test(request.url.split('?', 1)[0]!),
      store: limiterStore({ shared, local: memoryCounters(), onFallback: limits?.onStoreDown }),
      // The store decides: sign-in answers 503 while the shared store is down, every other
      // route counts in this process meanwhile (a limit is a brake there, not a gate).
      skipOnError: false,
    });

    const needsCsrf = (request: FastifyRequest) =>
      request.method !== 'GET' &&
      request.method !== 'HEAD' &&
      request.method !== 'OPTIONS' &&
      !isApiRequest(request) &&
      // RFC 8058 one-click unsubscribe: posted by mail clients, without cookies or token.
      (request.routeOptions.config as { csrf?: boolean }).csrf !== false;
    // A multipart form's fields are parsed by @fastify/multipart in the preValidation hook of
    // the plugin that registered it, which runs after this root hook: its token is checked
    // in preHandler instead, once the fields are on the body.
    const isMultipart = (request: FastifyRequest) =>
      /^multipart\/form-data/i.test(request.headers['content-type'] ?? '');

    app.addHook('preValidation', (request, reply, done) => {
      if (!needsCsrf(request)) return done();
      // A cross-site form post is refused before the token check even runs.
      if (
        request.headers['sec-fetch-site'] === 'cross-site' ||
        foreignOrigin(request, publicOrigin)
      ) {
        return done(new AppError(403, 'csrf', 'Cross-site requests are not allowed'));
      }
      if (isMultipart(request)) return done();
      app.csrfProtection(request, reply, done);
    });
    app.addHook('preHandler', (request, reply, done) => {
      if (!needsCsrf(request) || !isMultipart(request)) return done();
      app.csrfProtection(request, reply, done);
    });
  },
  { name: 'security' },
);
