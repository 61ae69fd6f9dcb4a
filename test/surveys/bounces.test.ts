import { beforeAll, describe, expect, it } from 'vitest';
import { schedules } from '../../workers/jobs/index.js';
import { bouncePollJob, drainBounces } from '../../workers/jobs/bounce-poll.js';
import type { JobContext } from '../../workers/jobs/types.js';
import { useTestApp } from '../helpers/fixture.js';
import { bearer } from '../helpers/auth.js';
import { CountingSmtpSink } from '../helpers/counting-smtp-sink.js';
import { FakeImapServer } from '../intake/imap-fake.js';
import { createSurvey, managerToken, seedAudience } from './helpers.js';

/**
 * §10 S9 and §6: bounce-poll reads DSNs (RFC 3464) from the bounce mailbox. A valid VERP
 * HMAC with Status 5.x.x: `bounced` and suppressed; a forged HMAC: dropped and counted;
 * 4.x.x: noted only. Over real IMAP (imapflow against the in-process server).
 */
let sink: CountingSmtpSink;
let imap: FakeImapServer;
let verp: Map<string, { from: string; deliveryId: number }>;

const t = useTestApp({
  before: async () => {
    sink = await new CountingSmtpSink().start();
    imap = await new FakeImapServer('bounces', 'secret').start();
    return { config: { smtpUrl: sink.url, bounceImapUrl: imap.url } };
  },
  after: async () => {
    await imap.stop();
    await sink.stop();
  },
});
beforeAll(async () => {
  const token = await managerToken(t);
  const surveyId = await createSurvey(t, token);
  const audience = await seedAudience(t, 4, 'dsn');
  const invited = await t.app.inject({
    method: 'POST',
    url: `/api/surveys/${surveyId}/invitations`,
    headers: bearer(token),
    payload: { listId: audience.listId },
  });
  expect(invited.statusCode).toBe(202);
  const ids = await t.db.sql<{ id: number }[]>`select id::int as id from survey_deliveries`;
  for (const { id } of ids) await t.app.services.surveys.sending.deliver(id);
  verp = new Map(
    sink.mails.map((m) => [
      m.to,
      { from: m.from, deliveryId: Number(/\+(\d+)\./.exec(m.from)![1]) },
    ]),
  );
});

/** A DSN as Postfix writes it: multipart/report with a message/delivery-status part. */
function dsn(to: string, recipient: string, status: string) {
  return [
    'From: Mail Delivery System <MAILER-DAEMON@mx.example.net>',
    `To: ${to}`,
    'Subject: Undelivered Mail Returned to Sender',
    'Auto-Submitted: auto-replied',
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=delivery-status; boundary="DSN-B"',
    '',
    '--DSN-B',
    'Content-Type: text/plain; charset=us-ascii',
    '',
    // The human-readable part says otherwise: only the delivery-status part counts.
    'Status: 2.0.0 (this line is prose, not the report)',
    '',
    '--DSN-B',
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mx.example.net',
    '',
    `Final-Recipient: rfc822; ${recipient}`,
    `Action: ${status.startsWith('5') ? 'failed' : 'delayed'}`,
    `Status: ${status}`,
    '',
    '--DSN-B',
    'Content-Type: text/rfc822-headers',
    '',
    'Subject: Policing priorities: have your say',
    '',
    '--DSN-B--',
    '',
  ].join('\r\n');
}

async function delivery(id: number) {
  const [row] = await t.db.sql<{ state: string; error: string | null }[]>`
    select state, error from survey_deliveries where id = ${id}`;
  return row!;
}
async function suppressed(address: string) {
  const hmac = t.app.services.surveys.tokens.addressHmac(address);
  const rows = await t.db.sql<{ reason: string }[]>`
    select reason from email_suppressions where address_hmac = ${hmac}`;
  return rows[0]?.reason;
}
const ctx = () => ({ services: t.app.services, log: () => undefined }) as unknown as JobContext;

describe('S9: bounce-poll over IMAP', () => {
  it('a 5.1.1 DSN to a VERP address: bounced and suppressed; a forged HMAC: ignored and counted', async () => {
    expect(verp.size).toBe(4);
    const [a, b] = [...verp.keys()].sort();
    const hard = verp.get(a!)!;
    const victim = verp.get(b!)!;
    // Forged: a real delivery id with a made-up tag (as anyone mailing the address could).
    const forgedTo = victim.from.replace(
      /\.([0-9a-f]{8})@/,
      (_m, tag: string) => `.${tag === '00000000' ? '11111111' : '00000000'}@`,
    );
    imap.deliver(dsn(hard.from, a!, '5.1.1'));
    imap.deliver(dsn(forgedTo, b!, '5.1.1'));
    imap.deliver(
      'From: someone@example.net\r\nTo: bounces@bounces.example\r\nSubject: hi\r\n\r\nhello\r\n',
    );

    expect(await bouncePollJob.process({}, ctx())).toEqual({
      fetched: 3,
      bounced: 1,
      delayed: 0,
      forged: 1,
      unrelated: 1,
      failed: 0,
    });
    expect(await delivery(hard.deliveryId)).toEqual({ state: 'bounced', error: 'DSN 5.1.1' });
    expect(await suppressed(a!)).toBe('hard_bounce');
    expect(await delivery(victim.deliveryId)).toEqual({ state: 'sent', error: null });
    expect(await suppressed(b!)).toBeUndefined();
    // Every message handled left INBOX for Processed.
    expect(imap.folders.get('INBOX')).toHaveLength(0);
    expect(imap.folders.get('Processed')).toHaveLength(3);

    // The same report again (a crash before the move): nothing changes.
    imap.deliver(dsn(hard.from, a!, '5.1.1'));
    expect(await bouncePollJob.process({}, ctx())).toMatchObject({ fetched: 1, bounced: 1 });
    const [count] = await t.db.sql<
      { n: number }[]
    >`select count(*)::int as n from email_suppressions`;
    expect(count!.n).toBe(1);
  });

  it('a 4.x.x DSN is noted on the delivery; nothing is suppressed', async () => {
    const [, , c] = [...verp.keys()].sort();
    const soft = verp.get(c!)!;
    imap.deliver(dsn(soft.from, c!, '4.2.2'));
    expect(await bouncePollJob.process({}, ctx())).toMatchObject({ fetched: 1, delayed: 1 });
    expect(await delivery(soft.deliveryId)).toEqual({ state: 'sent', error: 'DSN 4.2.2' });
    expect(await suppressed(c!)).toBeUndefined();
  });

  it('a 5.7.x (policy) DSN fails the delivery without suppressing the address', async () => {
    const [, , , d] = [...verp.keys()].sort();
    const policy = verp.get(d!)!;
    const mailbox = {
      unseen: async () => [1],
      fetch: async () => ({ source: Buffer.from(dsn(policy.from, d!, '5.7.1')) }),
      moveToProcessed: async () => undefined,
      close: async () => undefined,
    };
    const summary = await drainBounces(mailbox, t.app.services.surveys.processBounce);
    expect(summary.bounced).toBe(1);
    expect((await delivery(policy.deliveryId)).state).toBe('bounced');
    expect(await suppressed(d!)).toBeUndefined();
  });

  it('is scheduled every 5 minutes only where BOUNCE_IMAP_URL is set', async () => {
    const entry = schedules.find((s) => s.job === 'bounce-poll')!;
    expect(entry.every).toBe(5 * 60_000);
    expect(entry.enabled!(t.app.services)).toBe(true);
    const without = {
      ...t.app.services,
      surveys: { ...t.app.services.surveys, bounceImapUrl: undefined },
    };
    expect(entry.enabled!(without)).toBe(false);
    expect(await bouncePollJob.process({}, { ...ctx(), services: without })).toEqual({
      skipped: 'BOUNCE_IMAP_URL is not set',
    });
  });
});
