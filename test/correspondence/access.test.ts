import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/fixture.js';
import { apiToken, bearer, createUser, signInPage, type TestUser } from '../helpers/auth.js';
import { actorOf, makeCase } from './fixtures.js';

// Access to a restricted case for a named member of staff (docs/rules/correspondence.md §8): granted
// and removed by a manager, on the case page and through the API; timeline and audit.

const t = useTestApp();
let assignee: TestUser;
let guest: TestUser;
let manager: TestUser;
let mgrToken: string;
let guestToken: string;

beforeAll(async () => {
  assignee = await t.user('caseworker', { name: 'Avery Assignee' });
  guest = await t.user('caseworker', { name: 'Gale Guest' });
  manager = await t.user('manager', { name: 'Morgan Manager' });
  mgrToken = await t.token(manager);
  guestToken = await t.token(guest);
});

async function restrictedCase(subject: string) {
  const c = await makeCase(t.app, assignee, { subject, assigneeId: assignee.id });
  await t.app.services.correspondence.setRestricted(actorOf(manager), c.id, {
    restricted: true,
    version: 1,
  });
  return c;
}

const call = (method: 'GET' | 'POST' | 'DELETE', url: string, token: string, payload?: object) =>
  t.app.inject({ method, url, headers: bearer(token), ...(payload ? { payload } : {}) });

/** What the guest can see of the case: the case itself, the list and search (the CSV export is for managers). */
async function guestSees(c: { id: string; reference: string }, subjectWord: string) {
  const detail = await call('GET', `/api/cases/${c.id}`, guestToken);
  const list = await call('GET', '/api/cases?view=all&limit=200', guestToken);
  const search = await call('GET', `/api/cases?q=${subjectWord}`, guestToken);
  const page = await signInPage(t.app, guest);
  const queue = await page.get('/casework?view=all');
  const ids = (r: typeof list) => r.json<{ items: Array<{ id: string }> }>().items.map((i) => i.id);
  return {
    detail: detail.statusCode,
    list: ids(list).includes(c.id),
    search: ids(search).includes(c.id),
    queue: queue.body.includes(c.reference),
  };
}

describe('access to a restricted case through the API', () => {
  it('grant: the caseworker sees it everywhere; revoke: 404 and gone from lists', async () => {
    const c = await restrictedCase('Heron staff matter');
    expect(await guestSees(c, 'heron')).toEqual({
      detail: 404,
      list: false,
      search: false,
      queue: false,
    });

    const granted = await call('POST', `/api/cases/${c.id}/access`, mgrToken, {
      userId: guest.id,
    });
    expect(granted.statusCode, granted.body).toBe(201);
    expect(granted.json().items).toEqual([
      {
        user: { id: guest.id, name: 'Gale Guest', role: 'caseworker' },
        grantedAt: expect.any(String),
        grantedBy: { id: manager.id, name: 'Morgan Manager' },
      },
    ]);
    expect(await guestSees(c, 'heron')).toEqual({
      detail: 200,
      list: true,
      search: true,
      queue: true,
    });
    // Granting again changes nothing and records nothing more.
    const again = await call('POST', `/api/cases/${c.id}/access`, mgrToken, { userId: guest.id });
    expect(again.statusCode).toBe(201);
    expect(again.json().items).toHaveLength(1);

    const listed = await call('GET', `/api/cases/${c.id}/access`, mgrToken);
    expect(listed.json().items.map((g: { user: { id: string } }) => g.user.id)).toEqual([guest.id]);

    const revoked = await call('DELETE', `/api/cases/${c.id}/access/${guest.id}`, mgrToken);
    expect(revoked.statusCode).toBe(204);
    expect(await guestSees(c, 'heron')).toEqual({
      detail: 404,
      list: false,
      search: false,
      queue: false,
    });
    const twice = await call('DELETE', `/api/cases/${c.id}/access/${guest.id}`, mgrToken);
    expect(twice.statusCode).toBe(404);
    expect(twice.json().error.code).toBe('correspondence.access_not_found');

    // One timeline entry each way, with the manager as actor, and an audit row each.
    const detail = await t.app.services.correspondence.get(actorOf(manager), c.id);
    const events = detail.timeline.filter((e) => e.kind.startsWith('access_'));
    expect(events.map((e) => [e.kind, e.title, e.actor?.id])).toEqual([
      ['access_granted', 'Access granted', manager.id],
      ['access_revoked', 'Access removed', manager.id],
    ]);
    expect(events[0]!.description).toContain('Gale Guest');
    const audits = await t.db.sql<{ action: string; actor_id: string }[]>`
      select action, actor_id from audit_events
      where subject_id = ${c.id} and action like 'case.access.%' order by at, id`;
    expect(audits.map((a) => a.action)).toEqual(['case.access.grant', 'case.access.revoke']);
    expect(audits.every((a) => a.actor_id === manager.id)).toBe(true);
  });

  it('is for managers only, about people who can hold cases, on cases they can see', async () => {
    const c = await restrictedCase('Egret staff matter');
    const assigneeToken = await apiToken(t.app, assignee);
    // The assignee can see the case but not hand out access to it.
    const byCaseworker = await call('POST', `/api/cases/${c.id}/access`, assigneeToken, {
      userId: guest.id,
    });
    expect(byCaseworker.statusCode).toBe(403);
    expect((await call('GET', `/api/cases/${c.id}/access`, assigneeToken)).statusCode).toBe(403);
    expect(
      (await call('DELETE', `/api/cases/${c.id}/access/${guest.id}`, assigneeToken)).statusCode,
    ).toBe(403);
    await expect(
      t.app.services.correspondence.grantAccess(actorOf(assignee), c.id, guest.id),
    ).rejects.toMatchObject({ statusCode: 403 });

    const admin = await createUser(t.app, 'admin');
    const toAdmin = await call('POST', `/api/cases/${c.id}/access`, mgrToken, {
      userId: admin.id,
    });
    expect(toAdmin.statusCode).toBe(400);
    expect(toAdmin.json().error.fields).toHaveProperty('userId');
    const notUuid = await call('POST', `/api/cases/${c.id}/access`, mgrToken, { userId: 'x' });
    expect(notUuid.statusCode).toBe(400);
    const extra = await call('POST', `/api/cases/${c.id}/access`, mgrToken, {
      userId: guest.id,
      role: 'manager',
    });
    expect(extra.statusCode).toBe(400);
    const missing = await call(
      'POST',
      '/api/cases/00000000-0000-4000-8000-00000000beef/access',
      mgrToken,
      { userId: guest.id },
    );
    expect(missing.statusCode).toBe(404);
    expect((await call('GET', `/api/cases/${c.id}/access`, mgrToken)).json().items).toEqual([]);
  });
});

/** The options of the "Give a caseworker access" select. */
const accessChoices = (html: string) =>
  /<select[^>]*id="userId"[\s\S]*?<\/select>/.exec(html)?.[0] ?? '';

describe('access on the case page', () => {
  it('lets a manager give and remove access, listing who has it', async () => {
    const c = await restrictedCase('Bittern staff matter');
    const page = await signInPage(t.app, manager);
    const before = await page.get(`/casework/${c.id}`);
    expect(before.statusCode).toBe(200);
    expect(before.body).toContain('Who else can see it');
    expect(before.body).toContain('Nobody has been given access.');
    const choices = accessChoices(before.body);
    expect(choices).toContain(`<option value="${guest.id}">Gale Guest</option>`);
    // The assignee and managers already see it: not offered.
    expect(choices).not.toContain(`value="${assignee.id}"`);
    expect(choices).not.toContain(`value="${manager.id}"`);

    const empty = await page.post(`/casework/${c.id}/access`, { userId: '' }, `/casework/${c.id}`);
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('href="#userId"');
    expect(empty.body).toContain('Choose who to give access to');

    const given = await page.post(
      `/casework/${c.id}/access`,
      { userId: guest.id },
      `/casework/${c.id}`,
    );
    expect(given.statusCode).toBe(303);
    expect(given.headers.location).toBe(`/casework/${c.id}?notice=access#access`);
    const after = await page.get(`/casework/${c.id}?notice=access`);
    expect(after.body).toContain('Access given');
    expect(after.body).toMatch(/id="access-list"[\s\S]*Gale Guest[\s\S]*by Morgan Manager/);
    expect(after.body).toContain(
      'Remove<span class="govuk-visually-hidden"> access for Gale Guest',
    );
    expect(accessChoices(after.body)).not.toContain(`value="${guest.id}"`);

    // The guest can now open the case page and find it in the queue.
    const guestPage = await signInPage(t.app, guest);
    expect((await guestPage.get(`/casework/${c.id}`)).statusCode).toBe(200);
    const queue = await guestPage.get('/casework?view=all&q=bittern');
    expect(queue.body).toContain(c.reference);
    // A caseworker sees no access controls.
    expect((await guestPage.get(`/casework/${c.id}`)).body).not.toContain('Who else can see it');
    const forged = await guestPage.post(
      `/casework/${c.id}/access/remove`,
      { userId: guest.id },
      `/casework/${c.id}`,
    );
    expect(forged.statusCode).toBe(403);

    const removed = await page.post(
      `/casework/${c.id}/access/remove`,
      { userId: guest.id },
      `/casework/${c.id}`,
    );
    expect(removed.statusCode).toBe(303);
    expect(removed.headers.location).toBe(`/casework/${c.id}?notice=access-removed#access`);
    expect((await guestPage.get(`/casework/${c.id}`)).statusCode).toBe(404);
    expect((await guestPage.get('/casework?view=all&q=bittern')).body).not.toContain(c.reference);
    const final = await page.get(`/casework/${c.id}?notice=access-removed`);
    expect(final.body).toContain('Access removed');
    expect(final.body).toContain('Nobody has been given access.');
    // Removing again (a second click) is not an error.
    const again = await page.post(
      `/casework/${c.id}/access/remove`,
      { userId: guest.id },
      `/casework/${c.id}`,
    );
    expect(again.statusCode).toBe(303);
  });
});
