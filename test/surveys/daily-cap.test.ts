import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { bearer } from '../helpers/auth.js';
import { CountingSmtpSink } from '../helpers/counting-smtp-sink.js';
import { createSurvey, managerToken, seedAudience } from './helpers.js';

/**
 * §5.3: the processor enforces the daily cap (Exchange Online: 10,000 recipients a day).
 * Cap 5, 8 invitations: 5 go today; the other 3 jobs wait, unattempted, for the next
 * Europe/London day, then go.
 */
let t: TestApp;
let sink: CountingSmtpSink;

beforeAll(async () => {
  sink = await new CountingSmtpSink({ keepRaw: false }).start();
  t = await buildTestApp({
    config: {
      smtpUrl: sink.url,
      logLevel: 'error',
      surveySend: {
        limit: { max: 1000, duration: 1000 },
        concurrency: 1,
        retryDelayMs: 100,
        leaseMs: 5000,
        throttlePauseMs: 100,
        dailyCap: 5,
      },
    },
  });
  const token = await managerToken(t);
  const surveyId = await createSurvey(t, token);
  const audience = await seedAudience(t, 8, 'cap');
  const invited = await t.app.inject({
    method: 'POST',
    url: `/api/surveys/${surveyId}/invitations`,
    headers: bearer(token),
    payload: { listId: audience.listId },
  });
  expect(invited.json()).toMatchObject({ queued: 8 });
  await t.startWorkers();
}, 60_000);
afterAll(async () => {
  await t.close();
  await sink.stop();
});

describe('the daily sending cap', () => {
  it('sends 5 today and holds the other 3 until the next London day', async () => {
    const queue = t.queues.queue('survey-invite');
    await sink.waitFor(() => sink.mails.length >= 5, 60_000, '5 emails');
    await expect.poll(() => queue.getDelayedCount(), { timeout: 30_000 }).toBe(3);
    expect(await queue.getDelayedCount()).toBe(3);
    expect(sink.mails).toHaveLength(5);
    const delayed = await queue.getJobs(['delayed']);
    // Waiting is not failing: no attempt was used.
    expect(delayed.map((j) => j.attemptsMade)).toEqual([0, 0, 0]);
    const [held] = await t.db.sql<{ n: number }[]>`
      select count(*)::int as n from survey_deliveries where state = 'queued'`;
    expect(held!.n).toBe(3);

    t.clock.set('2026-11-24T00:05:00Z'); // 00:05 in London (GMT in November)
    for (const job of delayed) await job.promote();
    await sink.waitFor(() => sink.mails.length >= 8, 60_000, '8 emails');
    expect(sink.byRecipient().size).toBe(8);
  });
});
