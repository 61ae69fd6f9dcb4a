import { UnrecoverableError } from 'bullmq';
import { PermanentMailError } from '../../server/mail/service.js';
import type { JobDefinition } from './types.js';

/** Sends one email row. The row is the ledger: a retried or duplicated job sends nothing twice. */
export const emailJob: JobDefinition<'email'> = {
  name: 'email',
  async process(data, ctx) {
    try {
      return await ctx.services.mail.send(data.emailId);
    } catch (error) {
      // A 5xx from the SMTP server will not get better with retries.
      if (error instanceof PermanentMailError) throw new UnrecoverableError(error.message);
      throw error;
    }
  },
};
