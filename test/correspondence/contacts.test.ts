import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/fixture.js';
import { signInPage, type TestUser } from '../helpers/auth.js';
import { makeCase } from './fixtures.js';

const t = useTestApp();
let caseworker: TestUser;

beforeAll(async () => {
  caseworker = await t.user('caseworker');
});

async function countCases(): Promise<number> {
  const [row] = await t.db.sql<{ n: number }[]>`select count(*)::int as n from cases`;
  return row!.n;
}

const contactOf = async (caseId: string) => {
  const [row] = await t.db.sql<
    { contact_id: string }[]
  >`select contact_id from cases where id = ${caseId}`;
  return row!.contact_id;
};

describe('linking requesters to contacts', () => {
  it('links `Jo@Example.org ` to the contact with jo@example.org', async () => {
    const first = await makeCase(t.app, caseworker, {
      contact: { name: 'Jo Bloggs', email: 'jo@example.org' },
    });
    expect(first.contactMatchedBy).toBe('new');
    const second = await makeCase(t.app, caseworker, {
      contact: { name: 'Jo B', email: 'Jo@Example.org ' },
    });
    expect(second.contactMatchedBy).toBe('email');
    expect(await contactOf(second.id)).toBe(await contactOf(first.id));
    const [row] = await t.db.sql<
      { email_norm: string }[]
    >`select email_norm from contacts where id = ${first.contactId}`;
    expect(row!.email_norm).toBe('jo@example.org');
  });

  it('does not link when two contacts share the email (households share addresses)', async () => {
    await t.db.sql`insert into contacts (name, email, email_norm) values
      ('Pat Home', 'home@example.org', 'home@example.org'),
      ('Chris Home', 'home@example.org', 'home@example.org')`;
    const created = await makeCase(t.app, caseworker, {
      contact: { name: 'Pat Home', email: 'HOME@example.org' },
    });
    expect(created.contactMatchedBy).toBe('new');
    const [row] = await t.db.sql<
      { n: number }[]
    >`select count(*)::int as n from contacts where email_norm = 'home@example.org'`;
    expect(row!.n).toBe(3);
  });

  it('links a single exact phone match in E.164, whatever the formatting', async () => {
    const first = await makeCase(t.app, caseworker, {
      contact: { name: 'Phone Person', phone: '07700 900123' },
    });
    const [row] = await t.db.sql<
      { phone_e164: string }[]
    >`select phone_e164 from contacts where id = ${first.contactId}`;
    expect(row!.phone_e164).toBe('+447700900123');
    const second = await makeCase(t.app, caseworker, {
      contact: { name: 'P. Person', phone: '+44 (0)7700-900-123'.replace('(0)', '') },
    });
    expect(second.contactMatchedBy).toBe('phone');
    expect(second.contactId).toBe(first.contactId);
  });

  it('does not link on phone when the emails conflict', async () => {
    const first = await makeCase(t.app, caseworker, {
      contact: { name: 'Sam Phone', phone: '01632 960 001', email: 'sam@example.org' },
    });
    const other = await makeCase(t.app, caseworker, {
      contact: { name: 'Someone Else', phone: '01632960001', email: 'else@example.org' },
    });
    expect(other.contactMatchedBy).toBe('new');
    expect(other.contactId).not.toBe(first.contactId);
  });

  it('only suggests a name and postcode match: it never links one', async () => {
    const first = await makeCase(t.app, caseworker, {
      contact: { name: 'Lee Postcode', postcode: 'CB1 2AB', address: '1 High Street' },
    });
    const second = await makeCase(t.app, caseworker, {
      contact: { name: 'lee postcode', postcode: 'cb12ab' },
    });
    expect(second.contactMatchedBy).toBe('new');
    expect(second.contactId).not.toBe(first.contactId);
    const suggestions = await t.app.services.correspondence.suggestContacts({
      name: 'Lee Postcode',
      postcode: 'CB1 2AB',
    });
    expect(suggestions.map((s) => s.id)).toEqual(
      expect.arrayContaining([first.contactId, second.contactId]),
    );
    expect(suggestions.every((s) => s.reason === 'name_postcode')).toBe(true);
  });

  it('suggests the matching contact on the staff form, and links the one chosen', async () => {
    const existing = await makeCase(t.app, caseworker, {
      contact: { name: 'Morgan Suggest', postcode: 'PE1 1AA' },
    });
    const page = await signInPage(t.app, caseworker);
    const fields = {
      type: 'general',
      channel: 'letter',
      'receivedAt-day': '20',
      'receivedAt-month': '11',
      'receivedAt-year': '2026',
      subject: 'Speeding on the high street',
      body: 'Cars speed past the school every morning.',
      contactName: 'Morgan Suggest',
      contactPostcode: 'pe1 1aa',
    };
    const asked = await page.post('/casework/new', fields, '/casework/new');
    expect(asked.statusCode).toBe(200);
    expect(asked.body).toContain('Is this one of these contacts?');
    expect(asked.body).toContain(`value="${existing.contactId}"`);
    expect(asked.body).toContain('Speeding on the high street'); // what was typed is kept
    const before = await countCases();
    expect(before).toBeGreaterThan(0);

    const saved = await page.post(
      '/casework/new',
      { ...fields, contactChoice: existing.contactId! },
      '/casework/new',
    );
    expect(saved.statusCode).toBe(303);
    const caseId = /\/casework\/([0-9a-f-]{36})/.exec(saved.headers.location as string)![1]!;
    expect(await contactOf(caseId)).toBe(existing.contactId);
  });
});
