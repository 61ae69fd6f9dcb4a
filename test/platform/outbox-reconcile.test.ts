import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/fixture.js';
import { jobIds } from '../../workers/queues.js';
import { reconcile } from '../../workers/relay.js';

/**
 * The reconciler re-drives rows published long ago and never processed, even where the job
 * still exists under the same id (a custom jobId swallows a second add while it exists).
 */
const t = useTestApp();
beforeAll(async () => {
  await t.startWorkers();
});

const ELEVEN_MINUTES = 11 * 60_000;

/** Waits for the workers to bring a state about (asserted with expect.poll, never slept for). */
const waitUntil = (check: () => Promise<boolean>) => expect.poll(check).toBe(true);

/** An email whose outbox row is already published, and its job added by hand with `attempts`. */
async function publishedEmail(to: string, attempts: number) {
  const { emailId, outboxId } = await t.db.db.transaction(async (tx) => {
    const id = await t.app.services.mail.queue(tx, { to, subject: 'Reconciled', text: 'Body' });
    const [row] = await tx.execute<{ id: string }>(
      // published in the same transaction, so the running relay never sees it unpublished
      sql`update outbox set published_at = ${t.clock.now().toISOString()}, attempts = 1 where payload->>'emailId' = ${id} returning id`,
    );
    return { emailId: id, outboxId: Number(row!.id) };
  });
  await t.queues
    .queue('email')
    .add('email', { emailId }, { jobId: jobIds.outbox(outboxId), attempts, backoff: undefined });
  return { emailId, outboxId };
}

const state = (outboxId: number) =>
  t.queues
    .queue('email')
    .getJob(jobIds.outbox(outboxId))
    .then((job) => job?.getState());
const emailRow = async (emailId: string) =>
  (await t.db.sql`select status, attempts from email_messages where id = ${emailId}`)[0]!;
const processedAt = async (outboxId: number) =>
  (await t.db.sql`select processed_at from outbox where id = ${outboxId}`)[0]!.processed_at;
const delivered = (to: string) => t.sink.messages.filter((m) => m.envelopeTo.includes(to));

describe('outbox reconciler', () => {
  it('resends an email whose job failed all its attempts, under the same job id', async () => {
    t.sink.failNext(451);
    const { emailId, outboxId } = await publishedEmail('failed-job@example.org', 1);
    await waitUntil(async () => (await state(outboxId)) === 'failed');
    expect(await emailRow(emailId)).toMatchObject({ status: 'sending', attempts: 1 });
    expect(await processedAt(outboxId)).toBeNull();

    const later = new Date(t.clock.now().getTime() + ELEVEN_MINUTES);
    expect(await reconcile(t.db.db, t.queues, later)).toBe(1);
    await waitUntil(async () => (await emailRow(emailId)).status === 'sent');
    await waitUntil(async () => (await processedAt(outboxId)) !== null);
    expect(delivered('failed-job@example.org')).toHaveLength(1);
    expect(await emailRow(emailId)).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('re-drives a row whose job completed without marking it, and sends nothing twice', async () => {
    const { emailId, outboxId } = await publishedEmail('completed-job@example.org', 3);
    await waitUntil(async () => (await processedAt(outboxId)) !== null);
    expect(await state(outboxId)).toBe('completed');
    await t.db.sql`update outbox set processed_at = null where id = ${outboxId}`;

    const later = new Date(t.clock.now().getTime() + ELEVEN_MINUTES);
    expect(await reconcile(t.db.db, t.queues, later)).toBe(1);
    await waitUntil(async () => (await processedAt(outboxId)) !== null);
    expect(await emailRow(emailId)).toMatchObject({ status: 'sent', attempts: 1 });
    expect(delivered('completed-job@example.org')).toHaveLength(1);
  });

  it('leaves a row alone while its job is still waiting or delayed, and recent rows alone', async () => {
    const { outboxId } = await t.db.db.transaction(async (tx) => {
      const id = await t.app.services.mail.queue(tx, {
        to: 'waiting@example.org',
        subject: 'Waiting',
        text: 'Body',
      });
      const [row] = await tx.execute<{ id: string }>(
        sql`update outbox set published_at = ${t.clock.now().toISOString()} where payload->>'emailId' = ${id} returning id`,
      );
      return { outboxId: Number(row!.id) };
    });
    await t.queues
      .queue('email')
      .add('email', { emailId: 'x' }, { jobId: jobIds.outbox(outboxId), delay: 3_600_000 });
    expect(await reconcile(t.db.db, t.queues, t.clock.now())).toBe(0);
    const later = new Date(t.clock.now().getTime() + ELEVEN_MINUTES);
    expect(await reconcile(t.db.db, t.queues, later)).toBe(0);
    expect(await state(outboxId)).toBe('delayed');
  });

  it('marks the row processed when the job fails permanently, so it is not driven again', async () => {
    t.sink.failNext(550);
    const { emailId, outboxId } = await publishedEmail('permanent@example.org', 3);
    await waitUntil(async () => (await state(outboxId)) === 'failed');
    expect((await emailRow(emailId)).status).toBe('failed');
    expect(await processedAt(outboxId)).not.toBeNull();
    const later = new Date(t.clock.now().getTime() + ELEVEN_MINUTES);
    expect(await reconcile(t.db.db, t.queues, later)).toBe(0);
  });
});
