import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { createUser, type TestUser } from '../helpers/auth.js';
import {
  expectAccessible,
  launchBrowser,
  serve,
  signInBrowser,
  visit,
} from '../helpers/browser.js';
import { createSurvey, managerToken } from '../surveys/helpers.js';

/** The public answering journey with JavaScript off, and the staff pages; axe on every page. */
let t: TestApp;
let browser: Browser;
let base: string;
let surveyId: string;
let manager: TestUser;

beforeAll(async () => {
  t = await buildTestApp({ mail: 'dev-mailbox' });
  surveyId = await createSurvey(t, await managerToken(t));
  manager = await createUser(t.app, 'manager', { name: 'Morgan Manager' });
  base = await serve(t);
  browser = await launchBrowser();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await t.close();
});

async function continueTo(page: Page, path: RegExp) {
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL(path);
  await expectAccessible(page);
}

describe('answering a survey with JavaScript disabled', () => {
  it('S13: one question a page, exclusive "None of these", a maximum, ranking by radios; check, equality, send', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await visit(page, `${base}/consultations/${surveyId}`);
    expect(await page.textContent('body')).toContain('To report a crime call 101');
    await page.getByRole('button', { name: 'Start now' }).click();
    await page.waitForURL(/\/q\/1$/);
    await expectAccessible(page);

    // "None of these" with another: the error summary, the answers kept.
    await page.getByLabel('House burglary').check();
    await page.getByLabel('None of these').check();
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect.poll(() => page.locator('.govuk-error-summary').isVisible()).toBe(true);
    await expectAccessible(page);
    expect(await page.locator('.govuk-error-summary').textContent()).toContain('not both');
    expect(await page.getByLabel('House burglary').isChecked()).toBe(true);

    // Four picks of three.
    await page.getByLabel('None of these').uncheck();
    for (const label of ['General anti-social behaviour', 'Road safety', 'Cybercrime'])
      await page.getByLabel(label).check();
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect
      .poll(() => page.locator('.govuk-error-summary').textContent())
      .toContain('select up to 3');
    await expectAccessible(page);
    await page.getByLabel('Cybercrime').uncheck();
    await continueTo(page, /\/q\/2$/);

    await page.getByLabel('Online').check();
    await continueTo(page, /\/q\/3$/);

    // Ranking without dragging: a radio group per place.
    await page.getByRole('group', { name: 'Most important' }).getByLabel('Justice').check();
    await page.getByRole('group', { name: 'Second' }).getByLabel('Justice').check();
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect.poll(() => page.locator('.govuk-error-summary').textContent()).toContain('once');
    await expectAccessible(page);
    await page.getByRole('group', { name: 'Second' }).getByLabel('Visible policing').check();
    await continueTo(page, /\/q\/4$/);

    await page.getByLabel('Agree', { exact: true }).check();
    await continueTo(page, /\/q\/5$/);
    await page.getByLabel('Fenland').check();
    await continueTo(page, /\/q\/6$/);
    await page.getByLabel('Anything else?').fill('More patrols near the station');
    await continueTo(page, /\/check$/);
    const check = await page.textContent('main');
    expect(check).toContain('House burglary; General anti-social behaviour; Road safety');
    expect(check).toContain('1. Justice; 2. Visible policing');

    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(/\/equality$/);
    await expectAccessible(page);
    await page.getByLabel('35 to 44').check();
    await page.getByRole('button', { name: 'Send my answers' }).click();
    await expect.poll(() => page.locator('.govuk-panel').isVisible()).toBe(true);
    await expectAccessible(page);

    const [row] = await t.db.sql<
      { n: number }[]
    >`select count(*)::int as n from survey_responses where survey_id = ${surveyId}`;
    expect(row!.n).toBe(1);
    await context.close();
  }, 300_000);

  it('S16: the staff results page shows each chart with a table of the same figures (axe)', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signInBrowser(page, base, manager);
    await visit(page, `${base}/surveys`);
    await visit(page, `${base}/surveys/${surveyId}`);
    await visit(page, `${base}/surveys/${surveyId}/preview`);
    await visit(page, `${base}/surveys/${surveyId}/results?question=crimes&by=area`);
    const chart = await page.locator('svg[role="img"]').first().textContent();
    const table = await page.locator('table[data-question="crimes"]').textContent();
    expect(chart).toContain('100.0% (1)');
    expect(table).toContain('100.0%');
    expect(await page.locator('svg[role="img"] title').count()).toBeGreaterThan(3);
    await visit(page, `${base}/surveys/${surveyId}/text/comments`);
    await visit(page, `${base}/surveys/new`);
    await context.close();
  }, 300_000);
});
