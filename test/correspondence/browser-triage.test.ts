import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.js';
import { createUser, type TestUser } from '../helpers/auth.js';
import {
  expectAccessible,
  newPage,
  signInBrowser,
  startStaffBrowser,
  visit,
} from '../helpers/browser.js';
import { actorOf, makeCase } from './fixtures.js';

// The queue's tag, date and restriction filters, bulk tag and the access form on a
// restricted case, in a real browser; axe (WCAG 2.2 AA) on every page visited.

let t: TestApp;
let browser: Browser;
let base: string;
let manager: TestUser;
let caseworker: TestUser;
let close: (() => Promise<void>) | undefined;

beforeAll(async () => {
  ({ t, browser, base, manager, caseworker, close } = await startStaffBrowser());
});
afterAll(async () => close?.());

const errorSummaryShown = (page: Page) =>
  expect
    .poll(() => page.locator('.govuk-error-summary').isVisible(), { timeout: 30_000 })
    .toBe(true);

describe('triage filters, bulk tag and access in a browser (axe, WCAG 2.2 AA)', () => {
  it('filters by tag, dates and restriction, with field errors for a bad date', async () => {
    const tagged = await makeCase(t.app, caseworker, {
      subject: 'Osprey nest disturbed',
      receivedAt: '2026-11-10T09:00:00Z',
      tags: ['osprey'],
    });
    const older = await makeCase(t.app, caseworker, {
      subject: 'Osprey older report',
      receivedAt: '2026-10-01T09:00:00Z',
      tags: ['osprey'],
    });
    const secret = await makeCase(t.app, caseworker, {
      subject: 'Osprey staff matter',
      receivedAt: '2026-11-12T09:00:00Z',
      tags: ['osprey'],
    });
    await t.app.services.correspondence.setRestricted(actorOf(manager), secret.id, {
      restricted: true,
      version: 1,
    });

    const page = await newPage(browser);
    await signInBrowser(page, base, manager);
    await visit(page, `${base}/casework?view=all`);
    await page.getByLabel('Tags', { exact: true }).fill('Osprey');
    await page.getByLabel('Received from').fill('31/2/2026');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await errorSummaryShown(page);
    await expectAccessible(page);
    expect(await page.locator('.govuk-error-summary').textContent()).toContain(
      "'Received from' must be a real date",
    );
    // The summary links to the field, which keeps what was typed.
    await page.locator('.govuk-error-summary a[href="#receivedFrom"]').click();
    expect(await page.getByLabel('Received from').inputValue()).toBe('31/2/2026');

    await page.getByLabel('Received from').fill('1/11/2026');
    await page.getByLabel('Received to').fill('2026-11-30');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/receivedFrom=1%2F11%2F2026/);
    await expectAccessible(page);
    const rows = page.locator('#cases tbody');
    expect(await rows.getByRole('link', { name: tagged.reference }).count()).toBe(1);
    expect(await rows.getByRole('link', { name: secret.reference }).count()).toBe(1);
    expect(await rows.getByRole('link', { name: older.reference }).count()).toBe(0);
    const filterTags = await page.locator('.moj-filter__tag').allTextContents();
    expect(filterTags.join(' ')).toContain('osprey');
    expect(filterTags.join(' ')).toContain('1 November 2026');

    await page.getByLabel('Restricted only').check();
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/restricted=true/);
    await expectAccessible(page);
    expect(await rows.getByRole('link', { name: secret.reference }).count()).toBe(1);
    expect(await rows.getByRole('link', { name: tagged.reference }).count()).toBe(0);
    expect(
      await page.getByRole('link', { name: 'Download these cases' }).getAttribute('href'),
    ).toBe(
      '/casework/export.csv?view=all&receivedFrom=2026-11-01&receivedTo=2026-11-30&restricted=true&tag=osprey',
    );

    // Removing the restriction filter tag brings the unrestricted case back.
    await page.locator('.moj-filter__tag', { hasText: 'Restricted only' }).click();
    await page.waitForURL((url) => !url.search.includes('restricted'));
    await expectAccessible(page);
    expect(await rows.getByRole('link', { name: tagged.reference }).count()).toBe(1);
    await page.close();
  }, 180_000);

  it('bulk tags the selected cases, and refuses an empty selection with the error summary', async () => {
    const a = await makeCase(t.app, caseworker, { subject: 'Puffin colony A' });
    const b = await makeCase(t.app, caseworker, { subject: 'Puffin colony B' });
    const page = await newPage(browser);
    await signInBrowser(page, base, caseworker);
    await visit(page, `${base}/casework?view=all&q=puffin`);
    await page.getByLabel(`Select ${a.reference}`).check();
    await page.getByLabel(`Select ${b.reference}`).check();
    await page.getByLabel('Add tags to the selected cases').fill('Seabirds, coast');
    await page.getByRole('button', { name: 'Tag selected cases' }).click();
    await page.waitForURL(/tagged=2/);
    await expectAccessible(page);
    expect(await page.locator('.govuk-notification-banner').textContent()).toContain(
      '2 cases tagged',
    );
    expect(await page.locator('#cases tbody').textContent()).toContain('Tags: seabirds, coast');

    await page.getByLabel('Add tags to the selected cases').fill('nothing selected');
    await page.getByRole('button', { name: 'Tag selected cases' }).click();
    await errorSummaryShown(page);
    await expectAccessible(page);
    expect(await page.locator('.govuk-error-summary').textContent()).toContain(
      'Select the cases to tag',
    );
    await page.close();
  }, 180_000);

  it('a manager gives a caseworker access to a restricted case and removes it', async () => {
    const guest = await createUser(t.app, 'caseworker', { name: 'Gale Guest' });
    const c = await makeCase(t.app, caseworker, {
      subject: 'Gannet staff matter',
      assigneeId: caseworker.id,
    });
    await t.app.services.correspondence.setRestricted(actorOf(manager), c.id, {
      restricted: true,
      version: 1,
    });
    const page = await newPage(browser);
    await signInBrowser(page, base, manager);
    await visit(page, `${base}/casework/${c.id}`);
    await page.getByRole('button', { name: 'Give access' }).click();
    await errorSummaryShown(page);
    await expectAccessible(page);
    await page.getByLabel('Give a caseworker access').selectOption({ label: 'Gale Guest' });
    await page.getByRole('button', { name: 'Give access' }).click();
    await page.waitForURL(/notice=access#access/);
    await expectAccessible(page);
    expect(await page.locator('#access-list').textContent()).toContain('Gale Guest');
    expect(await page.locator('.moj-timeline__title').allTextContents()).toContain(
      'Access granted',
    );

    // The guest can open it now.
    const guestPage = await newPage(browser);
    await signInBrowser(guestPage, base, guest);
    await visit(guestPage, `${base}/casework/${c.id}`);
    expect(await guestPage.locator('h1').textContent()).toContain('Gannet staff matter');

    await page.getByRole('button', { name: 'Remove access for Gale Guest' }).click();
    await page.waitForURL(/notice=access-removed/);
    await expectAccessible(page);
    expect(await page.getByText('Nobody has been given access.').count()).toBe(1);
    const gone = await guestPage.goto(`${base}/casework/${c.id}`);
    expect(gone?.status()).toBe(404);
    await expectAccessible(guestPage);
    await guestPage.close();
    await page.close();
  }, 180_000);
});
