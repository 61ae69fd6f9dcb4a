import type { JobDefinition } from './types.js';

/** `deadline-notify` (docs/rules/deadlines.md §6): the notification row is the ledger. */
export const deadlineNotifyJob: JobDefinition<'deadline-notify'> = {
  name: 'deadline-notify',
  async process(data, ctx) {
    return ctx.services.deadlines.notify(data.notificationId);
  },
};
