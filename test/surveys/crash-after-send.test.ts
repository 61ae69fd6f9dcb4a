import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { bearer } from '../helpers/auth.js';
import { CountingSmtpSink } from '../helpers/counting-smtp-sink.js';
import {
  createSurvey,
  deliveriesSettled,
  forkWorkerChild,
  managerToken,
  seedAudience,
} from './helpers.js';

/**
 * §10 S2: 10,000 invitations; the worker (concurrency 1) is SIGKILLed right after the
 * relay's 250 for its 3,000th mail, before the commit. The restarted worker finds that
 * delivery `sending` past its lease and sends it again with the same Message-ID: the sink
 * sees 10,001 mails and 10,000 distinct Message-IDs, and the repeat is logged.
 */
const N = 10_000;
let t: TestApp;
let sink: CountingSmtpSink;
let child: ChildProcess | undefined;
let log = '';

beforeAll(async () => {
  sink = await new CountingSmtpSink({ keepRaw: false }).start();
  t = await buildTestApp({ config: { smtpUrl: sink.url } });
  const token = await managerToken(t);
  const surveyId = await createSurvey(t, token, { closesAt: '2030-12-31T23:59:00Z' });
  const audience = await seedAudience(t, N, 's2');
  const invited = await t.app.inject({
    method: 'POST',
    url: `/api/surveys/${surveyId}/invitations`,
    headers: bearer(token),
    payload: { listId: audience.listId },
  });
  expect(invited.json()).toMatchObject({ queued: N });
  const smtp = `${sink.url}?pool=true&maxConnections=1`;

  const first = forkWorkerChild(t, smtp, { KILL_AFTER_SEND: '3000' });
  child = first.proc;
  expect(await first.exited).toBe('SIGKILL');
  expect(sink.mails).toHaveLength(3000);
  const second = forkWorkerChild(
    t,
    smtp,
    { CHILD_CONCURRENCY: '8', CHILD_LOG: '1' },
    { pipe: true },
  );
  child = second.proc;
  await sink.waitFor(() => sink.mails.length >= N + 1, 600_000, `${N + 1} emails`);
  // Every delivery settled (sent, or failed for good): nothing is left to send.
  await deliveriesSettled(t, 60_000);
  log = second.output();
}, 900_000);

afterAll(async () => {
  child?.kill('SIGKILL');
  await t.close();
  await sink.stop();
});

describe('S2: SIGKILL after the 250, before the commit', () => {
  it('10,001 mails at the sink, 10,000 distinct Message-IDs: one contact got the same mail twice', async () => {
    expect(sink.mails).toHaveLength(N + 1);
    expect(sink.distinctMessageIds()).toBe(N);
    const twice = [...sink.byRecipient()].filter(([, n]) => n > 1);
    expect(twice).toHaveLength(1);
    expect(twice[0]![1]).toBe(2);
    const [sent] = await t.db.sql<{ n: number }[]>`
      select count(*)::int as n from survey_deliveries where state = 'sent'`;
    expect(sent!.n).toBe(N);
  });

  it('the repeat is logged with its delivery id', async () => {
    const [address] = [...sink.byRecipient()].find(([, count]) => count > 1)!;
    const [row] = await t.db.sql<{ id: number }[]>`
      select d.id::int as id from survey_deliveries d join survey_invitations i on i.id = d.invitation_id
      join contacts c on c.id = i.contact_id where c.email = ${address}`;
    const line = log.split('\n').find((l) => l.includes('re-sent after their sender died'));
    expect(line, log.slice(0, 2000)).toBeDefined();
    expect(line!.split(/[ ,]+/)).toContain(String(row!.id));
  });
});
