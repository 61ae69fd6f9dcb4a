/**
 * A complaint about the Chief Constable from receipt to the review decision, through the
 * pages in Chromium, axe-checked on every page visited (WCAG 2.2 AA).
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
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

/** Chooses a move, dates it today and saves; the page after is axe-checked. */
async function move(
  page: Page,
  label: string,
  fill: (page: Page) => Promise<void> = async () => undefined,
) {
  await page.getByLabel(label, { exact: true }).check();
  await page.getByLabel('Date it happened').fill('2026-11-23');
  await fill(page);
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect
    .poll(() => page.locator('.govuk-notification-banner').textContent())
    .toContain('Status changed');
  await expectAccessible(page);
}

async function sendLetter(page: Page, letter: string) {
  await page.getByLabel('Letter', { exact: true }).selectOption({ label: letter });
  await page.getByLabel('Email it now').check();
  await page.getByRole('button', { name: 'Send letter' }).click();
  await expect
    .poll(() => page.locator('.govuk-notification-banner').textContent())
    .toContain('Letter recorded');
  await expectAccessible(page);
}

it('receipt to review decision through the pages, axe-clean on every page', async () => {
  const { t, base, browser, manager, caseworker } = s;
  t.clock.set('2026-11-23T10:00:00Z');
  const cw = await newPage(browser);
  await signInBrowser(cw, base, caseworker);
  await visit(cw, `${base}/complaints`);
  await cw.getByRole('link', { name: 'Record a complaint' }).click();
  await expectAccessible(cw);
  // A bad form first: the error summary, and what was typed kept.
  await cw.getByLabel('Full name').fill('Robin Resident');
  await cw.getByRole('button', { name: 'Save complaint' }).click();
  await expect
    .poll(() => cw.locator('.govuk-error-summary').textContent())
    .toContain('Enter the date received');
  await expectAccessible(cw);
  expect(await cw.getByLabel('Full name').inputValue()).toBe('Robin Resident');
  await cw.getByLabel('Date received').fill('2026-11-23');
  await cw.getByLabel('Email address (optional)').fill('robin@example.org');
  await cw.getByLabel('Summary of the complaint').fill('The Chief Constable ignored my letters');
  await cw.getByLabel('IOPC category').selectOption('delivery_of_duties');
  await cw.getByLabel('What is alleged').fill('Did not answer three letters about speeding');
  await cw.getByRole('button', { name: 'Save complaint' }).click();
  await expect.poll(() => cw.locator('h1').textContent()).toMatch(/CC-2026-\d{4}/);
  await expectAccessible(cw);
  const url = cw.url().split('?')[0]!;
  const id = url.split('/').pop()!;
  // The manager goes on the access list through the complaint's own page.
  await cw.getByRole('link', { name: 'Who can see this complaint' }).click();
  await expectAccessible(cw);
  await cw.getByLabel('Person').selectOption({ label: `${manager.name} (manager)` });
  await cw.getByLabel('Decision-maker').check();
  await cw.getByRole('button', { name: 'Add to the list' }).click();
  await expect
    .poll(() => cw.locator('.govuk-notification-banner').textContent())
    .toContain('Added to the access list');
  await expectAccessible(cw);
  expect(id).toMatch(/^[0-9a-f-]{36}$/);
  await visit(cw, url);

  await sendLetter(cw, 'Acknowledgement');
  await move(cw, 'Initial contact');
  await cw.getByLabel('What was it?').selectOption('first_contact');
  await cw.getByRole('button', { name: 'Log contact' }).click();
  await expect
    .poll(() => cw.locator('.govuk-notification-banner').textContent())
    .toContain('Contact logged');
  await expectAccessible(cw);

  const mgr = await newPage(browser);
  await signInBrowser(mgr, base, manager);
  await visit(mgr, url);
  await move(mgr, 'Recorded', async (p) =>
    p.getByLabel('Reason or decision (if needed)').fill('AA decides'),
  );
  await move(mgr, 'Handling otherwise than by investigation', async (p) => {
    await p.locator('summary', { hasText: 'Decision details' }).click();
    await p.getByLabel('The complaint is not referable to the IOPC (reg 4(1)(c))').check();
    await p.getByLabel('Reason or decision (if needed)').fill('No referral criteria apply');
  });
  await move(mgr, 'Outcome determined', async (p) => {
    await p.locator('summary', { hasText: 'Decision details' }).click();
    await p.getByLabel('Outcome of allegation 1').selectOption('service_not_acceptable');
  });
  await visit(cw, url);
  await sendLetter(cw, 'Outcome with review rights');
  await move(cw, 'Review window open');
  expect(await cw.locator('body').textContent()).toContain('Review window closes');

  // The IOPC notifies an application, then its review result.
  await visit(mgr, url);
  await move(mgr, 'Review requested', async (p) =>
    p.getByLabel('Reason or decision (if needed)').fill('IOPC notified a review application'),
  );
  await move(mgr, 'Closed', async (p) =>
    p
      .getByLabel('Reason or decision (if needed)')
      .fill('IOPC review: outcome reasonable and proportionate'),
  );
  const detail = await t.app.services.complaints.detail.get(
    { id: manager.id, role: 'manager', requestId: null },
    id,
  );
  expect(detail).toMatchObject({
    status: 'closed',
    reviewResult: 'IOPC review: outcome reasonable and proportionate',
  });
  expect(detail.timeline.map((e) => e.to).filter(Boolean)).toEqual([
    'received',
    'initial_contact',
    'recorded',
    'handling_otherwise',
    'outcome_determined',
    'review_window',
    'review_requested',
    'closed',
  ]);

  await visit(mgr, `${base}/stats/complaints?from=2026-11-01&to=2026-11-30`);
  await visit(cw, `${url}/equality`);
  await cw.getByLabel('Ethnicity').selectOption('mixed');
  await cw.getByRole('button', { name: 'Save answers' }).click();
  await expect
    .poll(() => cw.locator('.govuk-notification-banner').textContent())
    .toContain('Equality answers saved');
  await expectAccessible(cw);
}, 240_000);
