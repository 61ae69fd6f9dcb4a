/**
 * Equality answers are special-category data (docs/rules/complaints.md §2 "own grants", §4 "aggregates
 * only"; docs/rules/security.md §1: one person's answers are nobody's by role). A canary answer set on
 * a complaint never reaches a page or API response of anyone without a grant; an admin's
 * grant (reason, last day; audited) lets a caseworker on the access list read them (each read
 * audited); ending it, or its last day passing, shuts them out again.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/fixture.js';
import { apiToken, bearer, signInPage, type PageSession, type TestUser } from '../helpers/auth.js';
import { api, team, type Team } from './fixtures.js';

const t = useTestApp();
let u: Team;
let a: ReturnType<typeof api>;
let admin: TestUser;
let adminPage: PageSession;
let adminToken: string;
beforeAll(async () => {
  u = await team(t);
  a = api(t);
  admin = await t.user('admin');
  adminPage = await t.page(admin);
  adminToken = await t.token(admin);
});

/** The canary: answers no other complaint in this database has, and words no page uses. */
const CANARY = { religion: 'buddhist', sexualOrientation: 'gay_or_lesbian', ageBand: '65_plus' };
const CANARY_WORDS = [/buddhist/i, /gay.or.lesbian/i, /65.plus/i];

/** Pages with the equality form list every option: there, no option may be pre-selected. */
function expectNoCanary(body: string, where: string, form = false) {
  if (form) {
    expect(body, where).not.toMatch(/<option value="(buddhist|gay_or_lesbian|65_plus)" selected/);
    expect(body, where).not.toMatch(/Buddhist<\/dd>|Gay or lesbian<\/dd>/);
    return;
  }
  for (const word of CANARY_WORDS) expect(body, where).not.toMatch(word);
}

const fresh = async () => {
  u.cw = await apiToken(t.app, u.caseworker);
  u.mgr = await apiToken(t.app, u.manager);
};

describe('equality answers and their grants', () => {
  it('a canary answer never reaches a page or API response of someone without a grant', async () => {
    t.clock.set('2026-11-23T10:00:00Z');
    await fresh();
    const c = await a.create(u.cw, { assigneeId: u.caseworker.id });
    await a.grant(u.cw, c.id, u.manager.id);
    const put = await a.call('PUT', `/api/complaints/${c.id}/equality`, u.cw, CANARY);
    expect(put.statusCode, put.body).toBe(204);
    const letter = await a.letter(u.cw, c.id, { template: 'acknowledgement', channel: 'email' });
    expect(letter.statusCode).toBe(201);

    for (const [who, token, user] of [
      ['caseworker', u.cw, u.caseworker],
      ['manager', u.mgr, u.manager],
    ] as const) {
      for (const url of [
        `/api/complaints/${c.id}`,
        '/api/complaints',
        `/api/complaints/${c.id}/access`,
        `/api/complaints?q=${encodeURIComponent('Alex')}`,
      ]) {
        const r = await a.call('GET', url, token);
        expect(r.statusCode, `${who} ${url}`).toBe(200);
        expectNoCanary(r.body, `${who} ${url}`);
      }
      const answers = await a.call('GET', `/api/complaints/${c.id}/equality`, token);
      expect(answers.statusCode).toBe(403);
      expect(answers.json().error.code).toBe('complaints.equality_not_granted');
      expectNoCanary(answers.body, `${who} equality API`);

      const page = await signInPage(t.app, user);
      for (const url of [`/complaints/${c.id}`, '/complaints', `/complaints/${c.id}/access`]) {
        const r = await page.get(url);
        expect(r.statusCode, `${who} ${url}`).toBe(200);
        expectNoCanary(r.body, `${who} ${url}`);
      }
      const form = await page.get(`/complaints/${c.id}/equality`);
      expect(form.statusCode).toBe(200);
      expect(form.body).toContain('Answers have been recorded');
      expectNoCanary(form.body, `${who} equality page`, true);
    }
    // The manager's statistics: totals only, the single answer shown as <5.
    const stats = await a.call('GET', '/api/stats/complaints?from=2026-11-01&to=2026-11-30', u.mgr);
    expect(stats.statusCode).toBe(200);
    const religion = (
      stats.json().equality as Array<{ dimension: string; cells: Array<{ key: string }> }>
    ).find((d) => d.dimension === 'religion');
    expect(religion!.cells.find((cell) => cell.key === 'buddhist')).toEqual({
      key: 'buddhist',
      count: null,
      display: '<5',
    });
    // The emailed acknowledgement and the outbox carry none of it either.
    const mail = await t.db.sql<{ body: string }[]>`
      select subject || text_body as body from email_messages
      union all select payload::text from outbox`;
    for (const m of mail) expectNoCanary(m.body, 'email or outbox');
  });

  it('free text is refused: only the listed answers are stored', async () => {
    t.clock.set('2026-11-23T10:00:00Z');
    await fresh();
    const c = await a.create(u.cw);
    const put = await a.call('PUT', `/api/complaints/${c.id}/equality`, u.cw, {
      religion: 'Zebedee Quillfeather is a Jedi',
    });
    expect(put.statusCode).toBe(400);
    expect(put.json().error.fields.religion).toBe('Choose an answer from the list');
    const [row] = await t.db.sql`select * from complainant_equality where complaint_id = ${c.id}`;
    expect(row).toBeUndefined();
    const create = await a.call('POST', '/api/complaints', u.cw, {
      receivedAt: '2026-11-23',
      complainant: { name: 'Someone' },
      summary: 'S',
      allegations: [{ category: 'individual_behaviours', description: 'D' }],
      equality: { sex: 'a long free-text answer' },
    });
    expect(create.statusCode).toBe(400);
    expect(create.json().error.fields['equality.sex']).toBeTruthy();
  });

  it('an admin grant lets a listed caseworker read the answers (audited); ending it or its last day shuts them out', async () => {
    t.clock.set('2026-11-23T10:00:00Z');
    await fresh();
    const c = await a.create(u.cw, { assigneeId: u.caseworker.id });
    await a.call('PUT', `/api/complaints/${c.id}/equality`, u.cw, CANARY);
    const page = '/admin/complaints/equality-access';
    expect((await adminPage.get(page)).body).toContain('Nobody has access');

    // Bad grants get the error summary and save nothing.
    const bad = await adminPage.post(page, { userId: admin.id, reason: '', until: '2026-11-01' });
    expect(bad.statusCode).toBe(400);
    for (const field of ['userId', 'reason', 'until'])
      expect(bad.body).toContain(`href="#${field}"`);
    const tooLong = await adminPage.post(page, {
      userId: u.caseworker.id,
      reason: 'Equality monitoring audit',
      until: '2028-01-01',
    });
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.body).toContain('A grant can last a year at most');
    const forged = await adminPage.post(page, {
      userId: '00000000-0000-4000-8000-000000000000',
      reason: 'R',
      until: '2026-12-31',
    });
    expect(forged.statusCode).toBe(400);
    expect((await t.db.sql`select 1 from complaint_equality_grants`).length, 'nothing saved').toBe(
      0,
    );

    const granted = await adminPage.post(page, {
      userId: u.caseworker.id,
      reason: 'Equality monitoring audit for the panel',
      until: '2026-12-31',
    });
    expect(granted.statusCode).toBe(303);
    const listed = await adminPage.get(granted.headers.location as string);
    expect(listed.body).toContain('Access granted');
    expect(listed.body).toContain('Equality monitoring audit for the panel');
    const twice = await adminPage.post(page, {
      userId: u.caseworker.id,
      reason: 'Again',
      until: '2026-12-31',
    });
    expect(twice.statusCode).toBe(400);
    expect(twice.body).toContain('already has a grant');
    const [grantAudit] = await t.db.sql<
      { actor_id: string; subject_id: string; justification: string }[]
    >`
      select actor_id, subject_id, justification from audit_events where action = 'complaint.equality_grant.add'`;
    expect(grantAudit).toMatchObject({
      actor_id: admin.id,
      subject_id: u.caseworker.id,
      justification: 'until 2026-12-31: Equality monitoring audit for the panel',
    });

    const answers = await a.call('GET', `/api/complaints/${c.id}/equality`, u.cw);
    expect(answers.statusCode, answers.body).toBe(200);
    expect(answers.json()).toEqual({
      recorded: true,
      answers: {
        ageBand: '65_plus',
        sex: null,
        ethnicity: null,
        disability: null,
        religion: 'buddhist',
        sexualOrientation: 'gay_or_lesbian',
      },
    });
    const cwPage = await signInPage(t.app, u.caseworker);
    const form = await cwPage.get(`/complaints/${c.id}/equality`);
    expect(form.body).toMatch(/<option value="buddhist" selected/);
    expect(form.body).toContain('Buddhist');
    const [{ n: reads }] = (await t.db.sql<{ n: number }[]>`
      select count(*)::int as n from audit_events
      where action = 'complaint.equality.view' and subject_id = ${c.id} and actor_id = ${u.caseworker.id}`) as unknown as [
      { n: number },
    ];
    expect(reads).toBe(2);

    // A grant does not open complaints: the outsider, granted, still gets 404.
    await adminPage.post(page, { userId: u.outsider.id, reason: 'Audit', until: '2026-12-31' });
    expect((await a.call('GET', `/api/complaints/${c.id}/equality`, u.out)).statusCode).toBe(404);
    // Admins are never granted and never reach the complaint.
    expect(
      (
        await t.app.inject({
          url: `/api/complaints/${c.id}/equality`,
          headers: bearer(adminToken),
        })
      ).statusCode,
    ).toBe(403);

    // Ended: 403 again, audited.
    const [grant] = await t.db.sql<{ id: string }[]>`
      select id from complaint_equality_grants where user_id = ${u.caseworker.id} and revoked_at is null`;
    const end = await adminPage.post(`${page}/${grant!.id}/end`, {}, page);
    expect(end.statusCode).toBe(303);
    expect((await a.call('GET', `/api/complaints/${c.id}/equality`, u.cw)).statusCode).toBe(403);
    expectNoCanary((await cwPage.get(`/complaints/${c.id}/equality`)).body, 'after end', true);
    const [revokeAudit] = await t.db.sql`
      select 1 from audit_events where action = 'complaint.equality_grant.revoke' and subject_id = ${u.caseworker.id}`;
    expect(revokeAudit).toBeDefined();
    expect((await adminPage.post(`${page}/${grant!.id}/end`, {}, page)).statusCode).toBe(404);
    expect((await adminPage.post(`${page}/not-a-grant/end`, {}, page)).statusCode).toBe(404);

    // A new grant whose last day passes stops working the day after.
    const api2 = await t.app.inject({
      method: 'POST',
      url: '/api/complaint-equality-grants',
      headers: bearer(adminToken),
      payload: { userId: u.caseworker.id, reason: 'Short audit', until: '2026-11-24' },
    });
    expect(api2.statusCode, api2.body).toBe(201);
    expect((await a.call('GET', `/api/complaints/${c.id}/equality`, u.cw)).statusCode).toBe(200);
    t.clock.set('2026-11-25T10:00:00Z');
    await fresh();
    expect((await a.call('GET', `/api/complaints/${c.id}/equality`, u.cw)).statusCode).toBe(403);
    // Caseworkers and managers cannot grant.
    const self = await a.call('POST', '/api/complaint-equality-grants', u.mgr, {
      userId: u.manager.id,
      reason: 'Me',
      until: '2026-12-01',
    });
    expect(self.statusCode).toBe(403);
  });
});
