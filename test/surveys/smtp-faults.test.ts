import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { bearer } from '../helpers/auth.js';
import { CountingSmtpSink } from '../helpers/counting-smtp-sink.js';
import { createSurvey, deliveriesSettled, managerToken, seedAudience } from './helpers.js';

/**
 * §10 S5: the relay answers 421 to the next 200 messages, 450 twice to one address and
 * 550 5.1.1 to three. Throttles pause the worker without using an attempt; the 450 address
 * is retried with backoff and delivered; the three are failed and suppressed; the wave
 * completes. Batches of 50 (no limit), so a throttle in the middle of a batch is covered.
 */
const N = 300;
let t: TestApp;
let sink: CountingSmtpSink;
let token: string;
let surveyId: string;
let emails: string[];
const DEAD = ['dead-1@example.org', 'dead-2@example.org', 'dead-3@example.org'];

beforeAll(async () => {
  sink = await new CountingSmtpSink({ keepRaw: false }).start();
  t = await buildTestApp({
    config: {
      smtpUrl: sink.url,
      logLevel: 'error',
      surveySend: {
        limit: null,
        concurrency: 4,
        retryDelayMs: 100,
        leaseMs: 5000,
        throttlePauseMs: 20,
        batchSize: 50,
      },
    },
  });
  token = await managerToken(t);
  surveyId = await createSurvey(t, token);
  const audience = await seedAudience(t, N, 's5');
  emails = audience.contacts.map((c) => c.email);
  for (const [i, address] of DEAD.entries())
    await t.db.sql`update contacts set email = ${address}, email_norm = ${address}
                   where id = ${audience.contacts[i]!.id}`;
  emails = emails.slice(DEAD.length);
  for (const address of DEAD) sink.failAddress(address, 550, '5.1.1 User unknown');
  sink.failAddress(emails[0]!, 450, '4.2.1 Mailbox busy, try again later', 2);
  sink.failNext(200, 421, '4.7.0 Too many messages, slow down');
  const invited = await t.app.inject({
    method: 'POST',
    url: `/api/surveys/${surveyId}/invitations`,
    headers: bearer(token),
    payload: { listId: audience.listId },
  });
  expect(invited.json()).toMatchObject({ queued: N });
  await t.startWorkers();
  await sink.waitFor(() => sink.mails.length >= N - DEAD.length, 240_000, 'every email');
  // The wave is complete once nothing is queued, retrying or being sent.
  await deliveriesSettled(t, 20_000);
}, 300_000);
afterAll(async () => {
  await t.close();
  await sink.stop();
});

describe('S5: throttling, temporary and permanent SMTP failures', () => {
  it('200 × 421 paused sending without using attempts: no job failed, every mail went once', async () => {
    expect(sink.refused.get(421)).toBe(200);
    const counts = sink.byRecipient();
    expect(emails.filter((e) => counts.get(e) !== 1)).toEqual([]);
    expect(sink.mails).toHaveLength(N - DEAD.length);
    expect(sink.distinctMessageIds()).toBe(N - DEAD.length);
    const queue = t.queues.queue('survey-invite');
    expect(await queue.getJobs(['failed'])).toEqual([]);
    const done = await queue.getJobs(['completed']);
    expect(done).toHaveLength(N / 50);
    // attempts: 8 per job, yet 200 throttles spread over 6 jobs: none of them counted.
    // Only the job with the 450 address was retried (twice, with backoff).
    expect(done.map((j) => j.attemptsMade).sort()).toEqual([1, 1, 1, 1, 1, 3]);
  });

  it('the 450 address was retried with backoff and delivered', async () => {
    expect(sink.refused.get(450)).toBe(2);
    expect(sink.byRecipient().get(emails[0]!)).toBe(1);
    const [row] = await t.db.sql<{ state: string }[]>`
      select d.state from survey_deliveries d join survey_invitations i on i.id = d.invitation_id
      join contacts c on c.id = i.contact_id where c.email = ${emails[0]!}`;
    expect(row!.state).toBe('sent');
  });

  it('the three 550 5.1.1 addresses were tried once each, failed and suppressed', async () => {
    expect(sink.refused.get(550)).toBe(3);
    const rows = await t.db.sql<{ email: string; state: string }[]>`
      select c.email, d.state from survey_deliveries d join survey_invitations i on i.id = d.invitation_id
      join contacts c on c.id = i.contact_id where d.state <> 'sent' order by c.email`;
    expect(rows).toEqual(DEAD.map((email) => ({ email, state: 'failed' })));
    for (const address of DEAD) {
      const hmac = t.app.services.surveys.tokens.addressHmac(address);
      const [s] = await t.db
        .sql`select reason from email_suppressions where address_hmac = ${hmac}`;
      expect(s?.reason).toBe('hard_bounce');
    }
  });

  it('the wave completed: nothing queued, retrying or being sent; progress adds up', async () => {
    const progress = await t.app.inject({
      method: 'GET',
      url: `/api/surveys/${surveyId}/progress`,
      headers: bearer(token),
    });
    expect(progress.json()).toMatchObject({
      invited: N,
      queued: 0,
      sending: 0,
      sent: N - DEAD.length,
      failed: DEAD.length,
    });
  });
});
