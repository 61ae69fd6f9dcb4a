import { createHmac } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/fixture.js';
import {
  advanceKeepingToken,
  apiToken,
  bearer,
  signInPage,
  type TestUser,
} from '../helpers/auth.js';

const t = useTestApp();
let caseworker: TestUser;

beforeAll(async () => {
  caseworker = await t.user('caseworker');
});

const tokenRequest = (email: string, password: string, ip = '10.0.0.1') =>
  t.app.inject({
    method: 'POST',
    url: '/api/auth/token',
    payload: { email, password },
    remoteAddress: ip,
  });

function forge(header: object, payload: object, key: string | null): string {
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const unsigned = `${b64(header)}.${b64(payload)}`;
  const signature =
    key === null ? '' : createHmac('sha256', key).update(unsigned).digest('base64url');
  return `${unsigned}.${signature}`;
}

describe('sign-in', () => {
  it('answers a wrong password and an unknown user with the same 401 body', async () => {
    const wrong = await tokenRequest(caseworker.email, 'not the right password at all', '10.1.0.1');
    const unknown = await tokenRequest(
      'nobody@opcc.test',
      'not the right password at all',
      '10.1.0.2',
    );
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    const strip = (body: string) => ({
      ...(JSON.parse(body) as { error: object }).error,
      requestId: undefined,
    });
    expect(strip(wrong.body)).toEqual(strip(unknown.body));
  });

  it('stores argon2id hashes with at least the ASVS parameters', async () => {
    const [row] = await t.db.sql<
      { password_hash: string }[]
    >`select password_hash from users where id = ${caseworker.id}`;
    expect(row!.password_hash).toMatch(/^\$argon2id\$v=19\$/);
    const params = Object.fromEntries(
      row!.password_hash
        .split('$')[3]!
        .split(',')
        .map((kv) => kv.split('=')),
    );
    expect(Number(params.m)).toBeGreaterThanOrEqual(19456);
    expect(Number(params.t)).toBeGreaterThanOrEqual(2);
    expect(params.p).toBe('1');
  });

  it('refuses the 11th failed attempt in 5 minutes with 429, even with the right password', async () => {
    const victim = await t.user('caseworker');
    for (let i = 0; i < 10; i += 1) {
      const response = await tokenRequest(
        victim.email,
        `wrong password number ${i}`,
        `10.2.0.${i}`,
      );
      expect(response.statusCode).toBe(401);
      t.clock.advance(20_000);
    }
    const eleventh = await tokenRequest(victim.email, victim.password, '10.2.1.1');
    expect(eleventh.statusCode).toBe(429);
    expect(eleventh.json().error.code).toBe('auth.throttled');
    t.clock.advance(16 * 60_000);
    expect((await tokenRequest(victim.email, victim.password, '10.2.1.1')).statusCode).toBe(200);
  });

  it('issues a working Bearer token and a page cookie', async () => {
    const token = await apiToken(t.app, caseworker);
    const me = await t.app.inject({ method: 'GET', url: '/api/users', headers: bearer(token) });
    expect(me.statusCode).toBe(403); // authenticated, but users are for admins
    const session = await signInPage(t.app, caseworker);
    const cookie = session.jar.get('__Host-opcc_session');
    expect(cookie).toBeTruthy();
    const home = await session.get('/staff');
    expect(home.statusCode).toBe(200);
    expect(home.body).toContain(caseworker.name);
  });

  it('sets the session cookie HttpOnly, Secure and SameSite=Lax', async () => {
    const session = new (await import('../helpers/auth.js')).PageSession(t.app);
    const response = await session.post(
      '/sign-in',
      { email: caseworker.email, password: caseworker.password },
      '/sign-in',
    );
    const setCookie = ([] as string[])
      .concat(response.headers['set-cookie'] ?? [])
      .find((c) => c.startsWith('__Host-opcc_session='));
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/Secure/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    expect(setCookie).toMatch(/Path=\//);
  });
});

describe('tokens', () => {
  it('rejects alg:none, a wrong key and RS256 with 401', async () => {
    const token = await apiToken(t.app, caseworker);
    const [, payloadPart] = token.split('.');
    const payload = JSON.parse(Buffer.from(payloadPart!, 'base64url').toString()) as object;
    const forged = [
      forge({ alg: 'none', typ: 'JWT' }, payload, null),
      forge({ alg: 'HS256', typ: 'JWT' }, payload, 'a-completely-different-secret-of-32-bytes!!'),
      forge({ alg: 'RS256', typ: 'JWT' }, payload, 'whatever'),
    ];
    for (const bad of forged) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/auth/logout',
        headers: bearer(bad),
      });
      expect(response.statusCode).toBe(401);
    }
  });

  it('refuses a page-session token on the API and an API token as a page cookie', async () => {
    const session = await signInPage(t.app, caseworker);
    const pageToken = session.jar.get('__Host-opcc_session')!;
    const asBearer = await t.app.inject({
      method: 'POST',
      url: '/api/auth/logout',
      headers: bearer(pageToken),
    });
    expect(asBearer.statusCode).toBe(401);
    const apiTok = await apiToken(t.app, caseworker);
    const asCookie = await t.app.inject({
      method: 'GET',
      url: '/staff',
      headers: { cookie: `__Host-opcc_session=${apiTok}` },
    });
    expect(asCookie.statusCode).toBe(401);
  });

  it('stops working after sign-out', async () => {
    const token = await apiToken(t.app, caseworker);
    expect(
      (await t.app.inject({ method: 'POST', url: '/api/auth/logout', headers: bearer(token) }))
        .statusCode,
    ).toBe(204);
    expect(
      (await t.app.inject({ method: 'POST', url: '/api/auth/logout', headers: bearer(token) }))
        .statusCode,
    ).toBe(401);
  });

  it('stops working after a password change, disabling or a role change', async () => {
    const admin = await t.user('admin');
    const actor = { id: admin.id, role: 'admin', requestId: null };
    const target = await t.user('caseworker');
    const probe = (token: string) =>
      t.app.inject({ method: 'GET', url: '/api/users', headers: bearer(token) });

    let token = await apiToken(t.app, target);
    await t.app.services.users.changePassword(
      actor,
      target.id,
      'another long passphrase for tests',
    );
    expect((await probe(token)).statusCode).toBe(401);

    token = await apiToken(t.app, {
      email: target.email,
      password: 'another long passphrase for tests',
    });
    await t.app.services.users.changeRole(actor, target.id, 'admin');
    expect((await probe(token)).statusCode).toBe(401);

    token = await apiToken(t.app, {
      email: target.email,
      password: 'another long passphrase for tests',
    });
    expect((await probe(token)).statusCode).toBe(200);
    await t.app.services.users.setDisabled(actor, target.id, true);
    expect((await probe(token)).statusCode).toBe(401);
  });

  it('expires page sessions after 30 minutes idle and API tokens after 10 hours', async () => {
    const session = await signInPage(t.app, caseworker);
    // Each visit within the token's last 5 minutes brings a fresh cookie (§3).
    t.clock.advance(14 * 60_000);
    expect((await session.get('/staff')).statusCode).toBe(200);
    t.clock.advance(14 * 60_000);
    expect((await session.get('/staff')).statusCode).toBe(200);
    t.clock.advance(31 * 60_000);
    expect((await session.get('/staff')).statusCode).toBe(401);

    let token = await apiToken(t.app, caseworker);
    const probe = () => t.app.inject({ method: 'GET', url: '/api/users', headers: bearer(token) });
    token = await advanceKeepingToken(t.app, t.clock, token, 9 * 3600_000 + 50 * 60_000);
    expect((await probe()).statusCode).toBe(403);
    t.clock.advance(10 * 60_000 + 1000);
    expect((await probe()).statusCode).toBe(401);
  });
});
