import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/fixture.js';
import { bearer, type PageSession, type TestUser } from '../helpers/auth.js';
import { makeCase } from '../correspondence/fixtures.js';
import { insertContact, type ContactValues } from './fixtures.js';

const t = useTestApp();
let caseworker: TestUser;
let manager: TestUser;
let managerToken: string;
let caseworkerToken: string;
let managerPage: PageSession;

beforeAll(async () => {
  caseworker = await t.user('caseworker');
  manager = await t.user('manager');
  managerToken = await t.token(manager);
  caseworkerToken = await t.token(caseworker);
  managerPage = await t.page(manager);
});

// Every name carries this run's marker, so a fragment search matches only this file's rows.
const marker = `Zq${randomBytes(4).toString('hex')}`;

const contact = (values: ContactValues) => insertContact(t.db.sql, values);

type ListBody = {
  items: Array<{ id: string; name: string; caseCount: number }>;
  total: number;
  page: number;
  matchedOn: string;
};

const list = (query: string, token = managerToken) =>
  t.app.inject({ method: 'GET', url: `/api/contacts?${query}`, headers: bearer(token) });

describe('the contacts list (API)', () => {
  let ada: string;
  let bea: string;
  let merged: string;

  beforeAll(async () => {
    ada = await contact({
      name: `Ada ${marker} Lovelace`,
      email: `ada.${marker}@example.org`,
      phone: '07700 900111',
      postcode: 'SW1A 1AA',
    });
    bea = await contact({ name: `Bea ${marker} Smith` });
    merged = await contact({ name: `Ada ${marker} Duplicate`, mergedInto: ada });
    await makeCase(t.app, caseworker, { contactId: ada });
    const mp = await makeCase(t.app, caseworker, { type: 'mp_enquiry', channel: 'mp' });
    await t.db.sql`update cases set on_behalf_of_id = ${ada} where id = ${mp.id}`;
  });

  it('finds a fragment of a name in any case, A to Z, with case counts, leaving merged contacts out', async () => {
    const response = await list(`q=${marker.toLowerCase()}`);
    expect(response.statusCode).toBe(200);
    const body = response.json<ListBody>();
    expect(body.matchedOn).toBe('name');
    expect(body.items.map((c) => c.id)).toEqual([ada, bea]);
    expect(body.total).toBe(2);
    expect(body.items[0]!.caseCount).toBe(2);
    expect(body.items[1]!.caseCount).toBe(0);
    expect(body.items.map((c) => c.id)).not.toContain(merged);
  });

  it('matches a whole email, telephone number or postcode on its normalised form', async () => {
    for (const [q, on] of [
      [`ADA.${marker}@Example.org `, 'email'],
      ['+44 7700 900111', 'phone'],
      ['sw1a1aa', 'postcode'],
    ] as const) {
      const body = (await list(new URLSearchParams({ q }).toString())).json<ListBody>();
      expect(body.matchedOn).toBe(on);
      expect(body.items.map((c) => c.id)).toContain(ada);
      expect(body.items.map((c) => c.id)).not.toContain(bea);
    }
  });

  it('treats % and _ as the characters typed, not as wildcards', async () => {
    const body = (await list(`q=${encodeURIComponent(`${marker}%`)}`)).json<ListBody>();
    expect(body.total).toBe(0);
    const underscore = (await list(`q=${encodeURIComponent(`Ada_${marker}`)}`)).json<ListBody>();
    expect(underscore.total).toBe(0);
  });

  it('pages 25 at a time and audits each read as a contact list search', async () => {
    const many = `Page${marker}`;
    for (let i = 0; i < 27; i += 1)
      await contact({ name: `${many} ${String(i).padStart(2, '0')}` });
    const second = (await list(`q=${many}&page=2`)).json<ListBody>();
    expect(second.total).toBe(27);
    expect(second.page).toBe(2);
    expect(second.items.map((c) => c.name)).toEqual([`${many} 25`, `${many} 26`]);

    const [audited] = await t.db.sql<{ n: number }[]>`
      select count(*)::int as n from audit_events
      where action = 'contact.list' and actor_id = ${manager.id} and justification = 'search'`;
    expect(audited!.n).toBeGreaterThanOrEqual(1);
  });

  it('names the bad field with a 400, and refuses caseworkers', async () => {
    const long = await list(`q=${'x'.repeat(201)}`);
    expect(long.statusCode).toBe(400);
    expect(long.json()).toMatchObject({
      error: { code: 'validation', fields: { q: expect.any(String) } },
    });
    const page = await list('page=abc');
    expect(page.statusCode).toBe(400);
    expect(page.json()).toMatchObject({ error: { fields: { page: expect.any(String) } } });
    expect((await list('q=ada', caseworkerToken)).statusCode).toBe(403);
  });
});

describe('the contacts page', () => {
  it('lists matches linking to each contact, and keeps a too-long search with the error summary', async () => {
    const id = await contact({ name: `Cy ${marker} Page` });
    const found = await managerPage.get(`/contacts?q=Cy+${marker}`);
    expect(found.statusCode).toBe(200);
    expect(found.body).toContain(`href="/contacts/${id}"`);
    expect(found.body).toContain('1 contact');

    const typed = 'y'.repeat(201);
    const bad = await managerPage.get(`/contacts?q=${typed}`);
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('govuk-error-summary');
    expect(bad.body).toContain('href="#q"');
    expect(bad.body).toContain(`value="${typed}"`);
  });

  it('links the next page, and shows the first page for a mangled page number', async () => {
    const many = `Pager${marker}`;
    for (let i = 0; i < 26; i += 1)
      await contact({ name: `${many} ${String(i).padStart(2, '0')}` });
    const first = await managerPage.get(`/contacts?q=${many}`);
    expect(first.body).toContain(`href="/contacts?q=${many}&amp;page=2"`);
    expect(first.body).toContain(`${many} 24`);
    expect(first.body).not.toContain(`${many} 25`);
    const mangled = await managerPage.get(`/contacts?q=${many}&page=abc`);
    expect(mangled.statusCode).toBe(200);
    expect(mangled.body).toContain(`${many} 00`);
  });

  it('is in the managers’ navigation', async () => {
    const home = await managerPage.get('/contacts');
    expect(home.body).toMatch(/href="\/contacts"[^>]*>\s*(<[^>]+>\s*)*Contacts/);
  });
});
