import { beforeAll, describe, expect, it } from 'vitest';
import { PermanentMailError } from '../../server/mail/service.js';
import { useTestApp } from '../helpers/fixture.js';
import { bearer, signInPage, type TestUser } from '../helpers/auth.js';
import { actorOf, caseRow, openCase, SEEDED, storeInbound, timelineKinds } from './fixtures.js';

const t = useTestApp();
let caseworker: TestUser;
let other: TestUser;
let manager: TestUser;
let cwToken: string;
let otherToken: string;
let mgrToken: string;

beforeAll(async () => {
  caseworker = await t.user('caseworker', { name: 'Casey Worker' });
  other = await t.user('caseworker');
  manager = await t.user('manager', { name: 'Morgan Manager' });
  cwToken = await t.token(caseworker);
  otherToken = await t.token(other);
  mgrToken = await t.token(manager);
});

const reply = (caseId: string, payload: Record<string, unknown>, token = cwToken) =>
  t.app.inject({
    method: 'POST',
    url: `/api/cases/${caseId}/replies`,
    headers: bearer(token),
    payload,
  });

/** Publishes the outbox and sends one email row, as the relay and email job do. */
async function deliver(emailId: string) {
  await t.relay();
  return t.app.services.mail.send(emailId);
}

describe('replying by email', () => {
  it('carries the §6 headers, stores the final text and template version, and answers the case only once sent', async () => {
    const c = await openCase(t.app, caseworker);
    const contactEmail = (await t.app.services.correspondence.get(actorOf(caseworker), c.id))
      .contact!.email!;
    // An earlier message from someone else, then the requester's own latest email.
    await storeInbound(t, c.id, 'someone@elsewhere.org', {
      messageId: 'other-1@elsewhere.org',
      receivedAt: '2026-11-18T09:00:00Z',
    });
    const inboundId = await storeInbound(t, c.id, contactEmail.toUpperCase(), {
      messageId: 'thread-2@mail.example.org',
      references: 'thread-0@mail.example.org thread-1@mail.example.org',
      receivedAt: '2026-11-17T09:00:00Z',
    });

    const compose = await t.app.services.replies.compose(actorOf(caseworker), c.id, SEEDED.foi);
    expect(compose.mergeError).toBeNull();
    expect(compose.body).toContain(`Request for information: ${c.reference}`);
    expect(compose.body).toContain('Casey Worker');
    expect(compose.body).toContain('16 November 2026');
    const finalText = `${compose.body}\n\nP.S. Edited by hand before sending.`;

    const queued = await reply(c.id, {
      templateId: SEEDED.foi,
      subject: compose.subject,
      body: finalText,
      channel: 'email',
    });
    expect(queued.statusCode).toBe(202);
    const out = queued.json();
    expect(out).toMatchObject({
      status: 'queued',
      channel: 'email',
      responds: true,
      templateId: SEEDED.foi,
      templateVersion: 1,
      body: finalText,
      to: contactEmail,
      inReplyTo: inboundId,
    });
    expect(out.messageId).toBe(`case-${c.id}.${out.id}@${t.config.mailDomain}`);
    expect(out.subject).toBe(`Re: ${compose.detail.subject} [${c.reference}]`);
    expect(out.references).toBe(
      'thread-0@mail.example.org thread-1@mail.example.org thread-2@mail.example.org',
    );

    // Queued is not sent: the case is not answered yet.
    let row = await caseRow(t, c.id);
    expect(row.status).toBe('open');
    expect(row.responded_at).toBeNull();

    t.clock.advance(60_000);
    expect(await deliver(out.emailId)).toBe('sent');
    const [mail] = await t.sink.waitFor(1);
    expect(mail!.messageId).toBe(`<${out.messageId}>`);
    expect(mail!.parsed.subject).toBe(`Re: ${compose.detail.subject} [${c.reference}]`);
    expect(mail!.parsed.inReplyTo).toBe(`<${inboundId}>`);
    expect(mail!.parsed.references).toEqual([
      '<thread-0@mail.example.org>',
      '<thread-1@mail.example.org>',
      '<thread-2@mail.example.org>',
    ]);
    expect(mail!.parsed.text?.trim()).toBe(finalText.trim());
    expect(mail!.envelopeTo).toEqual([contactEmail]);
    expect(mail!.raw).not.toMatch(/^Auto-Submitted:/im); // a person's reply, not automatic mail

    row = await caseRow(t, c.id);
    expect(row.status).toBe('responded');
    expect(row.responded_at?.toISOString()).toBe(t.clock.now().toISOString());

    const [stored] = await t.db.sql<
      { status: string; body: string; template_version: number; sent_at: Date }[]
    >`select status, body, template_version, sent_at from outbound_messages where id = ${out.id}`;
    expect(stored).toMatchObject({ status: 'sent', body: finalText, template_version: 1 });
    expect(await timelineKinds(t, c.id)).toEqual([
      'created',
      'status_changed',
      'reply_queued',
      'reply_sent',
      'status_changed',
    ]);
    const [responded] = await t.db.sql<
      { actor_id: string; data: { to: string } }[]
    >`select actor_id, data from case_events where case_id = ${c.id} and kind = 'status_changed' order by id desc limit 1`;
    expect(responded).toMatchObject({ actor_id: caseworker.id, data: { to: 'responded' } });

    // A retried job neither resends nor records anything twice; the text can never change.
    expect(await t.app.services.mail.send(out.emailId)).toBe('already-sent');
    expect(t.sink.messages).toHaveLength(1);
    expect((await timelineKinds(t, c.id)).filter((k) => k === 'reply_sent')).toHaveLength(1);
    await expect(
      t.db.sql`update outbound_messages set body = 'rewritten' where id = ${out.id}`,
    ).rejects.toThrow(/keep the text as sent/);
  });

  it('without an inbound message there is no In-Reply-To; the reference is added to the subject', async () => {
    const c = await openCase(t.app, caseworker, { type: 'general' });
    const r = await reply(c.id, {
      subject: 'About your letter',
      body: 'Thank you.',
      channel: 'email',
    });
    expect(r.statusCode).toBe(202);
    expect(r.json()).toMatchObject({
      subject: `About your letter [${c.reference}]`,
      inReplyTo: null,
      references: null,
      templateId: null,
      templateVersion: null,
    });
  });

  it('becomes responded through the real workers only after the email job succeeds', async () => {
    const before = t.sink.messages.length;
    const runner = await t.startWorkers();
    try {
      const c = await openCase(t.app, caseworker, { type: 'general' });
      const r = await reply(c.id, {
        templateId: SEEDED.general,
        subject: 'Re: lights',
        body: 'Dear Robin, the lights are fixed.',
        channel: 'email',
      });
      expect(r.statusCode).toBe(202);
      await t.sink.waitFor(before + 1);
      await expect
        .poll(async () => (await caseRow(t, c.id)).status, { timeout: 10_000 })
        .toBe('responded');
    } finally {
      await runner.stop(2000);
    }
  });

  it('a permanent 550 marks the reply failed, alerts the assignee and leaves the case unanswered', async () => {
    const c = await openCase(t.app, caseworker);
    const r = await reply(c.id, {
      templateId: SEEDED.foi,
      subject: 'Your request',
      body: 'Here is the information.',
      channel: 'email',
    });
    expect(r.statusCode).toBe(202);
    const out = r.json();
    t.sink.failNext(550);
    await expect(deliver(out.emailId)).rejects.toBeInstanceOf(PermanentMailError);

    const row = await caseRow(t, c.id);
    expect(row.status).toBe('open');
    expect(row.responded_at).toBeNull();
    const [stored] = await t.db.sql<
      { status: string; error: string; failed_at: Date }[]
    >`select status, error, failed_at from outbound_messages where id = ${out.id}`;
    expect(stored!.status).toBe('failed');
    expect(stored!.error).toMatch(/550/);
    expect(await timelineKinds(t, c.id)).toContain('reply_failed');

    // The assignee hears about it, without the case subject.
    const [alert] = await t.db.sql<
      { id: string; to: string; subject: string; text_body: string }[]
    >`select id, "to", subject, text_body from email_messages where subject_type = 'reply-alert' and subject_ref = ${out.id}`;
    expect(alert!.to).toBe(caseworker.email);
    expect(alert!.subject).toBe(`A reply could not be delivered [${c.reference}]`);
    expect(alert!.text_body).not.toContain('Speed cameras');

    // A retried job changes nothing; the case can still be answered another way.
    expect(await t.app.services.mail.send(out.emailId)).toBe('failed-permanently');
    expect((await timelineKinds(t, c.id)).filter((k) => k === 'reply_failed')).toHaveLength(1);
    const again = await reply(c.id, { subject: 'Your request', body: 'By post.', channel: 'post' });
    expect(again.statusCode).toBe(201);
    expect((await caseRow(t, c.id)).status).toBe('responded');
  });

  it('an acknowledgement does not answer the case', async () => {
    const c = await openCase(t.app, caseworker);
    const r = await reply(c.id, {
      templateId: SEEDED.acknowledgement,
      subject: 'We have your request',
      body: 'Thank you.',
      channel: 'email',
    });
    expect(r.statusCode).toBe(202);
    expect(r.json().responds).toBe(false);
    expect(await deliver(r.json().emailId)).toBe('sent');
    expect((await caseRow(t, c.id)).status).toBe('open');
    expect(await timelineKinds(t, c.id)).toContain('reply_sent');
  });
});

describe('replying by post and the rules around it', () => {
  it('a posted letter answers the case at once, on the timeline', async () => {
    const c = await openCase(t.app, caseworker, { type: 'complaint' });
    const r = await reply(c.id, {
      templateId: SEEDED.general,
      subject: 'Your complaint',
      body: 'Dear Robin, we have looked into it.',
      channel: 'post',
    });
    expect(r.statusCode).toBe(201);
    expect(r.json()).toMatchObject({ status: 'sent', channel: 'post', messageId: null });
    const row = await caseRow(t, c.id);
    expect(row.status).toBe('responded');
    expect(row.responded_at?.toISOString()).toBe(t.clock.now().toISOString());
    expect(await timelineKinds(t, c.id)).toEqual([
      'created',
      'status_changed',
      'letter_sent',
      'status_changed',
    ]);
  });

  it('refuses what §5 refuses: a new case, an unanswerable status, approval by a caseworker', async () => {
    const fresh = await t.app.services.correspondence.createCase(actorOf(caseworker), {
      type: 'general',
      channel: 'letter',
      receivedAt: '2026-11-20T09:00:00Z',
      subject: 'New one',
      body: 'Text',
      contact: { name: 'Pat Post' },
      acknowledge: false,
    });
    const refused = await reply(fresh.id, { subject: 'x', body: 'y', channel: 'post' });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().error.code).toBe('correspondence.invalid_transition');
    // …but a reply that does not answer the case may still go.
    const holding = await reply(fresh.id, {
      subject: 'x',
      body: 'y',
      channel: 'post',
      responds: false,
    });
    expect(holding.statusCode).toBe(201);
    expect((await caseRow(t, fresh.id)).status).toBe('new');

    // No email address: email is refused with a field error.
    const noEmail = await reply(fresh.id, {
      subject: 'x',
      body: 'y',
      channel: 'email',
      responds: false,
    });
    expect(noEmail.statusCode).toBe(422);
    expect(noEmail.json().error.code).toBe('replies.no_email_address');

    // Awaiting approval: only a manager sends the answer.
    const c = await openCase(t.app, caseworker);
    await t.app.services.correspondence.transition(actorOf(caseworker), c.id, {
      to: 'awaiting_approval',
      version: 2,
    });
    const byCaseworker = await reply(c.id, { subject: 's', body: 'b', channel: 'email' });
    expect(byCaseworker.statusCode).toBe(403);
    expect((await caseRow(t, c.id)).status).toBe('awaiting_approval');
    const byManager = await reply(c.id, { subject: 's', body: 'b', channel: 'email' }, mgrToken);
    expect(byManager.statusCode).toBe(202);
    // A second answering email while the first is still queued is refused.
    const twice = await reply(c.id, { subject: 's', body: 'b', channel: 'email' }, mgrToken);
    expect(twice.statusCode).toBe(409);
    expect(await deliver(byManager.json().emailId)).toBe('sent');
    expect((await caseRow(t, c.id)).status).toBe('responded');
  });

  it('validates the body: empty text, unknown fields, bad channel', async () => {
    const c = await openCase(t.app, caseworker);
    for (const payload of [
      { subject: 's', body: '', channel: 'email' },
      { subject: 's', body: 'b', channel: 'fax' },
      { subject: 's', body: 'b', channel: 'email', status: 'responded' },
    ]) {
      const r = await reply(c.id, payload);
      expect(r.statusCode, JSON.stringify(payload)).toBe(400);
    }
    expect(await t.db.sql`select 1 from outbound_messages where case_id = ${c.id}`).toHaveLength(0);
  });

  it('a restricted case is 404 to a caseworker who is not on it', async () => {
    const c = await openCase(t.app, caseworker);
    const row = await caseRow(t, c.id);
    await t.app.services.correspondence.setRestricted(actorOf(manager), c.id, {
      restricted: true,
      version: row.version,
    });
    const r = await reply(c.id, { subject: 's', body: 'b', channel: 'post' }, otherToken);
    expect(r.statusCode).toBe(404);
    const list = await t.app.inject({
      method: 'GET',
      url: `/api/cases/${c.id}/replies`,
      headers: bearer(otherToken),
    });
    expect(list.statusCode).toBe(404);
    const session = await signInPage(t.app, other);
    expect((await session.get(`/casework/${c.id}/reply`)).statusCode).toBe(404);
    // The assignee still can.
    const mine = await reply(c.id, { subject: 's', body: 'b', channel: 'post' });
    expect(mine.statusCode).toBe(201);
  });
});

describe('the reply page', () => {
  it('previews the merged template, keeps edits on an error and sends', async () => {
    const c = await openCase(t.app, caseworker, {
      contact: { name: "Dara O'Brien & Co", email: 'dara@example.org' },
    });
    const session = await signInPage(t.app, caseworker);
    const casePage = await session.get(`/casework/${c.id}`);
    expect(casePage.body).toContain(`href="/casework/${c.id}/reply"`);
    const blank = await session.get(`/casework/${c.id}/reply`);
    expect(blank.statusCode).toBe(200);
    expect(blank.body).toContain('Freedom of information response');
    expect(blank.body).not.toContain('Subject access response'); // not offered for FOI

    const preview = await session.get(`/casework/${c.id}/reply?templateId=${SEEDED.foi}`);
    expect(preview.statusCode).toBe(200);
    expect(preview.body).toContain(`Request for information: ${c.reference}`);
    // Merged, then escaped once by the page: never double-escaped.
    expect(preview.body).toContain('Dear Dara O&#39;Brien &amp; Co,');
    expect(preview.body).toContain(`Re: Speed cameras`);

    // An MP-only template on a case with no MP says which field is missing.
    const mp = await session.get(`/casework/${c.id}/reply?templateId=${SEEDED.mp}`);
    expect(mp.body).toContain('This case has no value for {{ constituent.fullName }}');

    const empty = await session.post(
      `/casework/${c.id}/reply`,
      { templateId: SEEDED.foi, subject: 'Re: x', body: '', channel: 'email', responds: 'yes' },
      `/casework/${c.id}/reply`,
    );
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('Enter the text of the reply');

    const sent = await session.post(
      `/casework/${c.id}/reply`,
      {
        templateId: SEEDED.foi,
        subject: `Re: Speed cameras [${c.reference}]`,
        body: 'Dear Dara,\n\nThe answer is 4.',
        channel: 'email',
        responds: 'yes',
      },
      `/casework/${c.id}/reply`,
    );
    expect(sent.statusCode).toBe(303);
    const page = await session.get(sent.headers.location!);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('The answer is 4.');
    expect(page.body).toContain('Queued');
    expect(page.body).toContain('Your email is on its way to dara@example.org');
  });
});
