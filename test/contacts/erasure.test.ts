import { beforeAll, describe, expect, it } from 'vitest';
import { ERASED_NAME, ERASED_TEXT } from '../../server/contacts/erasure.js';
import { useTestApp } from '../helpers/fixture.js';
import {
  apiToken,
  bearer,
  reauthenticate,
  signInPage,
  type PageSession,
  type TestUser,
} from '../helpers/auth.js';

/** Erasure (UK GDPR Art 17, docs/rules/security.md §8): managers erase a person; page and API. */
const t = useTestApp();
let caseworker: TestUser;
let manager: TestUser;
let managerToken: string;
let managerPage: PageSession;

beforeAll(async () => {
  caseworker = await t.user('caseworker');
  manager = await t.user('manager');
  managerToken = await t.token(manager);
  managerPage = await t.page(manager);
  // Erasure is marked R in docs/rules/security.md §1: the manager re-authenticates with a reason first.
  await reauthenticate(t.app, managerToken, manager, 'Erasure requests received this week');
});

let n = 0;
/** A public contact form: a contact, a case and its acknowledgement email (not yet sent). */
async function personWithCase(name: string) {
  n += 1;
  const email = `erase-${n}@example.org`;
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/public/contact',
    remoteAddress: `10.9.0.${n}`,
    payload: {
      name,
      email,
      subject: `Hedge on Elm Road ${n}`,
      message: `${name} writes about it.`,
    },
  });
  expect(response.statusCode).toBe(201);
  const [row] = await t.db.sql<{ contact_id: string; case_id: string }[]>`
    select c.contact_id, c.id as case_id from cases c
    join contacts p on p.id = c.contact_id where p.email_norm = ${email}`;
  return { email, contactId: row!.contact_id, caseId: row!.case_id };
}

const erase = (id: string, justification: unknown, token = managerToken) =>
  t.app.inject({
    method: 'POST',
    url: `/api/contacts/${id}/erase`,
    headers: bearer(token),
    payload: { justification },
  });

describe('erasing a person (API)', () => {
  it('anonymises the contact, their case and emails, cancels unsent mail, writes the ledger and an audit row', async () => {
    const p = await personWithCase('Winifred Erasable');
    const other = await personWithCase('Otto Keepme');

    const response = await erase(p.contactId, 'Erasure request ER-17 of 1 Dec');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ id: p.contactId, cases: 1, cancelledEmails: 1 });

    const [contact] = await t.db.sql`
      select name, email, email_norm, phone, postcode, erased_at from contacts where id = ${p.contactId}`;
    expect(contact).toMatchObject({ name: ERASED_NAME, email: null, email_norm: null });
    expect(contact!.erased_at).not.toBeNull();
    const [kase] = await t.db
      .sql`select subject, body, type, status from cases where id = ${p.caseId}`;
    // The statistical fields stay.
    expect(kase).toMatchObject({ subject: ERASED_TEXT, body: '', type: expect.any(String) });
    const emails = await t.db.sql<
      { to: string; subject: string; text_body: string; status: string }[]
    >`
      select "to", subject, text_body, status from email_messages
      where subject_type = 'case' and subject_ref = ${p.caseId}`;
    expect(emails.length).toBe(1);
    expect(emails[0]).toMatchObject({ status: 'cancelled', subject: ERASED_TEXT, text_body: '' });
    expect(emails[0]!.to).toMatch(/^erased-.*@invalid$/);
    // Nothing of theirs is left in the tables that held it.
    const [left] = await t.db.sql<{ n: number }[]>`
      select (select count(*) from email_messages where "to" = ${p.email} or text_body like '%Winifred%')
           + (select count(*) from contacts where name like '%Winifred%')
           + (select count(*) from cases where body like '%Winifred%') as n`;
    expect(Number(left!.n)).toBe(0);

    // Someone else is untouched.
    const [kept] = await t.db
      .sql`select name, erased_at from contacts where id = ${other.contactId}`;
    expect(kept).toMatchObject({ name: 'Otto Keepme', erased_at: null });
    const [keptEmail] = await t.db.sql`
      select status from email_messages where subject_type = 'case' and subject_ref = ${other.caseId}`;
    expect(keptEmail!.status).toBe('queued');

    const [ledger] = await t.db.sql`
      select erased_by_id, justification from erasure_ledger where person_id = ${p.contactId}`;
    expect(ledger).toMatchObject({
      erased_by_id: manager.id,
      justification: 'Erasure request ER-17 of 1 Dec',
    });
    const audits = await t.db.sql`
      select actor_id, person_id from audit_events where action = 'contact.erase' and subject_id = ${p.contactId}`;
    expect(audits).toEqual([{ actor_id: manager.id, person_id: p.contactId }]);

    // A second erasure is refused; the email job finds nothing to send.
    expect((await erase(p.contactId, 'again')).statusCode).toBe(409);
    const [emailId] = await t.db.sql<{ id: string }[]>`
      select id from email_messages where subject_type = 'case' and subject_ref = ${p.caseId}`;
    expect(await t.app.services.mail.send(emailId!.id)).toBe('cancelled');
  });

  it('needs a reason, a manager, and a contact that exists', async () => {
    const p = await personWithCase('Reason Needed');
    const blank = await erase(p.contactId, '  ');
    expect(blank.statusCode).toBe(400);
    expect(JSON.stringify(blank.json())).toContain('Enter why this person is erased');
    const cw = await erase(p.contactId, 'Request', await apiToken(t.app, caseworker));
    expect(cw.statusCode).toBe(403);
    expect((await erase('00000000-0000-4000-8000-000000000000', 'Request')).statusCode).toBe(404);
    const [still] = await t.db.sql`select erased_at from contacts where id = ${p.contactId}`;
    expect(still!.erased_at).toBeNull();
  });
});

describe('erasure needs a recent re-authentication (docs/rules/security.md §1: R)', () => {
  it('refuses a manager who has not re-authenticated, on the API and the page, and erases nothing', async () => {
    const p = await personWithCase('Rea Uthless');
    const freshManager = await t.user('manager');
    const refused = await erase(p.contactId, 'Request', await apiToken(t.app, freshManager));
    expect(refused.statusCode).toBe(401);
    expect(refused.json()).toMatchObject({ error: { code: 'auth.reauth_required' } });
    const page = await signInPage(t.app, freshManager);
    const erasePage = `/contacts/${p.contactId}/erase`;
    const form = await page.get(erasePage);
    expect(form.statusCode).toBe(303);
    expect(form.headers.location).toBe(`/reauth?returnTo=${encodeURIComponent(erasePage)}`);
    const [still] = await t.db.sql`select erased_at from contacts where id = ${p.contactId}`;
    expect(still!.erased_at).toBeNull();
  });
});

describe('erasing a person (pages)', () => {
  it('asks for a reason and a confirmation, then erases and says so', async () => {
    const p = await personWithCase('Paige Eraseform');
    const contactPage = await managerPage.get(`/contacts/${p.contactId}`);
    expect(contactPage.body).toContain(`/contacts/${p.contactId}/erase`);
    const erasePage = `/contacts/${p.contactId}/erase`;
    const reauthPage = `/reauth?returnTo=${encodeURIComponent(erasePage)}`;
    expect((await managerPage.get(erasePage)).headers.location).toBe(reauthPage);
    const reauthed = await managerPage.post(
      '/reauth',
      {
        password: manager.password,
        justification: 'Erasure request by letter',
        returnTo: erasePage,
      },
      reauthPage,
    );
    expect(reauthed.headers.location).toBe(erasePage);
    const form = await managerPage.get(`/contacts/${p.contactId}/erase`);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('Erase Paige Eraseform’s personal data');
    expect(form.body).toContain('This cannot be undone');

    const unconfirmed = await managerPage.post(`/contacts/${p.contactId}/erase`, {
      justification: 'Request by letter',
    });
    expect(unconfirmed.statusCode).toBe(400);
    expect(unconfirmed.body).toContain('There is a problem');
    expect(unconfirmed.body).toContain('Confirm that you understand this cannot be undone');
    expect(unconfirmed.body).toContain('Request by letter');
    const [notYet] = await t.db.sql`select erased_at from contacts where id = ${p.contactId}`;
    expect(notYet!.erased_at).toBeNull();

    const done = await managerPage.post(`/contacts/${p.contactId}/erase`, {
      justification: 'Request by letter',
      confirm: 'yes',
    });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe(`/contacts/${p.contactId}?notice=erased`);
    const after = await managerPage.get(`/contacts/${p.contactId}?notice=erased`);
    expect(after.body).toContain('Personal data erased');
    expect(after.body).toContain('personal data was erased');
    expect(after.body).not.toContain('Paige');
    expect(after.body).not.toContain(`/contacts/${p.contactId}/erase`);
  });
});
