import { signInCookie } from '../lib/session.js';
import type { Scenario } from '../lib/types.js';
import { TRIAGE_QUERY } from './triage-json.js';

/**
 * The triage queue page over the million cases, as the bench caseworker (docs/rules/performance.md §5
 * names a caseworker: restricted cases are filtered in SQL) signed in through the real
 * form: the session check, the keyset list (25 rows), the view counts and the navigation
 * badge, the options, the `case.list` audit insert and the Nunjucks render with CSP nonces.
 */
const triagePage: Scenario = {
  name: 'triage-page',
  description: `GET /casework?${TRIAGE_QUERY} over 1M cases, caseworker session cookie: list + view counts + nav badge + render`,
  order: 32,
  gate: { minRatio: 0.1, p99Ms: 100 },
  async setup(ctx) {
    const cookie = await signInCookie(ctx.baseUrl, ctx.app!.staff.caseworker);
    const response = await fetch(`${ctx.baseUrl}/casework?${TRIAGE_QUERY}`, {
      headers: { cookie },
      redirect: 'manual',
    });
    const html = await response.text();
    if (response.status !== 200)
      throw new Error(`GET /casework: ${response.status} ${html.slice(0, 200)}`);
    const rows = (html.match(/href="\/casework\/[0-9a-f-]{36}"/g) ?? []).length;
    if (rows !== 25) ctx.log(`warning: GET /casework shows ${rows} case links (expected 25)`);
    ctx.data.cookie = cookie;
  },
  request: (ctx) => ({
    method: 'GET',
    path: `/casework?${TRIAGE_QUERY}`,
    headers: { cookie: ctx.data.cookie as string },
  }),
};

export default triagePage;
