/**
 * §11 B16 beyond the booking journey: the waiting list, the manage page and its
 * cancellation, the waiting-list offer, and the 409 page of a time taken between choosing
 * it and confirming (B5), in a browser with JavaScript off and on; axe on
 * every page seen (without JavaScript, each page is checked as served, in a second page).
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { createTokens } from '../../server/surgeries/tokens.js';
import { useTestApp } from '../helpers/fixture.js';
import { expectAccessible, visit, useBrowser } from '../helpers/browser.js';
import { bookApi, createSurgery, personBody } from './helpers.js';

const t = useTestApp({ mail: 'dev-mailbox' });
const web = useBrowser(t);

/** A full surgery (two one-place times, both booked); returns the first booking's id. */
async function fullSurgery(date: string) {
  const { surgery, slots } = await createSurgery(t, { date, startTime: '14:00', endTime: '14:30' });
  const ids: string[] = [];
  for (const slot of slots) {
    const person = personBody();
    expect((await bookApi(t, { slotId: slot.id, ...person })).statusCode).toBe(201);
    const [row] = await t.db.sql<{ id: string }[]>`
      select id from surgery_booking where email = ${person.email}`;
    ids.push(row!.id);
  }
  return { surgery, slots, firstBooking: ids[0]! };
}

async function pages(page: Page, check: () => Promise<void>, date: string, name: string) {
  const tokens = createTokens(t.config.jwtSecret);
  const { surgery, slots, firstBooking } = await fullSurgery(date);
  const email = `${name.toLowerCase().replace(/\W+/g, '.')}@example.org`;

  // The waiting list: the form, its error summary, the confirmation.
  await page.goto(`${web.base}/surgeries/waiting-list/${surgery.id}`);
  await check();
  await page.getByRole('button', { name: 'Join the waiting list' }).click();
  await page.waitForLoadState();
  expect(await page.locator('.govuk-error-summary').count()).toBe(1);
  await check();
  await page.getByLabel('Full name').fill(name);
  await page.getByLabel('Email address').fill(email);
  await page.getByRole('button', { name: 'Join the waiting list' }).click();
  await page.waitForLoadState();
  expect(await page.locator('main').textContent()).toContain('You are on the waiting list');
  await check();

  // The manage link: the page, then cancelling from it.
  await page.goto(`${web.base}/surgeries/manage/${tokens.manage(firstBooking, 1)}`);
  await page.waitForURL(`${web.base}/surgeries/manage`);
  await check();
  await page.getByRole('button', { name: 'Cancel appointment' }).click();
  await page.waitForLoadState();
  expect(await page.locator('main').textContent()).toContain('cancelled');
  await check();

  // The freed place is offered to the person waiting (the job's work, run here directly).
  await t.app.services.surgeries.waitlist.offer(surgery.id, slots[0]!.id);
  const [entry] = await t.db.sql<{ id: string; offer_booking_id: string }[]>`
    select id, offer_booking_id from surgery_waitlist where email = ${email}`;
  await page.goto(
    `${web.base}/surgeries/offer/${tokens.offer(entry!.id, entry!.offer_booking_id)}`,
  );
  await check();
  await page.getByRole('button', { name: 'Accept this place' }).click();
  await page.waitForLoadState();
  await check();
  const [accepted] = await t.db.sql<{ status: string }[]>`
    select status from surgery_booking where id = ${entry!.offer_booking_id}`;
  expect(accepted!.status).toBe('confirmed');
}

/** B5 in the browser: the time goes between steps 3 and 7; the 409 page keeps the answers. */
async function takenBeforeConfirming(
  page: Page,
  check: () => Promise<void>,
  date: string,
  label: string,
  name: string,
) {
  const { slots } = await createSurgery(t, { date });
  await page.goto(`${web.base}/surgeries/book/surgery`);
  await page.getByLabel(label).check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL(`${web.base}/surgeries/book/time`);
  await page.getByLabel('2pm (1 place left)').check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL(`${web.base}/surgeries/book/details`);
  await page.getByLabel('Full name').fill(name);
  await page
    .getByLabel('Email address')
    .fill(`${name.toLowerCase().replace(/\W+/g, '.')}@example.org`);
  await page.getByLabel('Huntingdonshire').check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL(`${web.base}/surgeries/book/topic`);
  await page.getByLabel('Safer communities').check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL(`${web.base}/surgeries/book/adjustments`);
  await page.getByLabel('No', { exact: true }).check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL(`${web.base}/surgeries/book/check`);
  // Someone else takes 2pm meanwhile.
  expect((await bookApi(t, { slotId: slots[0]!.id, ...personBody() })).statusCode).toBe(201);
  await page.getByRole('button', { name: 'Confirm booking' }).click();
  await page.waitForLoadState();
  expect(await page.locator('h1').textContent()).toContain('That time has just been taken');
  await check();
  await page.getByRole('radio').first().check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL(`${web.base}/surgeries/book/check`);
  expect(await page.locator('main').textContent()).toContain(name);
  await check();
  await page.getByRole('button', { name: 'Confirm booking' }).click();
  await page.waitForURL(`${web.base}/surgeries/book/confirmation`);
  expect(await page.locator('main').textContent()).toContain('2:15pm');
  await check();
}

describe('waiting list, manage and offer pages in a browser (axe, WCAG 2.2 AA)', () => {
  it('work with JavaScript turned off', async () => {
    const context = await web.browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    const checker = await (await web.browser.newContext()).newPage();
    await visit(checker, `${web.base}/accessibility`);
    const check = async () => {
      await checker.setContent(await page.content(), { waitUntil: 'load' });
      await expectAccessible(checker);
    };
    await pages(page, check, '2026-12-08', 'Nadia No-Script');
    await takenBeforeConfirming(
      page,
      check,
      '2026-12-10',
      'Thursday 10 December 2026, 2pm to 3pm',
      'Nell No-Script',
    );
    await checker.close();
    await context.close();
  }, 240_000);

  it('work with JavaScript on', async () => {
    const page = await (await web.browser.newContext()).newPage();
    await pages(page, () => expectAccessible(page), '2026-12-09', 'Jo Script');
    await takenBeforeConfirming(
      page,
      () => expectAccessible(page),
      '2026-12-11',
      'Friday 11 December 2026, 2pm to 3pm',
      'Jay Script',
    );
    await page.close();
  }, 240_000);
});
