/**
 * Rate limits (docs/rules/security.md §6) and the checklist items about them (§9 #3, #23): one bucket
 * per public form across page and API, a general limit per member of staff or address,
 * sign-in per account and address, all counted in one store every process shares (Redis
 * when configured, PostgreSQL otherwise).
 */
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../../db/client.js';
import { buildApp } from '../../server/app.js';
import { ConfigError, loadConfig } from '../../server/config.js';
import { createMailTransport } from '../../server/mail/transport.js';
import { ACCOUNT_LIMIT, FORM_LIMITS, GENERAL_LIMIT } from '../../server/platform/rate-limits.js';
import { createQueueBackend } from '../../workers/queues.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { useTestApp } from '../helpers/fixture.js';
import { bearer, csrfFrom, CookieJar, type TestUser } from '../helpers/auth.js';

const t = useTestApp();
let ipCounter = 0;
const nextIp = () => `203.0.113.${(ipCounter += 1)}`;

const contactApi = (app: FastifyInstance, ip: string, headers: Record<string, string> = {}) =>
  app.inject({
    method: 'POST',
    url: '/api/public/contact',
    remoteAddress: ip,
    headers,
    // Invalid on purpose (400): the limit counts every post, nothing is stored.
    payload: { name: 'Lee Caller', email: '', subject: 'Opening hours', message: 'Why?' },
  });

async function contactPage(app: FastifyInstance, ip: string) {
  const jar = new CookieJar();
  const page = await app.inject({ method: 'GET', url: '/contact', remoteAddress: ip });
  jar.store(page);
  return app.inject({
    method: 'POST',
    url: '/contact',
    remoteAddress: ip,
    headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ _csrf: csrfFrom(page.body), name: 'Lee', email: '' }).toString(),
  });
}

const tokenRequest = (email: string, password: string, ip: string) =>
  t.app.inject({
    method: 'POST',
    url: '/api/auth/token',
    payload: { email, password },
    remoteAddress: ip,
  });

describe('§9 #23: 6th contact POST gets 429; forged X-Forwarded-For keeps the key; trustProxy: true fails boot', () => {
  it('counts the contact page and the API in one bucket: the 6th post from an address gets 429', async () => {
    const ip = nextIp();
    const statuses: number[] = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await contactApi(t.app, ip)).statusCode);
    for (let i = 0; i < 2; i += 1) statuses.push((await contactPage(t.app, ip)).statusCode);
    expect(statuses).toEqual([400, 400, 400, 400, 400]);
    const sixthPage = await contactPage(t.app, ip);
    expect(sixthPage.statusCode).toBe(429);
    const sixthApi = await contactApi(t.app, ip);
    expect(sixthApi.statusCode).toBe(429);
    expect(sixthApi.json().error).toMatchObject({ code: 'rate_limited' });
    expect(Number(sixthApi.headers['retry-after'])).toBeGreaterThan(0);
    // Another address still has its five.
    expect((await contactApi(t.app, nextIp())).statusCode).toBe(400);
  });

  it('keys on the connecting address: a forged X-Forwarded-For does not start a new count', async () => {
    const ip = nextIp();
    const statuses: number[] = [];
    for (let i = 0; i < FORM_LIMITS.contact.max + 1; i += 1) {
      const forged = { 'x-forwarded-for': `192.0.2.${i + 1}`, 'x-real-ip': `192.0.2.${i + 1}` };
      statuses.push((await contactApi(t.app, ip, forged)).statusCode);
    }
    expect(statuses).toEqual([400, 400, 400, 400, 400, 429]);
  });

  it('refuses TRUST_PROXY=true and hop counts at boot; a named proxy is trusted for its clients', async () => {
    for (const value of ['true', '1', '2']) {
      expect(() => loadConfig({ TRUST_PROXY: value })).toThrow(ConfigError);
      expect(() => loadConfig({ TRUST_PROXY: value })).toThrow(/TRUST_PROXY must name the proxy/);
    }
    // A second app behind a named proxy, for this test only: buildTestApp, not the file's fixture.
    const proxied = await buildTestApp({ config: { trustProxy: '10.9.9.9' } });
    try {
      // Through the named proxy each client has its own count; from elsewhere the header is ignored.
      const viaProxy = (client: string) =>
        contactApi(proxied.app, '10.9.9.9', { 'x-forwarded-for': client });
      for (let i = 0; i < FORM_LIMITS.contact.max; i += 1) await viaProxy('198.51.100.7');
      expect((await viaProxy('198.51.100.7')).statusCode).toBe(429);
      expect((await viaProxy('198.51.100.8')).statusCode).toBe(400);
    } finally {
      await proxied.close();
    }
  });
});

describe('§9 #3: 11th account or 31st IP failure gets 429; unknown user and wrong password give identical bodies', () => {
  it('answers the 11th failure on one account with 429, even with the right password', async () => {
    const victim = await t.user('caseworker');
    for (let i = 0; i < 10; i += 1)
      expect((await tokenRequest(victim.email, `wrong password ${i}`, nextIp())).statusCode).toBe(
        401,
      );
    const eleventh = await tokenRequest(victim.email, victim.password, nextIp());
    expect(eleventh.statusCode).toBe(429);
    expect(eleventh.json().error.code).toBe('auth.throttled');
  });

  it('answers the 31st failure from one address with 429, whichever account it names', async () => {
    const ip = nextIp();
    for (let i = 0; i < 30; i += 1)
      expect((await tokenRequest(`nobody${i}@opcc.test`, 'wrong password', ip)).statusCode).toBe(
        401,
      );
    const someone = await t.user('caseworker');
    const thirtyFirst = await tokenRequest(someone.email, someone.password, ip);
    expect(thirtyFirst.statusCode).toBe(429);
    // The account itself is not locked: from another address it signs in.
    expect((await tokenRequest(someone.email, someone.password, nextIp())).statusCode).toBe(200);
  });

  it('gives an unknown user and a wrong password the same status and body', async () => {
    const known = await t.user('caseworker');
    const strip = (body: string) => {
      const parsed = JSON.parse(body) as { error: Record<string, unknown> };
      delete parsed.error.requestId;
      return parsed;
    };
    const wrong = await tokenRequest(known.email, 'not the password at all', nextIp());
    const unknown = await tokenRequest(
      'no.such.person@opcc.test',
      'not the password at all',
      nextIp(),
    );
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(strip(unknown.body)).toEqual(strip(wrong.body));
    // The page says the same to both.
    const page = async (email: string) => {
      const jar = new CookieJar();
      const form = await t.app.inject({
        method: 'GET',
        url: '/sign-in',
        remoteAddress: '203.0.113.250',
      });
      jar.store(form);
      const response = await t.app.inject({
        method: 'POST',
        url: '/sign-in',
        remoteAddress: '203.0.113.250',
        headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({
          _csrf: csrfFrom(form.body),
          email,
          password: 'not the password at all',
        }).toString(),
      });
      // The echoed address and the per-form tokens differ by design; the message does not.
      return {
        status: response.statusCode,
        message: /govuk-error-summary__list[\s\S]*?<a[^>]*>([^<]*)</.exec(response.body)?.[1],
      };
    };
    const [a, b] = [await page(known.email), await page('no.such.person@opcc.test')];
    expect(a.status).toBe(401);
    expect(a.message).toMatch(/correct email address and password/);
    expect(a).toEqual(b);
  });
});

describe('§6 sign-in, MFA and reset: per account and address', () => {
  it('refuses the 31st attempt for one account from one address (even good ones); others go on', async () => {
    const user = await t.user('caseworker');
    const other = await t.user('caseworker');
    const ip = nextIp();
    for (let i = 0; i < ACCOUNT_LIMIT.max; i += 1)
      expect((await tokenRequest(user.email, user.password, ip)).statusCode).toBe(200);
    const limited = await tokenRequest(user.email, user.password, ip);
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error.code).toBe('rate_limited');
    // The same address for another account, and the same account from another address.
    expect((await tokenRequest(other.email, other.password, ip)).statusCode).toBe(200);
    expect((await tokenRequest(user.email, user.password, nextIp())).statusCode).toBe(200);
  });

  it('keeps no email address in Redis: the account is a pseudonym', async () => {
    const user = await t.user('caseworker');
    await tokenRequest(user.email, user.password, nextIp());
    const client = new Redis(t.config.redisUrl!);
    try {
      const keys = await client.keys(`${t.config.queuePrefix}:rate-limit:sign-in:*`);
      expect(keys.length).toBeGreaterThan(0);
      expect(keys.join('\n')).not.toMatch(/@|opcc\.test/);
    } finally {
      client.disconnect();
    }
  });
});

describe('§6 general limit: 600 a minute per member of staff, 300 per address otherwise', () => {
  let staff: TestUser;
  let token: string;
  beforeAll(async () => {
    staff = await t.user('caseworker');
    const response = await tokenRequest(staff.email, staff.password, nextIp());
    token = response.json<{ token: string }>().token;
  });

  it('refuses the 301st public request a minute from one address, not static files', async () => {
    const ip = nextIp();
    for (let i = 0; i < GENERAL_LIMIT.visitor; i += 1) {
      const response = await t.app.inject({ method: 'GET', url: '/healthz?x', remoteAddress: ip });
      expect(response.statusCode).toBeLessThan(400);
    }
    // Health checks are never counted; pages are.
    for (let i = 0; i < GENERAL_LIMIT.visitor; i += 1)
      expect(
        (await t.app.inject({ method: 'GET', url: '/sign-in', remoteAddress: ip })).statusCode,
      ).toBe(200);
    expect(
      (await t.app.inject({ method: 'GET', url: '/sign-in', remoteAddress: ip })).statusCode,
    ).toBe(429);
    const css = await t.app.inject({ method: 'GET', url: '/static/app.css', remoteAddress: ip });
    expect(css.statusCode).not.toBe(429);
  });

  it('counts staff by user, not address: the 601st request a minute gets 429 from any address', async () => {
    for (let i = 0; i < GENERAL_LIMIT.staff; i += 1) {
      const response = await t.app.inject({
        method: 'GET',
        url: '/api/templates',
        headers: bearer(token),
        remoteAddress: nextIpFor(i),
      });
      expect(response.statusCode).toBe(200);
    }
    const limited = await t.app.inject({
      method: 'GET',
      url: '/api/templates',
      headers: bearer(token),
      remoteAddress: '192.0.2.200',
    });
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error.code).toBe('rate_limited');
  });
});
const nextIpFor = (i: number) => `100.64.${i >> 8}.${i & 255}`;

describe('§6 one store for every process', () => {
  /** A second web process on the same database (and Redis prefix, when given). */
  async function secondProcess(first: TestApp) {
    const db = createDb(first.databaseUrl, { max: 2 });
    const queues = createQueueBackend({
      databaseUrl: first.databaseUrl,
      redisUrl: first.config.redisUrl,
      prefix: first.config.queuePrefix,
    });
    const mailTransport = createMailTransport(first.config.smtpUrl, db.db);
    const app = await buildApp({
      config: first.config,
      db,
      queues,
      mailTransport,
      clock: first.clock,
    });
    await app.ready();
    return {
      app,
      close: async () => {
        await app.close();
        await queues.close();
        mailTransport.close();
        await db.close();
      },
    };
  }

  it.each([['Redis'], ['PostgreSQL']])(
    'shares a form bucket between processes (%s)',
    async (store) => {
      // The PostgreSQL case needs an app on the other queue backend: buildTestApp beside the fixture.
      const first = store === 'Redis' ? t : await buildTestApp({ queueBackend: 'postgres' });
      if (store === 'Redis') expect(first.config.redisUrl).toBeDefined();
      const second = await secondProcess(first);
      try {
        const ip = nextIp();
        for (let i = 0; i < FORM_LIMITS.contact.max; i += 1)
          expect((await contactApi(i % 2 ? first.app : second.app, ip)).statusCode).toBe(400);
        expect((await contactApi(first.app, ip)).statusCode).toBe(429);
        expect((await contactApi(second.app, ip)).statusCode).toBe(429);
        if (store === 'PostgreSQL') {
          const [row] = await first.db.sql<{ hits: number }[]>`
          select hits from rate_limit_counters where key = ${`contact:ip:${ip}`}`;
          expect(row?.hits).toBe(FORM_LIMITS.contact.max + 2);
        }
      } finally {
        await second.close();
        if (first !== t) await first.close();
      }
    },
  );
});
