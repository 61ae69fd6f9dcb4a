import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config.js';
import { mailboxSender } from '../../server/replies/service.js';
import { useTestApp } from '../helpers/fixture.js';
import { bearer, type TestUser } from '../helpers/auth.js';
import { actorOf, openCase, SEEDED } from './fixtures.js';

const MAILBOX = 'casework-inbox@opcc.example.gov.uk';
const OFFICE_ADDRESS = 'Unit 7, Riverside House\nCanal Street\nNorthtown\nNT1 2BB';

const t = useTestApp({
  config: {
    mailFrom: 'OPCC Casework Team <noreply@opcc.example.gov.uk>',
    mailboxAddress: MAILBOX,
    officeName: 'Office of the Police and Crime Commissioner for Northshire',
    officeAddress: OFFICE_ADDRESS,
  },
});
let caseworker: TestUser;
let token: string;

beforeAll(async () => {
  caseworker = await t.user('caseworker', { name: 'Casey Worker' });
  token = await t.token(caseworker);
});

describe('replies come from and go back to the polled mailbox (§6)', () => {
  it('a sent email reply has From and Reply-To = the mailbox; other mail keeps MAIL_FROM', async () => {
    const c = await openCase(t.app, caseworker, {
      contact: { name: 'Jo Requester', email: 'jo.mailbox@example.org' },
      acknowledge: true,
    });
    const r = await t.app.inject({
      method: 'POST',
      url: `/api/cases/${c.id}/replies`,
      headers: bearer(token),
      payload: { subject: 'Your request', body: 'Here is our answer.', channel: 'email' },
    });
    expect(r.statusCode).toBe(202);
    await t.relay();
    expect(await t.app.services.mail.send(r.json().emailId)).toBe('sent');
    const reply = t.sink.messages.find((m) => m.messageId === `<${r.json().messageId}>`);
    expect(reply).toBeDefined();
    expect(reply!.parsed.replyTo?.value).toEqual([{ address: MAILBOX, name: '' }]);
    expect(reply!.parsed.from?.value).toEqual([{ address: MAILBOX, name: 'OPCC Casework Team' }]);
    expect(reply!.raw).toMatch(new RegExp(`^Reply-To: ${MAILBOX}\\r?$`, 'im'));

    // The automatic acknowledgement is not a case reply: it keeps the configured sender.
    expect(c.acknowledgementEmailId).not.toBeNull();
    expect(await t.app.services.mail.send(c.acknowledgementEmailId!)).toBe('sent');
    const ack = t.sink.messages.at(-1)!;
    expect(ack.envelopeTo).toEqual(['jo.mailbox@example.org']);
    expect(ack.parsed.from?.value[0]?.address).toBe('noreply@opcc.example.gov.uk');
    expect(ack.parsed.replyTo).toBeUndefined();
  });

  it('office.name and office.address in a template render the configured values', async () => {
    const c = await openCase(t.app, caseworker);
    const compose = await t.app.services.replies.compose(actorOf(caseworker), c.id, SEEDED.foi);
    expect(compose.mergeError).toBeNull();
    expect(compose.body).toContain(
      `Office of the Police and Crime Commissioner for Northshire\n${OFFICE_ADDRESS}`,
    );
    expect(compose.body).not.toContain('Police Headquarters');
  });
});

describe('configuration', () => {
  it('MAILBOX_ADDRESS defaults to the address in MAIL_FROM, and must be a bare address', () => {
    expect(
      loadConfig({ NODE_ENV: 'test', MAIL_FROM: 'Casework <cases@opcc.example.org>' })
        .mailboxAddress,
    ).toBe('cases@opcc.example.org');
    expect(
      loadConfig({ NODE_ENV: 'test', MAILBOX_ADDRESS: 'inbox@opcc.example.org' }).mailboxAddress,
    ).toBe('inbox@opcc.example.org');
    expect(() =>
      loadConfig({ NODE_ENV: 'test', MAILBOX_ADDRESS: 'Inbox <inbox@opcc.example.org>' }),
    ).toThrow(/MAILBOX_ADDRESS must be a bare email address/);
  });

  it('OFFICE_ADDRESS takes \\n as a line break and has a development default', () => {
    expect(
      loadConfig({ NODE_ENV: 'test', OFFICE_ADDRESS: '1 High Street\\nTown\\nAB1 2CD' })
        .officeAddress,
    ).toBe('1 High Street\nTown\nAB1 2CD');
    expect(loadConfig({ NODE_ENV: 'test' }).officeAddress).toMatch(/\n/);
    expect(loadConfig({ NODE_ENV: 'test', OFFICE_NAME: 'OPCC for Northshire' }).officeName).toBe(
      'OPCC for Northshire',
    );
  });

  it('the reply sender keeps MAIL_FROM’s display name on the mailbox address', () => {
    expect(mailboxSender('OPCC casework <casework@x.org>', 'inbox@x.org')).toBe(
      '"OPCC casework" <inbox@x.org>',
    );
    expect(mailboxSender('"Quoted Name" <casework@x.org>', 'inbox@x.org')).toBe(
      '"Quoted Name" <inbox@x.org>',
    );
    expect(mailboxSender('casework@x.org', 'inbox@x.org')).toBe('inbox@x.org');
  });
});
