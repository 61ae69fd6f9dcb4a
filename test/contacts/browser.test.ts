import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.js';
import type { TestUser } from '../helpers/auth.js';
import {
  expectAccessible,
  newPage,
  signInBrowser,
  startStaffBrowser,
  visit,
} from '../helpers/browser.js';
import { PNG } from '../helpers/multipart.js';
import { makeCase } from '../correspondence/fixtures.js';
import { insertContact } from './fixtures.js';

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

const errorSummaryShown = (page: import('playwright-core').Page) =>
  expect
    .poll(() => page.locator('.govuk-error-summary').isVisible(), { timeout: 30_000 })
    .toBe(true);

describe('staff entry with an attachment and the contact merge page (axe, WCAG 2.2 AA)', () => {
  it('records a letter with its scan: a wrong file keeps the form, a PNG is saved with the case', async () => {
    const page = await newPage(browser);
    await signInBrowser(page, base, caseworker);
    await visit(page, `${base}/casework/new`);
    await page.getByLabel('General enquiry').check();
    await page.getByLabel('Letter').check();
    await page.getByLabel('Subject', { exact: true }).fill('Broken streetlight on Elm Way');
    await page.getByLabel('Text of the correspondence').fill('See the enclosed photograph.');
    await page.getByLabel('Full name or organisation').fill('Elm Way Resident');
    await page.getByLabel('Attachments (optional)').setInputFiles({
      name: 'photo.pdf',
      mimeType: 'application/pdf',
      buffer: Buffer.from('<html><body>not a pdf</body></html>'),
    });
    await page.getByRole('button', { name: 'Save and continue' }).click();
    await errorSummaryShown(page);
    await expectAccessible(page);
    expect(await page.locator('.govuk-error-summary').textContent()).toContain(
      'photo.pdf must be a PDF, PNG, JPEG or Word (DOCX) file',
    );
    // What was typed is still there.
    expect(await page.getByLabel('Subject', { exact: true }).inputValue()).toBe(
      'Broken streetlight on Elm Way',
    );
    expect(await page.getByLabel('General enquiry').isChecked()).toBe(true);

    await page.getByLabel('Attachments (optional)').setInputFiles({
      name: 'streetlight.png',
      mimeType: 'image/png',
      buffer: PNG,
    });
    await page.getByRole('button', { name: 'Save and continue' }).click();
    await page.waitForURL(/\/casework\/[0-9a-f-]{36}\?notice=created/);
    await expectAccessible(page);
    expect(await page.locator('#attachments-list a').first().textContent()).toContain(
      'streetlight.png',
    );
    expect(await page.locator('#attachments-list [data-scan-status]').textContent()).toContain(
      'Not virus-checked',
    );
    await page.close();
  }, 120_000);

  it('a manager merges a duplicate contact from the case page', async () => {
    const [keep] = await t.db.sql<{ id: string }[]>`
      insert into contacts (name, email, email_norm)
      values ('Jordan Keep', 'jordan@example.org', 'jordan@example.org') returning id`;
    const [dup] = await t.db.sql<{ id: string }[]>`
      insert into contacts (name, email, email_norm)
      values ('Jordan K', 'jordan@example.org', 'jordan@example.org') returning id`;
    const c = await makeCase(t.app, caseworker, { contactId: dup!.id, subject: 'Duplicate' });

    const page = await newPage(browser);
    await signInBrowser(page, base, manager);
    await visit(page, `${base}/casework/${c.id}`);
    await page
      .getByRole('link', { name: 'All cases from this contact, and merging duplicates' })
      .click();
    await page.waitForURL(`${base}/contacts/${dup!.id}`);
    await expectAccessible(page);
    await page.getByRole('link', { name: /Merge this contact into another/ }).click();
    await page.waitForURL(`${base}/contacts/${dup!.id}/merge`);
    await expectAccessible(page);

    // No choice: the error summary links to the radios.
    await page.getByRole('button', { name: 'Merge contacts' }).click();
    await errorSummaryShown(page);
    await expectAccessible(page);
    expect(await page.locator('.govuk-error-summary a').getAttribute('href')).toBe('#into');

    await page.getByLabel('Jordan Keep').check();
    await page.getByRole('button', { name: 'Merge contacts' }).click();
    await page.waitForURL(`${base}/contacts/${keep!.id}?notice=merged`);
    await expectAccessible(page);
    expect(await page.locator('.govuk-notification-banner').textContent()).toContain(
      'Contacts merged',
    );
    // The kept contact lists the case that moved, linked to it.
    expect(await page.locator('#cases').getByRole('link', { name: c.reference }).count()).toBe(1);
    const [row] = await t.db.sql<{ contact_id: string }[]>`
      select contact_id from cases where id = ${c.id}`;
    expect(row!.contact_id).toBe(keep!.id);
    await page.close();
  }, 120_000);
  it('a manager finds a contact from the menu by part of a name, without JavaScript needed', async () => {
    const rowan = await insertContact(t.db.sql, {
      name: 'Rowan Findable',
      email: 'rowan@example.org',
      postcode: 'LS1 4DY',
    });
    const page = await newPage(browser);
    await signInBrowser(page, base, manager);
    await visit(page, `${base}/staff`);
    await page
      .getByRole('navigation', { name: 'Menu' })
      .getByRole('link', { name: 'Contacts', exact: true })
      .click();
    await page.waitForURL(`${base}/contacts`);
    await expectAccessible(page);
    await page.getByLabel('Search contacts').fill('findable');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(`${base}/contacts?q=findable`);
    await expectAccessible(page);
    expect(await page.locator('#results-heading').textContent()).toContain('1 contact');
    await page.getByRole('link', { name: 'Rowan Findable' }).click();
    await page.waitForURL(`${base}/contacts/${rowan}`);
    await page.close();
  }, 120_000);
});
