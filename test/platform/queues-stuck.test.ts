import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { loadConfig } from '../../server/config.js';
import { outboxReconcileJob } from '../../workers/jobs/outbox-reconcile.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { createUser, signInPage } from '../helpers/auth.js';

/**
 * OUTBOX_RELAY_PAUSED (reliability §8: the first start after a restore holds the outbox
 * for an admin to review) and the stuck work /admin/queues shows (§7).
 */
describe('OUTBOX_RELAY_PAUSED', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ config: { outboxRelayPaused: true } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('is read as true or false and refuses anything else by name', () => {
    expect(loadConfig({ NODE_ENV: 'test' }).outboxRelayPaused).toBe(false);
    expect(loadConfig({ NODE_ENV: 'test', OUTBOX_RELAY_PAUSED: 'true' }).outboxRelayPaused).toBe(
      true,
    );
    expect(() => loadConfig({ NODE_ENV: 'test', OUTBOX_RELAY_PAUSED: 'yes' })).toThrow(
      /OUTBOX_RELAY_PAUSED must be true or false/,
    );
  });

  it('holds outbox rows while set (relay and reconciler), says so to admins, and hands them on once unset', async () => {
    await t.db.db.transaction((tx) =>
      t.app.services.mail.queue(tx, { to: 'held@example.org', subject: 'Held', text: 'x' }),
    );
    const paused = await t.startWorkers({ relayPaused: t.config.outboxRelayPaused });
    expect(paused.relay.paused).toBe(true);
    // Longer than the relay's 1 s poll: a running relay would have published by now. Real
    // time on purpose: a negative check, that nothing publishes within that time.
    await new Promise((r) => setTimeout(r, 1500));
    const [held] = await t.db.sql<{ published_at: Date | null }[]>`select published_at from outbox`;
    expect(held!.published_at).toBeNull();
    // The reconciler hands nothing on either (a restored row may have gone already).
    const ctx = {
      db: t.db.db,
      services: t.app.services,
      queues: t.queues,
      clock: t.clock,
      log: () => undefined,
      outboxPaused: true,
    };
    expect(await outboxReconcileJob.process({}, ctx)).toBe(0);

    const admin = await createUser(t.app, 'admin');
    const page = await (await signInPage(t.app, admin)).get('/admin/queues');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('The outbox relay is paused (OUTBOX_RELAY_PAUSED=true)');
    await paused.stop(2000);

    await t.startWorkers({ relayPaused: false });
    await expect.poll(() => t.sink.messages.length, { timeout: 20_000 }).toBe(1);
  });
});

describe('stuck work on /admin/queues', () => {
  let t: TestApp;
  // A minute ahead of the real time (set again just before the page is read): a job
  // BullMQ started just now has run past its 30 s lock by this clock.
  let now = new Date(Date.now() + 60_000);
  beforeAll(async () => {
    t = await buildTestApp({ now: now.toISOString() });
  });
  afterAll(async () => {
    await t.close();
  });

  const stuckFigures = (html: string) =>
    [...html.matchAll(/data-stuck="(\d)">(\d+)</g)].map((m) => Number(m[2]));

  it('shows nothing stuck on a quiet system', async () => {
    const admin = await createUser(t.app, 'admin');
    const page = await (await signInPage(t.app, admin)).get('/admin/queues');
    expect(page.body).toContain('Nothing is stuck.');
    expect(stuckFigures(page.body)).toEqual([0, 0, 0, 0, 0]);
  });

  it.skipIf(!inject('redisUrl'))(
    'counts old unpublished and unprocessed outbox rows, long sends, jobs past their lock and failed jobs',
    async () => {
      now = new Date(Date.now() + 60_000);
      t.clock.set(now);
      const minutesAgo = (m: number) => new Date(now.getTime() - m * 60_000).toISOString();
      await t.db.sql`insert into outbox (topic, payload, created_at) values
        ('sla-scan', '{}', ${minutesAgo(6)}::timestamptz), ('sla-scan', '{}', ${minutesAgo(1)}::timestamptz)`;
      await t.db.sql`insert into outbox (topic, payload, created_at, published_at) values
        ('sla-scan', '{}', ${minutesAgo(20)}::timestamptz, ${minutesAgo(11)}::timestamptz)`;
      const emailId = await t.db.db.transaction((tx) =>
        t.app.services.mail.queue(tx, { to: 'slow@example.org', subject: 'Slow', text: 'x' }),
      );
      await t.db
        .sql`update email_messages set status = 'sending', last_attempt_at = ${minutesAgo(11)}::timestamptz
        where id = ${emailId}`;
      // One job that fails for good, one held running.
      const failing = t.queues.queue('holiday-refresh');
      await failing.add('holiday-refresh', {}, { jobId: 'hr-stuck', attempts: 1 });
      const failer = t.queues.worker('holiday-refresh', () => {
        throw new Error('GOV.UK did not answer');
      });
      await expect.poll(() => failing.getJobCountByTypes('failed'), { timeout: 20_000 }).toBe(1);
      await failer.close();
      let release: () => void = () => undefined;
      const hold = new Promise<void>((resolve) => (release = resolve));
      const running = t.queues.queue('mail-poll');
      await running.add('mail-poll', {}, { jobId: 'mp-stuck' });
      const holder = t.queues.worker('mail-poll', () => hold);
      await expect.poll(() => running.getJobCountByTypes('active'), { timeout: 20_000 }).toBe(1);

      const admin = await createUser(t.app, 'admin');
      const session = await signInPage(t.app, admin);
      // However slow the machine, the job started before this instant minus a minute.
      t.clock.set(new Date(Date.now() + 60_000));
      const page = await session.get('/admin/queues');
      release();
      await holder.close();
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('Some work is stuck');
      expect(stuckFigures(page.body)).toEqual([1, 1, 1, 1, 1]);
    },
  );
});
