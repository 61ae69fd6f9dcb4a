import { createCalculator } from './calculator.js';
import { createClockEventCommands } from './clock-events.js';
import { createDeadlinesContext, type DeadlinesDeps } from './context.js';
import { createHolidayRefresh } from './holiday-refresh.js';
import { createHolidayAdmin } from './holidays.js';
import { createPolicies } from './policies.js';
import { createRebuild } from './rebuild.js';
import { createWarnings } from './warnings.js';

export * from './labels.js';
export type * from './types.js';
export type { DeadlinesDeps } from './context.js';

/**
 * The deadlines domain (deadlines.md): holidays and their version, stored deadlines and
 * clock events, recomputation on holiday changes, warnings and the digest. No Fastify here.
 * Wiring only: each responsibility lives in its own file (see the imports).
 */
export function createDeadlinesService(deps: DeadlinesDeps) {
  const ctx = createDeadlinesContext(deps);
  return {
    ...createHolidayAdmin(ctx),
    ...createHolidayRefresh(ctx),
    ...createClockEventCommands(ctx),
    ...createCalculator(ctx),
    ...createRebuild(ctx),
    ...createWarnings(ctx),
    ...createPolicies(ctx),
  };
}
export type DeadlinesService = ReturnType<typeof createDeadlinesService>;
