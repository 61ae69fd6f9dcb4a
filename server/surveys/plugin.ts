import type { Clock } from '../lib/clock.js';
import { surveysAnalystRoutes } from './analyst-routes.js';
import { surveysImportRoutes } from './import-routes.js';
import { listsPages } from './lists-pages.js';
import { surveysPages } from './pages.js';
import { surveysPublicRoutes } from './public-routes.js';
import { surveysApiRoutes } from './routes.js';
import type { SurveysService } from './service.js';
import type { App } from '../platform/app-type.js';

/** The surveys domain: JSON API, staff pages and the public answering journey. */
export async function surveysRoutes(app: App, opts: { surveys: SurveysService; clock: Clock }) {
  const now = () => opts.clock.now();
  await app.register(surveysApiRoutes, { surveys: opts.surveys, now });
  await app.register(surveysAnalystRoutes, { surveys: opts.surveys });
  await app.register(surveysImportRoutes, { imports: opts.surveys.imports });
  await app.register(surveysPublicRoutes, { surveys: opts.surveys, now });
  await app.register(surveysPages, { surveys: opts.surveys, now });
  await app.register(listsPages, { lists: opts.surveys.lists });
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** false: no CSRF check (RFC 8058 one-click unsubscribe is posted by mail clients). */
    csrf?: boolean;
  }
}
