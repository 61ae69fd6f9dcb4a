import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.js';
import type { TestUser } from '../helpers/auth.js';
import { newPage, signInBrowser, startStaffBrowser, visit } from '../helpers/browser.js';
import { actorOf, makeCase } from './fixtures.js';

// The pages a caseworker and a manager live in, at a laptop's 1280 px and a phone's 390 px:
// no horizontal scroll, and axe (WCAG 2.2 AA) clean.

let t: TestApp;
let browser: Browser;
let base: string;
let manager: TestUser;
let caseworker: TestUser;
let close: (() => Promise<void>) | undefined;

beforeAll(async () => {
  ({ t, browser, base, manager, caseworker, close } = await startStaffBrowser());
});
afterAll(async () => close?.());

describe('page layout at 1280 px and 390 px', () => {
  it('queue, case, reply and statistics pages never scroll sideways', async () => {
    let caseId = '';
    for (let i = 0; i < 12; i += 1) {
      const c = await makeCase(t.app, caseworker, {
        subject: `Anti-social behaviour near the market place in Wisbech town centre ${i}`,
        contact: { name: `Alexandra Montgomery-Richardson ${i}`, email: `alex${i}@example.org` },
        receivedAt: i % 2 ? '2026-10-01T09:00:00Z' : '2026-11-20T09:00:00Z',
        assigneeId: i % 3 ? caseworker.id : undefined,
        tags: ['town centre'],
      });
      caseId = c.id;
    }
    await t.app.services.correspondence.transition(actorOf(caseworker), caseId, {
      to: 'open',
      version: 1,
    });
    const pages: Array<{ user: TestUser; url: string }> = [
      { user: caseworker, url: '/casework?view=all' },
      { user: caseworker, url: `/casework/${caseId}` },
      { user: caseworker, url: `/casework/${caseId}/reply` },
      { user: manager, url: '/stats' },
    ];
    for (const width of [1280, 390]) {
      for (const user of [caseworker, manager]) {
        const page = await newPage(browser);
        await page.setViewportSize({ width, height: 900 });
        await signInBrowser(page, base, user);
        for (const { url } of pages.filter((p) => p.user === user)) {
          await visit(page, `${base}${url}`);
          const [scrollWidth, clientWidth] = await page.evaluate(() => [
            document.documentElement.scrollWidth,
            document.documentElement.clientWidth,
          ]);
          expect(scrollWidth, `${url} at ${width} px`).toBeLessThanOrEqual(clientWidth);
        }
        await page.close();
      }
    }
  }, 180_000);
});
