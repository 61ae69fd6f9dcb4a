import type { Scenario } from '../lib/types.js';

/**
 * An authenticated JSON read: JWT verify, the session check against PostgreSQL
 * (sessions ⋈ users on every request), then the users list with response serialisation.
 */
const authedJson: Scenario = {
  name: 'authed-json',
  description:
    'GET /api/users with a Bearer token: JWT verify + session/user lookup in PostgreSQL + a small list query',
  order: 20,
  gate: { minRatio: 0.25, p99Ms: 100 },
  async setup(ctx) {
    const response = await fetch(`${ctx.baseUrl}/api/users`, { headers: ctx.bearer() });
    if (response.status !== 200) throw new Error(`GET /api/users: ${response.status}`);
    const body = (await response.json()) as { items: unknown[] };
    ctx.dataset.users = body.items.length;
  },
  request: (ctx) => ({ method: 'GET', path: '/api/users', headers: ctx.bearer() }),
};

export default authedJson;
