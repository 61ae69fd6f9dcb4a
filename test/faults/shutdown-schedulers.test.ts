import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQueueBackend, QueueBackendClosedError } from '../../workers/queues.js';
import { schedules } from '../../workers/jobs/index.js';
import { startWorkers } from '../../workers/runner.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';

/**
 * Ctrl-C right after `npm start` printed "ready" (issue #18): the scheduler upsert was still
 * under way, went on after the workers stopped and made new queues once the queue backend
 * had closed. Their connections stayed open until PostgreSQL stopped under them, and the pg
 * client's `Connection terminated unexpectedly` ended the process with exit 1 (about one
 * Ctrl-C in four on a loaded machine). Shown on the PostgreSQL backend, the embedded default.
 */
describe('shutdown during the scheduler upsert', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ queueBackend: 'postgres' });
  });
  afterAll(async () => {
    await t.close();
  });

  /** Job schedulers upserted so far (the PostgreSQL backend keeps them in bullmq.scheduler). */
  const schedulerRows = async () => {
    // As the owner, like the queue backend itself: the app's role (opcc_app) has no rights
    // on the bullmq schema.
    const owner = postgres(t.databaseUrl, { max: 1, onnotice: () => undefined });
    try {
      const [row] = await owner<{ n: number }[]>`select count(*)::int as n from bullmq.scheduler`;
      return row!.n;
    } finally {
      await owner.end();
    }
  };

  it('stopping the runner while schedulers are upserted ends the upsert: no queue is made once the backend closed', async () => {
    const queues = createQueueBackend({
      databaseUrl: t.databaseUrl,
      prefix: `s${randomBytes(4).toString('hex')}`,
    });
    const runner = await startWorkers({
      db: t.db,
      queues,
      services: t.app.services,
      clock: t.clock,
      log: () => undefined,
      relayPaused: true,
    });
    let upserted = false;
    void runner.schedulersUpserted.then(() => (upserted = true));
    // The signal comes while the first schedulers are being upserted.
    await runner.stop(2000);
    // stop() returns only once the upsert has ended (the old loop went on alone).
    await new Promise((r) => setImmediate(r));
    expect(upserted).toBe(true);
    await queues.close();
    expect(() => queues.queue('sla-scan')).toThrow(QueueBackendClosedError);
    const atClose = await schedulerRows();
    expect(atClose).toBeLessThan(schedules.length);
    // The old loop went on through every schedule after the close, one new queue (and
    // connection pool) each: nothing more may be upserted. Real time on purpose: a negative
    // check, long enough for that loop to have made several more.
    await new Promise((r) => setTimeout(r, 3000));
    expect(await schedulerRows()).toBe(atClose);
  });
});
