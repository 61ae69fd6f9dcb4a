import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/fixture.js';
import { createUser, signInPage, type TestUser } from '../helpers/auth.js';

const t = useTestApp();
let admin: TestUser;

beforeAll(async () => {
  admin = await t.user('admin');
});

describe('access control', () => {
  it('security checklist 13: printRoutes() walk: every non-public route gets 401 anonymously', async () => {
    const staffRoutes = t.app.routeCatalogue.filter((r) => !r.public && r.method !== 'HEAD');
    expect(staffRoutes.length).toBeGreaterThan(10);
    for (const route of staffRoutes) {
      const url = route.url.replace(/:(\w+)/g, (_m, name: string) =>
        name === 'index' ? '0' : '00000000-0000-4000-8000-000000000000',
      );
      const response = await t.app.inject({
        method: route.method as 'GET',
        url,
        payload: route.method === 'GET' ? undefined : {},
      });
      expect({ route: `${route.method} ${route.url}`, status: response.statusCode }).toEqual({
        route: `${route.method} ${route.url}`,
        status: 401,
      });
    }
  });

  it('refuses a caseworker on admin pages with 403', async () => {
    const caseworker = await createUser(t.app, 'caseworker');
    const session = await signInPage(t.app, caseworker);
    expect((await session.get('/admin/users')).statusCode).toBe(403);
  });

  it('fails at boot when a route declares no access rule', async () => {
    const Fastify = (await import('fastify')).default;
    const { authPlugin } = await import('../../server/platform/auth.js');
    const { securityPlugin } = await import('../../server/platform/security.js');
    const { viewsPlugin } = await import('../../server/platform/views.js');
    const app = Fastify();
    await app.register(securityPlugin, {
      cookieSecret: 'x'.repeat(32),
      publicUrl: 'http://localhost:3000',
    });
    await app.register(viewsPlugin, { officeName: 'OPCC' });
    await app.register(authPlugin, {
      secret: 'x'.repeat(32),
      clock: t.clock,
      authService: () => t.app.services.auth,
    });
    expect(() => app.get('/undeclared', async () => 'oops')).toThrow(/declares neither/);
    await app.close();
  });
});

describe('output and forms', () => {
  it('renders a stored <script> in a user name escaped', async () => {
    await createUser(t.app, 'caseworker', { name: '<script>alert("x")</script> Evil' });
    const session = await signInPage(t.app, admin);
    const page = await session.get('/admin/users');
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain('<script>alert("x")</script>');
    expect(page.body).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Evil');
  });

  it('refuses a POST without a CSRF token with 403, and a cross-site one too', async () => {
    const session = await signInPage(t.app, admin);
    const headers = {
      cookie: session.jar.header(),
      'content-type': 'application/x-www-form-urlencoded',
    };
    const payload =
      'email=new%40opcc.test&name=New&role=caseworker&password=a+long+enough+passphrase';
    const missing = await t.app.inject({ method: 'POST', url: '/admin/users', headers, payload });
    expect(missing.statusCode).toBe(403);
    const crossSite = await t.app.inject({
      method: 'POST',
      url: '/admin/users',
      headers: { ...headers, 'sec-fetch-site': 'cross-site' },
      payload,
    });
    expect(crossSite.statusCode).toBe(403);
    const wrongToken = await t.app.inject({
      method: 'POST',
      url: '/admin/users',
      headers,
      payload: `${payload}&_csrf=forged`,
    });
    expect(wrongToken.statusCode).toBe(403);
    const [row] = await t.db
      .sql`select count(*)::int as n from users where email = 'new@opcc.test'`;
    expect(row!.n).toBe(0);
  });

  it('adds a user through the page with a real CSRF token and shows field errors otherwise', async () => {
    const session = await signInPage(t.app, admin);
    const bad = await session.post(
      '/admin/users',
      { email: 'not-an-email', name: '', role: 'caseworker', password: 'short' },
      '/admin/users/new',
    );
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('There is a problem');
    expect(bad.body).toContain('href="#email"');
    expect(bad.body).toContain('href="#password"');
    expect(bad.body).toContain('value="not-an-email"');
    const good = await session.post(
      '/admin/users',
      {
        email: 'page.user@opcc.test',
        name: 'Page User',
        role: 'manager',
        password: 'a long enough passphrase here',
      },
      '/admin/users/new',
    );
    expect(good.statusCode).toBe(303);
    const [row] = await t.db.sql`select role from users where email = 'page.user@opcc.test'`;
    expect(row!.role).toBe('manager');
  });

  it('sends the security headers with a nonce CSP on pages', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/sign-in' });
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toMatch(/default-src 'self'/);
    expect(csp).toMatch(/script-src 'self' 'nonce-[^']+'/);
    expect(csp).toMatch(/object-src 'none'/);
    expect(csp).toMatch(/frame-ancestors 'none'/);
    const nonce = /'nonce-([^']+)'/.exec(csp)![1];
    expect(page.body).toContain(`nonce="${nonce}"`);
    expect(page.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
  });

  it('gives every page its own nonce and JSON answers a CSP that allows nothing', async () => {
    const nonceOf = async () =>
      /'nonce-([^']+)'/.exec(
        String(
          (await t.app.inject({ method: 'GET', url: '/sign-in' })).headers[
            'content-security-policy'
          ],
        ),
      )![1];
    expect(await nonceOf()).not.toBe(await nonceOf());
    const json = await t.app.inject({ method: 'GET', url: '/healthz' });
    expect(json.headers['content-security-policy']).toBe(
      "default-src 'none';frame-ancestors 'none'",
    );
    expect(json.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    expect(json.headers['x-content-type-options']).toBe('nosniff');
  });

  it('gives a 404 page for an unknown page and JSON for an unknown API path', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/no-such-page' });
    expect(page.statusCode).toBe(404);
    expect(page.body).toContain('Page not found');
    const api = await t.app.inject({ method: 'GET', url: '/api/no-such-thing' });
    expect(api.statusCode).toBe(404);
    expect(api.json().error.code).toBe('not_found');
  });
});
