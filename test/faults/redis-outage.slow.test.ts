import { describe, expect, it } from 'vitest';
import { faultTests } from './harness/env.js';
import { hasRedisServer } from './harness/redis.js';

/**
 * docs/rules/reliability.md §9 rows 4 and 5: Redis away for a while. Slow (a minute each), so only
 * `npm run test:faults` runs them, not `npm test`.
 */
const faults = faultTests();

describe.skipIf(!hasRedisServer)('§9 Redis outages', () => {
  it('4. Stop Redis during 200 contact POSTs: all 200 get 201, the outbox grows, and after the restart everything drains', async () => {
    const e = await faults.start();
    await e.forkWorker();
    const codes: number[] = [];
    const post = async (from: number, to: number) => {
      for (let n = from; n < to; n += 10) {
        const batch = await Promise.all(
          Array.from({ length: Math.min(10, to - n) }, (_, i) => e.contact(n + i)),
        );
        codes.push(...batch.map((r) => r.statusCode));
      }
    };
    await post(0, 50);
    await e.redis.stop();
    await post(50, 200);
    expect(codes.filter((c) => c !== 201)).toEqual([]);
    expect(codes).toHaveLength(200);
    const [backlog] = await e.t.db.sql<{ n: number }[]>`
      select count(*)::int as n from outbox where published_at is null`;
    expect(backlog!.n).toBeGreaterThan(0);

    await e.redis.up();
    await e.drain(90_000);
    expect(new Set(e.sink.mails.map((m) => m.to)).size).toBe(200);
  }, 150_000);

  it('5. Redis down for 15 s, longer than drainDelay + 1 s: the worker resumes without a restart and a new job completes within 10 s', async () => {
    const e = await faults.start();
    const worker = await e.forkWorker();
    expect((await e.contact(1)).statusCode).toBe(201);
    await e.drain(30_000);
    await e.redis.stop();
    // Real time on purpose: the fault is an outage lasting 15 s (longer than drainDelay + 1 s).
    await new Promise((r) => setTimeout(r, 15_000));
    await e.redis.up();
    expect((await e.contact(2)).statusCode).toBe(201);
    // The contract's bound: within 10 s of Redis returning, with the same worker process.
    await e.sink.waitFor(() => e.sink.mails.length === 2, 10_000, 'the email after the outage');
    await e.drain(10_000);
    expect(worker.child.exitCode).toBeNull();
  }, 90_000);
});
