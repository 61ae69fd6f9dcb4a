import fs from 'node:fs';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { buildTestApp, type TestApp } from './app.js';
import { createUser, type TestUser } from './auth.js';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => fs.existsSync(p));

export const browserAvailable = CHROMIUM !== undefined;

/** Debian's Chromium through playwright-core; the closed network needs these flags. */
export async function launchBrowser(): Promise<Browser> {
  if (!CHROMIUM)
    throw new Error('Chromium not found: apt-get install -y chromium (.ci/run does this)');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Serves the test app on a real port; `localhost` so Secure cookies work over http. */
export async function serve(t: TestApp): Promise<string> {
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const address = t.app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return `http://localhost:${port}`;
}

/**
 * A browser test file's start: after `const t = useTestApp(...)`, `const web = useBrowser(t)`
 * serves the app on a real port (web.base) and launches a Chromium (web.browser) before the
 * file's tests, and closes the browser after them (before the fixture closes the app).
 */
export function useBrowser(t: TestApp): { readonly browser: Browser; readonly base: string } {
  let started: { browser: Browser; base: string } | undefined;
  beforeAll(async () => {
    const base = await serve(t);
    started = { base, browser: await launchBrowser() };
  });
  afterAll(async () => {
    await started?.browser.close();
  });
  const get = () => {
    if (!started) throw new Error('the browser starts in beforeAll: use it inside a hook or test');
    return started;
  };
  return {
    get browser() {
      return get().browser;
    },
    get base() {
      return get().base;
    },
  };
}

/**
 * Every page a browser test visits is checked with axe-core against WCAG 2.2 AA.
 *
 * A page with no frames (all of ours) is checked with axe.run in the page itself (AxeBuilder's
 * legacy mode). The default mode runs axe.runPartial in every frame and then axe.finishRun in
 * a blank page it opens for each check: the same rules on the same nodes, and the only way to
 * reach cross-origin frames, but the blank page and a third copy of axe-core in it cost more
 * than the check (a 30 s journey spent 22 s in axe). Checked against each other on every
 * page the browser tests visit: the same violations, passes, incomplete and inapplicable
 * results, node for node. A page with frames still gets the default mode.
 */
export async function expectAccessible(page: Page): Promise<void> {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'])
    .setLegacyMode(page.frames().length === 1)
    .analyze();
  const summary = results.violations.map(
    (v) =>
      `${v.id} (${v.impact ?? 'n/a'}): ${v.help} @ ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
  );
  expect(summary, `axe violations on ${page.url()}`).toEqual([]);
}

/** Navigates and checks accessibility in one step, so no visited page goes unchecked. */
export async function visit(page: Page, url: string): Promise<void> {
  const response = await page.goto(url);
  expect(response?.status(), `status of ${url}`).toBeLessThan(500);
  await expectAccessible(page);
}

/** A fresh browser profile per journey (axe-core needs pages from a context). */
export async function newPage(browser: Browser): Promise<Page> {
  return (await browser.newContext()).newPage();
}

/** Signs in through the real form, checking the sign-in page with axe on the way. */
export async function signInBrowser(
  page: Page,
  base: string,
  user: { email: string; password: string },
): Promise<void> {
  await visit(page, `${base}/sign-in`);
  await page.getByLabel('Email address').fill(user.email);
  await page.getByLabel('Password', { exact: true }).fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${base}/staff`);
}

/**
 * The casework journeys' common start: the app on the development mailbox, served over
 * HTTP, a Chromium, and a manager and a caseworker with names the pages can be read by.
 */
export async function startStaffBrowser() {
  const t = await buildTestApp({ mail: 'dev-mailbox' });
  const manager: TestUser = await createUser(t.app, 'manager', { name: 'Morgan Manager' });
  const caseworker: TestUser = await createUser(t.app, 'caseworker', { name: 'Casey Worker' });
  const base = await serve(t);
  const browser = await launchBrowser();
  return {
    t,
    browser,
    base,
    manager,
    caseworker,
    close: async () => {
      await browser.close();
      await t.close();
    },
  };
}

/** The setup key the MFA set-up page prints beside its QR code, spaces removed. */
export async function readSetupKey(page: Page): Promise<string> {
  const text = (await page.locator('.govuk-inset-text').textContent()) ?? '';
  return /Setup key: ([A-Z2-7 ]+)/.exec(text)![1]!.replace(/ /g, '');
}

/**
 * Confirms MFA set-up with `code`, then the recovery-codes page and on to the staff home,
 * running axe on each page. Returns the ten recovery codes shown.
 */
export async function confirmEnrolment(page: Page, base: string, code: string): Promise<string[]> {
  await page.getByLabel('Code from the app').fill(code);
  await page.getByRole('button', { name: 'Confirm' }).click();
  await expect.poll(() => page.locator('h1').textContent()).toContain('Your recovery codes');
  await expectAccessible(page);
  const codes = await page.locator('.app-recovery-codes code').allTextContents();
  expect(codes).toHaveLength(10);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL(`${base}/staff`);
  await expectAccessible(page);
  return codes;
}
