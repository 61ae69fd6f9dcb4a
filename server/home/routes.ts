import { STAFF } from '../platform/auth.js';
import type { AssigneeRow } from '../stats/types.js';
import { pageRoute, publicPageRoute } from '../platform/page-route.js';
import type { App } from '../platform/app-type.js';

/** One caseworker's (or Unassigned's) open work, as the statistics count it. */
export type TeamRow = AssigneeRow;

/** The staff home (domains add panels as they land) and the public start page. */
export async function homeRoutes(app: App, opts: { teamWorkload?: () => Promise<TeamRow[]> } = {}) {
  app.get('/', publicPageRoute(), async (_request, reply) =>
    reply.page('home/views/public.njk', { pageTitle: 'Home' }),
  );
  app.get('/staff', pageRoute(STAFF), async (request, reply) => {
    const role = request.staff?.role;
    return reply.page('home/views/staff.njk', {
      pageTitle: 'Home',
      // Panels: my deadline warnings (deadlines domain).
      deadlineWarnings:
        role === 'admin' ? undefined : await app.services.deadlines.myWarnings(request.actor()),
      // A manager's team view (#15 item 3): each caseworker's open, due soon and overdue.
      team: role === 'manager' && opts.teamWorkload ? await opts.teamWorkload() : undefined,
    });
  });
  app.get('/accessibility', publicPageRoute(), async (_request, reply) =>
    reply.page('home/views/accessibility.njk', { pageTitle: 'Accessibility statement' }),
  );
}
