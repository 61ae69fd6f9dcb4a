import { describe, expect, it } from 'vitest';
import { createUser, csrfFrom, CookieJar } from '../helpers/auth.js';
import { canaryEmail, faultTests } from './harness/env.js';
import { hasRedisServer } from './harness/redis.js';

/**
 * docs/rules/reliability.md §9 row 11: the rate limiter's counters are in Redis (REDIS_URL set, its
 * own client: no offline queue, one retry, 500 ms timeouts). With Redis down, sign-in fails
 * closed (docs/rules/security.md §6: skipOnError false, 503) while public pages and forms go on,
 * counted by a limiter in the process.
 */
const faults = faultTests();

describe.skipIf(!hasRedisServer)('§9 rate limiter faults', () => {
  it('11. Redis down, with the rate limiter on the Redis store: login fails closed (503); public pages and forms still work', async () => {
    const e = await faults.start();
    const { app } = e.t;
    const user = await createUser(app, 'caseworker');
    const token = () =>
      app.inject({
        method: 'POST',
        url: '/api/auth/token',
        remoteAddress: '10.11.0.1',
        payload: { email: user.email, password: user.password },
      });
    expect((await token()).statusCode).toBe(200);

    await e.redis.stop();

    // The API and the page both refuse, quickly, in the standard shapes.
    const started = Date.now();
    const refused = await token();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(refused.statusCode).toBe(503);
    expect(refused.json().error).toMatchObject({ code: 'unavailable' });
    expect(refused.json().error.requestId).toBeTruthy();

    const jar = new CookieJar();
    const form = await app.inject({ method: 'GET', url: '/sign-in', remoteAddress: '10.11.0.2' });
    expect(form.statusCode).toBe(200); // a public page
    jar.store(form);
    const page = await app.inject({
      method: 'POST',
      url: '/sign-in',
      remoteAddress: '10.11.0.2',
      headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        _csrf: csrfFrom(form.body),
        email: user.email,
        password: user.password,
      }).toString(),
    });
    expect(page.statusCode).toBe(503);
    expect(page.headers['set-cookie'] ?? '').not.toMatch(/opcc_session/);
    expect(page.body).toMatch(/Sorry, the service is unavailable/);

    // Public pages and forms go on; their limits count in this process meanwhile.
    expect(
      (await app.inject({ method: 'GET', url: '/', remoteAddress: '10.11.0.3' })).statusCode,
    ).toBe(200);
    expect((await e.contact(1)).statusCode).toBe(201);
    const contact = (ip: string) =>
      app.inject({
        method: 'POST',
        url: '/api/public/contact',
        remoteAddress: ip,
        payload: { name: 'Lee', email: '', subject: 'Hours', message: 'Why?' },
      });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i += 1) statuses.push((await contact('10.11.0.4')).statusCode);
    expect(statuses).toEqual([400, 400, 400, 400, 400, 429]);

    // Redis back: sign-in works again without a restart.
    await e.redis.up();
    await expect
      .poll(async () => (await token()).statusCode, { timeout: 10_000, interval: 200 })
      .toBe(200);

    await e.forkWorker();
    await e.drain(60_000);
    expect(e.sink.mails.map((m) => m.to)).toEqual([canaryEmail(1)]);
  });
});
