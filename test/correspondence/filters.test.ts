import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/fixture.js';
import { apiToken, bearer, type PageSession, type TestUser } from '../helpers/auth.js';
import { actorOf, makeCase } from './fixtures.js';

// Queue filters by tag, date received and restriction (docs/rules/correspondence.md §3, §8), through
// the JSON API, the queue page and its CSV export.

const t = useTestApp();
let caseworker: TestUser;
let outsider: TestUser;
let manager: TestUser;
let cwToken: string;
let mgrToken: string;
let cwPage: PageSession;
let mgrPage: PageSession;
type Made = { id: string; reference: string };
let early: Made; // 2 November, tagged "Kestrel Media"
let middle: Made; // 10 November, tagged kestrel media and kestrel urgent
let late: Made; // 18 November, no tags
let secret: Made; // 10 November, restricted, tagged kestrel media, assigned to caseworker
let midnight: Made; // 23:30 UTC on 30 June: 1 July in London

beforeAll(async () => {
  caseworker = await t.user('caseworker');
  outsider = await t.user('caseworker');
  manager = await t.user('manager');
  [cwToken, mgrToken] = await Promise.all([t.token(caseworker), t.token(manager)]);
  cwPage = await t.page(caseworker);
  mgrPage = await t.page(manager);
  early = await makeCase(t.app, caseworker, {
    subject: 'Kestrel early',
    receivedAt: '2026-11-02T09:00:00Z',
    tags: ['  Kestrel   Media '],
  });
  middle = await makeCase(t.app, caseworker, {
    subject: 'Kestrel middle',
    receivedAt: '2026-11-10T09:00:00Z',
    tags: ['kestrel media', 'kestrel urgent'],
  });
  late = await makeCase(t.app, caseworker, {
    subject: 'Kestrel late',
    receivedAt: '2026-11-18T09:00:00Z',
  });
  secret = await makeCase(t.app, caseworker, {
    subject: 'Kestrel secret',
    receivedAt: '2026-11-10T12:00:00Z',
    tags: ['kestrel media'],
    assigneeId: caseworker.id,
  });
  await t.app.services.correspondence.setRestricted(actorOf(manager), secret.id, {
    restricted: true,
    version: 1,
  });
  midnight = await makeCase(t.app, caseworker, {
    subject: 'Kestrel midsummer',
    receivedAt: '2026-06-30T23:30:00Z',
  });
});

const api = (url: string, token = cwToken) =>
  t.app.inject({ method: 'GET', url, headers: bearer(token) });

const ids = async (query: string, token = cwToken) => {
  const response = await api(`/api/cases?view=all&limit=200&${query}`, token);
  expect(response.statusCode, response.body).toBe(200);
  return response
    .json<{ items: Array<{ id: string }> }>()
    .items.map((c) => c.id)
    .sort();
};
const sorted = (...made: Made[]) => made.map((c) => c.id).sort();

describe('GET /api/cases filters', () => {
  it('filters by tag, matching any of several, whatever the case and spacing', async () => {
    expect(await ids('tag=kestrel%20media')).toEqual(sorted(early, middle, secret));
    expect(await ids('tag=KESTREL%20%20Media')).toEqual(sorted(early, middle, secret));
    expect(await ids('tag=kestrel%20urgent&tag=kestrel%20none')).toEqual(sorted(middle));
    expect(await ids('tag=kestrel%20none')).toEqual([]);
    // The tags come back on each case.
    const response = await api(`/api/cases?view=all&tag=kestrel%20urgent`);
    expect(response.json().items[0].tags).toEqual(['kestrel media', 'kestrel urgent']);
    // A caseworker who may not see the restricted case never gets it through a filter.
    const outsiderToken = await apiToken(t.app, outsider);
    expect(await ids('tag=kestrel%20media', outsiderToken)).toEqual(sorted(early, middle));
  });

  it('filters by the London date received, both ends included', async () => {
    expect(await ids('q=kestrel&receivedFrom=2026-11-03&receivedTo=2026-11-17')).toEqual(
      sorted(middle, secret),
    );
    expect(await ids('q=kestrel&receivedFrom=2026-11-10&receivedTo=2026-11-10')).toEqual(
      sorted(middle, secret),
    );
    expect(await ids('q=kestrel&receivedFrom=2026-11-18')).toEqual(sorted(late));
    expect(await ids('q=kestrel&receivedTo=2026-11-02')).toEqual(sorted(early, midnight));
    expect(await ids('receivedFrom=2026-07-01&receivedTo=2026-07-01')).toEqual(sorted(midnight));
    expect(await ids('receivedFrom=2026-06-30&receivedTo=2026-06-30')).toEqual([]);
    // Combined with a tag.
    expect(await ids('tag=kestrel%20media&receivedFrom=2026-11-03')).toEqual(
      sorted(middle, secret),
    );
  });

  it('answers bad dates and a backwards range with 400 and the field, never 500', async () => {
    for (const [query, field] of [
      ['receivedFrom=2026-02-30', 'receivedFrom'],
      ['receivedTo=yesterday', 'receivedTo'],
      ['receivedFrom=2026-13-01', 'receivedFrom'],
      ['receivedFrom=2026-11-20&receivedTo=2026-11-19', 'receivedTo'],
    ] as const) {
      const response = await api(`/api/cases?${query}`);
      expect(response.statusCode, query).toBe(400);
      const { error } = response.json();
      expect(error.code, query).toBe('validation');
      expect(Object.keys(error.fields), query).toContain(field);
    }
    const backwards = await api('/api/cases?receivedFrom=2026-11-20&receivedTo=2026-11-19');
    expect(backwards.json().error.fields.receivedTo).toBe(
      "'Received to' must be the same as or after 'Received from'",
    );
    const longTag = await api(`/api/cases?tag=${'x'.repeat(51)}`);
    expect(longTag.statusCode).toBe(400);
    expect(longTag.json().error.fields).toHaveProperty('tag.0');
  });

  it('filters by restriction among the cases the viewer may see', async () => {
    const restricted = await ids('q=kestrel&restricted=true', mgrToken);
    expect(restricted).toEqual(sorted(secret));
    const open = await ids('q=kestrel&restricted=false', mgrToken);
    expect(open).toEqual(sorted(early, middle, late, midnight));
    // The assignee sees their own restricted case; an outsider sees none.
    expect(await ids('q=kestrel&restricted=true')).toEqual(sorted(secret));
    const outsiderToken = await apiToken(t.app, outsider);
    expect(await ids('q=kestrel&restricted=true', outsiderToken)).toEqual([]);
    const bad = await api('/api/cases?restricted=perhaps', mgrToken);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('validation');
    expect(bad.json().error.fields).toHaveProperty('restricted');
  });
});

describe('the queue page filters', () => {
  it('filters by tag, shows it as a removable filter tag and keeps it in the export link', async () => {
    const response = await cwPage.get('/casework?view=all&tag=Kestrel%20Urgent');
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain(middle.reference);
    expect(response.body).not.toContain(early.reference);
    expect(response.body).not.toContain(late.reference);
    expect(response.body).toContain('Tags: kestrel media, kestrel urgent');
    expect(response.body).toMatch(/moj-filter__tag[^>]*href="\/casework\?view=all"/);
    // The filter tag shows the tag as stored, not humanised.
    expect(response.body).toMatch(
      /moj-filter__tag[^>]*>\s*<span[^>]*>Remove this filter<\/span>\s*kestrel urgent\s*</,
    );
    // The export is for managers (role table): a caseworker gets no link, a manager keeps the filter in it.
    expect(response.body).not.toContain('/casework/export.csv');
    expect((await mgrPage.get('/casework?view=all&tag=Kestrel%20Urgent')).body).toContain(
      'href="/casework/export.csv?view=all&amp;tag=kestrel+urgent"',
    );
    expect(response.body).toMatch(/id="tag" name="tag" type="text"[^>]*value="kestrel urgent"/);

    // Typed into the box, comma separated: any of them.
    const typed = await cwPage.get('/casework?view=all&tag=kestrel+urgent%2C+kestrel+none');
    expect(typed.statusCode).toBe(200);
    expect(typed.body).toContain(middle.reference);
    expect(
      (await mgrPage.get('/casework?view=all&tag=kestrel+urgent%2C+kestrel+none')).body,
    ).toContain('href="/casework/export.csv?view=all&amp;tag=kestrel+urgent&amp;tag=kestrel+none"');
  });

  it('filters by dates typed either way and shows them as filter tags', async () => {
    const response = await cwPage.get(
      '/casework?view=all&q=kestrel&receivedFrom=3%2F11%2F2026&receivedTo=2026-11-17',
    );
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain(middle.reference);
    expect(response.body).toContain(secret.reference); // the assignee may see it
    expect(response.body).not.toContain(early.reference);
    expect(response.body).not.toContain(late.reference);
    expect(response.body).toContain('3 November 2026');
    expect(response.body).toContain('17 November 2026');
    // Links carry the checked dates, ISO; the boxes keep what was typed.
    const managerView = await mgrPage.get(
      '/casework?view=all&q=kestrel&receivedFrom=3%2F11%2F2026&receivedTo=2026-11-17',
    );
    expect(managerView.body).toContain(
      'href="/casework/export.csv?view=all&amp;q=kestrel&amp;receivedFrom=2026-11-03&amp;receivedTo=2026-11-17"',
    );
    expect(response.body).toContain('value="3/11/2026"');
    // Removing "Received from" keeps "Received to".
    expect(response.body).toContain(
      'href="/casework?view=all&amp;q=kestrel&amp;receivedTo=2026-11-17"',
    );
  });

  it('answers bad dates with GOV.UK field errors, keeping what was typed, never a 500', async () => {
    const response = await cwPage.get(
      '/casework?view=all&q=kestrel&receivedFrom=30%2F2%2F2026&receivedTo=banana',
    );
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('govuk-error-summary');
    expect(response.body).toContain('href="#receivedFrom"');
    expect(response.body).toContain('href="#receivedTo"');
    expect(response.body).toContain('&#39;Received from&#39; must be a real date');
    expect(response.body).toContain('&#39;Received to&#39; must be a real date');
    expect(response.body).toContain('value="30/2/2026"');
    expect(response.body).toContain('value="banana"');
    expect(response.body).toContain('govuk-input--error');
    // The list is still there, without the refused dates; so is a manager's export link.
    expect(response.body).toContain(early.reference);
    expect(response.body).toContain(late.reference);
    const managerView = await mgrPage.get(
      '/casework?view=all&q=kestrel&receivedFrom=30%2F2%2F2026&receivedTo=banana',
    );
    expect(managerView.statusCode).toBe(400);
    expect(managerView.body).toContain('href="/casework/export.csv?view=all&amp;q=kestrel"');

    const backwards = await cwPage.get(
      '/casework?view=all&receivedFrom=2026-11-20&receivedTo=2026-11-19',
    );
    expect(backwards.statusCode).toBe(400);
    expect(backwards.body).toContain(
      '&#39;Received to&#39; must be the same as or after &#39;Received from&#39;',
    );
    expect(backwards.body).toContain('href="#receivedTo"');

    const longTag = await cwPage.get(`/casework?view=all&tag=${'x'.repeat(60)}`);
    expect(longTag.statusCode).toBe(400);
    expect(longTag.body).toContain('href="#tag"');
    expect(longTag.body).toContain('Each tag must be 50 characters or fewer');

    // The export refuses what the page refuses.
    const csv = await mgrPage.get('/casework/export.csv?view=all&receivedFrom=2026-02-30');
    expect(csv.statusCode).toBe(400);
    expect(csv.body).not.toContain('Reference,');
  });

  it('offers the restriction filter to managers only', async () => {
    const all = await mgrPage.get('/casework?view=all&q=kestrel&restricted=');
    expect(all.statusCode).toBe(200);
    expect(all.body).toContain('Restricted only');
    expect(all.body).toContain(secret.reference);
    expect(all.body).toContain(early.reference);

    const only = await mgrPage.get('/casework?view=all&q=kestrel&restricted=true');
    expect(only.statusCode).toBe(200);
    expect(only.body).toContain(secret.reference);
    expect(only.body).not.toContain(early.reference);
    expect(only.body).toMatch(/moj-filter__tag[^>]*>[^<]*(<[^>]*>[^<]*)*Restricted only/);
    expect(only.body).toContain(
      'href="/casework/export.csv?view=all&amp;q=kestrel&amp;restricted=true"',
    );
    const csv = await mgrPage.get('/casework/export.csv?view=all&q=kestrel&restricted=true');
    expect(csv.statusCode).toBe(200);
    expect(csv.body).toContain(secret.reference);
    expect(csv.body).not.toContain(early.reference);

    const none = await mgrPage.get('/casework?view=all&q=kestrel&restricted=false');
    expect(none.body).not.toContain(secret.reference);
    expect(none.body).toContain(early.reference);

    const bad = await mgrPage.get('/casework?view=all&restricted=perhaps');
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('href="#restricted"');

    // A caseworker has no such filter: the parameter is ignored, not an error.
    const cw = await cwPage.get('/casework?view=all&q=kestrel&restricted=true');
    expect(cw.statusCode).toBe(200);
    expect(cw.body).not.toContain('Restricted only');
    expect(cw.body).toContain(early.reference);
  });

  it('exports the filtered cases with their tags', async () => {
    const csv = await mgrPage.get(
      '/casework/export.csv?view=all&tag=kestrel+media&receivedFrom=2026-11-03',
    );
    expect(csv.statusCode).toBe(200);
    expect(csv.body).toContain(middle.reference);
    expect(csv.body).toContain(secret.reference);
    expect(csv.body).not.toContain(early.reference);
    expect(csv.body).toContain('kestrel media; kestrel urgent');
  });
});
