import { afterAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { createUser, signInPage } from '../helpers/auth.js';
import { makeCase } from './fixtures.js';

// Pages say what things mean to a caseworker, and promise only what the server does.

const apps: TestApp[] = [];
afterAll(async () => {
  for (const t of apps) await t.close();
});

async function caseworkerSession(clamdUrl?: string) {
  const t = await buildTestApp(clamdUrl ? { config: { clamdUrl } } : {});
  apps.push(t);
  const caseworker = await createUser(t.app, 'caseworker');
  return { t, caseworker, session: await signInPage(t.app, caseworker) };
}

describe('words on the casework pages', () => {
  it('promises virus checks on the new-case form only when uploads are checked', async () => {
    const off = await caseworkerSession();
    const unchecked = await off.session.get('/casework/new');
    expect(unchecked.statusCode).toBe(200);
    expect(unchecked.body).not.toContain('virus-checked before anyone can download');
    expect(unchecked.body).toContain('They are not virus-checked on this system');

    // Configured (the page makes no connection to clamd): the promise holds.
    const on = await caseworkerSession('tcp://127.0.0.1:3310');
    const checked = await on.session.get('/casework/new');
    expect(checked.body).toContain('They are virus-checked before anyone can download them.');
    expect(checked.body).not.toContain('not virus-checked on this system');
  });

  it('offers status changes in plain words', async () => {
    const { t, caseworker, session } = await caseworkerSession();
    const c = await makeCase(t.app, caseworker);
    const page = await session.get(`/casework/${c.id}`);
    expect(page.body).toContain('Open: Start work on it (the type is right)');
    expect(page.body).not.toContain('type confirmed');
    expect(page.body).not.toContain('Record a clock event');
  });
});
