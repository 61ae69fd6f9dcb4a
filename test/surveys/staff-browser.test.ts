/**
 * The staff pages for contact lists and consent in a browser, axe-core (WCAG 2.2 AA) on
 * every page seen: surveys list → contact lists → a new list → an import with an error →
 * the import done, members with their consent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible, signInBrowser, startStaffBrowser } from '../helpers/browser.js';

let env: Awaited<ReturnType<typeof startStaffBrowser>>;
beforeAll(async () => {
  env = await startStaffBrowser();
});
afterAll(async () => env?.close());

describe('contact lists in a browser (axe)', () => {
  it('creates a list and imports contacts with consent', async () => {
    const { browser, base, manager } = env;
    const page = await (await browser.newContext()).newPage();
    await signInBrowser(page, base, manager);
    await page.goto(`${base}/surveys`);
    await expectAccessible(page);
    await page.getByRole('link', { name: 'Contact lists and consent' }).click();
    await page.waitForURL(`${base}/surveys/lists`);
    await expectAccessible(page);
    await page.getByLabel('Name').fill('March residents');
    await page.getByRole('button', { name: 'Create list' }).click();
    await page.waitForURL(/\/surveys\/lists\/[0-9a-f-]{36}$/);
    await expectAccessible(page);

    await page.getByLabel('Contacts (CSV)').fill('name,email\nAnn Archer,ann@example.org\nBo,bo');
    await page
      .getByLabel('Where did these people give consent to survey emails?')
      .fill('March meeting');
    await page.getByRole('button', { name: 'Import contacts' }).click();
    await page.waitForLoadState();
    expect(await page.locator('.govuk-error-summary').textContent()).toContain('row 3');
    await expectAccessible(page);

    await page
      .getByLabel('Contacts (CSV)')
      .fill('name,email\nAnn Archer,ann@example.org\nBo Baker,bo@example.org');
    await page.getByRole('button', { name: 'Import contacts' }).click();
    await page.waitForLoadState();
    expect(await page.locator('.govuk-notification-banner').textContent()).toContain(
      '2 rows imported',
    );
    expect(await page.locator('main').textContent()).toContain('March meeting');
    await expectAccessible(page);
    await page.close();
  }, 180_000);
});
