import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { createUser, type TestUser } from '../helpers/auth.js';
import {
  expectAccessible,
  launchBrowser,
  newPage,
  serve,
  signInBrowser,
  visit,
} from '../helpers/browser.js';

let t: TestApp;
let browser: Browser;
let base: string;
let admin: TestUser;

beforeAll(async () => {
  t = await buildTestApp({ mail: 'dev-mailbox' });
  admin = await createUser(t.app, 'admin', { name: 'Alex Admin' });
  base = await serve(t);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await t.close();
});

const signIn = (page: Page, user: TestUser) => signInBrowser(page, base, user);

describe('platform pages in a browser', () => {
  it('public home, accessibility statement and 404 page pass axe', async () => {
    const page = await newPage(browser);
    await visit(page, `${base}/`);
    await visit(page, `${base}/accessibility`);
    await visit(page, `${base}/no-such-page`);
    expect(await page.locator('h1').textContent()).toContain('Page not found');
    await page.close();
  });

  it('shows the GOV.UK error summary for an empty sign-in, then signs in', async () => {
    const page = await newPage(browser);
    await visit(page, `${base}/sign-in`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.locator('.govuk-error-summary').isVisible()).toBe(true);
    await expectAccessible(page);
    await signIn(page, admin);
    await expectAccessible(page);
    expect(await page.locator('h1').textContent()).toContain('Alex Admin');
    await page.close();
  });

  it('admin pages (users, add user with errors, emails, mailbox, queues) pass axe and work', async () => {
    const page = await newPage(browser);
    await signIn(page, admin);
    await visit(page, `${base}/admin/users`);
    await visit(page, `${base}/admin/users/new`);
    await page.getByRole('button', { name: 'Add user' }).click();
    await expect.poll(() => page.locator('.govuk-error-summary').isVisible()).toBe(true);
    await expectAccessible(page);
    await page.getByLabel('Full name').fill('Casey Worker');
    await page.getByLabel('Email address').fill('casey@opcc.test');
    await page.getByLabel('Caseworker').check();
    await page.getByLabel('Initial password').fill('a long enough passphrase here');
    await page.getByRole('button', { name: 'Add user' }).click();
    await page.waitForURL(`${base}/admin/users`);
    expect(await page.getByRole('link', { name: 'Casey Worker' }).count()).toBe(1);
    await page.getByRole('link', { name: 'Casey Worker' }).click();
    await expectAccessible(page);

    await visit(page, `${base}/admin/emails`);
    await page.getByLabel('Send a test email to').fill('check@example.org');
    await page.getByRole('button', { name: 'Send test email' }).click();
    await page.waitForURL(`${base}/admin/emails`);
    await t.relay();
    await t.app.services.mail.send((await t.app.services.mail.recent(1))[0]!.id);
    await visit(page, `${base}/admin/mailbox`);
    await page.getByRole('link', { name: 'Test email from OPCC casework' }).click();
    await expectAccessible(page);
    expect(await page.locator('h1').textContent()).toContain('Test email from OPCC casework');
    expect(await page.getByRole('link', { name: 'test.ics' }).count()).toBe(1);
    await visit(page, `${base}/admin/queues`);
    await page.close();
  });
});
