import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/fixture.js';
import { bearer, createUser, signInPage, type TestUser } from '../helpers/auth.js';
import { makeCase } from './fixtures.js';

const t = useTestApp();
let caseworker: TestUser;
let other: TestUser;
let manager: TestUser;
let mgrToken: string;
let cwToken: string;

beforeAll(async () => {
  caseworker = await t.user('caseworker');
  other = await t.user('caseworker');
  manager = await t.user('manager');
  mgrToken = await t.token(manager);
  cwToken = await t.token(caseworker);
});

const bulk = (payload: unknown, token = mgrToken) =>
  t.app.inject({
    method: 'POST',
    url: '/api/cases/bulk-assign',
    headers: bearer(token),
    payload: payload as object,
  });

async function thirty() {
  const made = [];
  for (let i = 0; i < 30; i += 1)
    made.push(await makeCase(t.app, caseworker, { subject: `Batch ${i}` }));
  return made;
}

const assigneesOf = async (ids: string[]) =>
  await t.db.sql<{ assignee_id: string | null; version: number }[]>`
    select assignee_id, version from cases where id in ${t.db.sql(ids)}`;

describe('bulk assign', () => {
  it('assigns all 30 cases in one go, one timeline entry and audit row each', async () => {
    const made = await thirty();
    const r = await bulk({
      assigneeId: other.id,
      cases: made.map((c) => ({ id: c.id, version: 1 })),
    });
    expect(r.statusCode).toBe(200);
    expect(r.json().assigned).toBe(30);
    const rows = await assigneesOf(made.map((c) => c.id));
    expect(rows).toHaveLength(30);
    expect(rows.every((row) => row.assignee_id === other.id && row.version === 2)).toBe(true);
    const [events] = await t.db.sql<{ n: number }[]>`
      select count(*)::int as n from case_events where kind = 'assigned' and actor_id = ${manager.id} and case_id in ${t.db.sql(made.map((c) => c.id))}`;
    expect(events!.n).toBe(30);
    const [audits] = await t.db.sql<{ n: number }[]>`
      select count(*)::int as n from audit_events where action = 'case.assign' and subject_id in ${t.db.sql(made.map((c) => c.id))}`;
    expect(audits!.n).toBe(30);
  });

  it('changes none of 30 when one has moved on, and names it', async () => {
    const made = await thirty();
    const victim = made[17]!;
    const moved = await t.app.inject({
      method: 'POST',
      url: `/api/cases/${victim.id}/transitions`,
      headers: bearer(cwToken),
      payload: { to: 'open', version: 1 },
    });
    expect(moved.statusCode).toBe(200);
    const r = await bulk({
      assigneeId: other.id,
      cases: made.map((c) => ({ id: c.id, version: 1 })),
    });
    expect(r.statusCode).toBe(409);
    const { error } = r.json();
    expect(error.code).toBe('correspondence.stale_version');
    expect(error.message).toContain(victim.reference);
    expect(error.message).not.toContain(made[0]!.reference);
    const rows = await assigneesOf(made.map((c) => c.id));
    expect(rows.every((row) => row.assignee_id === null)).toBe(true);
    const [events] = await t.db.sql<{ n: number }[]>`
      select count(*)::int as n from case_events where kind = 'assigned' and case_id in ${t.db.sql(made.map((c) => c.id))}`;
    expect(events!.n).toBe(0);
  });

  it('changes none when one case does not exist', async () => {
    const made = await thirty();
    const cases = made.map((c) => ({ id: c.id, version: 1 }));
    cases.push({ id: '00000000-0000-4000-8000-000000000001', version: 1 });
    const r = await bulk({ assigneeId: other.id, cases });
    expect(r.statusCode).toBe(404);
    const rows = await assigneesOf(made.map((c) => c.id));
    expect(rows.every((row) => row.assignee_id === null)).toBe(true);
  });

  it('refuses more than 200 cases, an unknown field and a disabled or admin assignee', async () => {
    const many = Array.from({ length: 201 }, () => ({
      id: '00000000-0000-4000-8000-000000000001',
      version: 1,
    }));
    expect((await bulk({ assigneeId: other.id, cases: many })).statusCode).toBe(400);
    expect((await bulk({ assigneeId: other.id, cases: [], force: true })).statusCode).toBe(400);
    const admin = await createUser(t.app, 'admin');
    const c = await makeCase(t.app, caseworker);
    const r = await bulk({ assigneeId: admin.id, cases: [{ id: c.id, version: 1 }] });
    expect(r.statusCode).toBe(400);
    expect(r.json().error.fields.assigneeId).toBeTruthy();
  });

  it('answers a stale single assignment with 409 and an unknown case with 404', async () => {
    const c = await makeCase(t.app, caseworker);
    const assign = (id: string, version: number) =>
      t.app.inject({
        method: 'POST',
        url: `/api/cases/${id}/assignment`,
        headers: bearer(mgrToken),
        payload: { assigneeId: other.id, version },
      });
    expect((await assign(c.id, 1)).statusCode).toBe(200);
    const stale = await assign(c.id, 1);
    expect(stale.statusCode).toBe(409);
    expect(stale.json().error.code).toBe('correspondence.stale_version');
    expect((await assign('00000000-0000-4000-8000-000000000002', 1)).statusCode).toBe(404);
  });

  it('lets a caseworker take unassigned cases but not reassign anyone else’s', async () => {
    const mine = await makeCase(t.app, caseworker);
    const took = await bulk(
      { assigneeId: caseworker.id, cases: [{ id: mine.id, version: 1 }] },
      cwToken,
    );
    expect(took.statusCode).toBe(200);
    const theirs = await makeCase(t.app, caseworker, { assigneeId: other.id });
    const grab = await bulk(
      { assigneeId: caseworker.id, cases: [{ id: theirs.id, version: 1 }] },
      cwToken,
    );
    expect(grab.statusCode).toBe(403);
    const give = await t.app.inject({
      method: 'POST',
      url: `/api/cases/${mine.id}/assignment`,
      headers: bearer(cwToken),
      payload: { assigneeId: other.id, version: 2 },
    });
    expect(give.statusCode).toBe(403);
    const [row] = await assigneesOf([mine.id]);
    expect(row).toMatchObject({ assignee_id: caseworker.id, version: 2 });
  });

  it('bulk-assigns from the queue page with checkboxes and shows the result', async () => {
    const a = await makeCase(t.app, caseworker, { subject: 'Quokka sighting A' });
    const b = await makeCase(t.app, caseworker, { subject: 'Quokka sighting B' });
    const page = await signInPage(t.app, manager);
    const queue = await page.get('/casework?view=unassigned&q=quokka');
    expect(queue.body).toContain(`value="${a.id}:1"`);
    const r = await page.post(
      '/casework/bulk-assign',
      {
        cases: [`${a.id}:1`, `${b.id}:1`],
        assigneeId: other.id,
        returnTo: '/casework?view=unassigned&q=quokka',
      },
      '/casework?view=unassigned&q=quokka',
    );
    expect(r.statusCode).toBe(303);
    expect(r.headers.location).toBe('/casework?view=unassigned&q=quokka&assigned=2');
    const after = await page.get(r.headers.location as string);
    expect(after.body).toContain('2 cases assigned');
    const rows = await assigneesOf([a.id, b.id]);
    expect(rows.every((row) => row.assignee_id === other.id)).toBe(true);

    const empty = await page.post(
      '/casework/bulk-assign',
      { assigneeId: '', returnTo: '/casework?view=all&q=quokka&type=general' },
      '/casework',
    );
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('href="#cases"');
    expect(empty.body).toContain('href="#assigneeId"');
    expect(empty.body).toContain('Quokka sighting A'); // the list it came from, filters kept

    const stale = await page.post(
      '/casework/bulk-assign',
      { cases: [`${a.id}:1`], assigneeId: manager.id, returnTo: 'https://evil.example/casework' },
      '/casework',
    );
    expect(stale.statusCode).toBe(409);
    expect(stale.body).toContain('govuk-error-summary');
    expect(stale.body).toContain(`${a.reference} changed since you loaded the list`);
  });
});
