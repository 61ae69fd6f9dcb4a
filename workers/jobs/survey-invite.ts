import { DelayedError, UnrecoverableError, Worker } from 'bullmq';
import { SmtpPermanent, SmtpThrottled } from '../../server/surveys/sending.js';
import type { JobDefinition } from './types.js';

/**
 * Sends survey invitations (docs/rules/surveys.md §5.3): a batch, or one delivery. The limiter is the
 * authority on rate; a throttle pauses the worker without using an attempt; a permanent
 * failure of a single delivery is final (in a batch it fails that delivery only).
 */
export const surveyInviteJob: JobDefinition<'survey-invite'> = {
  name: 'survey-invite',
  workerOptions: (services) => {
    const { limit, concurrency } = services.surveys.settings;
    return { concurrency, ...(limit ? { limiter: limit } : {}) };
  },
  async process(data, ctx, run) {
    const ids = data.deliveryIds ?? (data.deliveryId === undefined ? [] : [data.deliveryId]);
    const { sending, settings } = ctx.services.surveys;
    // The daily cap: checked before each job (with concurrency 1 and a limit, one mail a
    // job, so exact; a batch or parallel jobs may pass it by what they carry at once).
    const cap = await sending.capLeft(settings.dailyCap);
    if (cap.left <= 0 && run?.token) {
      // Waits for the next London day without using an attempt. How long to wait comes from
      // the injected clock (a test's may be days ahead); BullMQ's delayed set runs on real
      // time, so that wait is added to Date.now(), the one place real time is right here.
      const wait = cap.tomorrow.getTime() - ctx.clock.now().getTime();
      await run.job.moveToDelayed(Date.now() + wait, run.token);
      throw new DelayedError();
    }
    // Under a limit a job is one delivery; paced by the sliding window from start to end.
    const done = await ctx.services.surveys.sendWindow?.acquire();
    try {
      const result = await sending.deliverBatch(ids);
      // §10 S2: a sender killed after the relay's 250 and before the commit repeats that
      // mail (same Message-ID, so the recipient's client can drop it); say so in the log.
      if (result.resent.length > 0)
        ctx.log(
          `survey-invite: deliveries ${result.resent.join(', ')} re-sent after their sender died mid-send (same Message-ID; at most one of them had gone)`,
        );
      return result;
    } catch (error) {
      if (error instanceof SmtpThrottled && run) {
        await run.worker.rateLimit(settings.throttlePauseMs);
        throw Worker.RateLimitError();
      }
      if (error instanceof SmtpPermanent) throw new UnrecoverableError(error.message);
      throw error;
    } finally {
      done?.();
    }
  },
};
