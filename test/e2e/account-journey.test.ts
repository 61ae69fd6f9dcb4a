import { simpleParser } from 'mailparser';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/fixture.js';
import {
  confirmEnrolment,
  expectAccessible,
  newPage,
  readSetupKey,
  visit,
  useBrowser,
} from '../helpers/browser.js';
import { totpCode } from '../helpers/mfa.js';

/**
 * Issue 16's browser journey: an invited user activates the account, sets up TOTP, signs in
 * with a code, uses a recovery code once (the second use is refused) and resets a forgotten
 * password. Links come from the captured (development) mailbox; axe on every page.
 */
const t = useTestApp({
  mail: 'dev-mailbox',
  config: { mfaRequiredRoles: ['caseworker', 'manager', 'admin'] },
});
const web = useBrowser(t);

const EMAIL = 'robin.invited@opcc.test';
const FIRST_PASSWORD = 'robin chose this long passphrase';
const SECOND_PASSWORD = 'and then a different long passphrase';

/** Sends the newest account-link email to the captured mailbox and reads its link there. */
async function linkFromMailbox(path: '/activate' | '/reset-password'): Promise<string> {
  const [queued] = await t.db.sql<{ id: string }[]>`
    select id from email_messages where "to" = ${EMAIL} and subject_type = 'user_link'
    order by created_at desc limit 1`;
  expect(await t.app.services.mail.send(queued!.id)).toBe('sent');
  const [captured] = await t.db.sql<{ raw: string }[]>`
    select raw from dev_mailbox where envelope_to = ${EMAIL} order by received_at desc limit 1`;
  const text = (await simpleParser(captured!.raw)).text ?? '';
  const match = new RegExp(`https?://[^/\\s]+(${path}/[A-Za-z0-9_-]{43})`).exec(text);
  expect(match, `a ${path} link in:\n${text}`).not.toBeNull();
  return `${web.base}${match![1]!}`;
}

async function passwordStep(page: Page, password: string) {
  await visit(page, `${web.base}/sign-in`);
  await page.getByLabel('Email address').fill(EMAIL);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function codeStep(page: Page, code: string) {
  await page.waitForURL(`${web.base}/sign-in/mfa`);
  await expectAccessible(page);
  await page.getByLabel('Security code').fill(code);
  await page.getByRole('button', { name: 'Continue' }).click();
}

async function freshBrowser(page: Page) {
  await page.context().clearCookies();
  t.clock.advance(30_000); // each sign-in's code is a new TOTP step
}

describe('account lifecycle in a browser', () => {
  it('activates an invitation, sets up TOTP, signs in with a code and a recovery code (once), and resets a forgotten password', async () => {
    await t.app.services.users.create(
      { id: null, role: 'system', requestId: null },
      { email: EMAIL, name: 'Robin Invited', role: 'caseworker' },
    );
    const page = await newPage(web.browser);

    // 1. The activation link: choose a password (a short one first: the error summary).
    const activation = await linkFromMailbox('/activate');
    await visit(page, activation);
    expect(await page.locator('h1').textContent()).toContain('Set your password');
    await page.getByLabel('New password').fill('too short');
    await page.getByRole('button', { name: 'Set password' }).click();
    await expect.poll(() => page.locator('.govuk-error-summary').isVisible()).toBe(true);
    await expectAccessible(page);
    await page.getByLabel('New password').fill(FIRST_PASSWORD);
    await page.getByRole('button', { name: 'Set password' }).click();
    await expect.poll(() => page.locator('body').textContent()).toContain('Your password is set');
    await expectAccessible(page);
    // The link is spent.
    await visit(page, activation);
    expect(await page.locator('body').textContent()).toContain('expired or has already been used');

    // 2. First sign-in: set up the authenticator app; the recovery codes are shown once.
    await passwordStep(page, FIRST_PASSWORD);
    await page.waitForURL(`${web.base}/sign-in/mfa/setup`);
    await expectAccessible(page);
    const key = await readSetupKey(page);
    const codes = await confirmEnrolment(page, web.base, await totpCode(key, t.clock));

    // 3. Sign in again with a code from the app.
    await freshBrowser(page);
    await passwordStep(page, FIRST_PASSWORD);
    await codeStep(page, await totpCode(key, t.clock));
    await page.waitForURL(`${web.base}/staff`);
    await expectAccessible(page);

    // 4. A recovery code works once; its second use is refused.
    await freshBrowser(page);
    await passwordStep(page, FIRST_PASSWORD);
    await codeStep(page, codes[3]!);
    await page.waitForURL(`${web.base}/staff`);
    await freshBrowser(page);
    await passwordStep(page, FIRST_PASSWORD);
    await codeStep(page, codes[3]!);
    await expect.poll(() => page.locator('.govuk-error-summary').isVisible()).toBe(true);
    expect(page.url()).not.toBe(`${web.base}/staff`);
    await expectAccessible(page);

    // 5. Forgotten password: from the sign-in page's link to a reset link by email.
    await freshBrowser(page);
    await visit(page, `${web.base}/sign-in`);
    await page.getByRole('link', { name: 'Forgotten your password?' }).click();
    await page.waitForURL(`${web.base}/forgot-password`);
    await expectAccessible(page);
    await page.getByLabel('Email address').fill(EMAIL);
    await page.getByRole('button', { name: 'Send a reset link' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toContain('Check your email');
    await expectAccessible(page);
    const reset = await linkFromMailbox('/reset-password');
    await visit(page, reset);
    expect(await page.locator('h1').textContent()).toContain('Choose a new password');
    await page.getByLabel('New password').fill(SECOND_PASSWORD);
    await page.getByRole('button', { name: 'Set password' }).click();
    await expect.poll(() => page.locator('body').textContent()).toContain('Your password is set');
    await expectAccessible(page);

    // The old password no longer works; the new one still needs the app's code.
    t.clock.advance(30_000);
    await passwordStep(page, FIRST_PASSWORD);
    await expect.poll(() => page.locator('.govuk-error-summary').isVisible()).toBe(true);
    await expectAccessible(page);
    await passwordStep(page, SECOND_PASSWORD);
    await codeStep(page, await totpCode(key, t.clock));
    await page.waitForURL(`${web.base}/staff`);
    await expectAccessible(page);
    await page.close();
  }, 300_000);
});
