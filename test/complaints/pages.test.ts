/** The complaint pages without a browser: forms, errors keeping what was typed, CSV. */
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/fixture.js';
import { bearer, type PageSession } from '../helpers/auth.js';
import { api, team, type Team } from './fixtures.js';

const t = useTestApp();
let u: Team;
let cw: PageSession;
let mgr: PageSession;
beforeAll(async () => {
  u = await team(t);
  cw = await t.page(u.caseworker);
  mgr = await t.page(u.manager);
});

describe('complaint pages', () => {
  it('records a complaint from the form; a bad form keeps what was typed and names the fields', async () => {
    const bad = await cw.post(
      '/complaints/new',
      {
        receivedOn: '2026-13-45',
        complainantName: 'Pat Typed',
        summary: '',
        category: '',
        description: 'Kept text',
      },
      '/complaints/new',
    );
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('There is a problem');
    expect(bad.body).toContain('href="#receivedOn"');
    expect(bad.body).toContain('href="#summary"');
    expect(bad.body).toContain('href="#category"');
    expect(bad.body).toContain('Pat Typed');
    expect(bad.body).toContain('Kept text');
    const future = await cw.post(
      '/complaints/new',
      {
        receivedOn: '2030-01-01',
        complainantName: 'Pat',
        summary: 'S',
        category: 'individual_behaviours',
        description: 'D',
      },
      '/complaints/new',
    );
    expect(future.statusCode).toBe(400);
    expect(future.body).toContain('must not be in the future');
    const good = await cw.post(
      '/complaints/new',
      {
        receivedOn: '2026-11-20',
        channel: 'email',
        complainantName: 'Pat Page',
        complainantEmail: 'pat@example.org',
        summary: 'Rude',
        category: 'individual_behaviours',
        description: 'Rude on the phone',
        recordingRequested: 'no',
      },
      '/complaints/new',
    );
    expect(good.statusCode).toBe(303);
    const page = await cw.get(good.headers.location as string);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Complaint recorded');
    expect(page.body).toContain('Pat Page');
    expect(page.body).toMatch(/10 working days from/);
    const list = await cw.get('/complaints');
    expect(list.body).toContain('Pat Page');
  });

  it('a move not allowed shows the page again with the reason and changes nothing', async () => {
    const c = await api(t).create(u.cw);
    const url = `/complaints/${c.id}`;
    const refused = await cw.post(
      `${url}/move`,
      { to: 'recorded', at: '2026-11-23', reason: 'AA decides', version: '1' },
      url,
    );
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toContain('cannot move from received to recorded');
    const moved = await cw.post(
      `${url}/move`,
      { to: 'initial_contact', at: '2026-11-23', version: '1' },
      url,
    );
    expect(moved.statusCode).toBe(303);
    const letter = await cw.post(
      `${url}/letters`,
      { template: 'acknowledgement', channel: 'post' },
      url,
    );
    expect(letter.statusCode).toBe(303);
    const page = await cw.get(url);
    expect(page.body).toContain('Letter sent: acknowledgement (version 1, posted)');
    expect(page.body).toContain('Initial contact');
    const equality = await cw.post(
      `${url}/equality`,
      { ethnicity: 'mixed', sex: 'not_a_value' },
      `${url}/equality`,
    );
    expect(equality.statusCode).toBe(303);
    const [row] = await t.db
      .sql`select ethnicity, sex from complainant_equality where complaint_id = ${c.id}`;
    expect(row).toEqual({ ethnicity: 'mixed', sex: null });
    // Equality answers are never shown on the complaint itself.
    expect((await cw.get(url)).body).not.toContain('Mixed');
  });

  it('a correspondence case of type complaint becomes a complaint record, linked both ways, nothing typed twice', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/cases',
      headers: bearer(u.cw),
      payload: {
        type: 'complaint',
        channel: 'email',
        receivedAt: '2026-11-20T10:00:00Z',
        subject: 'The Chief Constable',
        body: 'He ignored my letters',
        contact: { name: 'Casey Case', email: 'casey@example.org' },
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    const caseId = created.json().id;
    const casePage = await cw.get(`/casework/${caseId}`);
    expect(casePage.body).toContain(`href="/complaints/from-case/${caseId}"`);
    const form = await cw.get(`/complaints/from-case/${caseId}`);
    expect(form.body).not.toContain('name="complainantName"');
    const made = await cw.post(
      `/complaints/from-case/${caseId}`,
      { category: 'delivery_of_duties', description: 'Ignored letters' },
      `/complaints/from-case/${caseId}`,
    );
    expect(made.statusCode).toBe(303);
    const id = (made.headers.location as string).split('/')[2]!.split('?')[0]!;
    const detail = await api(t).get(u.cw, id);
    expect(detail).toMatchObject({
      caseId,
      receivedOn: '2026-11-20',
      channel: 'email',
      complainant: { name: 'Casey Case', email: 'casey@example.org' },
    });
    const [contact] = await t.db.sql`select contact_id from cases where id = ${caseId}`;
    expect(detail.complainant.contactId).toBe(contact!.contact_id);
    expect((await cw.get(`/complaints/${id}`)).body).toContain(`href="/casework/${caseId}"`);
    const again = await cw.get(`/complaints/from-case/${caseId}`);
    expect(again.headers.location).toBe(`/complaints/${id}`);
  });

  it('statistics page, CSV (formula-guarded, audited) and force figures', async () => {
    expect((await cw.get('/stats/complaints')).statusCode).toBe(403);
    const page = await mgr.get('/stats/complaints?from=2026-01-01&to=2026-12-31');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Complaint statistics');
    expect((await mgr.get('/stats')).body).toContain('href="/stats/complaints"');
    const imported = await mgr.post(
      '/stats/complaints/force-figures',
      {
        csv: 'period,measure,force,msf,national\n2025-26,Days to finalise,120,110,100\n=cmd,Days to finalise,1,1,1',
      },
      '/stats/complaints',
    );
    expect(imported.statusCode).toBe(400);
    expect(imported.body).toContain('row 3');
    expect(await t.db.sql`select * from force_complaint_figures`).toHaveLength(0);
    const ok = await mgr.post(
      '/stats/complaints/force-figures',
      { csv: 'period,measure,force,msf,national\n2025-26,Days to finalise,120,110,100' },
      '/stats/complaints',
    );
    expect(ok.statusCode).toBe(303);
    const entered = await mgr.post(
      '/stats/complaints/force-figures',
      { period: '2025-26', measure: 'PCC reviews', force: '14', msf: '', national: '' },
      '/stats/complaints',
    );
    expect(entered.statusCode).toBe(303);
    const csv = await mgr.get('/stats/complaints/force-figures.csv');
    expect(csv.body).toContain('2025-26,Days to finalise,120,110,100');
    const rows = await mgr.get(
      '/stats/complaints/rows.csv?from=2026-01-01&to=2026-12-31&groupBy=category',
    );
    expect(rows.headers['content-type']).toContain('text/csv');
    expect(rows.body).toContain('individual_behaviours');
    const exports = await t.db
      .sql`select count(*)::int as n from audit_events where action = 'complaint.stats.export'`;
    expect(exports[0]!.n).toBe(1);
    expect((await mgr.get('/stats/complaints/nonsense.csv')).statusCode).toBe(404);
  });
});
