import { describe, expect, it } from 'vitest';
import { useTestApp, type TestFixture } from '../helpers/fixture.js';
import { makeCase } from './fixtures.js';

// Pages say what things mean to a caseworker, and promise only what the server does.

// Two apps: no CLAMD_URL (uploads not virus-checked) and a configured clamd.
const plainApp = useTestApp();
const clamdApp = useTestApp({ config: { clamdUrl: 'tcp://127.0.0.1:3310' } });

async function caseworkerSession(t: TestFixture) {
  const caseworker = await t.user('caseworker');
  return { t, caseworker, session: await t.page(caseworker) };
}

describe('words on the casework pages', () => {
  it('promises virus checks on the new-case form only when uploads are checked', async () => {
    const off = await caseworkerSession(plainApp);
    const unchecked = await off.session.get('/casework/new');
    expect(unchecked.statusCode).toBe(200);
    expect(unchecked.body).not.toContain('virus-checked before anyone can download');
    expect(unchecked.body).toContain('They are not virus-checked on this system');

    // Configured (the page makes no connection to clamd): the promise holds.
    const on = await caseworkerSession(clamdApp);
    const checked = await on.session.get('/casework/new');
    expect(checked.body).toContain('They are virus-checked before anyone can download them.');
    expect(checked.body).not.toContain('not virus-checked on this system');
  });

  it('offers status changes in plain words', async () => {
    const { t, caseworker, session } = await caseworkerSession(plainApp);
    const c = await makeCase(t.app, caseworker);
    const page = await session.get(`/casework/${c.id}`);
    expect(page.body).toContain('Open: Start work on it (the type is right)');
    expect(page.body).not.toContain('type confirmed');
    expect(page.body).not.toContain('Record a clock event');
  });
});
