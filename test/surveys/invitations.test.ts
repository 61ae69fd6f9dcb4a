import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { bearer } from '../helpers/auth.js';
import { CountingSmtpSink } from '../helpers/counting-smtp-sink.js';
import { createSurvey, managerToken, respond, seedAudience } from './helpers.js';

let t: TestApp;
let sink: CountingSmtpSink;
let token: string;
let surveyId: string;
let audience: Awaited<ReturnType<typeof seedAudience>>;
const BAD = 'nobody-here@example.org';
/** The contact S8 unsubscribes after wave 0: one who has not answered (S9 and S11 answer). */
let unsubscribedAfter: { id: string; email: string };

beforeAll(async () => {
  sink = await new CountingSmtpSink().start();
  t = await buildTestApp({
    config: {
      smtpUrl: sink.url,
      logLevel: 'error',
      surveySend: {
        limit: null,
        concurrency: 4,
        retryDelayMs: 100,
        leaseMs: 2000,
        throttlePauseMs: 300,
      },
    },
  });
  token = await managerToken(t);
  surveyId = await createSurvey(t, token, { anonymous: true });
  audience = await seedAudience(t, 40, 'inv');
  // One without consent, one unsubscribed earlier, one whose mailbox does not exist.
  const extra = await seedAudience(t, 1, 'noconsent', { consent: false });
  await t.db
    .sql`insert into contact_list_members (list_id, contact_id) values (${audience.listId}, ${extra.contacts[0]!.id})`;
  const bad = await seedAudience(t, 1, 'bad');
  await t.db
    .sql`update contacts set email = ${BAD}, email_norm = ${BAD} where id = ${bad.contacts[0]!.id}`;
  await t.db
    .sql`insert into contact_list_members (list_id, contact_id) values (${audience.listId}, ${bad.contacts[0]!.id})`;
  sink.failAddress(BAD, 550, '5.1.1 User unknown');
  const gone = audience.contacts[39]!;
  const unsubscribeToken = t.app.services.surveys.tokens.unsubscribe(gone.id, 'surveys');
  const off = await t.app.inject({
    method: 'POST',
    url: `/u/${unsubscribeToken}`,
    payload: 'List-Unsubscribe=One-Click',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  expect(off.statusCode, off.body).toBe(200);
  await t.startWorkers();
}, 120_000);
afterAll(async () => {
  await t.close();
  await sink.stop();
});

async function invite(body: Record<string, unknown>) {
  return t.app.inject({
    method: 'POST',
    url: `/api/surveys/${surveyId}/invitations`,
    headers: bearer(token),
    payload: body,
  });
}
async function progress() {
  const r = await t.app.inject({
    method: 'GET',
    url: `/api/surveys/${surveyId}/progress`,
    headers: bearer(token),
  });
  return r.json<Record<string, number>>();
}
/** The personal token in an email's text (parsed: the body may be quoted-printable). */
const tokenIn = async (raw: string) =>
  /\/consultations\/i\/([A-Za-z0-9_-]{43})/.exec((await simpleParser(raw)).text ?? '')![1]!;
const unfold = (raw: string) => raw.replace(/\r\n[ \t]+/g, ' ');
/**
 * What is still to happen to a wave: deliveries queued, retrying or mid-send, and send jobs
 * not yet finished. Both 0 once every email of it went (its `sent` row committed) or failed.
 */
async function unsettled() {
  const [open] = await t.db.sql<{ n: number }[]>`
    select count(*)::int as n from survey_deliveries where state in ('queued', 'retry', 'sending')`;
  const jobs = await t.queues
    .queue('survey-invite')
    .getJobCounts('waiting', 'active', 'delayed', 'prioritized');
  return { deliveries: open!.n, jobs: Object.values(jobs).reduce((sum, n) => sum + n, 0) };
}
const SETTLED = { deliveries: 0, jobs: 0 };

describe('Invitations (docs/rules/surveys.md §4-§6)', () => {
  it('S4: two presses at once make one wave 0 and one invitation per contact', async () => {
    const [a, b] = await Promise.all([
      invite({ listId: audience.listId }),
      invite({ listId: audience.listId }),
    ]);
    expect([a.statusCode, b.statusCode]).toEqual([202, 202]);
    expect(a.json().queued + b.json().queued).toBe(40); // 39 consenting + the 550 address
    const [waves] = await t.db.sql<
      { n: number }[]
    >`select count(*)::int as n from survey_waves where survey_id = ${surveyId}`;
    expect(waves!.n).toBe(1);
    const again = await invite({ contactIds: [audience.contacts[0]!.id] });
    expect(again.json().queued).toBe(0);
  });

  it('sends exactly one email to each consenting contact; none to the unsubscribed or unconsented', async () => {
    await sink.waitFor(() => sink.mails.length >= 39, 30_000, '39 emails');
    await expect.poll(unsettled).toEqual(SETTLED);
    const counts = sink.byRecipient();
    expect(sink.mails).toHaveLength(39);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(counts.has(audience.contacts[39]!.email)).toBe(false);
    expect(counts.has('noconsent-1@example.org')).toBe(false);
    expect(sink.distinctMessageIds()).toBe(39);
  });

  it('a 550 5.1.1 address is tried once, marked failed and suppressed', async () => {
    await sink.waitFor(() => (sink.refused.get(550) ?? 0) >= 1, 10_000, 'the 550');
    await expect.poll(unsettled).toEqual(SETTLED);
    expect(sink.refused.get(550)).toBe(1);
    const hmac = t.app.services.surveys.tokens.addressHmac(BAD);
    const [row] = await t.db.sql<
      { reason: string }[]
    >`select reason from email_suppressions where address_hmac = ${hmac}`;
    expect(row!.reason).toBe('hard_bounce');
    const p = await progress();
    expect(p).toMatchObject({
      invited: 40,
      sent: 39,
      failed: 1,
      queued: 0,
      sending: 0,
      answered: 0,
    });
  });

  it('each email: personal link, RFC 8058 headers, Message-ID per invitation and wave, VERP-free body', async () => {
    const raw = unfold(sink.mails[0]!.raw!);
    expect(raw).toMatch(/^List-Unsubscribe: <http[^>]+\/u\/[0-9a-f-]{36}\.[A-Za-z0-9_-]+>/m);
    expect(raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click/m);
    expect(sink.mails[0]!.messageId).toMatch(/^<inv-[0-9a-f-]{36}-w0@/);
    expect(await tokenIn(sink.mails[0]!.raw!)).toHaveLength(43);
  });

  it('a token answers once: 201, then 409; the anonymous response keeps no link to it', async () => {
    const personal = await tokenIn(sink.mails[1]!.raw!);
    const answers = { contact: 'online' };
    expect((await respond(t, surveyId, { token: personal, answers })).statusCode).toBe(201);
    const second = await respond(t, surveyId, { token: personal, answers });
    expect(second.statusCode).toBe(409);
    expect(second.json().error.code).toBe('surveys.already_responded');
    const rows = await t.db
      .sql`select * from survey_responses where survey_id = ${surveyId} and channel = 'invitation'`;
    expect(rows).toHaveLength(1);
    expect(rows[0]!.invitation_id).toBeNull();
    expect(rows[0]!.submitted_at).toBeNull();
    expect((await progress()).answered).toBe(1);
  });

  it('S11: one invitation submitted 20 times at once: one response, 19 "already responded"', async () => {
    const personal = await tokenIn(sink.mails[2]!.raw!);
    const statuses = await Promise.all(
      Array.from({ length: 20 }, () =>
        respond(t, surveyId, { token: personal, answers: { contact: 'phone' } }).then(
          (r) => r.statusCode,
        ),
      ),
    );
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);
  });

  it('a token of another survey, or a made-up one, is refused (404), nothing stored', async () => {
    const r = await respond(t, surveyId, { token: 'x'.repeat(43), answers: { contact: 'phone' } });
    expect(r.statusCode).toBe(404);
  });

  it('S8: GET of the unsubscribe link is inert; the one-click POST without cookies withdraws consent', async () => {
    // Emails go four at a time, so who got mails[1] and mails[2] (the two who answered)
    // changes from run to run; the contact unsubscribing must be a third person.
    const answered = new Set([sink.mails[1]!.to, sink.mails[2]!.to]);
    const who = audience.contacts.slice(0, 39).find((c) => !answered.has(c.email))!;
    unsubscribedAfter = who;
    const u = t.app.services.surveys.tokens.unsubscribe(who.id, 'surveys');
    const get = await t.app.inject({ method: 'GET', url: `/u/${u}` });
    expect(get.statusCode).toBe(200);
    expect(get.body).toContain('method="post"');
    const [before] = await t.db
      .sql`select withdrawn_at from contact_consents where contact_id = ${who.id}`;
    expect(before!.withdrawn_at).toBeNull();
    const post = await t.app.inject({
      method: 'POST',
      url: `/u/${u}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'List-Unsubscribe=One-Click',
    });
    expect(post.statusCode).toBe(200);
    const [after] = await t.db
      .sql`select withdrawn_at from contact_consents where contact_id = ${who.id}`;
    expect(after!.withdrawn_at).not.toBeNull();
    const forged = await t.app.inject({
      method: 'POST',
      url: `/u/${who.id}.forged`,
      payload: 'List-Unsubscribe=One-Click',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(forged.statusCode).toBe(404);
  });

  it('S10: reminders only to non-respondents, at most 2, at least 7 days apart, none in the last 24 hours', async () => {
    const { invitations } = t.app.services.surveys;
    const start = t.clock.now();
    try {
      // Too soon: nothing.
      expect(await invitations.createReminderWaves()).toBe(0);
      t.clock.set(new Date(start.getTime() + 7 * 86_400_000 + 60_000));
      const [one, two] = await Promise.all([
        invitations.createReminderWaves(),
        invitations.createReminderWaves(),
      ]);
      expect(one + two).toBe(1);
      await t.relay();
      await sink.waitFor(
        () => sink.mails.filter((m) => m.messageId.includes('-w1@')).length >= 36,
        20_000,
        'wave 1',
      );
      await expect.poll(unsettled).toEqual(SETTLED);
      t.clock.set(new Date(start.getTime() + 8 * 86_400_000));
      expect(await invitations.createReminderWaves()).toBe(0); // the gap since wave 1
      t.clock.set(new Date(start.getTime() + 14 * 86_400_000 + 120_000));
      expect(await invitations.createReminderWaves()).toBe(1);
      await t.relay();
      await sink.waitFor(
        () => sink.mails.filter((m) => m.messageId.includes('-w2@')).length >= 36,
        20_000,
        'wave 2',
      );
      await expect.poll(unsettled).toEqual(SETTLED);
      t.clock.set(new Date(start.getTime() + 30 * 86_400_000));
      expect(await invitations.createReminderWaves()).toBe(0); // the maximum is 2
      const gaps = await t.db.sql<{ gap: number }[]>`
        select extract(epoch from (d2.sent_at - d1.sent_at))::int / 86400 as gap
        from survey_deliveries d1
        join survey_deliveries d2 on d2.invitation_id = d1.invitation_id and d2.wave_no = d1.wave_no + 1
        where d2.state = 'sent'`;
      expect(gaps.length).toBeGreaterThan(0);
      expect(gaps.every((r) => r.gap >= 7)).toBe(true);
      const reminders = sink.mails.filter((m) => !m.messageId.includes('-w0@'));
      const per = new Map<string, number>();
      for (const m of reminders) per.set(m.to, (per.get(m.to) ?? 0) + 1);
      // 39 sent − 2 responded − 1 unsubscribed after: 36 get exactly two reminders.
      expect([...per.values()].every((n) => n === 2)).toBe(true);
      expect(per.size).toBe(36);
      const responders = await t.db.sql<{ email: string }[]>`
        select c.email from survey_invitations i join contacts c on c.id = i.contact_id where i.responded`;
      expect(responders).toHaveLength(2);
      for (const r of responders) expect(per.has(r.email)).toBe(false);
      expect(per.has(unsubscribedAfter.email)).toBe(false);
    } finally {
      t.clock.set(start);
    }
  });
});
