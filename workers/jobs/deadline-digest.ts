import type { JobDefinition } from './types.js';

/** `deadline-digest`: each morning, each caseworker's cases due within 5 working days. */
export const deadlineDigestJob: JobDefinition<'deadline-digest'> = {
  name: 'deadline-digest',
  async process(_data, ctx) {
    return ctx.services.deadlines.digest();
  },
};
