import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/fixture.js';
import { bearer, createUser, signInPage, type PageSession } from '../helpers/auth.js';
import { createSurvey, managerToken } from './helpers.js';

/** §4: staff pages for contact lists, CSV import with consent, members' consent shown. */
const t = useTestApp();
let staff: PageSession;
let listUrl: string;
beforeAll(async () => {
  staff = await t.page(await t.user('manager'));
});

const CSV = [
  'Name,Email,Notes',
  'Ann Archer,ann@example.org,met at the Ely meeting',
  '"Bo, Baker",BO@Example.org,',
  'Cy Cole,cy@example.org,',
].join('\r\n');
const consent = { source: 'Ely rural crime meeting sign-up sheet', wordingVersion: '2' };

async function count(query: string) {
  const [row] = await t.db.sql.unsafe<{ n: number }[]>(query);
  return row!.n;
}

describe('contact lists and consent (staff pages)', () => {
  it('creates a list (a duplicate name gets the error summary)', async () => {
    const created = await staff.post('/surveys/lists', { name: 'Ely residents' }, '/surveys/lists');
    expect(created.statusCode).toBe(303);
    listUrl = created.headers.location as string;
    expect(listUrl).toMatch(/^\/surveys\/lists\/[0-9a-f-]{36}$/);
    const again = await staff.post('/surveys/lists', { name: 'Ely residents' }, '/surveys/lists');
    expect(again.statusCode).toBe(400);
    expect(again.body).toContain('govuk-error-summary');
    expect(again.body).toContain('There is already a list with this name');
    const index = await staff.get('/surveys/lists');
    expect(index.body).toContain('Ely residents');
  });

  it('reads its forms leniently: a repeated or unknown field gets the error summary, not a bare 400', async () => {
    const twice = await staff.post(
      '/surveys/lists',
      { name: ['Ely residents', 'March residents'], colour: 'red' },
      '/surveys/lists',
    );
    expect(twice.statusCode).toBe(400);
    expect(twice.body).toContain('govuk-error-summary');
    expect(twice.body).not.toContain('The request is not valid');
    const noConsent = await staff.post(
      `${listUrl}/import`,
      { csv: [CSV, CSV], source: consent.source, wordingVersion: ['2', '3'], colour: 'red' },
      listUrl,
    );
    expect(noConsent.statusCode).toBe(400);
    expect(noConsent.body).toContain('govuk-error-summary');
    expect(
      (await staff.get('/surveys/lists/00000000-0000-0000-0000-000000000000')).statusCode,
    ).toBe(404);
  });

  it('a bad row: 400 naming the row, nothing imported', async () => {
    const bad = await staff.post(
      `${listUrl}/import`,
      { csv: `${CSV}\r\nDee,not-an-address,`, ...consent },
      listUrl,
    );
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('govuk-error-summary');
    expect(bad.body).toContain('row 5: enter an email address like name@example.org');
    expect(await count('select count(*)::int as n from contact_list_members')).toBe(0);
    const noSource = await staff.post(
      `${listUrl}/import`,
      { csv: CSV, source: '', wordingVersion: '2' },
      listUrl,
    );
    expect(noSource.statusCode).toBe(400);
    expect(noSource.body).toContain('Say where these people gave consent');
  });

  it("imports with consent, matches a known contact by email, and shows each member's consent", async () => {
    await t.db
      .sql`insert into contacts (name, email, email_norm) values ('Bo Baker', 'bo@example.org', 'bo@example.org')`;
    const done = await staff.post(`${listUrl}/import`, { csv: CSV, ...consent }, listUrl);
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain('3 rows imported');
    expect(done.body).toContain(
      '2 new contacts, 1 already known; 3 added to this list; consent recorded for 3.',
    );
    expect(
      await count(`select count(*)::int as n from contacts where email_norm = 'bo@example.org'`),
    ).toBe(1);
    const rows = await t.db.sql<{ source: string; wording_version: string }[]>`
      select source, wording_version from contact_consents where purpose = 'surveys'`;
    expect(rows).toHaveLength(3);
    expect(rows.every((r) => r.source === consent.source && r.wording_version === '2')).toBe(true);
    const page = await staff.get(listUrl);
    expect(page.body).toContain('Ann Archer');
    expect(page.body).toContain('Given 23 November 2026 (Ely rural crime meeting sign-up sheet)');
  });

  it('a re-import adds nothing and never gives back consent someone withdrew', async () => {
    await t.db.sql`update contact_consents set withdrawn_at = '2026-11-23T11:00:00Z'
                   where contact_id = (select id from contacts where email_norm = 'cy@example.org')`;
    const again = await staff.post(`${listUrl}/import`, { csv: CSV, ...consent }, listUrl);
    expect(again.statusCode).toBe(200);
    expect(again.body).toContain(
      '0 new contacts, 3 already known; 0 added to this list; consent recorded for 0.',
    );
    expect(again.body).toContain('1 had withdrawn consent earlier and stay withdrawn.');
    expect((await staff.get(listUrl)).body).toContain('Withdrawn 23 November 2026');
  });

  it('invitations to the list go to those with consent only', async () => {
    const token = await managerToken(t);
    const surveyId = await createSurvey(t, token);
    const listId = listUrl.split('/').pop()!;
    const invited = await t.app.inject({
      method: 'POST',
      url: `/api/surveys/${surveyId}/invitations`,
      headers: bearer(token),
      payload: { listId },
    });
    expect(invited.json()).toMatchObject({ queued: 2 });
  });

  it('is for managers: a caseworker gets 403', async () => {
    const caseworker = await signInPage(t.app, await createUser(t.app, 'caseworker'));
    expect((await caseworker.get('/surveys/lists')).statusCode).toBe(403);
  });
});
