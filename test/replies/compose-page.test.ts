import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/fixture.js';
import { createUser, signInPage, type TestUser } from '../helpers/auth.js';
import { actorOf, caseRow, openCase, SEEDED } from './fixtures.js';

// The reply page as a caseworker uses it: what they are answering beside the compose box,
// a letter signed by whoever sends it, only the questions that apply, a preview, a
// printable letter, plain words once sent, and acknowledgement templates that acknowledge.

const t = useTestApp({
  config: { officeAddress: 'Police Headquarters\nHinchingbrooke Park\nHuntingdon\nPE29 6NP' },
});
let assignee: TestUser;
let colleague: TestUser;

beforeAll(async () => {
  assignee = await t.user('caseworker', { name: 'Asha Assignee' });
  colleague = await t.user('caseworker', { name: 'Colin Colleague' });
});

const deliver = async (emailId: string) => {
  await t.relay();
  return t.app.services.mail.send(emailId);
};
const outboundCount = async (caseId: string) =>
  (await t.db.sql`select 1 from outbound_messages where case_id = ${caseId}`).length;

describe('composing a reply', () => {
  it('shows the incoming letter beside the compose box and signs it by the sender', async () => {
    const c = await openCase(t.app, assignee, {
      body: 'Please tell me how many speed cameras operated on the A38 in 2025.',
    });
    const session = await signInPage(t.app, colleague);
    const page = await session.get(`/casework/${c.id}/reply?templateId=${SEEDED.foi}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('What they wrote');
    expect(page.body).toContain('how many speed cameras operated on the A38 in 2025.');
    // Colin writes and sends it, so Colin signs it (the case is Asha's).
    const textarea = /<textarea[^>]*name="body"[^>]*>([\s\S]*?)<\/textarea>/.exec(page.body)![1]!;
    expect(textarea).toContain('Colin Colleague');
    expect(textarea).not.toContain('Asha Assignee');
    // Templates are offered by name, not "(version 1)".
    expect(page.body).not.toMatch(/\(version \d+\)/);
  });

  it('asks "does this answer the case?" only where it can', async () => {
    const fresh = await t.app.services.correspondence.createCase(actorOf(assignee), {
      type: 'general',
      channel: 'email',
      receivedAt: '2026-11-20T09:00:00Z',
      subject: 'Street lighting',
      body: 'The lights are out.',
      contact: { name: 'Nia New', email: 'nia@example.org' },
      acknowledge: false,
    });
    const session = await signInPage(t.app, assignee);
    const onNew = await session.get(`/casework/${fresh.id}/reply`);
    expect(onNew.body).not.toContain('Yes, this answers the case');
    expect(onNew.body).toContain('a new case cannot be answered until it is opened');
    expect(onNew.body).toMatch(/<input type="hidden" name="responds" value="no">/);

    const open = await openCase(t.app, assignee);
    const withAck = await session.get(
      `/casework/${open.id}/reply?templateId=${SEEDED.acknowledgement}`,
    );
    expect(withAck.body).not.toContain('Yes, this answers the case');
    expect(withAck.body).toContain('An acknowledgement does not answer the case');
    const withResponse = await session.get(`/casework/${open.id}/reply?templateId=${SEEDED.foi}`);
    expect(withResponse.body).toContain('Yes, this answers the case');
  });

  it('previews the email without sending it', async () => {
    const c = await openCase(t.app, assignee);
    const session = await signInPage(t.app, assignee);
    const preview = await session.post(
      `/casework/${c.id}/reply`,
      {
        subject: `Re: Speed cameras [${c.reference}]`,
        body: 'Dear Robin,\n\nThere were 4.',
        channel: 'email',
        responds: 'yes',
        action: 'preview',
      },
      `/casework/${c.id}/reply`,
    );
    expect(preview.statusCode).toBe(200);
    expect(preview.body).toContain('Preview: the email');
    expect(preview.body).toContain('Nothing has been sent yet');
    expect(preview.body).toContain('There were 4.');
    expect(await outboundCount(c.id)).toBe(0);
    expect((await caseRow(t, c.id)).status).toBe('open');
  });

  it('says it is on its way in plain words, without a Message-ID', async () => {
    const c = await openCase(t.app, assignee);
    const session = await signInPage(t.app, assignee);
    const sent = await session.post(
      `/casework/${c.id}/reply`,
      {
        templateId: SEEDED.foi,
        subject: `Re: Speed cameras [${c.reference}]`,
        body: 'Dear Robin,\n\nThere were 4.',
        channel: 'email',
        responds: 'yes',
      },
      `/casework/${c.id}/reply`,
    );
    expect(sent.statusCode).toBe(303);
    const page = await session.get(sent.headers.location!);
    expect(page.body).toContain('Your email is on its way to');
    expect(page.body).not.toContain('Important');
    expect(page.body).not.toContain('Message-ID');
    expect(page.body).not.toContain(`case-${c.id}.`);
    expect(page.body).toContain('Freedom of information response'); // the template by name
  });

  it('gives a printable letter for a reply by post', async () => {
    const c = await openCase(t.app, assignee, {
      contact: { name: 'Pat Post', address: '4 Mill Lane, Ely', postcode: 'CB7 4AA' },
    });
    const session = await signInPage(t.app, assignee);
    const preview = await session.post(
      `/casework/${c.id}/reply`,
      {
        subject: 'Your request',
        body: 'Dear Pat,\n\nHere it is.',
        channel: 'post',
        responds: 'yes',
        action: 'preview',
      },
      `/casework/${c.id}/reply`,
    );
    expect(preview.body).toContain('Preview: the letter');
    expect(preview.body).toContain('Hinchingbrooke Park');
    const sent = await session.post(
      `/casework/${c.id}/reply`,
      {
        subject: 'Your request',
        body: 'Dear Pat,\n\nHere it is.',
        channel: 'post',
        responds: 'yes',
      },
      `/casework/${c.id}/reply`,
    );
    const replyPage = await session.get(sent.headers.location!);
    expect(replyPage.body).toContain('Letter recorded as sent today');
    const letter = await session.get(`${sent.headers.location!}/letter`);
    expect(letter.statusCode).toBe(200);
    for (const line of [
      'Pat Post',
      '4 Mill Lane',
      'Ely',
      'CB7 4AA',
      'Hinchingbrooke Park',
      'PE29 6NP',
      c.reference,
      'Here it is.',
      '23 November 2026',
    ])
      expect(letter.body, line).toContain(line);
    const stranger = await createUser(t.app, 'caseworker');
    await t.app.services.correspondence.setRestricted(
      actorOf(await createUser(t.app, 'manager')),
      c.id,
      { restricted: true, version: (await caseRow(t, c.id)).version },
    );
    const hidden = await (
      await signInPage(t.app, stranger)
    ).get(`${sent.headers.location!}/letter`);
    expect(hidden.statusCode).toBe(404);
  });
});

describe('acknowledgement templates', () => {
  it('acknowledge a new case once the email is sent, and open it', async () => {
    const c = await t.app.services.correspondence.createCase(actorOf(assignee), {
      type: 'foi',
      channel: 'email',
      receivedAt: '2026-11-20T09:00:00Z',
      subject: 'Police cars',
      body: 'How many police cars are there?',
      contact: { name: 'Ada Ack', email: 'ada@example.org' },
      assigneeId: assignee.id,
      acknowledge: false,
    });
    const session = await signInPage(t.app, assignee);
    const before = await session.get(`/casework/${c.id}`);
    expect(before.body).toMatch(/Acknowledged\s*<\/dt>\s*<dd[^>]*>\s*Not yet/);
    const sent = await session.post(
      `/casework/${c.id}/reply`,
      {
        templateId: SEEDED.acknowledgement,
        subject: `We have your request [${c.reference}]`,
        body: 'Dear Ada,\n\nWe have your request.',
        channel: 'email',
        responds: 'no',
      },
      `/casework/${c.id}/reply?templateId=${SEEDED.acknowledgement}`,
    );
    expect(sent.statusCode).toBe(303);
    const [queued] = await t.db.sql<{ email_id: string }[]>`
      select email_id from outbound_messages where case_id = ${c.id}`;
    expect(await deliver(queued!.email_id)).toBe('sent');

    const [row] = await t.db.sql<{ status: string; acknowledged_at: Date | null }[]>`
      select status, acknowledged_at from cases where id = ${c.id}`;
    expect(row!.status).toBe('open');
    expect(new Date(row!.acknowledged_at!).toISOString()).toBe(t.clock.now().toISOString());
    // The one email is on the timeline once (queued, then sent: one entry).
    const timeline = (await t.app.services.correspondence.get(actorOf(assignee), c.id)).timeline;
    expect(timeline.filter((e) => e.kind.startsWith('reply_'))).toMatchObject([
      { kind: 'reply_sent', actor: { id: assignee.id } },
    ]);
    const after = await session.get(`/casework/${c.id}`);
    expect(after.body).not.toMatch(/Acknowledged\s*<\/dt>\s*<dd[^>]*>\s*Not yet/);
    // A second acknowledgement changes nothing.
    await t.app.services.replies.send(actorOf(assignee), c.id, {
      templateId: SEEDED.acknowledgement,
      subject: 'Again',
      body: 'Again.',
      channel: 'post',
    });
    const [again] = await t.db.sql<{ acknowledged_at: Date }[]>`
      select acknowledged_at from cases where id = ${c.id}`;
    expect(new Date(again!.acknowledged_at).toISOString()).toBe(
      new Date(row!.acknowledged_at!).toISOString(),
    );
  });

  it('acknowledge by post at once', async () => {
    const c = await t.app.services.correspondence.createCase(actorOf(assignee), {
      type: 'general',
      channel: 'letter',
      receivedAt: '2026-11-20T09:00:00Z',
      subject: 'Parking',
      body: 'Cars on the pavement.',
      contact: { name: 'Lee Letter', address: '1 High Street, March' },
      acknowledge: false,
    });
    await t.app.services.replies.send(actorOf(assignee), c.id, {
      templateId: SEEDED.acknowledgement,
      subject: 'We have your letter',
      body: 'Dear Lee, thank you.',
      channel: 'post',
    });
    const [row] = await t.db.sql<{ status: string; acknowledged_at: Date | null }[]>`
      select status, acknowledged_at from cases where id = ${c.id}`;
    expect(row!.status).toBe('open');
    expect(row!.acknowledged_at).not.toBeNull();
  });
});
