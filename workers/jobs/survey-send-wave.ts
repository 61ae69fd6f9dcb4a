import { DEFAULT_JOB_OPTIONS, jobIds } from '../queues.js';
import type { JobDefinition } from './types.js';

/** Fan-out (surveys.md §5.2): 500 deliveries a chunk, cursor saved per chunk, ids only in jobs. */
export const surveySendWaveJob: JobDefinition<'survey-send-wave'> = {
  name: 'survey-send-wave',
  async process(data, ctx) {
    const { sending, settings } = ctx.services.surveys;
    const queue = ctx.queues.queue('survey-invite');
    let total = 0;
    for (;;) {
      const published = await sending.fanOutChunk(data.waveId, async (rows) => {
        await queue.addBulk(
          rows.map((row) => ({
            name: 'survey-invite',
            data: { deliveryId: row.id },
            opts: {
              ...DEFAULT_JOB_OPTIONS,
              jobId: jobIds.surveyInvite(row.invitationId, row.waveNo),
              attempts: 8,
              backoff: { type: 'exponential', delay: settings.retryDelayMs, jitter: 0.5 },
            },
          })),
        );
      });
      total += published;
      if (published === 0) return { published: total };
    }
  },
};
