import { beforeAll, describe, expect, it } from 'vitest';
import { PermanentMailError } from '../../server/mail/service.js';
import { useTestApp } from '../helpers/fixture.js';
import { signInPage, type TestUser } from '../helpers/auth.js';
import { rawEmail } from '../intake/helpers.js';
import { actorOf, openCase } from '../replies/fixtures.js';

const t = useTestApp();
let caseworker: TestUser;

beforeAll(async () => {
  caseworker = await t.user('caseworker', { name: 'Casey Worker' });
});

async function timeline(caseId: string) {
  return (await t.app.services.correspondence.get(actorOf(caseworker), caseId)).timeline;
}
async function only(caseId: string, kind: string) {
  const events = (await timeline(caseId)).filter((e) => e.kind === kind);
  expect(events, kind).toHaveLength(1);
  return { title: events[0]!.title, description: events[0]!.description };
}

describe('the timeline reads as a caseworker would write it', () => {
  it('an inbound email: who it came from and its subject; an auto-reply says so', async () => {
    const c = await openCase(t.app, caseworker, {
      contact: { name: 'Jo Example', email: 'jo@example.org' },
    });
    const result = await t.app.services.intake.ingestRawEmail(
      rawEmail({
        from: 'Jo Example <jo@example.org>',
        subject: `Re: my request [${c.reference}]`,
      }),
      { via: 'imap' },
    );
    expect(result).toMatchObject({ reference: c.reference });
    expect(await only(c.id, 'email_in')).toEqual({
      title: 'Email received from jo@example.org',
      description: `Subject: “Re: my request [${c.reference}]”.`,
    });

    const auto = await openCase(t.app, caseworker, {
      contact: { name: 'Out Office', email: 'away@example.org' },
    });
    await t.app.services.intake.ingestRawEmail(
      rawEmail({
        from: 'away@example.org',
        subject: `Automatic reply: [${auto.reference}]`,
        headers: { 'Auto-Submitted': 'auto-replied' },
      }),
      { via: 'imap' },
    );
    expect(await only(auto.id, 'email_in')).toEqual({
      title: 'Email received from away@example.org',
      description: `Subject: “Automatic reply: [${auto.reference}]”. An automatic reply (such as an out-of-office): no action needed.`,
    });
  });

  it('an emailed reply: queued, then emailed to the requester, answering the case', async () => {
    const c = await openCase(t.app, caseworker, {
      contact: { name: 'Jo Reply', email: 'jo.reply@example.org' },
    });
    const out = await t.app.services.replies.send(actorOf(caseworker), c.id, {
      subject: 'Your request',
      body: 'Here is the information.',
      channel: 'email',
    });
    expect(await only(c.id, 'reply_queued')).toEqual({
      title: 'Reply being emailed to jo.reply@example.org',
      description: `“Your request [${c.reference}]”. The case will be marked as responded once it is sent.`,
    });
    await t.relay();
    expect(await t.app.services.mail.send(out.emailId!)).toBe('sent');
    expect(await only(c.id, 'reply_sent')).toEqual({
      title: 'Reply emailed to jo.reply@example.org',
      description: `“Your request [${c.reference}]”. The case is marked as responded.`,
    });
  });

  it('a reply that bounces: failed to send, with the mail server’s reason', async () => {
    const c = await openCase(t.app, caseworker, {
      contact: { name: 'Jo Bounce', email: 'jo.bounce@example.org' },
    });
    const out = await t.app.services.replies.send(actorOf(caseworker), c.id, {
      subject: 'Your request',
      body: 'Here is the information.',
      channel: 'email',
      responds: false,
    });
    expect((await only(c.id, 'reply_queued')).description).toBe(
      `“Your request [${c.reference}]”. It does not answer the case.`,
    );
    await t.relay();
    t.sink.failNext(550);
    await expect(t.app.services.mail.send(out.emailId!)).rejects.toBeInstanceOf(PermanentMailError);
    const failed = await only(c.id, 'reply_failed');
    expect(failed.title).toMatch(/^Reply failed to send: .*550 simulated failure/);
    expect(failed.description).toBe(
      `The reply “Your request [${c.reference}]” to jo.bounce@example.org was not delivered. The case has not been marked as responded: check the address, then reply again or send the reply by post.`,
    );
  });

  it('a letter: sent by post', async () => {
    const c = await openCase(t.app, caseworker, { type: 'general' });
    await t.app.services.replies.send(actorOf(caseworker), c.id, {
      subject: 'Your letter',
      body: 'Dear Robin, thank you.',
      channel: 'post',
    });
    expect(await only(c.id, 'letter_sent')).toEqual({
      title: 'Letter sent by post',
      description: `“Your letter [${c.reference}]”. The case is marked as responded.`,
    });
  });

  it('an automatic acknowledgement says it is queued, not yet emailed', async () => {
    const c = await openCase(t.app, caseworker, {
      contact: { name: 'Jo Ack', email: 'jo.ack@example.org' },
      acknowledge: true,
    });
    expect(await only(c.id, 'email_queued')).toEqual({
      title: 'Acknowledgement queued',
      description: 'An automatic acknowledgement is being emailed to the requester.',
    });
  });

  it('the case page shows the wording', async () => {
    const c = await openCase(t.app, caseworker, {
      contact: { name: 'Jo Page', email: 'jo.page@example.org' },
    });
    await t.app.services.intake.ingestRawEmail(
      rawEmail({ from: 'jo.page@example.org', subject: `Thanks [${c.reference}]` }),
      { via: 'imap' },
    );
    const session = await signInPage(t.app, caseworker);
    const page = await session.get(`/casework/${c.id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Email received from jo.page@example.org');
  });
});
