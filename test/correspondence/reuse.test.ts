import { beforeAll, describe, expect, it } from 'vitest';
import { createStampReader } from '../../server/platform/change-stamps.js';
import { SESSION_CACHE_MS } from '../../server/users/repository.js';
import { useTestApp } from '../helpers/fixture.js';
import { apiToken, bearer, signInPage, type TestUser } from '../helpers/auth.js';
import { actorOf, makeCase } from './fixtures.js';

/**
 * Case views, queue pages and counts are reused under the `cases` change stamp (migration
 * 0014), and session checks for SESSION_CACHE_MS. These prove a reused answer never hides
 * a committed change, whichever process or connection made it.
 */
const t = useTestApp();
let caseworker: TestUser;
let manager: TestUser;

beforeAll(async () => {
  caseworker = await t.user('caseworker');
  manager = await t.user('manager');
});

const getJson = async (user: TestUser, url: string) => {
  const response = await t.app.inject({
    method: 'GET',
    url,
    headers: bearer(await apiToken(t.app, user)),
  });
  return { status: response.statusCode, body: response.json<Record<string, unknown>>() };
};
const stamp = async () =>
  Number((await t.db.sql`select n from change_stamps where scope = 'cases'`)[0]!.n);

describe('answers reused under the cases change stamp', () => {
  it('shows a change written by another connection (a worker) on the very next read', async () => {
    const made = await makeCase(t.app, caseworker, { subject: 'Street lighting on Mill Lane' });
    const first = await getJson(caseworker, `/api/cases/${made.id}`);
    expect(first.body.subject).toBe('Street lighting on Mill Lane');
    // The same read again is answered from the reused copy...
    expect((await getJson(caseworker, `/api/cases/${made.id}`)).body.subject).toBe(
      'Street lighting on Mill Lane',
    );
    // ...until anything under the stamp changes, here outside this app entirely.
    await t.db
      .sql`update cases set subject = 'Street lighting on Mill Lane and Park Road' where id = ${made.id}`;
    const after = await getJson(caseworker, `/api/cases/${made.id}`);
    expect(after.body.subject).toBe('Street lighting on Mill Lane and Park Road');
  });

  it('shows a new note, timeline entry and list row at once', async () => {
    const made = await makeCase(t.app, caseworker, { subject: 'Speeding on the B1234' });
    const before = await getJson(caseworker, `/api/cases/${made.id}`);
    const listed = await getJson(caseworker, '/api/cases?view=all-open&limit=100');
    const countOf = (body: Record<string, unknown>) => (body.items as unknown[]).length;

    await t.app.services.correspondence.addNote(actorOf(caseworker), made.id, {
      body: 'Called the resident back',
    });
    const after = await getJson(caseworker, `/api/cases/${made.id}`);
    expect((after.body.notes as unknown[]).length).toBe(
      (before.body.notes as unknown[]).length + 1,
    );
    expect((after.body.timeline as unknown[]).length).toBeGreaterThan(
      (before.body.timeline as unknown[]).length,
    );

    await makeCase(t.app, caseworker, { subject: 'Another open case' });
    expect(countOf((await getJson(caseworker, '/api/cases?view=all-open&limit=100')).body)).toBe(
      countOf(listed.body) + 1,
    );
  });

  it('keeps a restricted case hidden from a caseworker even after a manager read it', async () => {
    const made = await makeCase(t.app, caseworker, { subject: 'Staff conduct matter' });
    await t.app.services.correspondence.setRestricted(actorOf(manager), made.id, {
      restricted: true,
      version: 1,
    });
    expect((await getJson(manager, `/api/cases/${made.id}`)).status).toBe(200);
    expect((await getJson(caseworker, `/api/cases/${made.id}`)).status).toBe(404);
  });

  it('moves the stamp only when a change commits', async () => {
    const start = await stamp();
    await t.db.sql
      .begin(async (sql) => {
        await sql`update cases set subject = subject`;
        throw new Error('roll back');
      })
      .catch(() => undefined);
    expect(await stamp()).toBe(start);
    await t.db.sql`update cases set subject = subject`;
    expect(await stamp()).toBe(start + 1);
  });

  it('shares stamp reads between concurrent callers but never one begun before a caller asked', async () => {
    const read = createStampReader(t.db.db, 'cases');
    const before = await stamp();
    const early = Array.from({ length: 20 }, () => read());
    await t.db.sql`update cases set subject = subject`;
    // Asked after the commit: must see it, whatever the early reads were sharing.
    const late = await Promise.all(Array.from({ length: 20 }, () => read()));
    expect(late.every((n) => n === before + 1)).toBe(true);
    for (const n of await Promise.all(early)) expect([before, before + 1]).toContain(n);
  });

  it('audits every read, reused or not', async () => {
    const made = await makeCase(t.app, caseworker, { subject: 'Noise from a licensed venue' });
    for (let i = 0; i < 3; i += 1) await getJson(manager, `/api/cases/${made.id}`);
    const rows = await t.db.sql`
      select count(*)::int as n from audit_events
      where action = 'case.view' and subject_id = ${made.id} and actor_id = ${manager.id}`;
    expect(rows[0]!.n).toBe(3);
  });
});

describe('session checks reused for a moment', () => {
  it('refuses a session revoked by another process within SESSION_CACHE_MS', async () => {
    const token = await apiToken(t.app, caseworker);
    const call = () => t.app.inject({ method: 'GET', url: '/api/cases', headers: bearer(token) });
    expect((await call()).statusCode).toBe(200);
    // Revoked outside this process (another server behind the load balancer).
    await t.db.sql`update sessions set revoked_at = now() where user_id = ${caseworker.id}`;
    // The cached check lapses on the app's clock, not in real time: move it past.
    t.clock.advance(SESSION_CACHE_MS);
    expect((await call()).statusCode).toBe(401);
  });

  it('reuses a check for SESSION_CACHE_MS of the app clock, and reads again if the clock goes back', async () => {
    const someone = await t.user('caseworker');
    const token = await apiToken(t.app, someone);
    const call = () => t.app.inject({ method: 'GET', url: '/api/cases', headers: bearer(token) });
    expect((await call()).statusCode).toBe(200);
    await t.db.sql`update sessions set revoked_at = now() where user_id = ${someone.id}`;
    // However long this takes in real time, the app's clock has not moved: still reused.
    expect((await call()).statusCode).toBe(200);
    t.clock.advance(SESSION_CACHE_MS - 1);
    expect((await call()).statusCode).toBe(200);
    t.clock.advance(-SESSION_CACHE_MS);
    expect((await call()).statusCode).toBe(401);
    // A live session is still let in at that earlier time: the 401 is the revocation.
    const live = bearer(await apiToken(t.app, manager));
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/cases', headers: live })).statusCode,
    ).toBe(200);
    t.clock.advance(1);
  });

  it('refuses a token at once after sign-out in this process', async () => {
    const token = await apiToken(t.app, manager);
    const headers = bearer(token);
    expect((await t.app.inject({ method: 'GET', url: '/api/cases', headers })).statusCode).toBe(
      200,
    );
    const out = await t.app.inject({ method: 'POST', url: '/api/auth/logout', headers });
    expect(out.statusCode).toBeLessThan(300);
    expect((await t.app.inject({ method: 'GET', url: '/api/cases', headers })).statusCode).toBe(
      401,
    );
  });
});

describe('the queue page reused while no case changes', () => {
  const tokenOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  const nonceOf = (html: string) => /<script nonce="([^"]+)"/.exec(html)?.[1];

  it('sends fresh per-request values, shows a change at once and audits every view', async () => {
    const page = await signInPage(t.app, caseworker);
    const url = '/casework?view=all-open';
    const first = await page.get(url);
    const second = await page.get(url);
    expect(first.statusCode).toBe(200);
    expect(second.statusCode).toBe(200);
    // Same queue, but this request's nonce (matching its CSP header) and CSRF token.
    expect(tokenOf(second.body)).toBeTruthy();
    expect(tokenOf(second.body)).not.toBe(tokenOf(first.body));
    expect(nonceOf(second.body)).toBeTruthy();
    expect(nonceOf(second.body)).not.toBe(nonceOf(first.body));
    expect(String(second.headers['content-security-policy'])).toContain(
      `'nonce-${nonceOf(second.body)}'`,
    );
    expect(second.body).not.toMatch(/(nonce|csrf|req)[0-9a-f]{24}/);

    await makeCase(t.app, caseworker, { subject: 'Abandoned car on Quarry Road' });
    expect((await page.get(url)).body).toContain('Abandoned car on Quarry Road');

    const audits = await t.db.sql`
      select count(*)::int as n from audit_events
      where action = 'case.list' and actor_id = ${caseworker.id}`;
    expect(audits[0]!.n).toBeGreaterThanOrEqual(3);
  });

  it('does not reuse one person’s page for another', async () => {
    const url = '/casework?view=all-open';
    const mine = await (await signInPage(t.app, caseworker)).get(url);
    const theirs = await (await signInPage(t.app, manager)).get(url);
    expect(mine.body).toContain(`Signed in as ${caseworker.name}`);
    expect(theirs.body).toContain(`Signed in as ${manager.name}`);
    expect(theirs.body).not.toContain(`Signed in as ${caseworker.name}`);
  });
});
