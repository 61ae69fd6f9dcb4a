import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/fixture.js';
import { createUser, signInPage, type TestUser } from '../helpers/auth.js';
import { actorOf, makeCase } from './fixtures.js';

const t = useTestApp();
let caseworker: TestUser;
let manager: TestUser;

beforeAll(async () => {
  caseworker = await t.user('caseworker');
  manager = await t.user('manager');
});

/** The Casework item of the service navigation: its badge and accessible text. */
function navCount(html: string): string | undefined {
  const item = /<a[^>]*href="\/casework"[^>]*>([\s\S]*?)<\/a>/.exec(html)?.[1] ?? '';
  const text = item
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return /^Casework (\d+) unassigned$/.exec(text)?.[1];
}

describe('the Casework navigation count', () => {
  it('shows open unassigned cases the person can see, on every staff page', async () => {
    const a = await makeCase(t.app, caseworker);
    await makeCase(t.app, caseworker);
    await makeCase(t.app, caseworker, { assigneeId: caseworker.id }); // assigned: not counted
    const hidden = await makeCase(t.app, caseworker);
    await t.app.services.correspondence.setRestricted(actorOf(manager), hidden.id, {
      restricted: true,
      version: 1,
    });

    const page = await signInPage(t.app, caseworker);
    const staffHome = await page.get('/staff');
    expect(navCount(staffHome.body)).toBe('2'); // the restricted one is not theirs to see
    expect(staffHome.body).toContain('<span class="govuk-visually-hidden"> unassigned</span>');
    const managerPage = await signInPage(t.app, manager);
    expect(navCount((await managerPage.get('/casework')).body)).toBe('3');

    await t.app.services.correspondence.assign(actorOf(caseworker), a.id, {
      assigneeId: caseworker.id,
      version: 1,
    });
    expect(navCount((await page.get(`/casework/${a.id}`)).body)).toBe('1');
    const counts = await t.app.services.correspondence.counts(actorOf(caseworker));
    expect(counts.unassigned).toBe(1);
  });

  it('is not shown to roles without casework, nor computed for the API', async () => {
    const admin = await createUser(t.app, 'admin');
    const page = await signInPage(t.app, admin);
    const home = await page.get('/staff');
    expect(home.body).not.toContain('href="/casework"');
  });
});
