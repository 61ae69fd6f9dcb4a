/**
 * §8 staff pages in a browser with JavaScript on (axe on every page visited): "Create a
 * surgery" passes axe once govuk-frontend has run, and the MoJ sortable tables of the
 * surgery day are initialised, so a column header sorts the rows.
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/fixture.js';
import type { TestUser } from '../helpers/auth.js';
import { expectAccessible, newPage, signInBrowser, visit, useBrowser } from '../helpers/browser.js';
import { bookApi, createSurgery, personBody } from './helpers.js';

const t = useTestApp({ mail: 'dev-mailbox' });
const web = useBrowser(t);
let staff: TestUser;
let surgeryId: string;

beforeAll(async () => {
  staff = await t.user('caseworker', { name: 'Sam Surgeries' });
  const { surgery, slots } = await createSurgery(t, { date: '2026-12-08' });
  surgeryId = surgery.id;
  // Booked in time order Zara, Adam, Mia: sorting by name gives another order.
  for (const [i, name] of ['Zara Zed', 'Adam Able', 'Mia Middle'].entries()) {
    const response = await bookApi(t, { slotId: slots[i]!.id, ...personBody({ name }) });
    expect(response.statusCode).toBe(201);
  }
});

const bookingNames = (page: Page) =>
  page
    .locator('table:has(caption:text("Bookings")) tbody tr td:nth-child(3)')
    .allTextContents()
    .then((cells) => cells.map((c) => c.trim()));

describe('staff surgery pages with JavaScript on', () => {
  it('"Create a surgery" passes axe after govuk-frontend has initialised the page', async () => {
    const page = await newPage(web.browser);
    await signInBrowser(page, web.base, staff);
    await visit(page, `${web.base}/staff/surgeries/new`);
    // The script has run (govuk-frontend marks the body), so axe saw the enhanced page.
    await expect
      .poll(() => page.evaluate(() => document.body.classList.contains('govuk-frontend-supported')))
      .toBe(true);
    await expectAccessible(page);
    expect(await page.locator('input[type="radio"][aria-expanded]').count()).toBe(0);
    // Both kinds' fields are there to fill, whichever kind is chosen.
    await page.getByLabel('Street surgery (no booking; conversations logged on the day)').check();
    await expect.poll(() => page.getByLabel('Where', { exact: true }).isVisible()).toBe(true);
    await expectAccessible(page);
    await page.close();
  }, 120_000);

  it('sorts the bookings table by a column header (MoJ sortable table), axe before and after', async () => {
    const page = await newPage(web.browser);
    await signInBrowser(page, web.base, staff);
    await visit(page, `${web.base}/staff/surgeries/${surgeryId}`);
    const nameHeader = page.locator('table:has(caption:text("Bookings")) thead th', {
      hasText: 'Name',
    });
    // MoJ's script turns each sortable header into a button.
    await expect.poll(() => nameHeader.locator('button').count()).toBe(1);
    expect(await bookingNames(page)).toEqual(['Zara Zed', 'Adam Able', 'Mia Middle']);

    await nameHeader.locator('button').click();
    await expect.poll(() => bookingNames(page)).toEqual(['Adam Able', 'Mia Middle', 'Zara Zed']);
    expect(await nameHeader.getAttribute('aria-sort')).toBe('ascending');
    await expectAccessible(page);

    await nameHeader.locator('button').click();
    await expect.poll(() => bookingNames(page)).toEqual(['Zara Zed', 'Mia Middle', 'Adam Able']);
    expect(await nameHeader.getAttribute('aria-sort')).toBe('descending');
    await expectAccessible(page);
    await page.close();
  }, 120_000);
});
