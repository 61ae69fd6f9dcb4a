import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { claimUnpublished, markPublished, publishRows } from '../../workers/relay.js';
import { jobIds } from '../../workers/queues.js';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(async () => t.close());

const queueEmail = (to: string, subject = 'Hello') =>
  t.db.db.transaction((tx) => t.app.services.mail.queue(tx, { to, subject, text: 'Body text' }));

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

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

    await t.startWorkers();
    await t.sink.waitFor(1);
    await waitUntil(
      async () =>
        (await t.db.sql`select processed_at from outbox where id = ${row!.id}`)[0]!.processed_at !==
        null,
    );
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
    t.sink.failNext(451);
    const emailId = await queueEmail('retry@example.org', 'Retried');
    await waitUntil(
      async () =>
        (await t.db.sql`select status from email_messages where id = ${emailId}`)[0]!.status ===
        'sent',
      15_000,
    );
    const [email] = await t.db.sql`select attempts from email_messages where id = ${emailId}`;
    expect(email!.attempts).toBe(2);
    expect(t.sink.messages.filter((m) => m.envelopeTo.includes('retry@example.org'))).toHaveLength(
      1,
    );
  });

  it('does not retry a permanent 5xx failure and shows it to admins', async () => {
    t.sink.failNext(550);
    const emailId = await queueEmail('bounce@example.org', 'Permanent');
    await waitUntil(
      async () =>
        (await t.db.sql`select status from email_messages where id = ${emailId}`)[0]!.status ===
        'failed',
    );
    await new Promise((r) => setTimeout(r, 300));
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
    const emailId = await queueEmail('headers@example.org', 'Hi\r\nBcc: victim@example.org');
    await waitUntil(
      async () =>
        (await t.db.sql`select status from email_messages where id = ${emailId}`)[0]!.status ===
        'sent',
    );
    const message = t.sink.messages.find((m) => m.envelopeTo.includes('headers@example.org'))!;
    expect(message.envelopeTo).toEqual(['headers@example.org']);
    expect(message.parsed.headers.has('bcc')).toBe(false);
    expect(message.parsed.subject).toBe('Hi Bcc: victim@example.org');
  });
});
