import type { Scenario } from '../lib/types.js';

/**
 * One case as JSON, as the bench manager (a manager sees every case, restricted ones
 * included, so every sampled id is visible): JWT verify, the session check, the change
 * stamp, then at once the case row with its contacts and assignee, its timeline, notes,
 * stored deadlines (the seed writes them as the clock does) and attachments, then the audit
 * insert (`case.view`) that every read of a case makes. Ids rotate over 10,000 cases
 * sampled from the seeded million (open and closed alike), so nearly every read is a miss
 * of the reuse cache. Gate: docs/rules/performance.md §1, at least 2% of hello-world at -c 50.
 */
const caseJson: Scenario = {
  name: 'case-json',
  description:
    'GET /api/cases/:id over 10,000 ids of 1M cases, manager Bearer token: session check + stamp + 5 prepared reads at once + audit insert',
  order: 30,
  gate: { minRatio: 0.02, p99Ms: 100 },
  async setup(ctx) {
    const sql = ctx.sql();
    const rows = await sql<Array<{ id: string }>>`
      select id from cases tablesample system (3) repeatable (42) limit 10000`;
    if (rows.length < 10_000) throw new Error(`case-json: only ${rows.length} case ids sampled`);
    ctx.data.ids = rows.map((r) => r.id);
    const response = await fetch(`${ctx.baseUrl}/api/cases/${rows[0]!.id}`, {
      headers: ctx.bearerAs('manager'),
    });
    if (response.status !== 200)
      throw new Error(`GET /api/cases/:id: ${response.status} ${await response.text()}`);
    ctx.dataset.caseJsonIds = rows.length;
  },
  request(ctx) {
    const ids = ctx.data.ids as string[];
    let i = 0;
    return {
      method: 'GET',
      path: `/api/cases/${ids[0]}`,
      headers: ctx.bearerAs('manager'),
      setupRequest: (req) => ({ ...req, path: `/api/cases/${ids[i++ % ids.length]}` }),
    };
  },
};

export default caseJson;
