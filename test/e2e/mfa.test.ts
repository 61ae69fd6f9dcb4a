import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { createUser, type TestUser } from '../helpers/auth.js';
import { expectAccessible, launchBrowser, newPage, serve, visit } from '../helpers/browser.js';
import { totpCode } from '../helpers/mfa.js';

/** Sign-in with MFA in a browser (issue 16): set-up, a code, a recovery code; axe on every page. */
let t: TestApp;
let browser: Browser;
let base: string;
let admin: TestUser;

beforeAll(async () => {
  t = await buildTestApp({
    mail: 'dev-mailbox',
    config: { mfaRequiredRoles: ['caseworker', 'manager', 'admin'] },
  });
  admin = await createUser(t.app, 'admin', { name: 'Alex Admin' });
  base = await serve(t);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await t.close();
});

describe('sign-in with MFA in a browser', () => {
  it('sets up an app at first sign-in, then signs in with a code and once with a recovery code', async () => {
    const page = await newPage(browser);
    const passwordStep = async () => {
      await visit(page, `${base}/sign-in`);
      await page.getByLabel('Email address').fill(admin.email);
      await page.getByLabel('Password', { exact: true }).fill(admin.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
    };

    await passwordStep();
    await page.waitForURL(`${base}/sign-in/mfa/setup`);
    await expectAccessible(page);
    expect(await page.getByAltText(/QR code/).isVisible()).toBe(true);
    const key = /Setup key: ([A-Z2-7 ]+)/
      .exec((await page.locator('.govuk-inset-text').textContent()) ?? '')![1]!
      .replace(/ /g, '');
    await page.getByLabel('Code from the app').fill('000000');
    await page.getByRole('button', { name: 'Confirm' }).click();
    await expect.poll(() => page.locator('.govuk-error-summary').isVisible()).toBe(true);
    await expectAccessible(page);
    await page.getByLabel('Code from the app').fill(await totpCode(key, t.clock));
    await page.getByRole('button', { name: 'Confirm' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toContain('Your recovery codes');
    await expectAccessible(page);
    const codes = await page.locator('.app-recovery-codes code').allTextContents();
    expect(codes).toHaveLength(10);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(`${base}/staff`);
    await expectAccessible(page);

    // A new browser: password, then a code from the app.
    await page.context().clearCookies();
    t.clock.advance(30_000);
    await passwordStep();
    await page.waitForURL(`${base}/sign-in/mfa`);
    await expectAccessible(page);
    await page.getByLabel('Security code').fill(await totpCode(key, t.clock));
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(`${base}/staff`);
    await visit(page, `${base}/admin/users/${admin.id}`);
    expect(await page.getByRole('button', { name: /End session/ }).count()).toBeGreaterThan(0);

    // A recovery code works once; the second use is refused.
    for (const expected of ['accepted', 'refused'] as const) {
      await page.context().clearCookies();
      await passwordStep();
      await page.waitForURL(`${base}/sign-in/mfa`);
      await page.getByLabel('Security code').fill(codes[0]!);
      await page.getByRole('button', { name: 'Continue' }).click();
      if (expected === 'accepted') {
        await page.waitForURL(`${base}/staff`);
      } else {
        await expect.poll(() => page.locator('.govuk-error-summary').isVisible()).toBe(true);
        await expectAccessible(page);
      }
    }
    await page.close();
  });
});
