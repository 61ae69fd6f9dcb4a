import { describe, expect, it } from 'vitest';
import { checkWorkerHealth } from '../../workers/health.js';
import { freePort } from '../helpers/ports.js';
import { faultTests } from './harness/env.js';
import { hasRedisServer } from './harness/redis.js';

/**
 * The worker's heartbeat and /healthz (reliability §6, §7): a supervisor restarts a worker
 * whose queue connection is gone, whose heartbeat is stale or whose outbox falls behind.
 */
const faults = faultTests();

async function healthz(port: number) {
  const response = await fetch(`http://127.0.0.1:${port}/healthz`);
  return { status: response.status, body: (await response.json()) as Record<string, string> };
}

/** Polls /healthz until it answers `status`, and returns that answer for the test to check. */
async function healthzOnce(port: number, status: number, timeout: number) {
  let seen: Awaited<ReturnType<typeof healthz>> | undefined;
  await expect.poll(async () => (seen = await healthz(port)).status, { timeout }).toBe(status);
  return seen!;
}

describe.skipIf(!hasRedisServer)('worker heartbeat and /healthz', () => {
  it('stamps its heartbeat and answers 200; 503 while Redis is down and once the heartbeat is stale', async () => {
    const e = await faults.start();
    const port = await freePort();
    const worker = await e.forkWorker({
      env: { WORKER_HEALTH_PORT: String(port), WORKER_HEARTBEAT_SECONDS: '60' },
    });
    expect(worker.output()).toContain(`worker /healthz on 127.0.0.1:${port}`);
    const healthy = await healthzOnce(port, 200, 10_000);
    expect(healthy).toEqual({
      status: 200,
      body: { status: 'ok', queue: 'ok', heartbeat: 'ok', outbox: 'ok' },
    });
    const beats = await e.t.db.sql<{ worker: string }[]>`select worker from worker_heartbeats`;
    expect(beats).toHaveLength(1);

    await e.redis.stop();
    const down = await healthzOnce(port, 503, 10_000);
    expect(down).toMatchObject({ status: 503, body: { status: 'failed', queue: 'failed' } });
    await e.redis.up();
    const back = await healthzOnce(port, 200, 20_000);
    expect(back.status).toBe(200);

    // A worker that stopped stamping (stuck, or its loop blocked) looks dead after 3 minutes.
    await e.t.db.sql`update worker_heartbeats set beat_at = now() - interval '4 minutes'`;
    expect(await healthz(port)).toMatchObject({
      status: 503,
      body: { status: 'failed', queue: 'ok', heartbeat: 'stale' },
    });
    // Anything else gets 404, never a page.
    expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(404);
  }, 90_000);

  it('fails when the oldest unpublished outbox row is over 5 minutes old, unless the relay is paused on purpose', async () => {
    const e = await faults.start();
    await e.t.db.sql`insert into outbox (topic, payload, created_at)
      values ('sla-scan', '{}', now() - interval '6 minutes')`;
    const check = (relayPaused: boolean) =>
      checkWorkerHealth({
        db: e.t.db.db,
        queues: e.t.queues,
        workers: [],
        name: 'no-such-worker',
        relayPaused,
      });
    expect(await check(false)).toEqual({
      ok: false,
      checks: { queue: 'ok', heartbeat: 'stale', outbox: 'behind' },
    });
    expect((await check(true)).checks.outbox).toBe('paused');
    await e.t.db.sql`delete from outbox`;
  });
});
