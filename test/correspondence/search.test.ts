import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/fixture.js';
import { bearer, signInPage, type TestUser } from '../helpers/auth.js';
import { actorOf, makeCase } from './fixtures.js';

const t = useTestApp();
let caseworker: TestUser;
let token: string;

beforeAll(async () => {
  caseworker = await t.user('caseworker');
  token = await t.token(caseworker);
});

const search = async (query: string) => {
  const response = await t.app.inject({
    method: 'GET',
    url: `/api/cases?${new URLSearchParams({ q: query }).toString()}`,
    headers: bearer(token),
  });
  expect(response.statusCode).toBe(200);
  const body: {
    items: Array<{ id: string; reference: string }>;
    nextCursor: string | null;
  } = response.json();
  return body;
};

describe('full-text search', () => {
  it('finds a note containing "burglary" when searching "burglaries"', async () => {
    const c = await makeCase(t.app, caseworker, {
      subject: 'Question about my neighbourhood',
      body: 'When will the patrols start?',
    });
    await t.app.services.correspondence.addNote(actorOf(caseworker), c.id, {
      body: 'The requester reported a burglary last spring.',
    });
    const found = await search('burglaries');
    expect(found.items.map((i) => i.id)).toContain(c.id);
  });

  it('ranks a subject match (weight A) above a body match (weight B)', async () => {
    const inBody = await makeCase(t.app, caseworker, {
      subject: 'General question',
      body: 'Something about hedgehogs crossing the road.',
    });
    const inSubject = await makeCase(t.app, caseworker, {
      subject: 'Hedgehogs crossing the road',
      body: 'Please put up a sign.',
    });
    const found = await search('hedgehogs');
    expect(found.items.map((i) => i.id)).toEqual([inSubject.id, inBody.id]);
  });

  it('searches inside the queue filters', async () => {
    const foi = await makeCase(t.app, caseworker, {
      type: 'foi',
      subject: 'Drones used by the force',
    });
    await makeCase(t.app, caseworker, { type: 'general', subject: 'Drones over my garden' });
    const response = await t.app.inject({
      method: 'GET',
      url: '/api/cases?q=drones&type=foi',
      headers: bearer(token),
    });
    expect(response.json().items.map((i: { id: string }) => i.id)).toEqual([foi.id]);
  });

  it('treats injection strings as text: normal answers, no errors', async () => {
    for (const q of [
      "' OR 1=1 --",
      'burglary"); drop table cases; --',
      '!!! & | <-> :*',
      'a'.repeat(200),
    ]) {
      const found = await search(q);
      expect(Array.isArray(found.items)).toBe(true);
    }
    const [row] = await t.db.sql<{ n: number }[]>`select count(*)::int as n from cases`;
    expect(row!.n).toBeGreaterThan(0);
  });

  it('refuses a query over 200 characters with 400', async () => {
    const response = await t.app.inject({
      method: 'GET',
      url: `/api/cases?q=${'a'.repeat(201)}`,
      headers: bearer(token),
    });
    expect(response.statusCode).toBe(400);
  });

  it('opens the case when a reference is typed in the queue search', async () => {
    const c = await makeCase(t.app, caseworker);
    const page = await signInPage(t.app, caseworker);
    const typed = await page.get(`/casework?q=${c.reference.toLowerCase()}`);
    expect(typed.statusCode).toBe(303);
    expect(typed.headers.location).toBe(`/casework/${c.id}`);
    const found = await search(c.reference);
    expect(found.items.map((i) => i.id)).toEqual([c.id]);
  });
});
