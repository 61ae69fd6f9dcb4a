import { describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/fixture.js';
import { expectAccessible, visit, useBrowser } from '../helpers/browser.js';

const t = useTestApp({ mail: 'dev-mailbox' });
const web = useBrowser(t);

describe('the public contact form in a browser', () => {
  it('shows the error summary, keeps the answers, then confirms with a reference (axe on every page)', async () => {
    const page = await (await web.browser.newContext()).newPage();
    await visit(page, `${web.base}/`);
    await page.getByRole('link', { name: 'Write to the Commissioner' }).click();
    await page.waitForURL(`${web.base}/contact`);
    await expectAccessible(page);

    const long = 'My request is about the use of stop and search in the county. '.repeat(330);
    expect(long.length).toBeGreaterThan(20_000);
    await page.getByLabel('Full name', { exact: true }).fill('Morgan Requester');
    await page.getByLabel('A request for information (freedom of information)').check();
    await page.getByLabel('Subject', { exact: true }).fill('Stop and search figures');
    await page.getByLabel('Message', { exact: true }).fill(long);
    await page.getByRole('button', { name: 'Send message' }).click();

    await expect.poll(() => page.locator('.govuk-error-summary').isVisible()).toBe(true);
    await expectAccessible(page);
    const summary = page.locator('.govuk-error-summary');
    await expect.poll(() => summary.textContent()).toContain('Enter your email address');
    expect(await summary.textContent()).toContain(
      'Your message must be 20,000 characters or fewer',
    );
    expect(await page.getByLabel('Full name', { exact: true }).inputValue()).toBe(
      'Morgan Requester',
    );
    expect(await page.getByLabel('Message', { exact: true }).inputValue()).toBe(long);
    expect(
      await page.getByLabel('A request for information (freedom of information)').isChecked(),
    ).toBe(true);
    // The summary links to the fields it names.
    await summary.getByRole('link', { name: 'Enter your email address' }).click();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('email');

    await page.getByLabel('Email address', { exact: true }).fill('morgan@example.org');
    await page
      .getByLabel('Message', { exact: true })
      .fill('Please send the number of stop and search encounters in 2025, by month.');
    await page.getByRole('button', { name: 'Send message' }).click();

    await expect.poll(() => page.locator('.govuk-panel').isVisible()).toBe(true);
    await expectAccessible(page);
    const panel = await page.locator('.govuk-panel').textContent();
    expect(panel).toContain('Message sent');
    const reference = /OPCC-2026-\d{5}/.exec(panel ?? '')?.[0];
    expect(reference).toBeDefined();
    const next = await page.locator('main').textContent();
    expect(next).toContain('What happens next');
    expect(next).toMatch(/We will respond to your request for information by \d{1,2} \w+ 2026/);
    await page.close();
  }, 90_000);

  it('works with JavaScript turned off', async () => {
    const context = await web.browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    // axe needs JavaScript: each page seen without it is checked as served, in a second page.
    const checker = await (await web.browser.newContext()).newPage();
    await visit(checker, `${web.base}/accessibility`);
    const check = async () => {
      await checker.setContent(await page.content(), { waitUntil: 'load' });
      await expectAccessible(checker);
    };
    await page.goto(`${web.base}/contact`);
    await check();
    await page.getByLabel('Full name', { exact: true }).fill('Nadia No-Script');
    await page.getByLabel('Email address', { exact: true }).fill('nadia@example.org');
    await page.getByLabel('A compliment').check();
    await page.getByLabel('Subject', { exact: true }).fill('Thank you');
    await page
      .getByLabel('Message', { exact: true })
      .fill('The officer at the community event was very helpful.');
    await page.getByRole('button', { name: 'Send message' }).click();
    await page.waitForLoadState();
    await check();
    expect(await page.locator('.govuk-panel').textContent()).toMatch(/OPCC-2026-\d{5}/);
    await checker.close();
    await context.close();
  }, 90_000);
});
