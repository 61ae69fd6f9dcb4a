import { casePages } from './pages/case-page.js';
import { newCasePages } from './pages/new-case-page.js';
import { queuePages } from './pages/queue-page.js';
import type { CorrespondenceService } from './service.js';
import type { App } from '../platform/app-type.js';

export { queueUrl } from './pages/queue-state.js';

/** Correspondence's staff pages (wiring only: each page lives in pages/). */
export async function correspondencePages(
  app: App,
  opts: { correspondence: CorrespondenceService },
) {
  const svc = opts.correspondence;
  app.staffNav.push({
    href: '/casework',
    text: 'Casework',
    roles: ['caseworker', 'manager'],
    // Work waiting to be picked up: open cases with nobody assigned that this person can see.
    count: (_staff, request) => svc.unassignedCount(request.actor()),
    countLabel: 'unassigned',
  });
  queuePages(app, svc);
  newCasePages(app, svc);
  casePages(app, svc);
}
