import { fork, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { bearer } from '../helpers/auth.js';
import { CountingSmtpSink } from '../helpers/counting-smtp-sink.js';
import { createSurvey, deliveriesSettled, managerToken, seedAudience } from './helpers.js';

/**
 * docs/rules/surveys.md §10 S1 and S7: 10,000 invitations; the worker process (concurrency 1) is
 * SIGKILLed twice mid-run, each time right after a commit (the 3,000th, then 1,000 later),
 * and restarted. Every contact
 * gets exactly one email; unsubscribed contacts none; a 550 address is tried once.
 */
const N = 10_000;
const BAD = 'no-such-mailbox@example.org';
let t: TestApp;
let sink: CountingSmtpSink;
let surveyId: string;
let child: ChildProcess | undefined;
let unsubscribed: string[] = [];

function startChild(env: Record<string, string>) {
  const proc = fork(new URL('./fixtures/worker-child.ts', import.meta.url).pathname, [], {
    execArgv: ['--import', 'tsx'],
    env: {
      ...process.env,
      NODE_ENV: 'test',
      DATABASE_URL: t.databaseUrl,
      REDIS_URL: t.config.redisUrl!,
      QUEUE_PREFIX: t.config.queuePrefix,
      SMTP_URL: `${sink.url}?pool=true&maxConnections=1`,
      JWT_SECRET: t.config.jwtSecret,
      LOG_LEVEL: 'silent',
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  child = proc;
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
    proc.on('exit', (code, signal) => resolve(signal ?? code)),
  );
  return { proc, exited };
}

async function sentCount(): Promise<number> {
  const [row] = await t.db.sql<{ n: number }[]>`
    select count(*)::int as n from survey_deliveries where state = 'sent'`;
  return row!.n;
}

/** Deliveries with a final SMTP answer: sent, or refused for good (the 550 address can come
 *  up anywhere in the run, so the kill points count attempts, not successes). */
async function answeredCount(): Promise<number> {
  const [row] = await t.db.sql<{ n: number }[]>`
    select count(*)::int as n from survey_deliveries where state in ('sent', 'failed')`;
  return row!.n;
}

beforeAll(async () => {
  sink = await new CountingSmtpSink({ keepRaw: false }).start();
  t = await buildTestApp({ config: { smtpUrl: sink.url } });
  const token = await managerToken(t);
  surveyId = await createSurvey(t, token, { closesAt: '2030-12-31T23:59:00Z' });
  const audience = await seedAudience(t, N, 'crash');
  const gone = await seedAudience(t, 20, 'gone');
  await t.db.sql`update contact_consents set withdrawn_at = now()
                 where contact_id in ${t.db.sql(gone.contacts.map((c) => c.id))}`;
  const bad = await seedAudience(t, 1, 'bad');
  await t.db
    .sql`update contacts set email = ${BAD}, email_norm = ${BAD} where id = ${bad.contacts[0]!.id}`;
  await t.db.sql`insert into contact_list_members (list_id, contact_id)
                 select ${audience.listId}, contact_id from contact_list_members
                 where list_id in (${gone.listId}, ${bad.listId})`;
  unsubscribed = gone.contacts.map((c) => c.email);
  sink.failAddress(BAD, 550, '5.1.1 User unknown');
  const invited = await t.app.inject({
    method: 'POST',
    url: `/api/surveys/${surveyId}/invitations`,
    headers: bearer(token),
    payload: { listId: audience.listId },
  });
  expect(invited.json()).toMatchObject({ queued: N + 1 });

  // Run 1: killed just before its 3,001st send (after the 3,000th commit).
  const first = startChild({ KILL_BEFORE_SEND: '3001' });
  expect(await first.exited).toBe('SIGKILL');
  expect(await answeredCount()).toBe(3000);
  // Run 2: killed again after 1,000 more commits.
  const second = startChild({ KILL_BEFORE_SEND: '1001' });
  expect(await second.exited).toBe('SIGKILL');
  expect(await answeredCount()).toBe(4000);
  // Run 3: to the end, eight at a time (the crash points above needed one at a time).
  startChild({ CHILD_CONCURRENCY: '8' });
  await sink.waitFor(() => sink.mails.length >= N, 600_000, `${N} emails`);
  // Every delivery settled (sent, or failed for good): nothing is left to send.
  await deliveriesSettled(t, 60_000);
}, 900_000);

afterAll(async () => {
  child?.kill('SIGKILL');
  await t.close();
  await sink.stop();
});

describe('S1: 10,000 invitations, worker SIGKILLed twice', () => {
  it('every consenting contact got exactly one email: 10,000 deliveries, 10,000 Message-IDs', async () => {
    const counts = sink.byRecipient();
    expect(sink.mails).toHaveLength(N);
    expect(counts.size).toBe(N);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(sink.distinctMessageIds()).toBe(N);
    expect(await sentCount()).toBe(N);
  });

  it('unsubscribed contacts got none', () => {
    const counts = sink.byRecipient();
    expect(unsubscribed.filter((email) => counts.has(email))).toEqual([]);
  });

  it('the 550 address was tried once, failed and suppressed', async () => {
    expect(sink.refused.get(550)).toBe(1);
    // `attempts` counts claims: a batch a killed sender had claimed is claimed again, so the
    // sink's refusal count is the evidence of one try.
    const [row] = await t.db.sql<{ state: string }[]>`
      select d.state from survey_deliveries d
      join survey_invitations i on i.id = d.invitation_id join contacts c on c.id = i.contact_id
      where c.email = ${BAD}`;
    expect(row).toEqual({ state: 'failed' });
    const hmac = t.app.services.surveys.tokens.addressHmac(BAD);
    const [suppressed] = await t.db
      .sql`select reason from email_suppressions where address_hmac = ${hmac}`;
    expect(suppressed!.reason).toBe('hard_bounce');
  });

  it('S7: no address, name or answer in any Redis key or value', async () => {
    const redis = new Redis(t.config.redisUrl!);
    try {
      let cursor = '0';
      let keys = 0;
      const leaks: string[] = [];
      do {
        const [next, batch] = await redis.scan(
          cursor,
          'MATCH',
          `${t.config.queuePrefix}:*`,
          'COUNT',
          '1000',
        );
        cursor = next;
        for (const key of batch) {
          keys += 1;
          const type = await redis.type(key);
          const values =
            type === 'hash'
              ? Object.entries(await redis.hgetall(key)).flat()
              : type === 'list'
                ? await redis.lrange(key, '0', '-1')
                : type === 'zset'
                  ? await redis.zrange(key, '0', '-1')
                  : type === 'set'
                    ? await redis.smembers(key)
                    : type === 'string'
                      ? [(await redis.get(key)) ?? '']
                      : [];
          for (const text of [key, ...values])
            if (/@|Resident|example\.org/.test(text)) leaks.push(`${key}: ${text.slice(0, 120)}`);
        }
      } while (cursor !== '0');
      // One job per 50 deliveries (the limit is off): the scan saw all 200 of them.
      expect(keys).toBeGreaterThan(N / 50);
      expect(leaks).toEqual([]);
    } finally {
      redis.disconnect();
    }
  });
});
