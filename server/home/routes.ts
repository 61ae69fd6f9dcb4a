import type { FastifyInstance } from 'fastify';
import { STAFF } from '../platform/auth.js';

/** The staff home (domains add panels as they land) and the public start page. */
export async function homeRoutes(app: FastifyInstance) {
  app.get('/', { config: { public: true } }, async (_request, reply) =>
    reply.page('home/views/public.njk', { pageTitle: 'Home' }),
  );
  app.get('/staff', { config: { auth: STAFF } }, async (request, reply) =>
    reply.page('home/views/staff.njk', {
      pageTitle: 'Home',
      // Panels: my deadline warnings (deadlines domain).
      deadlineWarnings:
        request.staff?.role === 'admin'
          ? undefined
          : await app.services.deadlines.myWarnings(request.actor()),
    }),
  );
  app.get('/accessibility', { config: { public: true } }, async (_request, reply) =>
    reply.page('home/views/accessibility.njk', { pageTitle: 'Accessibility statement' }),
  );
}
