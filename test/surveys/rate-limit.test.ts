import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/fixture.js';
import { bearer } from '../helpers/auth.js';
import { CountingSmtpSink } from '../helpers/counting-smtp-sink.js';
import { createSurvey, managerToken, seedAudience } from './helpers.js';

/**
 * §10 S6: limit 200 a second, 2,000 messages: no one-second window at the sink holds more
 * than 200. With a limit each job carries one delivery, so the BullMQ limiter counts mails.
 */
const N = 2000;
let sink: CountingSmtpSink;

const t = useTestApp({
  config: {
    logLevel: 'error',
    surveySend: {
      limit: { max: 200, duration: 1000 },
      concurrency: 10,
      retryDelayMs: 100,
      leaseMs: 5000,
      throttlePauseMs: 100,
      batchSize: 50,
    },
  },
  before: async () => {
    sink = await new CountingSmtpSink({ keepRaw: false }).start();
    return { config: { smtpUrl: `${sink.url}?pool=true&maxConnections=4` } };
  },
  after: () => sink.stop(),
});
beforeAll(async () => {
  const token = await managerToken(t);
  const surveyId = await createSurvey(t, token);
  const audience = await seedAudience(t, N, 's6');
  const invited = await t.app.inject({
    method: 'POST',
    url: `/api/surveys/${surveyId}/invitations`,
    headers: bearer(token),
    payload: { listId: audience.listId },
  });
  expect(invited.json()).toMatchObject({ queued: N });
  await t.startWorkers();
  await sink.waitFor(() => sink.mails.length >= N, 300_000, `${N} emails`);
}, 360_000);

describe('S6: the rate limit holds at the sink', () => {
  it('2,000 emails, one each, and no one-second window above 200', async () => {
    expect(sink.mails).toHaveLength(N);
    expect(sink.byRecipient().size).toBe(N);
    expect(await t.queues.queue('survey-invite').getJobCounts('completed')).toEqual({
      completed: N, // one delivery per job under a limit
    });
    const times = sink.mails.map((m) => m.at).sort((a, b) => a - b);
    let busiest = 0;
    for (let start = 0, end = 0; start < times.length; start += 1) {
      while (end < times.length && times[end]! < times[start]! + 1000) end += 1;
      busiest = Math.max(busiest, end - start);
    }
    expect(busiest).toBeLessThanOrEqual(200);
  });
});
