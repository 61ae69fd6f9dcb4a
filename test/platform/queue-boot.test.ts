import { randomBytes } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { createQueueBackend } from '../../workers/queues.js';

/**
 * Boot on the Redis backend (issue #18): the producer connects lazily, on the first queue
 * call. A health check (`ping`) arriving while that first connection was still being made
 * went to a socket not yet writeable and, with the offline queue off, was refused at once
 * ("Stream isn't writeable and enableOfflineQueue options is false"): /readyz and the
 * worker's /healthz could fail while Redis was up. It now waits for the connection it
 * joins (bounded by the producer's 1 s connect timeout).
 */
describe('queue backend at boot', () => {
  it('ping while the producer is still connecting waits for that connection', async () => {
    const backend = createQueueBackend({
      databaseUrl: 'postgres://unused',
      redisUrl: inject('redisUrl'),
      prefix: `b${randomBytes(4).toString('hex')}`,
    });
    try {
      const results = await Promise.allSettled([
        backend.ping(),
        backend.queue('email').getJobCounts('waiting'),
        backend.ping(),
        backend.queue('sla-scan').getJobCounts('waiting'),
        backend.ping(),
      ]);
      expect(
        results.map((r) => (r.status === 'rejected' ? (r.reason as Error).message : 'ok')),
      ).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
    } finally {
      await backend.close();
    }
  });
});
