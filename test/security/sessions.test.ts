import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { keyId } from '../../server/platform/auth.js';
import { buildTestApp } from '../helpers/app.js';
import { useTestApp } from '../helpers/fixture.js';
import {
  apiToken,
  bearer,
  createUser,
  refreshToken,
  signInPage,
  type PageSession,
} from '../helpers/auth.js';

/** docs/rules/security.md §3 keys, lifetime and session limits; §9 items 8 and 11 (session count). */
const OLD_KEY = randomBytes(32).toString('hex');
const NEW_KEY = randomBytes(32).toString('hex');
const t = useTestApp({ config: { jwtSecret: NEW_KEY, jwtPreviousSecret: OLD_KEY } });

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const payloadOf = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;

/** A token with the given header over a real session's claims, HMAC-signed with `key`. */
function forge(header: object, payload: object, key: string | null): string {
  const unsigned = `${b64(header)}.${b64(payload)}`;
  if (key === null) return `${unsigned}.`;
  return `${unsigned}.${createHmac('sha256', key).update(unsigned).digest('base64url')}`;
}

const get = (token: string) =>
  t.app.inject({ method: 'GET', url: '/api/cases', headers: bearer(token) });
const status = async (token: string) => (await get(token)).statusCode;

describe('§9 #8: alg none, wrong key, RS256, jku/jwk, unknown kid get 401', () => {
  it('accepts only HS256 under one of our keys, chosen by kid', async () => {
    const user = await t.user('caseworker');
    const real = await apiToken(t.app, user);
    expect(await status(real)).toBe(200);
    const header = JSON.parse(Buffer.from(real.split('.')[0]!, 'base64url').toString()) as {
      kid: string;
    };
    expect(header).toMatchObject({ alg: 'HS256', kid: keyId(NEW_KEY) });
    const claims = payloadOf(real);
    const kid = keyId(NEW_KEY);

    expect(await status(forge({ alg: 'HS256', typ: 'JWT', kid }, claims, NEW_KEY))).toBe(200);
    expect(await status(forge({ alg: 'none', typ: 'JWT', kid }, claims, null))).toBe(401);
    const wrongKey = randomBytes(32).toString('hex');
    expect(await status(forge({ alg: 'HS256', typ: 'JWT', kid }, claims, wrongKey))).toBe(401);
    expect(await status(forge({ alg: 'RS256', typ: 'JWT', kid }, claims, NEW_KEY))).toBe(401);
    for (const extra of [
      { jku: 'https://evil.example/keys.json' },
      { jwk: { kty: 'oct', k: Buffer.from(NEW_KEY).toString('base64url') } },
      { x5u: 'https://evil.example/cert.pem' },
    ]) {
      expect(
        await status(forge({ alg: 'HS256', typ: 'JWT', kid, ...extra }, claims, NEW_KEY)),
      ).toBe(401);
    }
    expect(await status(forge({ alg: 'HS256', typ: 'JWT' }, claims, NEW_KEY))).toBe(401);
    expect(
      await status(forge({ alg: 'HS256', typ: 'JWT', kid: 'not-ours' }, claims, NEW_KEY)),
    ).toBe(401);
    // A known kid with the other key's signature is still a wrong key.
    expect(
      await status(forge({ alg: 'HS256', typ: 'JWT', kid: keyId(OLD_KEY) }, claims, NEW_KEY)),
    ).toBe(401);
  });

  it('still verifies tokens under the previous key during rotation, and not once it is retired', async () => {
    const user = await t.user('caseworker');
    const claims = payloadOf(await apiToken(t.app, user));
    const underOld = forge({ alg: 'HS256', typ: 'JWT', kid: keyId(OLD_KEY) }, claims, OLD_KEY);
    expect(await status(underOld)).toBe(200);

    // A second app that no longer knows the old key, beside the file's: buildTestApp.
    const retired = await buildTestApp({ config: { jwtSecret: NEW_KEY } });
    try {
      const other = await createUser(retired.app, 'caseworker');
      const otherClaims = payloadOf(await apiToken(retired.app, other));
      const old = forge({ alg: 'HS256', typ: 'JWT', kid: keyId(OLD_KEY) }, otherClaims, OLD_KEY);
      const response = await retired.app.inject({
        method: 'GET',
        url: '/api/cases',
        headers: bearer(old),
      });
      expect(response.statusCode).toBe(401);
    } finally {
      await retired.close();
    }
  });
});

describe('session limits', () => {
  it('§9 #11: a 4th session ends the oldest; the newest three go on', async () => {
    const user = await t.user('caseworker');
    const first = await apiToken(t.app, user);
    const page = await signInPage(t.app, user);
    const third = await apiToken(t.app, user);
    expect(await status(first)).toBe(200);
    const fourth = await apiToken(t.app, user);
    expect(await status(first)).toBe(401);
    expect(await status(third)).toBe(200);
    expect(await status(fourth)).toBe(200);
    expect((await page.get('/staff')).statusCode).toBe(200);
  });

  it('ends a session 10 hours after sign-in, however busy', async () => {
    const user = await t.user('caseworker');
    const signedInAt = t.clock.now().getTime();
    let token = await apiToken(t.app, user);
    const sid = payloadOf(token).sid;
    // A busy client: a request every 12 minutes, taking the reissued token each time.
    for (let minutes = 12; minutes <= 588; minutes += 12) {
      t.clock.advance(12 * 60_000);
      const response = await get(token);
      expect(response.statusCode, `${minutes} minutes`).toBe(200);
      token = response.headers['x-session-token'] as string;
      expect(payloadOf(token).sid).toBe(sid);
    }
    t.clock.advance(11 * 60_000);
    expect(await status(token)).toBe(200);
    // Tokens never outlive the session: the last one ends with it.
    expect(payloadOf(token).exp).toBe(signedInAt / 1000 + 10 * 3600);
    t.clock.advance(2 * 60_000);
    expect(await status(token)).toBe(401);
    expect(
      (await t.app.inject({ method: 'POST', url: '/api/auth/refresh', headers: bearer(token) }))
        .statusCode,
    ).toBe(401);
  });

  it('shows an admin a user’s sessions and lets them end one, audited', async () => {
    const admin = await t.user('admin');
    const user = await t.user('caseworker');
    const token = await apiToken(t.app, user);
    const session = await signInPage(t.app, admin);
    const shown = await session.get(`/admin/users/${user.id}`);
    expect(shown.statusCode).toBe(200);
    expect(shown.body).toContain('API token');
    const sid = payloadOf(token).sid as string;
    const ended = await session.post(
      `/admin/users/${user.id}/sessions/${sid}/end`,
      {},
      `/admin/users/${user.id}`,
    );
    expect(ended.statusCode).toBe(303);
    expect(await status(token)).toBe(401);
    expect((await session.get(`/admin/users/${user.id}`)).body).toContain(
      'No one is signed in to this account',
    );
    const [audit] = await t.db.sql<{ actor_id: string }[]>`
      select actor_id from audit_events where action = 'user.session_ended' and subject_id = ${user.id}`;
    expect(audit!.actor_id).toBe(admin.id);

    const caseworker = await signInPage(t.app, user);
    const refused = await caseworker.post(
      `/admin/users/${user.id}/sessions/${sid}/end`,
      {},
      '/sign-out',
    );
    expect(refused.statusCode).toBe(403);
  });
});

/** A token our own key signed now for a real session's claims: only the server's checks remain. */
function resign(claims: Record<string, unknown>, changes: Record<string, unknown> = {}) {
  const iat = Math.floor(t.clock.now().getTime() / 1000);
  return forge(
    { alg: 'HS256', typ: 'JWT', kid: keyId(NEW_KEY) },
    { ...claims, iat, exp: iat + 900, ...changes },
    NEW_KEY,
  );
}

const pageStatus = async (page: PageSession, cookie?: string) => {
  const headers = { cookie: cookie ? `__Host-opcc_session=${cookie}` : page.jar.header() };
  return (await t.app.inject({ method: 'GET', url: '/staff', headers })).statusCode;
};

describe('§9 #9: fake clock: past exp, idle 30 min, older than 10 h, wrong iss or aud get 401', () => {
  it('signs 15-minute tokens and refuses one past its exp, on the API and on pages', async () => {
    const user = await t.user('caseworker');
    const token = await apiToken(t.app, user);
    const claims = payloadOf(token);
    expect((claims.exp as number) - (claims.iat as number)).toBe(900);
    const page = await signInPage(t.app, user);
    const cookie = page.jar.get('__Host-opcc_session')!;
    expect((payloadOf(cookie).exp as number) - (payloadOf(cookie).iat as number)).toBe(900);

    t.clock.advance(14 * 60_000 + 59_000);
    expect(await status(token)).toBe(200);
    expect(await pageStatus(page, cookie)).toBe(200);
    t.clock.advance(1000);
    expect(await status(token)).toBe(401);
    expect(await pageStatus(page, cookie)).toBe(401);
    expect(
      (await t.app.inject({ method: 'POST', url: '/api/auth/refresh', headers: bearer(token) }))
        .statusCode,
    ).toBe(401);
  });

  it('refuses a token issued over 15 minutes ago whatever its exp says (maxAge)', async () => {
    const user = await t.user('caseworker');
    const claims = payloadOf(await apiToken(t.app, user));
    const now = Math.floor(t.clock.now().getTime() / 1000);
    expect(await status(resign(claims, { iat: now - 890, exp: now + 3600 }))).toBe(200);
    expect(await status(resign(claims, { iat: now - 901, exp: now + 3600 }))).toBe(401);
  });

  it('ends a session idle for 30 minutes, API and pages alike, even with a fresh token', async () => {
    const user = await t.user('caseworker');
    const apiClaims = payloadOf(await apiToken(t.app, user));
    const page = await signInPage(t.app, user);
    const webClaims = payloadOf(page.jar.get('__Host-opcc_session')!);

    // 29 minutes without a request: a token signed now still works (and counts as activity).
    t.clock.advance(29 * 60_000);
    expect(await status(resign(apiClaims))).toBe(200);
    expect(await pageStatus(page, resign(webClaims))).toBe(200);
    // Then 30 minutes without one: the session has ended, whatever the token.
    t.clock.advance(30 * 60_000);
    expect(await status(resign(apiClaims))).toBe(401);
    expect(await pageStatus(page, resign(webClaims))).toBe(401);
  });

  it('refuses a token older than the 10-hour session, freshly signed or not', async () => {
    const user = await t.user('caseworker');
    let token = await apiToken(t.app, user);
    const claims = payloadOf(token);
    for (let minutes = 0; minutes < 600 - 14; minutes += 14) {
      t.clock.advance(14 * 60_000);
      token = await refreshToken(t.app, token);
    }
    expect(await status(resign(claims))).toBe(200);
    t.clock.advance(14 * 60_000);
    expect(await status(resign(claims))).toBe(401);
  });

  it('refuses a wrong issuer or audience under our own key', async () => {
    const user = await t.user('caseworker');
    const claims = payloadOf(await apiToken(t.app, user));
    expect(await status(resign(claims))).toBe(200);
    expect(await status(resign(claims, { iss: 'someone-else' }))).toBe(401);
    expect(await status(resign(claims, { iss: undefined }))).toBe(401);
    for (const aud of ['web', 'mfa', 'other', undefined])
      expect(await status(resign(claims, { aud })), String(aud)).toBe(401);
  });
});

describe('§3: reissue with under 5 minutes left, same session', () => {
  it('gives the API a new token in X-Session-Token near expiry, and on POST /api/auth/refresh', async () => {
    const user = await t.user('caseworker');
    const token = await apiToken(t.app, user);
    const { sid } = payloadOf(token);
    t.clock.advance(9 * 60_000);
    const early = await get(token);
    expect(early.statusCode).toBe(200);
    expect(early.headers['x-session-token']).toBeUndefined();

    t.clock.advance(2 * 60_000);
    const late = await get(token);
    expect(late.statusCode).toBe(200);
    const reissued = late.headers['x-session-token'] as string;
    expect(payloadOf(reissued)).toMatchObject({ sid, aud: 'api' });
    expect(payloadOf(reissued).exp).toBe(Math.floor(t.clock.now().getTime() / 1000) + 900);
    expect(Date.parse(late.headers['x-session-token-expires'] as string)).toBe(
      (payloadOf(reissued).exp as number) * 1000,
    );
    // Every request in the last 5 minutes gets the same new token, not one each.
    expect((await get(token)).headers['x-session-token']).toBe(reissued);

    const refreshed = await t.app.inject({
      method: 'POST',
      url: '/api/auth/refresh',
      headers: bearer(token),
    });
    expect(refreshed.statusCode).toBe(200);
    const body = refreshed.json<{ token: string; expiresAt: string; sessionExpiresAt: string }>();
    expect(payloadOf(body.token).sid).toBe(sid);
    expect(Date.parse(body.expiresAt)).toBe(t.clock.now().getTime() + 900_000);

    // The old token has ended; the reissued ones go on in the same session.
    t.clock.advance(5 * 60_000);
    expect(await status(token)).toBe(401);
    expect(await status(reissued)).toBe(200);
    expect(await status(body.token)).toBe(200);
    const sessions = await t.db.sql<{ n: number }[]>`
      select count(*)::int as n from sessions where user_id = ${user.id} and revoked_at is null`;
    expect(sessions[0]!.n).toBe(1);
  });

  it('sets a fresh page cookie near expiry, for the same session', async () => {
    const user = await t.user('caseworker');
    const page = await signInPage(t.app, user);
    const first = page.jar.get('__Host-opcc_session')!;
    t.clock.advance(11 * 60_000);
    const response = await page.get('/staff');
    expect(response.statusCode).toBe(200);
    const cookie = response.cookies.find((c) => c.name === '__Host-opcc_session')!;
    expect(cookie).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Lax', path: '/' });
    expect(cookie.maxAge).toBe(900);
    expect(payloadOf(cookie.value).sid).toBe(payloadOf(first).sid);
    // Past the first token's end, the browser's new cookie keeps the session going.
    t.clock.advance(10 * 60_000);
    expect(await pageStatus(page, first)).toBe(401);
    expect((await page.get('/staff')).statusCode).toBe(200);
  });
});
