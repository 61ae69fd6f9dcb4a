/**
 * §10 S13 and S16 (pages): the public survey journey in a real browser with JavaScript OFF,
 * from the public home page to "Thank you", axe-core (WCAG 2.2 AA) on every page seen.
 * Lean on purpose (one browser, one journey) so it finishes on a loaded host.
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/fixture.js';
import { expectAccessible, useBrowser } from '../helpers/browser.js';
import { countRows, createSurvey, managerToken } from './helpers.js';

const t = useTestApp();
const web = useBrowser(t);
let surveyId: string;

const questions = [
  {
    key: 'crimes',
    kind: 'multiple',
    label: 'Which crimes concern you most?',
    maxChoices: 3,
    options: [
      { key: 'burglary', label: 'House burglary' },
      { key: 'asb', label: 'General anti-social behaviour' },
      { key: 'roads', label: 'Road safety' },
      { key: 'cyber', label: 'Cybercrime' },
      { key: 'none', label: 'None of these', behaviour: 'exclusive' },
    ],
  },
  {
    key: 'order',
    kind: 'ranking',
    label: 'Rank these priorities',
    maxChoices: 2,
    options: [
      { key: 'visible', label: 'Visible policing' },
      { key: 'justice', label: 'Bringing offenders to justice' },
      { key: 'roads', label: 'Road safety' },
    ],
  },
  { key: 'equality_age', kind: 'equality', label: '' },
];

beforeAll(async () => {
  const token = await managerToken(t);
  surveyId = await createSurvey(t, token, { title: 'Policing priorities 2027', questions });
});

async function clickAndWait(page: Page, name: string, url: string) {
  await page.getByRole('button', { name }).click();
  await page.waitForURL(url);
}

describe('the public survey journey in a browser, JavaScript off (axe, WCAG 2.2 AA)', () => {
  it('S13/S16: home → index → start → questions (error summaries, ranking by radios) → check → equality → thank you', async () => {
    const context = await web.browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    // axe needs JavaScript: each page seen without it is checked as served, in a second page.
    const checker = await (await web.browser.newContext()).newPage();
    await checker.goto(`${web.base}/accessibility`);
    let checked = 0;
    const check = async () => {
      await checker.setContent(await page.content(), { waitUntil: 'load' });
      await expectAccessible(checker);
      checked += 1;
    };
    const main = async () => (await page.locator('main').textContent()) ?? '';
    const q = (n: number) => `${web.base}/consultations/${surveyId}/q/${n}`;

    await page.goto(`${web.base}/`);
    await check();
    await page.getByRole('link', { name: 'Have your say in a consultation' }).click();
    await page.waitForURL(`${web.base}/consultations`);
    await check();
    await page.getByRole('link', { name: 'Policing priorities 2027' }).click();
    await page.waitForURL(`${web.base}/consultations/${surveyId}`);
    await check();
    expect(await main()).toContain('To report a crime call 101');
    await clickAndWait(page, 'Start now', q(1));
    await check();

    // "None of these" with another: the error summary; no script un-ticks anything.
    await page.getByLabel('House burglary').check();
    await page.getByLabel('None of these').check();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForLoadState();
    expect(await page.locator('.govuk-error-summary').textContent()).toContain(
      'select options or "None of these", not both',
    );
    await check();
    // Four picks of three.
    await page.getByLabel('None of these').uncheck();
    for (const label of ['General anti-social behaviour', 'Road safety', 'Cybercrime'])
      await page.getByLabel(label).check();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForLoadState();
    expect(await page.locator('.govuk-error-summary').textContent()).toContain('select up to 3');
    await check();
    await page.getByLabel('Cybercrime').uncheck();
    await clickAndWait(page, 'Continue', q(2));
    await check();

    // Save and come back later: the saved page (with its "email me the link" form).
    await clickAndWait(
      page,
      'Save and come back later',
      `${web.base}/consultations/${surveyId}/saved`,
    );
    await check();
    expect(await main()).toContain('Email me the link');
    await page.goto(q(2));

    // Ranking without drag and drop (WCAG 2.5.7): one radio group per place.
    await page
      .getByRole('group', { name: 'Most important' })
      .getByLabel('Bringing offenders to justice')
      .check();
    await page.getByRole('group', { name: 'Second' }).getByLabel('Visible policing').check();
    await clickAndWait(page, 'Continue', `${web.base}/consultations/${surveyId}/check`);
    await check();
    const summary = await main();
    expect(summary).toContain('House burglary; General anti-social behaviour; Road safety');
    expect(summary).toContain('1. Bringing offenders to justice; 2. Visible policing');

    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(`${web.base}/consultations/${surveyId}/equality`);
    await check();
    await page.getByLabel('25 to 34').check();
    await page.getByRole('button', { name: 'Send my answers' }).click();
    await page.waitForLoadState();
    expect(await page.locator('.govuk-panel').textContent()).toContain('Thank you');
    await check();

    expect(checked).toBe(11);
    expect(await countRows(t, 'survey_responses', surveyId)).toBe(1);
    await checker.close();
    await context.close();
  }, 240_000);
});
