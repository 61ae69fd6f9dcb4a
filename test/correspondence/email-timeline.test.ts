import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/fixture.js';
import { type TestUser } from '../helpers/auth.js';
import { actorOf, makeCase } from './fixtures.js';

const t = useTestApp();
let caseworker: TestUser;

beforeAll(async () => {
  caseworker = await t.user('caseworker');
});

const eventsOf = async (id: string, kind: string) =>
  (await t.app.services.correspondence.get(actorOf(caseworker), id)).timeline.filter(
    (e) => e.kind === kind,
  );

describe('emails about a case on its timeline', () => {
  it('records a sent acknowledgement once, even when the job runs again', async () => {
    const c = await makeCase(t.app, caseworker, {
      contact: { name: 'Ada Sender', email: 'ada.sender@example.org' },
    });
    expect(c.acknowledgementEmailId).not.toBeNull();
    expect(await t.app.services.mail.send(c.acknowledgementEmailId!)).toBe('sent');
    expect(await t.app.services.mail.send(c.acknowledgementEmailId!)).toBe('already-sent');
    const sent = await eventsOf(c.id, 'email_sent');
    expect(sent).toHaveLength(1);
    // One entry for the one email: "queued" gives way to "sent", keeping who sent it.
    expect(sent[0]).toMatchObject({
      title: 'Acknowledgement emailed',
      actor: { id: caseworker.id },
    });
    expect(await eventsOf(c.id, 'email_queued')).toHaveLength(0);
    expect(sent[0]!.description).toContain('ada.sender@example.org');
    expect(sent[0]!.description).toContain(c.reference);
  });

  it('records a permanent failure', async () => {
    const c = await makeCase(t.app, caseworker, {
      contact: { name: 'Bo Bounce', email: 'bo.bounce@example.org' },
    });
    t.sink.failNext(550);
    await expect(t.app.services.mail.send(c.acknowledgementEmailId!)).rejects.toThrow();
    const failed = await eventsOf(c.id, 'email_failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.title).toBe('Email not delivered');
    expect(failed[0]!.description).toContain('550');
    expect(await eventsOf(c.id, 'email_sent')).toHaveLength(0);
  });
});
