import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/fixture.js';
import { bearer, PageSession } from '../helpers/auth.js';
import { createSurvey, managerToken, respond } from './helpers.js';

/** The answering pages at inject level: save as you go, come back, drafts gone at close. */
const t = useTestApp();
let token: string;
let surveyId: string;
beforeAll(async () => {
  token = await managerToken(t);
  surveyId = await createSurvey(t, token, { closesAt: '2026-11-30T12:00:00Z' });
});

async function start(session: PageSession) {
  const started = await session.post(
    `/consultations/${surveyId}/start`,
    {},
    `/consultations/${surveyId}`,
  );
  expect(started.statusCode).toBe(303);
  expect(started.headers.location).toBe(`/consultations/${surveyId}/q/1`);
}

describe('answering pages', () => {
  it('S14: answers three pages, saves for later, resumes the next day with answers kept; drafts gone at close', async () => {
    const browser = new PageSession(t.app);
    await start(browser);
    const url = (n: number) => `/consultations/${surveyId}/q/${n}`;
    expect(
      (await browser.post(url(1), { crimes: ['burglary', 'asb'] }, url(1))).headers.location,
    ).toBe(url(2));
    expect((await browser.post(url(2), { contact: 'phone' }, url(2))).headers.location).toBe(
      url(3),
    );
    const saved = await browser.post(url(3), { order__1: 'justice', save: 'later' }, url(3));
    expect(saved.headers.location).toBe(`/consultations/${surveyId}/saved`);
    const page = await browser.get(`/consultations/${surveyId}/saved`);
    const resume = /\/consultations\/[0-9a-f-]+\/resume\/[A-Za-z0-9_-]+/.exec(page.body)![0];

    t.clock.set('2026-11-24T09:00:00Z');
    const later = new PageSession(t.app); // another browser, no cookie
    const back = await later.get(resume);
    expect(back.statusCode).toBe(303);
    const check = await later.get(`/consultations/${surveyId}/check`);
    expect(check.body).toContain('House burglary; General anti-social behaviour');
    expect(check.body).toContain('1. Justice');
    const q1 = await later.get(url(1));
    expect(q1.body).toMatch(/value="burglary" checked/);

    const [drafts] = await t.db.sql<
      { n: number }[]
    >`select count(*)::int as n from survey_drafts where survey_id = ${surveyId}`;
    expect(drafts!.n).toBe(1);
    t.clock.set('2026-11-30T12:00:00Z');
    const closed = await later.get(`/consultations/${surveyId}`);
    expect(closed.statusCode).toBe(410);
    expect(closed.body).toContain('closed on');
    const [after] = await t.db.sql<
      { n: number }[]
    >`select count(*)::int as n from survey_drafts where survey_id = ${surveyId}`;
    expect(after!.n).toBe(0);
    t.clock.set('2026-11-23T10:00:00Z');
  });

  it('the reconcile job purges the drafts of every survey that has closed, and only those', async () => {
    t.clock.set('2026-11-23T10:00:00Z');
    const closing = await createSurvey(t, token, { closesAt: '2026-11-26T12:00:00Z' });
    const open = await createSurvey(t, token, { closesAt: '2026-12-20T12:00:00Z' });
    for (const id of [closing, open]) {
      const browser = new PageSession(t.app);
      await browser.post(`/consultations/${id}/start`, {}, `/consultations/${id}`);
      const q1 = `/consultations/${id}/q/1`;
      const saved = await browser.post(q1, { crimes: ['burglary'], save: 'later' }, q1);
      expect(saved.headers.location).toBe(`/consultations/${id}/saved`);
    }
    const drafts = async (id: string) =>
      (
        await t.db.sql<{ n: number }[]>`
          select count(*)::int as n from survey_drafts where survey_id = ${id}`
      )[0]!.n;
    expect([await drafts(closing), await drafts(open)]).toEqual([1, 1]);

    // Nobody opens the closed survey's pages: the 5-minute reconcile's purge (a Date bound
    // into its query) is what removes the drafts.
    t.clock.set('2026-11-27T09:00:00Z');
    expect(await t.app.services.surveys.answering.purgeClosedDrafts()).toBe(1);
    expect([await drafts(closing), await drafts(open)]).toEqual([0, 1]);
    t.clock.set('2026-11-23T10:00:00Z');
  });

  it('a page with a bad answer: 400, the GOV.UK error summary naming it, the answers kept, nothing saved', async () => {
    t.clock.set('2026-11-23T10:00:00Z');
    const browser = new PageSession(t.app);
    await start(browser);
    const url = `/consultations/${surveyId}/q/1`;
    const bad = await browser.post(url, { crimes: ['burglary', 'none'] }, url);
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('govuk-error-summary');
    expect(bad.body).toContain('href="#crimes"');
    expect(bad.body).toMatch(/value="burglary" checked/);
    const required = await browser.post(
      `/consultations/${surveyId}/q/2`,
      {},
      `/consultations/${surveyId}/q/2`,
    );
    expect(required.statusCode).toBe(400);
    expect(required.body).toContain('Answer &quot;How would you contact the police?&quot;');
  });

  it('reads the forms leniently: fields repeated or unknown get the page, a link it does not know its 404', async () => {
    t.clock.set('2026-11-23T10:00:00Z');
    const browser = new PageSession(t.app);
    const started = await browser.post(
      `/consultations/${surveyId}/start`,
      { utm_source: ['leaflet', 'poster'] },
      `/consultations/${surveyId}`,
    );
    expect(started.statusCode).toBe(303);
    const url = `/consultations/${surveyId}/q/1`;
    const bad = await browser.post(
      url,
      { crimes: ['burglary', 'none'], save: ['later', 'later'], utm_source: 'poster' },
      url,
    );
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('govuk-error-summary');
    expect(bad.body).toContain('href="#crimes"');
    for (const link of [
      '/consultations/00000000-0000-0000-0000-000000000000',
      `/consultations/${surveyId}/q/99`,
      '/consultations/i/not-a-token',
    ])
      expect((await browser.get(link)).statusCode, link).toBe(404);
    expect((await browser.get('/u/not-a-token')).statusCode).toBe(200);
  });

  it('S15: text answers starting = @ - are exported with a leading apostrophe', async () => {
    const texts = ['=HYPERLINK("http://x","y")', '@SUM(A1)', '-2'];
    for (const comments of texts)
      expect(
        (await respond(t, surveyId, { answers: { contact: 'phone', comments } })).statusCode,
      ).toBe(201);
    const csv = await t.app.inject({
      method: 'GET',
      url: `/api/surveys/${surveyId}/responses.csv`,
      headers: bearer(token),
    });
    expect(csv.body).toContain(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csv.body).toContain(`'@SUM(A1)`);
    expect(csv.body).toContain(`'-2`);
    const [audit] = await t.db.sql<
      { n: number }[]
    >`select count(*)::int as n from audit_events where action = 'survey.exported'`;
    expect(audit!.n).toBe(1);
  });

  it('S12: export rows follow the random response id, not the order of submission', async () => {
    const csv = await t.app.inject({
      method: 'GET',
      url: `/api/surveys/${surveyId}/responses.csv`,
      headers: bearer(token),
    });
    const ids = csv.body
      .trim()
      .split('\r\n')
      .slice(1)
      .map((l) => l.split(',')[0]);
    expect([...ids].sort()).toEqual(ids);
    const cols = csv.body.split('\r\n')[0]!;
    expect(cols).not.toMatch(/submitted|time|date|invitation/i);
  });
});
