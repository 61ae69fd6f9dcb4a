/**
 * #12 admin pages: IOPC categories and factors (add, rename, retire: old records keep it,
 * new choices lose it), letter templates (a save is a new version, letters sent keep theirs,
 * preview with merge fields), a complaint's access list (others get 404), and the managers'
 * justified-reads page. Bad input gets the GOV.UK error summary, forged ids 404, never 500;
 * every change writes an audit row.
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
let cwPage: PageSession;
beforeAll(async () => {
  u = await team(t);
  a = api(t);
  admin = await t.user('admin');
  adminPage = await t.page(admin);
  adminToken = await t.token(admin);
  cwPage = await t.page(u.caseworker);
});

const audits = async (action: string) =>
  (
    await t.db.sql<{ n: number }[]>`
      select count(*)::int as n from audit_events where action = ${action}`
  )[0]!.n;

describe('categories and factors', () => {
  it('adds, renames and retires a category: old complaints keep it, new allegations cannot use it', async () => {
    t.clock.set('2026-11-23T10:00:00Z');
    const bad = await adminPage.post(
      '/admin/complaints/categories',
      { categoryLabel: '', categoryCode: 'Not A Code!' },
      '/admin/complaints/categories',
    );
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('There is a problem');
    expect(bad.body).toContain('href="#categoryLabel"');
    expect(bad.body).toContain('href="#categoryCode"');
    expect(bad.body).toContain('Not A Code!');

    const added = await adminPage.post('/admin/complaints/categories', {
      categoryLabel: 'Custody conditions',
      categoryCode: 'custody_conditions',
    });
    expect(added.statusCode).toBe(303);
    const list = await adminPage.get(added.headers.location as string);
    expect(list.body).toContain('Category added');
    expect(list.body).toContain('Custody conditions');
    expect(await audits('complaint.category.add')).toBe(1);

    const dup = await adminPage.post(
      '/admin/complaints/categories',
      { categoryLabel: 'Again', categoryCode: 'custody_conditions' },
      '/admin/complaints/categories',
    );
    expect(dup.statusCode).toBe(400);
    expect(dup.body).toContain('already exists');

    // A complaint classified by it, then a rename and a retirement.
    const old = await a.create(u.cw, {
      allegations: [{ category: 'custody_conditions', description: 'Held in a cold cell' }],
    });
    const edit = '/admin/complaints/categories/categories/custody_conditions';
    expect((await adminPage.get(edit)).statusCode).toBe(200);
    const emptyName = await adminPage.post(edit, { action: 'save', label: '' }, edit);
    expect(emptyName.statusCode).toBe(400);
    expect(emptyName.body).toContain('href="#label"');
    expect(
      (await adminPage.post(edit, { action: 'save', label: 'Custody conditions (cells)' }))
        .statusCode,
    ).toBe(303);
    const retired = await adminPage.post(edit, { action: 'retire' });
    expect(retired.statusCode).toBe(303);
    expect((await adminPage.get(retired.headers.location as string)).body).toContain('Retired');
    expect(await audits('complaint.category.update')).toBe(2);

    const form = await cwPage.get('/complaints/new');
    expect(form.body).not.toContain('value="custody_conditions"');
    const refused = await a.call('POST', '/api/complaints', u.cw, {
      receivedAt: '2026-11-23',
      complainant: { name: 'New Person' },
      summary: 'S',
      allegations: [{ category: 'custody_conditions', description: 'D' }],
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.fields['allegations.0.category']).toContain('retired');
    const kept = await a.get(u.cw, old.id);
    expect(kept.allegations[0].category).toEqual({
      code: 'custody_conditions',
      label: 'Custody conditions (cells)',
      retired: true,
    });
    expect((await cwPage.get(`/complaints/${old.id}`)).body).toContain(
      'Custody conditions (cells)',
    );

    // Brought back, it is offered again.
    expect((await adminPage.post(edit, { action: 'reinstate' })).statusCode).toBe(303);
    expect((await cwPage.get('/complaints/new')).body).toContain('value="custody_conditions"');
  });

  it('adds a factor on the page and through the API; caseworkers cannot; forged codes 404', async () => {
    const bad = await adminPage.post(
      '/admin/complaints/factors',
      { factorLabel: 'x'.repeat(201), factorCode: 'ok_code' },
      '/admin/complaints/categories',
    );
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('href="#factorLabel"');
    const ok = await adminPage.post(
      '/admin/complaints/factors',
      { factorLabel: 'Interpreter needed', factorCode: 'interpreter_needed' },
      '/admin/complaints/categories',
    );
    expect(ok.statusCode).toBe(303);
    const viaApi = await t.app.inject({
      method: 'POST',
      url: '/api/complaint-factors',
      headers: bearer(adminToken),
      payload: { code: 'alcohol', label: 'Alcohol' },
    });
    expect(viaApi.statusCode, viaApi.body).toBe(201);
    const factors = (
      await t.app.inject({ url: '/api/complaint-categories', headers: bearer(adminToken) })
    ).json().factors as Array<{ code: string; inUse: boolean }>;
    expect(factors.filter((f) => ['interpreter_needed', 'alcohol'].includes(f.code))).toHaveLength(
      2,
    );
    expect(await audits('complaint.factor.add')).toBe(2);
    const asCw = await a.call('POST', '/api/complaint-factors', u.cw, { code: 'x', label: 'X' });
    expect(asCw.statusCode).toBe(403);
    expect((await cwPage.get('/admin/complaints/categories')).statusCode).toBe(403);
    expect((await adminPage.get('/admin/complaints/categories/factors/no_such')).statusCode).toBe(
      404,
    );
    expect((await adminPage.get('/admin/complaints/categories/other/x')).statusCode).toBe(404);
  });
});

describe('letter templates', () => {
  it('previews with merge fields, saves a new version, and letters already sent keep theirs', async () => {
    t.clock.set('2026-11-23T10:00:00Z');
    const c = await a.create(u.cw);
    const sent = await a.letter(u.cw, c.id, { template: 'acknowledgement', channel: 'post' });
    expect(sent.statusCode, sent.body).toBe(201);
    const before = sent.json();

    const url = '/admin/complaints/templates/acknowledgement';
    const page = await adminPage.get(url);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Version 1');
    const unknown = await adminPage.post(url, {
      action: 'preview',
      subject: 'About {{ reference }}',
      body: 'Dear {{ complainantNme }}',
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.body).toContain('There is a problem');
    expect(unknown.body).toContain('Unknown merge field: complainantNme');
    expect(unknown.body).toContain('Dear {{ complainantNme }}');

    const body =
      'Dear {{ complainantName }},\n\nWe have your complaint {{ reference }}. New wording.';
    const preview = await adminPage.post(url, {
      action: 'preview',
      subject: 'About {{ reference }}',
      body,
    });
    expect(preview.statusCode).toBe(200);
    expect(preview.body).toContain('Preview with example details');
    expect(preview.body).toContain('About CC-2026-0001');
    expect(preview.body).toContain('Dear Sam Example');
    // A preview saves nothing.
    const [versions] = await t.db.sql<{ n: number }[]>`
      select count(*)::int as n from complaint_letter_templates where key = 'acknowledgement'`;
    expect(versions!.n).toBe(1);

    const saved = await adminPage.post(url, {
      action: 'save',
      subject: 'About {{ reference }}',
      body,
    });
    expect(saved.statusCode).toBe(303);
    const after = await adminPage.get(saved.headers.location as string);
    expect(after.body).toContain('New version saved');
    expect(after.body).toContain('Version 2');
    expect(await audits('complaint.template.save')).toBe(1);
    const v1 = await adminPage.get(`${url}/versions/1`);
    expect(v1.statusCode).toBe(200);
    expect(v1.body).not.toContain('New wording');

    // The letter sent before keeps version 1 and its words; a new one uses version 2.
    const again = (
      await a.letter(u.cw, c.id, { template: 'acknowledgement', channel: 'post' })
    ).json();
    expect(again.version).toBe(2);
    expect(again.body).toContain('New wording');
    const rows = await t.db.sql<{ template_version: number; body: string }[]>`
      select template_version, body from complaint_contacts where complaint_id = ${c.id} order by created_at, template_version`;
    expect(rows.map((r) => r.template_version)).toEqual([1, 2]);
    expect(rows[0]!.body).toBe(before.body);
    expect(rows[0]!.body).not.toContain('New wording');
    const detail = await a.get(u.cw, c.id);
    expect(detail.timeline.map((e: { title: string }) => e.title).join('\n')).toContain(
      'version 1',
    );

    const apiVersions = await t.app.inject({
      url: '/api/complaint-templates/acknowledgement',
      headers: bearer(adminToken),
    });
    expect(apiVersions.json().items.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    expect((await adminPage.get('/admin/complaints/templates/no_such_letter')).statusCode).toBe(
      404,
    );
    expect((await adminPage.get(`${url}/versions/99`)).statusCode).toBe(404);
    const empty = await adminPage.post(url, { action: 'save', subject: '', body: '' });
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('href="#subject"');
    expect((await adminPage.get('/admin/complaints/templates')).body).toContain(
      'Outcome with review rights',
    );
  });

  it('the API takes the key its GET takes: a malformed one is a 400 naming it, an unknown one 404', async () => {
    const put = (key: string) =>
      t.app.inject({
        method: 'PUT',
        url: `/api/complaint-templates/${key}`,
        headers: bearer(adminToken),
        payload: { subject: 'Your complaint {{reference}}', body: 'We have it.' },
      });
    for (const key of ['Acknowledgement', 'no-such-letter', 'x'.repeat(61)]) {
      for (const response of [
        await put(key),
        await t.app.inject({ url: `/api/complaint-templates/${key}`, headers: bearer(adminToken) }),
      ]) {
        expect(response.statusCode).toBe(400);
        expect(response.json().error).toMatchObject({
          code: 'validation',
          fields: { key: expect.any(String) },
        });
      }
    }
    const unknown = await put('no_such_letter');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('not_found');
    const saved = await put('acknowledgement');
    expect(saved.statusCode).toBe(201);
  });
});

describe('access list page', () => {
  it('adds and removes people; others get 404; the assignee and the last person stay', async () => {
    t.clock.set('2026-11-23T10:00:00Z');
    const c = await a.create(u.cw, { assigneeId: u.caseworker.id });
    const url = `/complaints/${c.id}/access`;
    const outPage = await signInPage(t.app, u.outsider);
    expect((await outPage.get(url)).statusCode).toBe(404);
    expect((await a.call('GET', `/api/complaints/${c.id}`, u.out)).statusCode).toBe(404);

    const page = await cwPage.get(url);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(u.caseworker.name);
    expect(page.body).toContain(u.outsider.name); // offered to add

    const none = await cwPage.post(url, { userId: '', role: 'staff' });
    expect(none.statusCode).toBe(400);
    expect(none.body).toContain('href="#userId"');
    const forged = await cwPage.post(url, {
      userId: '00000000-0000-4000-8000-000000000000',
      role: 'staff',
    });
    expect(forged.statusCode).toBe(400);
    expect(forged.body).toContain('Choose a caseworker or manager');

    const added = await cwPage.post(url, { userId: u.outsider.id, role: 'staff' });
    expect(added.statusCode).toBe(303);
    expect((await cwPage.get(added.headers.location as string)).body).toContain(
      'Added to the access list',
    );
    expect((await a.call('GET', `/api/complaints/${c.id}`, u.out)).statusCode).toBe(200);
    expect(await audits('complaint.access.grant')).toBeGreaterThanOrEqual(1);

    // The assignee cannot be taken off; neither can the last person.
    const assignee = await cwPage.post(`${url}/${u.caseworker.id}/remove`, {}, url);
    expect(assignee.statusCode).toBe(422);
    expect(assignee.body).toContain('There is a problem');
    expect(assignee.body).toContain('reassign the complaint first');

    const removed = await cwPage.post(`${url}/${u.outsider.id}/remove`, {}, url);
    expect(removed.statusCode).toBe(303);
    expect((await a.call('GET', `/api/complaints/${c.id}`, u.out)).statusCode).toBe(404);
    const list = (await a.call('GET', '/api/complaints', u.out)).json();
    expect(list.items.map((i: { id: string }) => i.id)).not.toContain(c.id);
    expect(await audits('complaint.access.revoke')).toBe(1);

    const forgedRemove = await cwPage.post(`${url}/not-a-user/remove`, {}, url);
    expect(forgedRemove.statusCode).toBe(404);
    const offList = await cwPage.post(`${url}/${u.manager.id}/remove`, {}, url);
    expect(offList.statusCode).toBe(404);

    // Through the API: the last person stays.
    const solo = await a.create(u.cw);
    const last = await a.call(
      'DELETE' as 'GET',
      `/api/complaints/${solo.id}/access/${u.caseworker.id}`,
      u.cw,
    );
    expect(last.statusCode).toBe(422);
    expect(last.json().error.code).toBe('complaints.access_last');
    expect((await a.get(u.cw, solo.id)).id).toBe(solo.id);
    expect((await cwPage.get(`/complaints/not-an-id/access`)).statusCode).toBe(404);
  });
});

describe('justified reads page', () => {
  it('shows managers the week with who, which complaint and why; bad weeks get the error summary', async () => {
    t.clock.set('2026-11-17T10:00:00Z');
    const c = await a.create(u.cw);
    const other = await t.user('manager', { name: 'Morgan Overseer' });
    t.clock.set('2026-11-19T15:30:00Z');
    const otherToken = await apiToken(t.app, other);
    const read = await a.call(
      'GET',
      `/api/complaints/${c.id}?justification=${encodeURIComponent('Covering for leave')}`,
      otherToken,
    );
    expect(read.statusCode).toBe(200);
    t.clock.set('2026-11-23T10:00:00Z');
    const mgrPage = await signInPage(t.app, u.manager);
    const page = await mgrPage.get('/complaints/justified-reads');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Morgan Overseer');
    expect(page.body).toContain(c.reference);
    expect(page.body).toContain('Covering for leave');
    expect(page.body).toContain('Previous week');
    const week = await mgrPage.get('/complaints/justified-reads?weekOf=2026-11-23');
    expect(week.body).toContain('No complaints were opened off the access list this week');
    for (const weekOf of ['2026-02-30', 'soon', '2027-01-04']) {
      const bad = await mgrPage.get(`/complaints/justified-reads?weekOf=${weekOf}`);
      expect(bad.statusCode).toBe(400);
      expect(bad.body).toContain('There is a problem');
      expect(bad.body).toContain('href="#weekOf"');
    }
    expect((await cwPage.get('/complaints/justified-reads')).statusCode).toBe(403);
  });
});
