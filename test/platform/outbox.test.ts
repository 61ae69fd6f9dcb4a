import { afterEach, describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/fixture.js';
import { claimUnpublished, markPublished, publishRows } from '../../workers/relay.js';
import { jobIds } from '../../workers/queues.js';
import type { WorkerRunner } from '../../workers/runner.js';

const t = useTestApp();

// Each test that needs workers starts its own and stops them: no test relies on another's.
let runner: WorkerRunner | undefined;
const startWorkers = async () => (runner = await t.startWorkers());
afterEach(async () => {
  await runner?.stop(2000);
  runner = undefined;
});

const queueEmail = (to: string, subject = 'Hello') =>
  t.db.db.transaction((tx) => t.app.services.mail.queue(tx, { to, subject, text: 'Body text' }));

const emailStatus = async (id: string) =>
  (await t.db.sql`select status from email_messages where id = ${id}`)[0]!.status as string;

/** Jobs of the email queue still to run (waiting, retrying or running). */
const emailJobsLeft = async () => {
  const counts = await t.queues
    .queue('email')
    .getJobCounts('waiting', 'delayed', 'active', 'prioritized');
  return Object.values(counts).reduce((a, b) => a + b, 0);
};

describe('transactional outbox', () => {
  it('leaves no email row, no outbox row and no job when the transaction throws after the insert', async () => {
    const [{ n: before }] = (await t.db.sql`select count(*)::int as n from outbox`) as unknown as [
      { n: number },
    ];
    await expect(
      t.db.db.transaction(async (tx) => {
        await t.app.services.mail.queue(tx, {
          to: 'ghost@example.org',
          subject: 'Never',
          text: 'Never sent',
        });
        throw new Error('service failed after the outbox insert');
      }),
    ).rejects.toThrow('service failed');
    const [{ n: after }] = (await t.db.sql`select count(*)::int as n from outbox`) as unknown as [
      { n: number },
    ];
    expect(after).toBe(before);
    expect(
      await t.db.sql`select 1 from email_messages where "to" = 'ghost@example.org'`,
    ).toHaveLength(0);
    expect(await t.relay()).toBe(0);
    const counts = await t.queues
      .queue('email')
      .getJobCounts('waiting', 'delayed', 'active', 'completed');
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(0);
  });

  it('re-publishes once when the relay dies between publish and mark, and one email arrives', async () => {
    const emailId = await queueEmail('once@example.org', 'Exactly once');
    // First relay: publishes the job, then "dies" before marking the row (transaction aborted).
    await expect(
      t.db.db.transaction(async (tx) => {
        const rows = await claimUnpublished(tx);
        expect(rows).toHaveLength(1);
        await publishRows(t.queues, rows);
        throw new Error('relay killed before markPublished');
      }),
    ).rejects.toThrow('relay killed');
    const [row] = await t.db.sql`select id, published_at from outbox order by id desc limit 1`;
    expect(row!.published_at).toBeNull();
    // The restarted relay publishes the same row again under the same jobId.
    await t.db.db.transaction(async (tx) => {
      const rows = await claimUnpublished(tx);
      expect(rows.map((r) => r.id)).toEqual([Number(row!.id)]);
      await publishRows(t.queues, rows);
      await markPublished(
        tx,
        rows.map((r) => r.id),
        t.clock.now(),
      );
    });
    const job = await t.queues.queue('email').getJob(jobIds.outbox(Number(row!.id)));
    expect(job?.data).toEqual({ emailId });
    const counts = await t.queues.queue('email').getJobCounts('waiting', 'prioritized');
    expect((counts.waiting ?? 0) + (counts.prioritized ?? 0)).toBe(1);

    await startWorkers();
    await t.sink.waitFor(1);
    await expect
      .poll(
        async () =>
          (await t.db.sql`select processed_at from outbox where id = ${row!.id}`)[0]!.processed_at,
        { timeout: 10_000, interval: 50 },
      )
      .not.toBeNull();
    const delivered = t.sink.messages.filter((m) => m.envelopeTo.includes('once@example.org'));
    expect(delivered).toHaveLength(1);
    expect(delivered[0]!.parsed.subject).toBe('Exactly once');
    const [email] = await t.db
      .sql`select status, attempts, message_id from email_messages where id = ${emailId}`;
    expect(email).toMatchObject({ status: 'sent', attempts: 1 });
    expect(delivered[0]!.messageId).toBe(`<${email!.message_id}>`);
    // Running the send again (a duplicated or retried job) sends nothing more.
    expect(await t.app.services.mail.send(emailId)).toBe('already-sent');
    expect(t.sink.messages.filter((m) => m.envelopeTo.includes('once@example.org'))).toHaveLength(
      1,
    );
  });

  it('retries a temporary SMTP failure and sends exactly once', async () => {
    await startWorkers();
    t.sink.failNext(451);
    const emailId = await queueEmail('retry@example.org', 'Retried');
    await expect.poll(() => emailStatus(emailId), { timeout: 15_000, interval: 50 }).toBe('sent');
    const [email] = await t.db.sql`select attempts from email_messages where id = ${emailId}`;
    expect(email!.attempts).toBe(2);
    expect(t.sink.messages.filter((m) => m.envelopeTo.includes('retry@example.org'))).toHaveLength(
      1,
    );
  });

  it('does not retry a permanent 5xx failure and shows it to admins', async () => {
    await startWorkers();
    t.sink.failNext(550);
    const emailId = await queueEmail('bounce@example.org', 'Permanent');
    await expect.poll(() => emailStatus(emailId), { timeout: 10_000, interval: 50 }).toBe('failed');
    // Not retried: the queue holds no job for it any more (none waiting, delayed or running).
    await expect.poll(emailJobsLeft, { timeout: 10_000, interval: 50 }).toBe(0);
    const [email] = await t.db
      .sql`select attempts, provider_response from email_messages where id = ${emailId}`;
    expect(email!.attempts).toBe(1);
    expect(String(email!.provider_response)).toMatch(/550/);
    expect(t.sink.messages.filter((m) => m.envelopeTo.includes('bounce@example.org'))).toHaveLength(
      0,
    );
    const failed = await t.app.services.mail.failed();
    expect(failed.map((f) => f.id)).toContain(emailId);
  });

  it('strips CR/LF from subjects so input cannot add headers', async () => {
    await startWorkers();
    const emailId = await queueEmail('headers@example.org', 'Hi\r\nBcc: victim@example.org');
    await expect.poll(() => emailStatus(emailId), { timeout: 10_000, interval: 50 }).toBe('sent');
    const message = t.sink.messages.find((m) => m.envelopeTo.includes('headers@example.org'))!;
    expect(message.envelopeTo).toEqual(['headers@example.org']);
    expect(message.parsed.headers.has('bcc')).toBe(false);
    expect(message.parsed.subject).toBe('Hi Bcc: victim@example.org');
  });
});
