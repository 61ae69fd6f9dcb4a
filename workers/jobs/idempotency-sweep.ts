import type { JobDefinition } from './types.js';

/**
 * `idempotency-sweep`, hourly: deletes public-form idempotency keys older than 24 h in
 * batches, so the table does not grow forever. A repeat within 24 h still finds its key.
 */
export const idempotencySweepJob: JobDefinition<'idempotency-sweep'> = {
  name: 'idempotency-sweep',
  async process(_data, ctx) {
    const result = await ctx.services.intake.sweepIdempotencyKeys();
    if (result.deleted > 0) ctx.log(`idempotency-sweep: deleted ${result.deleted} expired keys`);
    return result;
  },
};
