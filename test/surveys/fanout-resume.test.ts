import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/fixture.js';
import { bearer } from '../helpers/auth.js';
import { CountingSmtpSink } from '../helpers/counting-smtp-sink.js';
import { createSurvey, forkWorkerChild, managerToken, seedAudience } from './helpers.js';

/**
 * §10 S3: 10,000 invitations are 20 fan-out chunks of 500. The worker process is SIGKILLed
 * once the 4th chunk has committed (its invite jobs held, so no mail is in flight); the
 * restarted worker resumes the fan-out at the saved cursor and everyone gets one email.
 */
const N = 10_000;
let sink: CountingSmtpSink;
let child: ChildProcess | undefined;
let waveId: string;
let afterKill: { cursor: number; fanned_out_at: Date | null; fourth: number; jobs: number };

const t = useTestApp({
  before: async () => {
    sink = await new CountingSmtpSink({ keepRaw: false }).start();
    return { config: { smtpUrl: sink.url } };
  },
  after: () => sink.stop(),
});
beforeAll(async () => {
  const token = await managerToken(t);
  const surveyId = await createSurvey(t, token, { closesAt: '2030-12-31T23:59:00Z' });
  const audience = await seedAudience(t, N, 's3');
  const invited = await t.app.inject({
    method: 'POST',
    url: `/api/surveys/${surveyId}/invitations`,
    headers: bearer(token),
    payload: { listId: audience.listId },
  });
  expect(invited.json()).toMatchObject({ queued: N });
  waveId = invited.json<{ waveId: string }>().waveId;
  const smtp = `${sink.url}?pool=true&maxConnections=2`;

  const first = forkWorkerChild(t, smtp, { KILL_AFTER_CHUNKS: '4', HOLD_INVITES: '1' });
  child = first.proc;
  expect(await first.exited).toBe('SIGKILL');
  const [wave] = await t.db.sql<{ cursor: number; fanned_out_at: Date | null }[]>`
    select cursor, fanned_out_at from survey_waves where id = ${waveId}`;
  const [fourth] = await t.db.sql<{ id: number }[]>`
    select id::int as id from survey_deliveries where wave_id = ${waveId} order by id offset 1999 limit 1`;
  const jobs = await t.queues.queue('survey-invite').getJobCountByTypes('wait', 'active');
  afterKill = { ...wave!, fourth: fourth!.id, jobs };

  const second = forkWorkerChild(t, smtp, { CHILD_CONCURRENCY: '8' });
  child = second.proc;
  await sink.waitFor(() => sink.mails.length >= N, 600_000, `${N} emails`);
}, 900_000);

afterAll(() => {
  child?.kill('SIGKILL');
});

describe('S3: the fan-out killed after 4 of 20 chunks', () => {
  it('had saved its cursor at the 2,000th delivery, with 40 batch jobs published and no mail sent', () => {
    expect(afterKill).toEqual({
      cursor: afterKill.fourth,
      fanned_out_at: null,
      fourth: afterKill.fourth,
      jobs: 40,
    });
    expect(afterKill.fourth).toBeGreaterThan(0);
  });

  it('resumed at the cursor: the restarted fan-out published the other 8,000 only', async () => {
    const [wave] = await t.queues.queue('survey-send-wave').getJobs(['completed']);
    expect(wave?.returnvalue).toEqual({ published: N - 2000 });
    const [row] = await t.db.sql<{ fanned: boolean }[]>`
      select fanned_out_at is not null as fanned from survey_waves where id = ${waveId}`;
    expect(row!.fanned).toBe(true);
  });

  it('every contact got exactly one email', async () => {
    expect(sink.mails).toHaveLength(N);
    expect(sink.byRecipient().size).toBe(N);
    expect(sink.distinctMessageIds()).toBe(N);
  });
});
