import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { baseEnv, runScript } from '../helpers/app-process.js';
import { freePort } from '../helpers/ports.js';
import { CANARY_NAME, canaryEmail, faultTests } from './harness/env.js';
import { hasRedisServer } from './harness/redis.js';

/** docs/rules/reliability.md §9 row 8: SIGTERM to `npm start` (server and workers in one process) under load. */
const faults = faultTests();

describe.skipIf(!hasRedisServer)('§9 fault 8: graceful stop', () => {
  it('8. SIGTERM with 20 requests and 5 jobs in flight: in-flight requests get 2xx, new ones 503, the process exits 0 within the grace period, no stalled jobs afterwards', async () => {
    const e = await faults.start();
    const port = await freePort();
    const app = runScript(
      'workers/main.ts',
      ['--all'],
      baseEnv({
        NODE_ENV: 'test',
        PORT: String(port),
        DATABASE_URL: e.t.databaseUrl,
        REDIS_URL: e.redis.url,
        SMTP_URL: e.sink.url,
        QUEUE_PREFIX: e.t.config.queuePrefix,
        MIGRATE_ON_START: 'false',
        JWT_SECRET: randomBytes(32).toString('hex'),
        ADMIN_EMAIL: 'admin@example.org',
        ADMIN_PASSWORD: 'correct horse battery staple 42',
      }),
    );
    faults.onCleanup(async () => void (await app.stop('SIGKILL')));
    await app.waitFor('ready in', 60_000);
    const base = `http://127.0.0.1:${port}`;

    // Five emails held at the mail server until the process has begun to stop: five jobs
    // in flight when the signal comes, however long anything takes.
    let held = 0;
    let releaseMail: () => void = () => undefined;
    const mailHeld = new Promise<void>((resolve) => (releaseMail = resolve));
    faults.onCleanup(async () => releaseMail());
    e.sink.beforeAccept = async () => {
      held += 1;
      await mailHeld;
    };
    for (let n = 0; n < 5; n += 1) {
      const response = await fetch(`${base}/api/public/contact`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          name: CANARY_NAME,
          email: canaryEmail(n),
          subject: `Shutdown ${n}`,
          message: 'Streetlights out on Canary Row.',
        }),
      });
      expect(response.status).toBe(201);
    }
    await e.sink.waitFor(() => held === 5, 30_000, 'five emails in flight');

    const inFlight = Array.from({ length: 20 }, () =>
      fetch(`${base}/api/public/disclosure-log`).then(
        (r) => r.status,
        () => 'refused' as const,
      ),
    );
    // Real time on purpose: lets the 20 requests leave before the signal. Each may be
    // answered 200 or, if it only arrived once closing began, 503/refused (checked below).
    await new Promise((r) => setTimeout(r, 20));
    const signalled = Date.now();
    app.child.kill('SIGTERM');
    await app.waitFor('SIGTERM: finishing', 10_000);
    releaseMail();
    const late = await fetch(`${base}/api/public/disclosure-log`).then(
      (r) => r.status,
      () => 'refused' as const,
    );
    const statuses = await Promise.all(inFlight);
    const { code } = await app.exited();
    const tookMs = Date.now() - signalled;

    expect(code, app.output()).toBe(0);
    expect(tookMs).toBeLessThan(25_000);
    // Each request sent before the signal was answered 2xx, or 503 if it only reached the
    // server once it had begun closing; none is cut off with a 5xx of another kind.
    for (const status of statuses) expect([200, 503, 'refused']).toContain(status);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThan(0);
    expect([503, 'refused']).toContain(late);
    // worker.close() let the five jobs finish: none is left active to stall and rerun.
    const counts = await e.t.queues.queue('email').getJobCounts('active', 'completed');
    expect(counts).toEqual({ active: 0, completed: 5 });
    expect(e.sink.mails).toHaveLength(5);
    expect(app.output()).not.toMatch(/TypeError|Unhandled/);
    e.sink.beforeAccept = undefined;
  }, 120_000);
});
