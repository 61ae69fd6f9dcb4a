import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/fixture.js';
import { apiToken, bearer, signInPage, type TestUser } from '../helpers/auth.js';
import { actorOf, makeCase } from './fixtures.js';

const t = useTestApp();
let assignee: TestUser;
let outsider: TestUser;
let manager: TestUser;
let secret: { id: string; reference: string };
let ordinary: { id: string; reference: string };

beforeAll(async () => {
  assignee = await t.user('caseworker');
  outsider = await t.user('caseworker');
  manager = await t.user('manager');
  ordinary = await makeCase(t.app, assignee, {
    subject: 'Burglary follow-up on Elm Street',
    body: 'A question about a burglary investigation.',
  });
  secret = await makeCase(t.app, assignee, {
    subject: 'Complaint about a staff member: burglary handling',
    body: 'Concerns about how a member of staff handled my burglary report.',
    assigneeId: assignee.id,
  });
  await t.app.services.correspondence.setRestricted(actorOf(manager), secret.id, {
    restricted: true,
    version: 1,
  });
  await t.app.services.correspondence.addNote(actorOf(assignee), secret.id, {
    body: 'Sensitive: zebracrossing codeword in a note',
  });
});

const api = async (user: TestUser, url: string) =>
  t.app.inject({ method: 'GET', url, headers: bearer(await apiToken(t.app, user)) });

describe('security checklist 14: unassigned caseworker gets 404 on a restricted case, lists omit it; manager read audited', () => {
  it('is a 404 for a caseworker who is not assigned, exactly like a missing case', async () => {
    const hidden = await api(outsider, `/api/cases/${secret.id}`);
    const missing = await api(outsider, '/api/cases/00000000-0000-4000-8000-00000000dead');
    expect(hidden.statusCode).toBe(404);
    expect(missing.statusCode).toBe(404);
    const strip = (body: string) => ({ ...JSON.parse(body).error, requestId: undefined });
    expect(strip(hidden.body)).toEqual(strip(missing.body));

    const page = await signInPage(t.app, outsider);
    const hiddenPage = await page.get(`/casework/${secret.id}`);
    expect(hiddenPage.statusCode).toBe(404);
    expect(hiddenPage.body).not.toContain('staff member');
    const note = await page.post(`/casework/${secret.id}/notes`, { body: 'sneaky' }, '/casework');
    expect(note.statusCode).toBe(404);
    const move = await t.app.inject({
      method: 'POST',
      url: `/api/cases/${secret.id}/transitions`,
      headers: bearer(await apiToken(t.app, outsider)),
      payload: { to: 'open', version: 2 },
    });
    expect(move.statusCode).toBe(404);
  });

  it('never appears in the outsider’s lists, search, counts or CSV', async () => {
    const list = (await api(outsider, '/api/cases?limit=200')).json();
    expect(list.items.map((c: { id: string }) => c.id)).toContain(ordinary.id);
    expect(list.items.map((c: { id: string }) => c.id)).not.toContain(secret.id);

    const search = (await api(outsider, '/api/cases?q=burglary')).json();
    expect(search.items.map((c: { id: string }) => c.id)).toEqual([ordinary.id]);
    const byNote = (await api(outsider, '/api/cases?q=zebracrossing')).json();
    expect(byNote.items).toEqual([]);
    const byReference = (await api(outsider, `/api/cases?q=${secret.reference}`)).json();
    expect(byReference.items).toEqual([]);

    const page = await signInPage(t.app, outsider);
    const queue = await page.get('/casework?view=all');
    expect(queue.statusCode).toBe(200);
    expect(queue.body).toContain(ordinary.reference);
    expect(queue.body).not.toContain(secret.reference);
    const typed = await page.get(`/casework?q=${secret.reference}`);
    expect(typed.statusCode).toBe(200); // no redirect to a case they may not see
    expect(typed.body).not.toContain(secret.id);
    expect(typed.body).not.toContain('staff member');
    expect(typed.body).toContain('No cases match these filters');
    // The CSV export is for managers only (role table): a caseworker is refused outright.
    const csv = await page.get('/casework/export.csv?view=all');
    expect(csv.statusCode).toBe(403);
    expect(csv.body).not.toContain(secret.reference);

    const counts = await t.app.services.correspondence.counts(actorOf(outsider));
    const managerCounts = await t.app.services.correspondence.counts(actorOf(manager));
    expect(managerCounts.allOpen - counts.allOpen).toBe(1);
  });

  it('is visible to its assignee', async () => {
    const detail = await api(assignee, `/api/cases/${secret.id}`);
    expect(detail.statusCode).toBe(200);
    const list = (await api(assignee, '/api/cases?q=zebracrossing')).json();
    expect(list.items.map((c: { id: string }) => c.id)).toEqual([secret.id]);
  });

  it('is visible to a manager, in lists, search and CSV, and the read is audited', async () => {
    const detail = await api(manager, `/api/cases/${secret.id}`);
    expect(detail.statusCode).toBe(200);
    expect(detail.json()).toMatchObject({ restricted: true, reference: secret.reference });
    const [audit] = await t.db.sql<{ actor_id: string; actor_role: string }[]>`
      select actor_id, actor_role from audit_events where action = 'case.view' and subject_id = ${secret.id} and actor_id = ${manager.id}`;
    expect(audit).toMatchObject({ actor_id: manager.id, actor_role: 'manager' });

    const search = (await api(manager, '/api/cases?q=burglary')).json();
    expect(search.items.map((c: { id: string }) => c.id).sort()).toEqual(
      [ordinary.id, secret.id].sort(),
    );
    const page = await signInPage(t.app, manager);
    const csv = await page.get('/casework/export.csv?view=all');
    expect(csv.body).toContain(secret.reference);
    const typed = await page.get(`/casework?q=${secret.reference}`);
    expect(typed.statusCode).toBe(303);
    expect(typed.headers.location).toBe(`/casework/${secret.id}`);
  });

  it('can be restricted only by a manager, and appears on the timeline', async () => {
    const c = await makeCase(t.app, assignee, { assigneeId: assignee.id });
    await expect(
      t.app.services.correspondence.setRestricted(actorOf(assignee), c.id, {
        restricted: true,
        version: 1,
      }),
    ).rejects.toMatchObject({ statusCode: 403 });
    const refused = await t.app.inject({
      method: 'POST',
      url: `/api/cases/${c.id}/restriction`,
      headers: bearer(await apiToken(t.app, assignee)),
      payload: { restricted: true, version: 1 },
    });
    expect(refused.statusCode).toBe(403);
    const page = await signInPage(t.app, manager);
    const done = await page.post(
      `/casework/${c.id}/restriction`,
      { restricted: 'yes', version: '1' },
      `/casework/${c.id}`,
    );
    expect(done.statusCode).toBe(303);
    const detail = await t.app.services.correspondence.get(actorOf(manager), c.id);
    expect(detail.restricted).toBe(true);
    expect(detail.timeline.filter((e) => e.kind === 'restriction_changed')).toHaveLength(1);
    expect((await api(outsider, `/api/cases/${c.id}`)).statusCode).toBe(404);
  });

  it('opens to a member of staff granted access', async () => {
    const c = await makeCase(t.app, assignee, { assigneeId: assignee.id });
    await t.app.services.correspondence.setRestricted(actorOf(manager), c.id, {
      restricted: true,
      version: 1,
    });
    expect((await api(outsider, `/api/cases/${c.id}`)).statusCode).toBe(404);
    await t.app.services.correspondence.grantAccess(actorOf(manager), c.id, outsider.id);
    expect((await api(outsider, `/api/cases/${c.id}`)).statusCode).toBe(200);
  });
});
