import { UnrecoverableError, Worker } from 'bullmq';
import { SmtpPermanent, SmtpThrottled } from '../../server/surveys/sending.js';
import type { JobDefinition } from './types.js';

/**
 * Sends one survey invitation (surveys.md §5.3). The limiter is the authority on rate;
 * a throttle pauses the worker without using an attempt; a permanent failure is final.
 */
export const surveyInviteJob: JobDefinition<'survey-invite'> = {
  name: 'survey-invite',
  workerOptions: (services) => {
    const { limit, concurrency } = services.surveys.settings;
    return { concurrency, ...(limit ? { limiter: limit } : {}) };
  },
  async process(data, ctx, run) {
    try {
      return await ctx.services.surveys.sending.deliver(data.deliveryId);
    } catch (error) {
      if (error instanceof SmtpThrottled && run) {
        await run.worker.rateLimit(ctx.services.surveys.settings.throttlePauseMs);
        throw Worker.RateLimitError();
      }
      if (error instanceof SmtpPermanent) throw new UnrecoverableError(error.message);
      throw error;
    }
  },
};
