import type { FastifyContextConfig, FastifySchema } from 'fastify';
import type { RouteAuth } from './api-route.js';

/*
 * HTML pages are not the API: their schemas validate forms and links but stay out of the
 * OpenAPI document (`hide`), which describes /api/* (and the health checks) only. The page-side
 * twin of api-route.ts, generic over the schema like it, so the schema types the handler.
 */

/**
 * The route options of a staff page: who may open it (`config.auth`) and its schema (params,
 * querystring, form body). `config`: what a few pages add (re-authentication, no reissued token,
 * their own rate limit).
 */
export function pageRoute<S extends FastifySchema = FastifySchema>(
  auth: RouteAuth,
  schema: S = {} as S,
  config: FastifyContextConfig = {},
) {
  return { schema: { ...schema, hide: true }, config: { auth, ...config } };
}

/**
 * The route options of a public page (no sign-in): its schema, and `config` for its own per-IP
 * bucket (`rateLimit`, platform/rate-limits.ts) or anything else it needs; without one it counts
 * in the general limit.
 */
export function publicPageRoute<S extends FastifySchema = FastifySchema>(
  schema: S = {} as S,
  config: FastifyContextConfig = {},
) {
  return { schema: { ...schema, hide: true }, config: { public: true, ...config } };
}
