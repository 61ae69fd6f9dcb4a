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
export type { ClockSubject, SubjectAdapter } from './adapter.js';
export type { Regime } from './regimes.js';

/**
 * The clock, for every domain (docs/rules/deadlines.md): calendars and holidays, regimes, timers keyed
 * by subject, clock events, rebuilds on holiday changes, warnings and the digest. Domains
 * plug in with an adapter (adapter.ts says how); the clock imports no domain. No Fastify
 * here. Wiring only: each responsibility lives in its own file (see the imports).
 */
export function createDeadlinesService(deps: DeadlinesDeps) {
  const ctx = createDeadlinesContext(deps);
  return {
    /** The one calendar service (working days for every reader). */
    calendar: ctx.calendar,
    /** The regimes: `regimes.register(regime)` adds one. */
    regimes: ctx.regimes,
    /** A domain plugs its subject type in. */
    registerAdapter: ctx.registerAdapter,
    /** The adapters plugged in (to build a second clock over the same subjects). */
    subjectAdapters: () => [...ctx.adapters.values()],
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
