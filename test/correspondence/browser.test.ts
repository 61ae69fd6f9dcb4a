import type { Browser, Page } from 'playwright-core';
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
import { actorOf, makeCase } from './fixtures.js';

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

const signIn = (page: Page, user: TestUser) => signInBrowser(page, base, user);

describe('casework pages in a browser (axe, WCAG 2.2 AA)', () => {
  it('the queue, its filters and bulk assign pass axe and work', async () => {
    const overdue = await makeCase(t.app, caseworker, {
      type: 'foi',
      subject: 'Overdue FOI about drones',
      receivedAt: '2026-09-01T09:00:00Z',
    });
    await makeCase(t.app, caseworker, { subject: 'Fresh letter about lighting' });
    const page = await newPage(browser);
    await signIn(page, manager);
    await page.locator('.govuk-service-navigation__list a[href="/casework"]').click();
    await page.waitForURL(`${base}/casework`);
    await expectAccessible(page);
    await visit(page, `${base}/casework?view=overdue`);
    expect(await page.getByRole('link', { name: overdue.reference }).count()).toBe(1);
    await page.getByLabel('Freedom of information request').check();
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/type=foi/);
    await expectAccessible(page);
    expect(await page.locator('.moj-filter__tag').count()).toBeGreaterThan(0);

    await page.getByLabel(`Select ${overdue.reference}`).check();
    await page.getByLabel('Assign the selected cases to').selectOption({ label: 'Casey Worker' });
    await page.getByRole('button', { name: 'Assign selected cases' }).click();
    await page.waitForURL(/assigned=1/);
    await expectAccessible(page);
    expect(await page.locator('.govuk-notification-banner').textContent()).toContain(
      '1 case assigned',
    );

    // An empty bulk assign: the GOV.UK error summary.
    await visit(page, `${base}/casework?view=all`);
    await page.getByRole('button', { name: 'Assign selected cases' }).click();
    await expect
      .poll(() => page.locator('.govuk-error-summary').isVisible(), { timeout: 30_000 })
      .toBe(true);
    await expectAccessible(page);
    await page.close();
  }, 120_000);

  it('recording a letter: errors, a suggested contact, then the case page, all pass axe', async () => {
    await makeCase(t.app, caseworker, { contact: { name: 'Riley Resident', postcode: 'CB1 1AA' } });
    const page = await newPage(browser);
    await signIn(page, caseworker);
    await visit(page, `${base}/casework/new`);
    await page.getByRole('button', { name: 'Save and continue' }).click();
    await expect
      .poll(() => page.locator('.govuk-error-summary').isVisible(), { timeout: 30_000 })
      .toBe(true);
    await expectAccessible(page);

    await page.getByLabel('General enquiry').check();
    await page.getByLabel('Letter').check();
    await page.getByLabel('Subject', { exact: true }).fill('Noise from the car park <b>late</b>');
    await page
      .getByLabel('Text of the correspondence')
      .fill('Cars race around the car park at night.');
    await page.getByLabel('Full name or organisation').fill('Riley Resident');
    await page.getByLabel('Postcode (optional)').fill('cb1 1aa');
    await page.getByRole('button', { name: 'Save and continue' }).click();
    await expect
      .poll(() => page.getByText('Is this one of these contacts?').isVisible(), { timeout: 30_000 })
      .toBe(true);
    await expectAccessible(page);
    await page.getByLabel('None of these: record a new contact').check();
    await page.getByRole('button', { name: 'Save and continue' }).click();
    await page.waitForURL(/\/casework\/[0-9a-f-]{36}\?notice=created/);
    await expectAccessible(page);
    expect(await page.locator('h1').textContent()).toContain('Noise from the car park <b>late</b>');

    // The case page forms: a note, a status change with an error, then a valid one.
    await page.getByLabel('Add an internal note').fill('Checked with the local team.');
    await page.getByRole('button', { name: 'Add note' }).click();
    await page.waitForURL(/notice=note/);
    await expectAccessible(page);
    await page.getByLabel('Closed: Close without a reply').check();
    await page.getByRole('button', { name: 'Change status' }).click();
    await expect
      .poll(() => page.locator('.govuk-error-summary').isVisible(), { timeout: 30_000 })
      .toBe(true);
    await expectAccessible(page);
    await page.getByLabel('Open: Start work on it (the type is right)').check();
    await page.getByRole('button', { name: 'Change status' }).click();
    await page.waitForURL(/notice=status/);
    await expectAccessible(page);
    expect(await page.locator('.moj-timeline__title').allTextContents()).toEqual(
      expect.arrayContaining(['Case created', 'Note added', 'Status changed to Open']),
    );
    await page.close();
  }, 120_000);

  it('a manager’s case page (assign and restrict forms) passes axe', async () => {
    const c = await makeCase(t.app, caseworker, { subject: 'Manager view' });
    await t.app.services.correspondence.addNote(actorOf(caseworker), c.id, { body: 'A note.' });
    const page = await newPage(browser);
    await signIn(page, manager);
    await visit(page, `${base}/casework/${c.id}`);
    await page.getByLabel('Assign to').selectOption({ label: 'Casey Worker' });
    await page.getByRole('button', { name: 'Save assignment' }).click();
    await page.waitForURL(/notice=assigned/);
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Restrict this case' }).click();
    await page.waitForURL(/notice=restriction/);
    await expectAccessible(page);

    // Attachments: a refused type shows the error summary; a PNG is listed as a download.
    await page.getByLabel('Attach files').setInputFiles({
      name: 'letter.pdf',
      mimeType: 'application/pdf',
      buffer: Buffer.from('<html><body>not a pdf</body></html>'),
    });
    await page.getByRole('button', { name: 'Upload' }).click();
    await expect
      .poll(() => page.locator('.govuk-error-summary').isVisible(), { timeout: 30_000 })
      .toBe(true);
    await expectAccessible(page);
    await page.getByLabel('Attach files').setInputFiles({
      name: 'lamp.png',
      mimeType: 'image/png',
      buffer: Buffer.from(
        'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
        'base64',
      ),
    });
    await page.getByRole('button', { name: 'Upload' }).click();
    await page.waitForURL(/notice=attachments/);
    await expectAccessible(page);
    expect(await page.locator('#attachments-list a').first().textContent()).toContain('lamp.png');
    await page.close();
  }, 120_000);
});
