import type { Scenario } from '../lib/types.js';

/** The whole app's plugin stack (helmet, cookies, CSRF hook, auth hook, error handler) with no I/O. */
const healthz: Scenario = {
  name: 'healthz',
  description:
    'GET /healthz on the real app: every global hook and plugin, no database or Redis I/O',
  order: 10,
  gate: { minRatio: 0.25, p99Ms: 100 },
  request: () => ({ method: 'GET', path: '/healthz' }),
};

export default healthz;
