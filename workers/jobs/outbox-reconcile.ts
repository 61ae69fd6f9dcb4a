import { reconcile } from '../relay.js';
import type { JobDefinition } from './types.js';

export const outboxReconcileJob: JobDefinition<'outbox-reconcile'> = {
  name: 'outbox-reconcile',
  async process(_data, ctx) {
    if (ctx.outboxPaused) return 0;
    return reconcile(ctx.db, ctx.queues, ctx.clock.now());
  },
};
