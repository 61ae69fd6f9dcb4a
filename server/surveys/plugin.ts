import type { FastifyInstance } from 'fastify';
import type { Clock } from '../lib/clock.js';
import { surveysApiRoutes } from './routes.js';
import type { SurveysService } from './service.js';

/** The surveys domain: JSON API, staff pages and the public answering journey. */
export async function surveysRoutes(
  app: FastifyInstance,
  opts: { surveys: SurveysService; clock: Clock },
) {
  const now = () => opts.clock.now();
  await app.register(surveysApiRoutes, { surveys: opts.surveys, now });
}
