import type { FastifySchema } from 'fastify';
import type { Role } from '../users/types.js';

/** Who may call a route (`config.auth`): CASEWORK, MANAGERS... in platform/auth.ts. */
export type RouteAuth = readonly Role[];

/**
 * The route options of a JSON API under one OpenAPI tag: `api(auth, summary, schema)` is a
 * route's schema (bearer security, its summary, params, body, response...) and who may call it
 * (`config.auth`, read by the auth plugin).
 */
export function apiRoute(tag: string) {
  const api = { tags: [tag], security: [{ bearer: [] }] };
  return (auth: RouteAuth, summary: string, schema: FastifySchema = {}) => ({
    schema: { ...api, summary, ...schema },
    config: { auth },
  });
}
