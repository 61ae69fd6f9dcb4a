/** §11 B16: the public booking journey in a browser, JavaScript off and on, axe on every page. */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/fixture.js';
import { expectAccessible, visit, useBrowser } from '../helpers/browser.js';
import { createSurgery } from './helpers.js';

const t = useTestApp({ mail: 'dev-mailbox' });
const web = useBrowser(t);

beforeAll(async () => {
  await createSurgery(t, { date: '2026-12-08', placesPerSlot: 2 });
  await createSurgery(t, { date: '2026-12-09', host: 'deputy', area: 'fenland' });
});

/** Every step of the journey, answered the same way with or without JavaScript. */
async function journey(
  page: Page,
  check: () => Promise<void>,
  name: string,
  time: { label: string; span: string },
) {
  await page.goto(`${web.base}/`);
  await check();
  await page.getByRole('link', { name: 'Book an appointment at a surgery' }).click();
  await page.waitForURL(`${web.base}/surgeries`);
  await check();
  await page.getByRole('button', { name: 'Start now' }).click();
  await page.waitForURL(`${web.base}/surgeries/book/surgery`);
  await check();
  // No choice: the error summary, checked too.
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForLoadState();
  expect(await page.locator('.govuk-error-summary').textContent()).toContain('Select a surgery');
  await check();
  await page.getByLabel('Tuesday 8 December 2026, 2pm to 3pm, Huntingdon Library').check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL(`${web.base}/surgeries/book/time`);
  await check();
  await page.getByLabel(time.label).check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL(`${web.base}/surgeries/book/details`);
  await check();
  await page.getByLabel('Full name').fill(name);
  await page
    .getByLabel('Email address')
    .fill(`${name.toLowerCase().replace(/\W+/g, '.')}@example.org`);
  await page.getByLabel('Huntingdonshire').check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL(`${web.base}/surgeries/book/topic`);
  await check();
  await page.getByLabel('Safer communities').check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL(`${web.base}/surgeries/book/adjustments`);
  await check();
  await page.getByLabel('No', { exact: true }).check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL(`${web.base}/surgeries/book/check`);
  await check();
  expect(await page.locator('main').textContent()).toContain(name);
  await page.getByRole('button', { name: 'Confirm booking' }).click();
  await page.waitForURL(`${web.base}/surgeries/book/confirmation`);
  await check();
  const panel = await page.locator('.govuk-panel').textContent();
  expect(panel).toMatch(/SB-2026-\d{5}/);
  expect(await page.locator('main').textContent()).toContain(time.span);
}

describe('the booking journey in a browser (axe, WCAG 2.2 AA)', () => {
  it('completes with JavaScript turned off', async () => {
    const context = await web.browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    // axe needs JavaScript: each page seen without it is checked as served, in a second page.
    const checker = await (await web.browser.newContext()).newPage();
    await visit(checker, `${web.base}/accessibility`);
    const check = async () => {
      await checker.setContent(await page.content(), { waitUntil: 'load' });
      await expectAccessible(checker);
    };
    await journey(page, check, 'Nadia No-Script', {
      label: '2:30pm (2 places left)',
      span: '2:30pm to 2:45pm',
    });
    await checker.close();
    await context.close();
  }, 120_000);

  it('completes with JavaScript on', async () => {
    const page = await (await web.browser.newContext()).newPage();
    await journey(page, () => expectAccessible(page), 'Jo Script', {
      label: '2:45pm (2 places left)',
      span: '2:45pm to 3pm',
    });
    await page.close();
  }, 120_000);
});
