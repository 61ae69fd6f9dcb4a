/**
 * Security events (docs/rules/security.md §7): JSON with UTC time, actor, IP and request id, in a
 * store of their own kept 90 days, shown to admins.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/fixture.js';
import { bearer, CookieJar, csrfFrom, signInPage, type TestUser } from '../helpers/auth.js';

let admin: TestUser;
let adminToken: string;
const logLines: string[] = [];

const t = useTestApp({ logLines });
beforeAll(async () => {
  admin = await t.user('admin');
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/auth/token',
    remoteAddress: '198.18.0.1',
    payload: { email: admin.email, password: admin.password },
  });
  adminToken = response.json<{ token: string }>().token;
});

interface EventItem {
  at: string;
  type: string;
  actorId: string | null;
  actorRole: string | null;
  username: string | null;
  ip: string | null;
  requestId: string | null;
  route: string | null;
  status: number | null;
}

async function events(query = '') {
  const response = await t.app.inject({
    method: 'GET',
    url: `/api/admin/security-events${query}`,
    headers: bearer(adminToken),
    remoteAddress: '198.18.0.1',
  });
  expect(response.statusCode).toBe(200);
  return response.json<{ items: EventItem[]; total: number }>();
}

/** HTTP-layer events are written after the response has gone (onResponse): wait for them. */
async function settled(query: string, count: number) {
  await expect.poll(async () => (await events(query)).total).toBe(count);
  return events(query);
}

async function signInForm(email: string, password: string, ip: string) {
  const jar = new CookieJar();
  const form = await t.app.inject({ method: 'GET', url: '/sign-in', remoteAddress: ip });
  jar.store(form);
  return t.app.inject({
    method: 'POST',
    url: '/sign-in',
    remoteAddress: ip,
    headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ _csrf: csrfFrom(form.body), email, password }).toString(),
  });
}

describe('§9 #26: security events have UTC time, actor, IP, requestId; `\\n` in a username is encoded', () => {
  it('records a failed sign-in with the username encoded, UTC time, IP and the request id', async () => {
    const forged = 'mallory@opcc.test\n2026-11-23T10:00:00Z auth.sign_in admin';
    const response = await signInForm(forged, 'wrong password entirely', '198.18.0.26');
    expect(response.statusCode).toBe(401);
    const requestId = response.headers['x-request-id'] ?? null;
    const { items } = await events('?type=auth.sign_in_failed');
    const event = items.find((e) => e.ip === '198.18.0.26');
    expect(event).toBeDefined();
    expect(event!.username).toBe('mallory@opcc.test\\n2026-11-23t10:00:00z auth.sign_in admin');
    expect(event!.username).not.toMatch(/[\n\r]/);
    expect(event!.at).toBe('2026-11-23T10:00:00.000Z'); // the test clock, in UTC
    expect(event!.actorId).toBeNull();
    expect(event!.requestId).toMatch(/^[0-9a-f-]{36}$/);
    if (requestId) expect(event!.requestId).toBe(requestId);
    // Control characters of every kind, and the backslash itself, are escaped.
    const odd = await signInForm(
      'a\r\tb\u0007c\\d\u2028e',
      'wrong password entirely',
      '198.18.0.27',
    );
    expect(odd.statusCode).toBe(401);
    const [oddEvent] = (await events('?type=auth.sign_in_failed&who=198.18.0.27')).items;
    expect(oddEvent!.username).toBe('a\\r\\tb\\u0007c\\\\d\\u2028e');
  });

  it('records a sign-in with its actor, and the page shows it escaped, to admins only', async () => {
    const user = await t.user('caseworker', { name: 'Sam Events' });
    await signInPage(t.app, user);
    const { items } = await events(`?type=auth.sign_in&who=${user.id}`);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ actorId: user.id, actorRole: 'caseworker', ip: '127.0.0.1' });
    expect(items[0]!.at).toMatch(/Z$/);

    const page = await signInPage(t.app, admin);
    const html = (await page.get('/admin/security-events?type=auth.sign_in_failed')).body;
    expect(html).toContain('<h1 class="govuk-heading-l">Security events</h1>');
    // Nunjucks escapes the backslash too.
    expect(html).toContain('mallory@opcc.test&#92;n2026-11-23t10:00:00z');
    expect(html).toContain('2026-11-23 10:00:00 UTC');
    // A caseworker is refused, and that refusal is itself an event.
    const caseworkerPage = await signInPage(t.app, user);
    expect((await caseworkerPage.get('/admin/security-events')).statusCode).toBe(403);
    const forbidden = await settled(`?type=access.forbidden&who=${user.id}`, 1);
    expect(forbidden.items[0]).toMatchObject({
      route: '/admin/security-events',
      status: 403,
      actorId: user.id,
    });
  });

  it('records CSRF refusals and rate limits (429), once a minute per address and route', async () => {
    const refused = await t.app.inject({
      method: 'POST',
      url: '/contact',
      remoteAddress: '198.18.0.30',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'name=x',
    });
    expect(refused.statusCode).toBe(403);
    const csrf = await settled('?type=csrf.refused&who=198.18.0.30', 1);
    expect(csrf.items).toHaveLength(1);
    expect(csrf.items[0]).toMatchObject({ route: '/contact', status: 403, actorId: null });

    for (let i = 0; i < 8; i += 1)
      await t.app.inject({
        method: 'POST',
        url: '/api/public/contact',
        remoteAddress: '198.18.0.31',
        payload: {},
      });
    const limited = await settled('?type=rate.limited&who=198.18.0.31', 1);
    expect(limited.items).toHaveLength(1); // three 429s, one event
    expect(limited.items[0]).toMatchObject({ route: '/api/public/contact', status: 429 });
  });

  it('writes one JSON log line per HTTP-layer event, without the username', async () => {
    await signInForm('eve@opcc.test', 'x', '198.18.0.40'); // 401: recorded with the audit row
    for (let i = 0; i < 2; i += 1)
      await t.app.inject({
        method: 'POST',
        url: '/contact',
        remoteAddress: '198.18.0.41',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'sec-fetch-site': 'cross-site',
        },
        payload: 'name=x',
      });
    const securityLines = () =>
      logLines
        .map((line) => JSON.parse(line) as { msg: string; securityEvent?: EventItem })
        .filter(
          (line) => line.msg === 'security event' && line.securityEvent?.ip === '198.18.0.41',
        );
    await expect.poll(() => securityLines().length).toBeGreaterThanOrEqual(2);
    const lines = securityLines();
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines[0]!.securityEvent).toMatchObject({ type: 'csrf.refused', status: 403 });
    expect(lines[0]!.securityEvent!.at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(logLines.join('\n')).not.toContain('eve@opcc.test');
  });

  it('filters by type, person and UTC day, and pages 50 at a time', async () => {
    const before = (await events()).total;
    for (let i = 0; i < 55; i += 1)
      await t.app.inject({
        method: 'GET',
        url: '/admin/security-events',
        remoteAddress: `198.18.1.${i}`,
        headers: { cookie: '' },
      });
    // Anonymous: 401, not an event. Forbidden for a caseworker: 55 events via the API.
    const caseworker = await t.user('caseworker');
    const token = (
      await t.app.inject({
        method: 'POST',
        url: '/api/auth/token',
        remoteAddress: '198.18.2.1',
        payload: { email: caseworker.email, password: caseworker.password },
      })
    ).json<{ token: string }>().token;
    for (let i = 0; i < 55; i += 1)
      await t.app.inject({
        method: 'GET',
        url: '/api/admin/security-events',
        headers: bearer(token),
        remoteAddress: '198.18.2.1',
      });
    const mine = await settled(`?type=access.forbidden&who=${caseworker.id}`, 55);
    expect(mine.total).toBe(55);
    expect(mine.items).toHaveLength(50);
    const second = await events(`?type=access.forbidden&who=${caseworker.id}&page=2`);
    expect(second.items).toHaveLength(5);
    expect((await events()).total).toBeGreaterThan(before);
    expect((await events('?from=2026-11-24')).total).toBe(0);
    expect((await events('?from=2026-11-23&to=2026-11-23')).total).toBeGreaterThan(0);
    const bad = await t.app.inject({
      method: 'GET',
      url: '/api/admin/security-events?from=2026-02-30',
      headers: bearer(adminToken),
    });
    expect(bad.statusCode).toBe(400);
  });

  it('keeps events 90 days: the nightly purge deletes older ones only', async () => {
    const count = async () => {
      const [row] = await t.db.sql<{ n: number }[]>`select count(*)::int as n from security_events`;
      return row!.n;
    };
    const total = await count();
    expect(total).toBeGreaterThan(0);
    await t.db
      .sql`update security_events set at = at - interval '91 days' where ip = '198.18.0.30'`;
    const result = await t.app.services.securityEvents.purge();
    expect(result.events).toBe(1);
    expect(await count()).toBe(total - 1);
  });
});
