import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/fixture.js';
import type { TestUser } from '../helpers/auth.js';
import { expectAccessible, newPage, signInBrowser, visit, useBrowser } from '../helpers/browser.js';

const t = useTestApp({ mail: 'dev-mailbox' });
const web = useBrowser(t);
let admin: TestUser;

beforeAll(async () => {
  admin = await t.user('admin', { name: 'Alex Admin' });
});

const signIn = (page: Page, user: TestUser) => signInBrowser(page, web.base, user);

describe('platform pages in a browser', () => {
  it('public home, accessibility statement and 404 page pass axe', async () => {
    const page = await newPage(web.browser);
    await visit(page, `${web.base}/`);
    await visit(page, `${web.base}/accessibility`);
    await visit(page, `${web.base}/no-such-page`);
    expect(await page.locator('h1').textContent()).toContain('Page not found');
    await page.close();
  });

  it('shows the GOV.UK error summary for an empty sign-in, then signs in', async () => {
    const page = await newPage(web.browser);
    await visit(page, `${web.base}/sign-in`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.locator('.govuk-error-summary').isVisible()).toBe(true);
    await expectAccessible(page);
    await signIn(page, admin);
    await expectAccessible(page);
    expect(await page.locator('h1').textContent()).toContain('Alex Admin');
    await page.close();
  });

  it('admin pages (users, add user with errors, emails, mailbox, queues) pass axe and work', async () => {
    const page = await newPage(web.browser);
    await signIn(page, admin);
    await visit(page, `${web.base}/admin/users`);
    await visit(page, `${web.base}/admin/users/new`);
    await page.getByRole('button', { name: 'Add user' }).click();
    await expect.poll(() => page.locator('.govuk-error-summary').isVisible()).toBe(true);
    await expectAccessible(page);
    await page.getByLabel('Full name').fill('Casey Worker');
    await page.getByLabel('Email address').fill('casey@opcc.test');
    await page.getByLabel('Caseworker').check();
    await page.getByLabel('Initial password').fill('a long enough passphrase here');
    await page.getByRole('button', { name: 'Add user' }).click();
    await page.waitForURL(`${web.base}/admin/users`);
    expect(await page.getByRole('link', { name: 'Casey Worker' }).count()).toBe(1);
    await page.getByRole('link', { name: 'Casey Worker' }).click();
    await expectAccessible(page);

    await visit(page, `${web.base}/admin/emails`);
    await page.getByLabel('Send a test email to').fill('check@example.org');
    await page.getByRole('button', { name: 'Send test email' }).click();
    await page.waitForURL(`${web.base}/admin/emails`);
    await t.relay();
    await t.app.services.mail.send((await t.app.services.mail.recent(1))[0]!.id);
    await visit(page, `${web.base}/admin/mailbox`);
    await page.getByRole('link', { name: 'Test email from OPCC casework' }).click();
    await expectAccessible(page);
    expect(await page.locator('h1').textContent()).toContain('Test email from OPCC casework');
    expect(await page.getByRole('link', { name: 'test.ics' }).count()).toBe(1);
    await visit(page, `${web.base}/admin/queues`);
    await page.close();
  });
});
