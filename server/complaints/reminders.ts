/**
 * The system moves of the complaint timers. Reminders themselves (§3.2) go through the
 * shared clock: its `sla-scan` stores each stage of every running complaint timer once and
 * `deadline-notify` sends it in working hours (regime.ts says which stages, clock-adapter.ts
 * to whom); holiday changes are rebuilt by its `deadline-rebuild`.
 */
import { londonDateOf } from '../lib/dates.js';
import { systemActor } from '../platform/audit.js';
import type { ComplaintsDeps } from './ports.js';
import type { createTransitionsService } from './transitions.js';

export function createRemindersService(
  deps: ComplaintsDeps,
  transitions: ReturnType<typeof createTransitionsService>,
) {
  const { db, repo, clock } = deps;

  return {
    /** `complaint-window-close`: the day after the review window, with no application (S). */
    async closeWindows(): Promise<{ closed: number }> {
      const today = londonDateOf(clock.now());
      const ids = await repo.windowsToClose(db, today);
      let closed = 0;
      for (const id of ids) {
        try {
          await transitions.transition(systemActor(), id, {
            to: 'closed',
            at: today,
            reason: 'No review application was notified within the review window',
          });
          closed += 1;
        } catch {
          // Moved by someone else meanwhile: the next run looks again.
        }
      }
      return { closed };
    },
  };
}
export type RemindersService = ReturnType<typeof createRemindersService>;
