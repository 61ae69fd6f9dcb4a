import { createAccessCommands } from './access.js';
import { createAttachmentCommands } from './attachment-commands.js';
import { createAssignmentCommands } from './bulk.js';
import { createCaseView } from './case-view.js';
import { createCaseCommands } from './commands.js';
import { createCaseClockAdapter } from './clock-adapter.js';
import { createCaseContext, type CorrespondenceDeps } from './context.js';
import { createIntakeCommands } from './create-case.js';
import { registerEmailOutcomes } from './email-outcomes.js';
import { createQueueReads } from './queue.js';
import { CORRESPONDENCE_REGIMES } from './regimes.js';

// The shapes and rules other modules use, from the files that own them.
export type * from './types.js';
export { ACKS_PER_DAY } from './acknowledgement.js';
export type { CorrespondenceDeps } from './context.js';
export { staleVersion } from './errors.js';
export {
  filterProblems,
  LIMITS,
  MAX_BULK,
  MAX_PAGE,
  normaliseTag,
  parseTags,
  TAG_LIMITS,
} from './validation.js';

/**
 * Correspondence casework: intake, the timeline, the workflow (§5), notes, assignment,
 * restriction, the triage queue, search and export. No Fastify here: routes, workers and
 * other domains (the public form, inbound email) call these functions. Wiring only: each
 * responsibility lives in its own file (see the imports).
 */
export function createCorrespondenceService(deps: CorrespondenceDeps) {
  const ctx = createCaseContext(deps);
  registerEmailOutcomes(ctx);
  const commands = createCaseCommands(ctx);
  // Cases are the clock's 'case' subjects, each under its type's regime (regimes.ts); status
  // moves on clock events go through the workflow above (commands.transition).
  for (const regime of CORRESPONDENCE_REGIMES) deps.deadlines.regimes.register(regime);
  deps.deadlines.registerAdapter(
    createCaseClockAdapter(ctx, (...args) => commands.transition(...args)),
  );
  return {
    ...createQueueReads(ctx),
    ...createIntakeCommands(ctx),
    ...createCaseView(ctx),
    ...commands,
    ...createAttachmentCommands(ctx),
    ...createAssignmentCommands(ctx),
    ...createAccessCommands(ctx),
  };
}
export type CorrespondenceService = ReturnType<typeof createCorrespondenceService>;
