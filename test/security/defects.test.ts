import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/fixture.js';
import {
  apiToken,
  bearer,
  csrfFrom,
  PageSession,
  signInPage,
  type TestUser,
} from '../helpers/auth.js';

/** The defects found by probing a running copy (issue 16): each fails on the code before it. */
let caseworker: TestUser;
let manager: TestUser;
let admin: TestUser;
const logLines: string[] = [];

const t = useTestApp({
  logLines,
  extend: (app) => {
    // A query that fails with a value a member of the public typed as its parameter.
    app.get<{ Querystring: { q?: string } }>(
      '/test/failing-query',
      { config: { public: true } },
      async (request) => {
        await t.db.db.execute(sql`select 1 / 0 where ${request.query.q ?? ''} <> ''`);
        return 'unreachable';
      },
    );
  },
});
beforeAll(async () => {
  [caseworker, manager, admin] = await Promise.all([
    t.user('caseworker'),
    t.user('manager'),
    t.user('admin'),
  ]);
});

describe('API answers', () => {
  it('GET /api/cases/counts answers 200 with every view count', async () => {
    const token = await apiToken(t.app, caseworker);
    const response = await t.app.inject({ url: '/api/cases/counts', headers: bearer(token) });
    expect(response.statusCode).toBe(200);
    expect(Object.keys(response.json()).sort()).toEqual(
      [
        'allOpen',
        'awaitingApproval',
        'awaitingRequester',
        'due5wd',
        'mine',
        'needsAttention',
        'overdue',
        'unassigned',
      ].sort(),
    );
  });

  it('GET /api/cases with receivedFrom or receivedTo 0000-01-01 answers 400 with the field', async () => {
    const token = await apiToken(t.app, caseworker);
    for (const field of ['receivedFrom', 'receivedTo']) {
      const response = await t.app.inject({
        url: `/api/cases?${field}=0000-01-01`,
        headers: bearer(token),
      });
      expect(response.statusCode).toBe(400);
      expect(response.json().error.fields).toHaveProperty(field);
    }
  });

  it('unknown query fields on /api/stats/correspondence answer 400', async () => {
    const token = await apiToken(t.app, manager);
    const known = await t.app.inject({
      url: '/api/stats/correspondence?preset=this-year',
      headers: bearer(token),
    });
    expect(known.statusCode).toBe(200);
    const response = await t.app.inject({
      url: '/api/stats/correspondence?preset=this-year&role=admin',
      headers: bearer(token),
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.fields).toEqual({ role: 'is not an allowed field' });
  });
});

describe('server log', () => {
  it('logs the route pattern of a search, never the search terms', async () => {
    const page = await signInPage(t.app, caseworker);
    const token = await apiToken(t.app, caseworker);
    logLines.length = 0;
    await page.get('/contacts?q=Wilhelmina%20Canary');
    await t.app.inject({
      url: '/api/contacts?q=wilhelmina.canary%40example.org',
      headers: bearer(token),
    });
    const log = logLines.join('');
    expect(log).toContain('"route":"/contacts"');
    expect(log).toContain('"route":"/api/contacts"');
    expect(log.toLowerCase()).not.toContain('wilhelmina');
    expect(log).not.toContain('canary');
  });

  it('logs a failing query without its SQL or parameters', async () => {
    logLines.length = 0;
    const response = await t.app.inject({ url: '/test/failing-query?q=canary-value-7731' });
    expect(response.statusCode).toBe(500);
    const log = logLines.join('');
    expect(log).toContain('unhandled error');
    expect(log).toContain('"route":"/test/failing-query"');
    expect(log).not.toContain('canary-value-7731');
    expect(log).not.toContain('select 1 / 0');
  });
});

describe('role table', () => {
  it('refuses /casework/export.csv to a caseworker and offers no link; a manager downloads it', async () => {
    const page = await signInPage(t.app, caseworker);
    expect((await page.get('/casework/export.csv?view=all')).statusCode).toBe(403);
    expect((await page.get('/casework?view=all')).body).not.toContain('/casework/export.csv');
    const managerPage = await signInPage(t.app, manager);
    expect((await managerPage.get('/casework/export.csv?view=all')).statusCode).toBe(200);
  });
});

describe('CSRF', () => {
  it('refuses a form POST with a foreign Origin even with a valid token', async () => {
    const page = await signInPage(t.app, admin);
    const form = await page.get('/admin/users/new');
    const body = new URLSearchParams({
      _csrf: csrfFrom(form.body),
      email: 'origin.test@opcc.test',
      name: 'Origin Test',
      role: 'caseworker',
      password: 'a long enough passphrase for this',
    }).toString();
    const post = (origin?: string) =>
      t.app.inject({
        method: 'POST',
        url: '/admin/users',
        headers: {
          cookie: page.jar.header(),
          'content-type': 'application/x-www-form-urlencoded',
          ...(origin ? { origin } : {}),
        },
        payload: body,
      });
    const foreign = await post('https://evil.example');
    expect(foreign.statusCode).toBe(403);
    expect(await t.db.sql`select 1 from users where email = 'origin.test@opcc.test'`).toHaveLength(
      0,
    );
    expect((await post('https://localhost.evil.example')).statusCode).toBe(403);
    // The same form from this site's own origin goes through.
    expect((await post('http://localhost:80')).statusCode).toBe(303);
  });

  it("refuses an anonymous page's CSRF token on an admin's form (bound to the session)", async () => {
    const page = await signInPage(t.app, admin);
    // An attacker's own token and cookie, fetched anonymously.
    const anonymous = new PageSession(t.app);
    const signInForm = await anonymous.get('/sign-in');
    const token = csrfFrom(signInForm.body);
    // The admin's session cookie with the attacker's CSRF cookie (as a cookie-tossing attack sets).
    const cookies = `__Host-opcc_session=${page.jar.get('__Host-opcc_session')}; __Host-csrf=${anonymous.jar.get('__Host-csrf')}`;
    const response = await t.app.inject({
      method: 'POST',
      url: '/admin/users',
      headers: { cookie: cookies, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        _csrf: token,
        email: 'bound.test@opcc.test',
        name: 'Bound Test',
        role: 'caseworker',
        password: 'a long enough passphrase for this',
      }).toString(),
    });
    expect(response.statusCode).toBe(403);
    expect(await t.db.sql`select 1 from users where email = 'bound.test@opcc.test'`).toHaveLength(
      0,
    );
  });
});

describe('sign-in redirect', () => {
  it('never redirects off-site: /\\evil.example, //evil.example and /%5Cevil.example go to /staff', async () => {
    for (const returnTo of ['/\\evil.example', '//evil.example', '/\\/evil.example', '/\tevil']) {
      const session = new PageSession(t.app);
      const response = await session.post(
        '/sign-in',
        { email: caseworker.email, password: caseworker.password, returnTo },
        '/sign-in',
      );
      expect({
        returnTo,
        status: response.statusCode,
        location: response.headers.location,
      }).toEqual({ returnTo, status: 303, location: '/staff' });
    }
    const session = new PageSession(t.app);
    const local = await session.post(
      '/sign-in',
      { email: caseworker.email, password: caseworker.password, returnTo: '/casework?view=mine' },
      '/sign-in',
    );
    expect(local.headers.location).toBe('/casework?view=mine');
  });
});

describe('errors', () => {
  it("answers a malformed URL through the app's error handler (request id, security headers)", async () => {
    const page = await t.app.inject({ url: '/casework/%E0%A4%A' });
    expect(page.statusCode).toBe(400);
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.body).toContain('There is a problem');
    expect(page.body).not.toContain('FST_ERR_BAD_URL');
    const api = await t.app.inject({ url: '/api/cases/%E0%A4%A' });
    expect(api.statusCode).toBe(400);
    expect(api.headers['strict-transport-security']).toContain('max-age=31536000');
    expect(api.json()).toEqual({
      error: {
        code: 'bad_url',
        message: expect.any(String),
        requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      },
    });
  });
});

describe('caching', () => {
  it('sends the contact form with errors, and its confirmation, with Cache-Control: no-store', async () => {
    const session = new PageSession(t.app);
    const form = await session.get('/contact');
    expect(form.headers['cache-control']).toBe('no-store');
    const invalid = await session.post('/contact', { name: 'Wilhelmina Canary', email: 'nope' });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.body).toContain('Wilhelmina Canary');
    expect(invalid.headers['cache-control']).toBe('no-store');
    const sent = await session.post('/contact', {
      name: 'Wilhelmina Canary',
      email: 'wilhelmina@example.org',
      type: 'suggestion',
      subject: 'Street lights',
      message: 'Please fix the street lights on Canary Row.',
    });
    expect(sent.statusCode).toBe(200);
    expect(sent.body).toMatch(/Message sent|reference/i);
    expect(sent.headers['cache-control']).toBe('no-store');
  });
});
