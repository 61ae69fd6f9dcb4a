import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/fixture.js';
import { createSurvey, managerToken } from './helpers.js';

/** The public index of consultations (/consultations), linked from the public home page. */
const t = useTestApp(); // the clock stands at 23 November 2026
let token: string;
beforeAll(async () => {
  token = await managerToken(t);
});

describe('public consultations index', () => {
  it('lists open consultations (soonest closing first) and the recently closed; hides drafts, scheduled and long-closed ones', async () => {
    const later = await createSurvey(t, token, {
      title: 'Rural crime survey',
      closesAt: '2027-01-31T23:59:00Z',
    });
    const sooner = await createSurvey(t, token, {
      title: 'Policing priorities',
      closesAt: '2026-12-10T23:59:00Z',
    });
    await createSurvey(t, token, { title: 'Draft survey', open: false });
    await createSurvey(t, token, {
      title: 'Scheduled survey',
      opensAt: '2026-12-01T00:00:00Z',
      closesAt: '2026-12-31T00:00:00Z',
    });
    t.clock.set('2026-06-01T00:00:00Z'); // open these two while their dates allow it
    await createSurvey(t, token, {
      title: 'Summer survey',
      opensAt: '2026-06-01T00:00:00Z',
      closesAt: '2026-11-01T12:00:00Z',
    });
    await createSurvey(t, token, {
      title: 'Old survey',
      opensAt: '2026-06-01T00:00:00Z',
      closesAt: '2026-07-01T12:00:00Z',
    });
    t.clock.set('2026-11-23T10:00:00Z');

    const page = await t.app.inject({ method: 'GET', url: '/consultations' });
    expect(page.statusCode).toBe(200);
    const html = page.body;
    expect(html).toContain('<h1 class="govuk-heading-l">Consultations</h1>');
    const open = html.slice(
      html.indexOf('id="open-consultations"'),
      html.indexOf('Recently closed'),
    );
    expect(open).toContain(`href="/consultations/${sooner}"`);
    expect(open).toContain(`href="/consultations/${later}"`);
    expect(open.indexOf('Policing priorities')).toBeLessThan(open.indexOf('Rural crime survey'));
    expect(open).toContain('Closes at 10 December 2026');
    const closed = html.slice(html.indexOf('Recently closed'));
    expect(closed).toContain('Summer survey');
    expect(closed).toContain('Closed on 1 November 2026');
    expect(html).not.toContain('Draft survey');
    expect(html).not.toContain('Scheduled survey');
    expect(html).not.toContain('Old survey');
    // Works without JavaScript: plain links, no script needed to reach a survey.
    expect(html).not.toMatch(/<a [^>]*href="#"[^>]*onclick/);
  });

  it('is linked from the public home page', async () => {
    const home = await t.app.inject({ method: 'GET', url: '/' });
    expect(home.statusCode).toBe(200);
    expect(home.body).toContain('href="/consultations"');
  });

  it('says so when nothing is open', async () => {
    t.clock.set('2028-01-01T00:00:00Z');
    const page = await t.app.inject({ method: 'GET', url: '/consultations' });
    t.clock.set('2026-11-23T10:00:00Z');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('There are no open consultations at the moment.');
    expect(page.body).not.toContain('Recently closed');
  });
});
