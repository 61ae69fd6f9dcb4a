import { DEFAULT_JOB_OPTIONS, jobIds } from '../queues.js';
import type { JobDefinition } from './types.js';

/**
 * Every 5 minutes (docs/rules/surveys.md §5.5): re-adds deliveries queued over 15 minutes (same jobId:
 * a job still waiting is not doubled; one lost with Redis comes back) and those `sending`
 * past their lease (a new jobId per claim); purges drafts of closed surveys.
 */
export const surveyReconcileJob: JobDefinition<'survey-reconcile'> = {
  name: 'survey-reconcile',
  async process(_data, ctx) {
    const { sending, answering, settings } = ctx.services.surveys;
    const stranded = await sending.stranded(new Date(ctx.clock.now().getTime() - 15 * 60_000));
    if (stranded.length > 0)
      await ctx.queues.queue('survey-invite').addBulk(
        stranded.map((row) => ({
          name: 'survey-invite',
          data: { deliveryId: row.id },
          opts: {
            ...DEFAULT_JOB_OPTIONS,
            jobId:
              row.attempts === 0
                ? jobIds.surveyInvite(row.invitation_id, row.wave_no)
                : jobIds.surveyInviteRescue(row.invitation_id, row.wave_no, row.attempts),
            attempts: 8,
            backoff: { type: 'exponential', delay: settings.retryDelayMs, jitter: 0.5 },
          },
        })),
      );
    const purged = await answering.purgeClosedDrafts();
    return { readded: stranded.length, purged };
  },
};
