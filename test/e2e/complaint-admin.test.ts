/**
 * #12 admin and access pages in Chromium, axe-checked (WCAG 2.2 AA) on every page seen:
 * an admin adds and retires a category, previews and saves a letter template, grants
 * equality access with a bad form first; a caseworker puts a colleague on a complaint's
 * access list through its page; a manager reads the justified-reads report.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createUser } from '../helpers/auth.js';
import {
  expectAccessible,
  newPage,
  signInBrowser,
  startStaffBrowser,
  visit,
} from '../helpers/browser.js';

let s: Awaited<ReturnType<typeof startStaffBrowser>>;
beforeAll(async () => {
  s = await startStaffBrowser();
});
afterAll(async () => s.close());

it('category, template, equality-grant, access-list and justified-reads pages, axe-clean', async () => {
  const { t, base, browser, manager, caseworker } = s;
  t.clock.set('2026-11-23T10:00:00Z');
  const admin = await createUser(t.app, 'admin', { name: 'Ada Admin' });
  const ad = await newPage(browser);
  await signInBrowser(ad, base, admin);
  await visit(ad, `${base}/admin/complaints`);
  await ad.getByRole('link', { name: 'Categories and factors' }).click();
  await expectAccessible(ad);
  await ad.getByRole('button', { name: 'Add category' }).click();
  await expect
    .poll(() => ad.locator('.govuk-error-summary').textContent())
    .toContain('Enter a code');
  await expectAccessible(ad);
  await ad.locator('#categoryLabel').fill('Custody conditions');
  await ad.locator('#categoryCode').fill('custody_conditions');
  await ad.getByRole('button', { name: 'Add category' }).click();
  await expect
    .poll(() => ad.locator('.govuk-notification-banner').textContent())
    .toContain('Category added');
  await expectAccessible(ad);
  await ad.getByRole('link', { name: 'Change Custody conditions' }).click();
  await expectAccessible(ad);
  await ad.getByRole('button', { name: 'Retire category' }).click();
  await expect
    .poll(() => ad.locator('.govuk-notification-banner').textContent())
    .toContain('Retired');
  await expectAccessible(ad);

  await visit(ad, `${base}/admin/complaints/templates`);
  await ad.getByRole('link', { name: 'Acknowledgement' }).click();
  await expectAccessible(ad);
  await ad
    .getByLabel('Letter', { exact: true })
    .fill('Dear {{ complainantName }}, about {{ reference }}.');
  await ad.getByRole('button', { name: 'Preview' }).click();
  await expect
    .poll(() => ad.locator('body').textContent())
    .toContain('Dear Sam Example, about CC-2026-0001.');
  await expectAccessible(ad);
  await ad.getByRole('button', { name: 'Save as a new version' }).click();
  await expect
    .poll(() => ad.locator('.govuk-notification-banner').textContent())
    .toContain('New version saved');
  await expectAccessible(ad);
  await ad.getByRole('link', { name: 'Version 1' }).click();
  await expectAccessible(ad);

  await visit(ad, `${base}/admin/complaints/equality-access`);
  await ad.getByRole('button', { name: 'Grant access' }).click();
  await expect
    .poll(() => ad.locator('.govuk-error-summary').textContent())
    .toContain('Choose a caseworker or manager');
  await expectAccessible(ad);
  await ad.getByLabel('Person').selectOption({ label: `${caseworker.name} (caseworker)` });
  await ad.getByLabel('Why do they need to see individual answers?').fill('Panel equality audit');
  await ad.getByLabel('Last day of access').fill('2026-12-31');
  await ad.getByRole('button', { name: 'Grant access' }).click();
  await expect
    .poll(() => ad.locator('.govuk-notification-banner').textContent())
    .toContain('Access granted');
  await expectAccessible(ad);

  // A caseworker's complaint: its access list, through the page.
  const cw = await newPage(browser);
  await signInBrowser(cw, base, caseworker);
  const created = await t.app.services.complaints.records.create(
    { id: caseworker.id, role: 'caseworker', requestId: null },
    {
      receivedAt: '2026-11-23',
      complainant: { name: 'Robin Resident' },
      summary: 'Not answered',
      allegations: [{ category: 'delivery_of_duties', description: 'No reply' }],
      equality: { religion: 'buddhist' },
    },
  );
  await visit(cw, `${base}/complaints/${created.id}`);
  await cw.getByRole('link', { name: 'Who can see this complaint' }).click();
  await expectAccessible(cw);
  await cw.getByLabel('Person').selectOption({ label: `${manager.name} (manager)` });
  await cw.getByLabel('Decision-maker').check();
  await cw.getByRole('button', { name: 'Add to the list' }).click();
  await expect
    .poll(() => cw.locator('.govuk-notification-banner').textContent())
    .toContain('Added to the access list');
  await expectAccessible(cw);
  await cw
    .getByRole('button', { name: new RegExp(`Take off the list.*${caseworker.name}`) })
    .click();
  // Taking oneself off leaves the complaint: back to the list, where it no longer shows.
  await cw.waitForURL(`${base}/complaints`);
  expect(await cw.locator('main').textContent()).not.toContain('Robin Resident');
  await expectAccessible(cw);

  // The manager, now on the list, with the granted caseworker gone: the equality page
  // shows no answer (no grant); a second manager reads with a reason; the report lists it.
  const mgr = await newPage(browser);
  await signInBrowser(mgr, base, manager);
  await visit(mgr, `${base}/complaints/${created.id}/equality`);
  expect(await mgr.locator('#religion').inputValue()).toBe('');
  const other = await createUser(t.app, 'manager', { name: 'Morgan Overseer' });
  await t.app.services.complaints.detail.get(
    { id: other.id, role: 'manager', requestId: null },
    created.id,
    'Covering for leave',
  );
  await visit(mgr, `${base}/complaints/justified-reads?weekOf=2026-11-23`);
  await expect.poll(() => mgr.locator('table').textContent()).toContain('Covering for leave');
  await mgr.getByLabel('Show the week containing').fill('2026-02-30');
  await mgr.getByRole('button', { name: 'Show week' }).click();
  await expect
    .poll(() => mgr.locator('.govuk-error-summary').textContent())
    .toContain('Enter a real date');
  await expectAccessible(mgr);
}, 240_000);
