import type { RateLimitOptions } from '@fastify/rate-limit';
import type { FastifySchema } from 'fastify';
import type { Role } from '../users/types.js';

/** Who may call a route (`config.auth`): CASEWORK, MANAGERS... in platform/auth.ts. */
export type RouteAuth = readonly Role[];

/**
 * The route options of a JSON API under one OpenAPI tag: `api(auth, summary, schema)` is a
 * route's schema (bearer security, its summary, params, body, response...) and who may call it
 * (`config.auth`, read by the auth plugin). Generic over the schema, so its exact TypeBox type
 * reaches the route and types the handler's request (App, app-type.ts).
 */
export function apiRoute(tag: string) {
  const api = { tags: [tag], security: [{ bearer: [] }] };
  return <S extends FastifySchema = FastifySchema>(
    auth: RouteAuth,
    summary: string,
    schema: S = {} as S,
  ) => ({
    schema: { ...api, summary, ...schema },
    config: { auth },
  });
}

/**
 * The route options of the public JSON API (OpenAPI tag `public`, no sign-in): its schema and
 * summary, and the per-IP bucket it counts in (platform/rate-limits.ts; a form and its API
 * twin share one). `undefined`: the general limit only.
 */
export function publicApiRoute<S extends FastifySchema = FastifySchema>(
  rateLimit: RateLimitOptions | undefined,
  summary: string,
  schema: S = {} as S,
) {
  return {
    schema: { tags: ['public'], summary, ...schema },
    config: { public: true, ...(rateLimit ? { rateLimit } : {}) },
  };
}
