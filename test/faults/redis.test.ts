import { describe, expect, it } from 'vitest';
import { reconcile } from '../../workers/relay.js';
import { canaryEmail, faultTests } from './harness/env.js';
import { hasRedisServer } from './harness/redis.js';

/**
 * docs/rules/reliability.md §9 row 6 and the two boot cases: Redis dies or is not there. Rows 4 and 5
 * (Redis down for a while) are in redis-outage.slow.test.ts.
 */
const faults = faultTests();

describe.skipIf(!hasRedisServer)('§9 Redis faults', () => {
  it('6. kill -9 Redis with jobs waiting; restart from the same --dir: older jobs survive, the reconciler recreates the rest', async () => {
    const e = await faults.start();
    for (let n = 0; n < 10; n += 1) expect((await e.contact(n)).statusCode).toBe(201);
    expect(await e.t.relay()).toBe(10);
    // appendfsync everysec: what was written over a second ago is on disk. Real time on
    // purpose: Redis's own once-a-second fsync is what this waits for.
    await new Promise((r) => setTimeout(r, 1500));
    for (let n = 10; n < 15; n += 1) expect((await e.contact(n)).statusCode).toBe(201);
    expect(await e.t.relay()).toBe(5);
    await e.redis.kill9();
    await e.redis.up();

    const [first] = await e.t.db.sql<{ min: number }[]>`select min(id)::int from outbox`;
    const older = Array.from({ length: 10 }, (_, n) => `outbox-${first!.min + n}`);
    // Until Redis has loaded its file, reads fail or find fewer jobs: wait for the ten.
    const waitingIds = async () =>
      (await e.t.queues.queue('email').getWaiting()).map((job) => job.id);
    await expect.poll(waitingIds, { timeout: 10_000 }).toEqual(expect.arrayContaining(older));
    const ids = new Set(await waitingIds());
    for (let id = first!.min; id < first!.min + 10; id += 1) expect(ids).toContain(`outbox-${id}`);

    // Every row is stale for the reconciler (its 10 minutes taken as past).
    const later = new Date(e.t.clock.now().getTime() + 11 * 60_000);
    const readded = await reconcile(e.t.db.db, e.t.queues, later);
    expect(readded).toBe(15 - ids.size);
    await e.forkWorker();
    await e.drain(30_000);
    expect(e.sink.mails).toHaveLength(15);
  });

  it('boot: the server boots and serves pages with Redis absent', async () => {
    const e = await faults.start({ redisLater: true });
    expect((await e.t.app.inject({ method: 'GET', url: '/' })).statusCode).toBe(200);
    expect((await e.t.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    expect((await e.t.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    expect((await e.contact(1)).statusCode).toBe(201);
    // The run ends with Redis up, so the invariant sees the email through.
    await e.redis.up();
    await e.forkWorker();
    await e.drain(60_000);
    expect(e.sink.mails.map((m) => m.to)).toEqual([canaryEmail(1)]);
  });

  it('boot: a worker started before Redis exists consumes once it appears', async () => {
    const e = await faults.start({ redisLater: true });
    const worker = await e.forkWorker();
    expect((await e.contact(1)).statusCode).toBe(201);
    await e.redis.up();
    await e.drain(60_000);
    expect(e.sink.mails.map((m) => m.to)).toEqual([canaryEmail(1)]);
    expect(worker.output()).not.toMatch(/Unhandled|TypeError/);
  });
});
