import type { Scenario } from '../lib/types.js';

export const TRIAGE_QUERY = 'status=open&sort=due&limit=25';

/**
 * The triage queue's first page as JSON over the million cases, as the bench manager: the
 * session check, the keyset-paged list query (cases ⋈ users ⋈ contacts, ordered by due
 * date, received, id) and the `case.list` audit insert. bench/plan.ts checks this query's
 * plan on the same data.
 */
const triageJson: Scenario = {
  name: 'triage-json',
  description: `GET /api/cases?${TRIAGE_QUERY} over 1M cases, manager Bearer token: session check + keyset list + audit insert`,
  order: 31,
  gate: { minRatio: 0.25, p99Ms: 100 },
  async setup(ctx) {
    const response = await fetch(`${ctx.baseUrl}/api/cases?${TRIAGE_QUERY}`, {
      headers: ctx.bearerAs('manager'),
    });
    if (response.status !== 200)
      throw new Error(`GET /api/cases: ${response.status} ${await response.text()}`);
    const body = (await response.json()) as { items: unknown[]; nextCursor: string | null };
    if (body.items.length !== 25 || !body.nextCursor)
      throw new Error(`GET /api/cases: ${body.items.length} items, cursor ${body.nextCursor}`);
  },
  request: (ctx) => ({
    method: 'GET',
    path: `/api/cases?${TRIAGE_QUERY}`,
    headers: ctx.bearerAs('manager'),
  }),
};

export default triageJson;
