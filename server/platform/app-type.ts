import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';

/**
 * The Fastify instance a route plugin is given: each route's request (params, querystring,
 * body, headers) and reply are typed from its TypeBox schema, so a handler needs no generic
 * that repeats the schema. Types only: validation is still Fastify's own ajv (app.ts), so
 * refusals read as before. The schema reaches the route whole through apiRoute, pageRoute and
 * their public twins, which are generic over it.
 *
 * A plugin takes `app: App`; `app.register(plugin)` on the untyped root instance infers it.
 */
export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;
