import { DEFAULT_JOB_OPTIONS, jobIds } from '../queues.js';
import type { JobDefinition } from './types.js';

/**
 * Fan-out (docs/rules/surveys.md §5.2): 500 deliveries a chunk, cursor saved per chunk, ids only in
 * jobs. Without a rate limit each job carries a batch (settings.batchSize, default 50):
 * one claim statement and one BullMQ job per batch instead of per mail (the 100,000-mail
 * benchmark). With a limit, one delivery per job, so the BullMQ limiter counts mails.
 */
export const surveySendWaveJob: JobDefinition<'survey-send-wave'> = {
  name: 'survey-send-wave',
  async process(data, ctx) {
    const { sending, settings } = ctx.services.surveys;
    const queue = ctx.queues.queue('survey-invite');
    const batch = settings.limit ? 1 : Math.max(1, settings.batchSize ?? 50);
    const opts = {
      ...DEFAULT_JOB_OPTIONS,
      attempts: 8,
      backoff: { type: 'exponential', delay: settings.retryDelayMs, jitter: 0.5 },
    };
    let total = 0;
    for (;;) {
      const published = await sending.fanOutChunk(data.waveId, async (rows) => {
        if (batch === 1) {
          await queue.addBulk(
            rows.map((row) => ({
              name: 'survey-invite',
              data: { deliveryId: row.id },
              opts: { ...opts, jobId: jobIds.surveyInvite(row.invitationId, row.waveNo) },
            })),
          );
          return;
        }
        const jobs = [];
        for (let i = 0; i < rows.length; i += batch) {
          const ids = rows.slice(i, i + batch).map((row) => row.id);
          jobs.push({
            name: 'survey-invite',
            data: { deliveryIds: ids },
            opts: { ...opts, jobId: jobIds.surveyInviteBatch(data.waveId, ids[0]!) },
          });
        }
        await queue.addBulk(jobs);
      });
      total += published;
      if (published === 0) return { published: total };
    }
  },
};
