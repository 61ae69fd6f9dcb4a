/**
 * "Find an existing contact" on the new-case form (issue #15 item 4): search contacts by
 * name, email or postcode, choose one or record someone new, all without JavaScript (a GET
 * search, a link to choose, a hidden field in the form); and the same search in the API.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/fixture.js';
import { apiToken, bearer, signInPage, type TestUser } from '../helpers/auth.js';
import { makeCase } from './fixtures.js';

const t = useTestApp();
let caseworker: TestUser;
let ada: { contactId: string | null };
let adam: { contactId: string | null };

beforeAll(async () => {
  caseworker = await t.user('caseworker');
  ada = await makeCase(t.app, caseworker, {
    contact: { name: 'Ada Lovelace', email: 'ada@example.org', postcode: 'CB1 2AB' },
  });
  adam = await makeCase(t.app, caseworker, {
    contact: { name: 'Adam Smith', postcode: 'PE1 1AA' },
  });
});

const form = {
  type: 'general',
  channel: 'letter',
  'receivedAt-day': '20',
  'receivedAt-month': '11',
  'receivedAt-year': '2026',
  subject: 'Speeding on the high street',
  body: 'Cars speed past the school every morning.',
};

describe('find an existing contact: the API', () => {
  it('finds by name fragment, email and postcode, with case counts', async () => {
    const token = await apiToken(t.app, caseworker);
    const find = async (q: string) => {
      const response = await t.app.inject({
        url: `/api/contacts/find?q=${encodeURIComponent(q)}`,
        headers: bearer(token),
      });
      expect(response.statusCode).toBe(200);
      return response.json<{
        items: Array<{ id: string; caseCount: number }>;
        matchedOn: string;
      }>();
    };
    const byName = await find('ada');
    expect(byName.matchedOn).toBe('name');
    expect(byName.items.map((i) => i.id).sort()).toEqual([ada.contactId, adam.contactId].sort());
    expect(byName.items.find((i) => i.id === ada.contactId)?.caseCount).toBe(1);
    expect((await find('ADA@example.org')).items.map((i) => i.id)).toEqual([ada.contactId]);
    const byPostcode = await find('pe11aa');
    expect(byPostcode.matchedOn).toBe('postcode');
    expect(byPostcode.items.map((i) => i.id)).toEqual([adam.contactId]);
    expect((await find('Nobody Here')).items).toEqual([]);
  });

  it('refuses a search too short to mean anything, and anyone not signed in', async () => {
    const token = await apiToken(t.app, caseworker);
    const short = await t.app.inject({ url: '/api/contacts/find?q=a', headers: bearer(token) });
    expect(short.statusCode).toBe(400);
    expect(short.json()).toMatchObject({
      error: { code: 'validation', fields: { q: expect.any(String) } },
    });
    const missing = await t.app.inject({ url: '/api/contacts/find', headers: bearer(token) });
    expect(missing.statusCode).toBe(400);
    const anonymous = await t.app.inject({ url: '/api/contacts/find?q=ada' });
    expect(anonymous.statusCode).toBe(401);
  });
});

describe('find an existing contact: the new-case page', () => {
  it('searches, chooses a contact by its link and records the case as theirs', async () => {
    const page = await signInPage(t.app, caseworker);
    const blank = await page.get('/casework/new');
    expect(blank.body).toContain('Find an existing contact');
    expect(blank.body).toContain('<form method="get" action="/casework/new"');

    const found = await page.get('/casework/new?contactSearch=lovelace');
    expect(found.statusCode).toBe(200);
    expect(found.body).toContain('1 contact matching ‘lovelace’');
    expect(found.body).toContain('ada@example.org, CB1 2AB');
    expect(found.body).toContain(`href="/casework/new?contactId=${ada.contactId}"`);
    expect(found.body).not.toContain('Adam Smith');

    const chosen = await page.get(`/casework/new?contactId=${ada.contactId}`);
    expect(chosen.statusCode).toBe(200);
    expect(chosen.body).toContain('id="chosen-contact">Ada Lovelace<');
    expect(chosen.body).toContain(`name="contactChoice" value="${ada.contactId}"`);
    expect(chosen.body).not.toContain('name="contactName"'); // no details to type again
    expect(chosen.body).toContain('Choose someone else');

    const saved = await page.post(
      '/casework/new',
      { ...form, contactChoice: ada.contactId! },
      `/casework/new?contactId=${ada.contactId}`,
    );
    expect(saved.statusCode).toBe(303);
    const caseId = /\/casework\/([0-9a-f-]{36})/.exec(saved.headers.location as string)![1]!;
    const [row] = await t.db.sql<{ contact_id: string }[]>`
      select contact_id from cases where id = ${caseId}`;
    expect(row!.contact_id).toBe(ada.contactId);
  });

  it('keeps the chosen contact when the rest of the form is refused', async () => {
    const page = await signInPage(t.app, caseworker);
    const refused = await page.post(
      '/casework/new',
      { ...form, subject: '', contactChoice: adam.contactId! },
      `/casework/new?contactId=${adam.contactId}`,
    );
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('govuk-error-summary');
    expect(refused.body).toContain('id="chosen-contact">Adam Smith<');
    expect(refused.body).toContain(`name="contactChoice" value="${adam.contactId}"`);
  });

  it('says when nobody matches, and shows field errors for a bad search or contact', async () => {
    const page = await signInPage(t.app, caseworker);
    const none = await page.get('/casework/new?contactSearch=Zebedee');
    expect(none.statusCode).toBe(200);
    expect(none.body).toContain('No contacts match ‘Zebedee’');
    expect(none.body).toContain('name="contactName"'); // record someone new instead

    const short = await page.get('/casework/new?contactSearch=z');
    expect(short.statusCode).toBe(400);
    expect(short.body).toContain('govuk-error-summary');
    expect(short.body).toContain('href="#contactSearch"');

    const gone = await page.get('/casework/new?contactId=00000000-0000-4000-8000-000000000000');
    expect(gone.statusCode).toBe(404);
    expect(gone.body).toContain('That contact no longer exists');
  });
});
