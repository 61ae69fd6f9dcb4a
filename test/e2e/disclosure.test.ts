import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/fixture.js';
import type { TestUser } from '../helpers/auth.js';
import { expectAccessible, newPage, signInBrowser, visit, useBrowser } from '../helpers/browser.js';
import { actorOf, openCase, SEEDED } from '../replies/fixtures.js';

const t = useTestApp({ mail: 'dev-mailbox' });
const web = useBrowser(t);
let caseworker: TestUser;
let manager: TestUser;
let admin: TestUser;
let published: string;
let withdrawn: string;

const CANARY_NAME = 'Perpetua Fernsby-Canary';
const CANARY_EMAIL = 'perpetua.canary@example.net';

beforeAll(async () => {
  caseworker = await t.user('caseworker', { name: 'Casey Worker' });
  manager = await t.user('manager', { name: 'Morgan Manager' });
  admin = await t.user('admin', { name: 'Alex Admin' });

  // Two published entries (one later withdrawn), from answered FOI cases with canary requesters.
  const svc = t.app.services;
  const publish = async (title: string, topic: string, date: string) => {
    const c = await openCase(t.app, caseworker, {
      subject: `FOI from ${CANARY_NAME}`,
      body: `I am ${CANARY_NAME}, ${CANARY_EMAIL}. ${title}?`,
      contact: { name: CANARY_NAME, email: CANARY_EMAIL },
      topics: [topic],
    });
    await svc.replies.send(actorOf(caseworker), c.id, {
      subject: 'Your request',
      body: 'Answer',
      channel: 'post',
    });
    const { entry } = await svc.disclosure.draftFromCase(actorOf(caseworker), c.id);
    const saved = await svc.disclosure.update(actorOf(caseworker), entry.id, {
      title,
      requestText: `${title}?`,
      summary: 'We hold this information and it is attached.',
      outcome: 'granted_in_part',
      exemptions: ['Section 31(1)(a) law enforcement'],
      responseDate: date,
      topics: [topic],
      personalDataRemoved: true,
      version: entry.version,
    });
    const approved = await svc.disclosure.approve(actorOf(manager), entry.id, {
      version: saved.version,
    });
    const done = await svc.disclosure.publish(actorOf(manager), entry.id, {
      version: approved.version,
    });
    return { reference: c.reference, entry: done };
  };
  published = (await publish('Number of speed cameras on the A38', 'communities', '2026-11-20'))
    .reference;
  const gone = await publish('Police horse costs', 'transformation', '2025-05-01');
  await svc.disclosure.withdraw(actorOf(manager), gone.entry.id, {
    version: gone.entry.version,
    reason: 'Published in error',
  });
  withdrawn = gone.reference;
});

const signIn = (page: Page, user: TestUser) => signInBrowser(page, web.base, user);

// A browser with axe on every page is slow on a busy machine.
const SLOW = 120_000;

describe('disclosure log and replies in a browser', () => {
  it(
    'public list, filters, entry page and withdrawn page pass axe and never show the requester',
    async () => {
      const page = await newPage(web.browser);
      await visit(page, `${web.base}/disclosure-log`);
      expect(await page.locator('h1').textContent()).toContain('Disclosure log');
      expect(
        await page.getByRole('link', { name: 'Number of speed cameras on the A38' }).count(),
      ).toBe(1);
      expect(await page.getByRole('link', { name: 'Police horse costs' }).count()).toBe(0);

      await page.getByRole('searchbox', { name: 'Search' }).fill('cameras');
      await page.getByLabel('Topic').selectOption('communities');
      await page.getByRole('button', { name: 'Apply filters' }).click();
      await page.waitForURL(/q=cameras/);
      await expectAccessible(page);
      expect(await page.getByRole('link', { name: 'Clear filters' }).count()).toBe(1);

      await page.getByRole('link', { name: 'Number of speed cameras on the A38' }).click();
      await page.waitForURL(`${web.base}/disclosure-log/${published}`);
      await expectAccessible(page);
      expect(await page.locator('h1').textContent()).toContain('Number of speed cameras');
      for (const url of [`${web.base}/disclosure-log`, `${web.base}/disclosure-log/${published}`]) {
        await page.goto(url);
        const text = (await page.content()).toLowerCase();
        expect(text).not.toContain(CANARY_NAME.toLowerCase());
        expect(text).not.toContain(CANARY_EMAIL);
        expect(text).not.toContain('fernsby');
      }

      const response = await page.goto(`${web.base}/disclosure-log/${withdrawn}`);
      expect(response?.status()).toBe(410);
      await expectAccessible(page);
      await page.close();
    },
    SLOW,
  );

  it(
    'the reply page: choose a template, preview, edit and send, all passing axe',
    async () => {
      const c = await openCase(t.app, caseworker, {
        contact: { name: 'Robin Requester', email: 'robin@example.org' },
      });
      const page = await newPage(web.browser);
      await signIn(page, caseworker);
      await visit(page, `${web.base}/casework/${c.id}`);
      await page.getByRole('link', { name: 'Reply' }).click();
      await page.waitForURL(`${web.base}/casework/${c.id}/reply`);
      await expectAccessible(page);

      await page.getByLabel('Freedom of information response', { exact: true }).check();
      await page.getByRole('button', { name: 'Use this template' }).click();
      await page.waitForURL(new RegExp(`templateId=${SEEDED.foi}`));
      await expectAccessible(page);
      const body = page.getByLabel('Reply', { exact: true });
      expect(await body.inputValue()).toContain('Dear Robin Requester,');
      expect(await body.inputValue()).toContain(c.reference);

      // Sending an empty reply shows the GOV.UK error summary.
      await body.fill('');
      await page.getByRole('button', { name: 'Send reply' }).click();
      await expect.poll(() => page.locator('.govuk-error-summary').isVisible()).toBe(true);
      await expectAccessible(page);

      await body.fill('Dear Robin,\n\nThere were four cameras.\n\nCasey Worker');
      await page.getByRole('button', { name: 'Send reply' }).click();
      await page.waitForURL(new RegExp(`/casework/${c.id}/replies/`));
      await expectAccessible(page);
      expect(await page.locator('.govuk-inset-text.app-pre-wrap').textContent()).toContain(
        'There were four cameras.',
      );
      await page.close();
    },
    SLOW,
  );

  it(
    'staff disclosure pages and the template admin pages pass axe',
    async () => {
      const page = await newPage(web.browser);
      await signIn(page, manager);
      await visit(page, `${web.base}/disclosure-entries`);
      await page.getByRole('link', { name: published }).click();
      await expectAccessible(page);
      await page.close();

      const adminPage = await newPage(web.browser);
      await signIn(adminPage, admin);
      await visit(adminPage, `${web.base}/admin/templates`);
      await adminPage.getByRole('link', { name: 'Freedom of information response' }).click();
      await expectAccessible(adminPage);
      await visit(adminPage, `${web.base}/admin/templates/new`);
      await adminPage.getByLabel('Name', { exact: true }).fill('Broken');
      await adminPage.getByLabel('Subject', { exact: true }).fill('Hello');
      await adminPage.getByLabel('Text', { exact: true }).fill('Hi {{ requester.phone }}');
      await adminPage.getByRole('button', { name: 'Save template' }).click();
      await expect.poll(() => adminPage.locator('.govuk-error-summary').isVisible()).toBe(true);
      await expectAccessible(adminPage);
      await adminPage.close();
    },
    SLOW,
  );
});
