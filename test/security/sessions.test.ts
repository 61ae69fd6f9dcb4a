import { createHmac, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyId } from '../../server/platform/auth.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { apiToken, bearer, createUser, signInPage } from '../helpers/auth.js';

/** security.md §3 keys, lifetime and session limits; §9 items 8 and 11 (session count). */
const OLD_KEY = randomBytes(32).toString('hex');
const NEW_KEY = randomBytes(32).toString('hex');
let t: TestApp;

beforeAll(async () => {
  t = await buildTestApp({ config: { jwtSecret: NEW_KEY, jwtPreviousSecret: OLD_KEY } });
});
afterAll(async () => t.close());

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const payloadOf = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;

/** A token with the given header over a real session's claims, HMAC-signed with `key`. */
function forge(header: object, payload: object, key: string | null): string {
  const unsigned = `${b64(header)}.${b64(payload)}`;
  if (key === null) return `${unsigned}.`;
  return `${unsigned}.${createHmac('sha256', key).update(unsigned).digest('base64url')}`;
}

const status = async (token: string) =>
  (await t.app.inject({ method: 'GET', url: '/api/cases', headers: bearer(token) })).statusCode;

describe('§9 #8: alg none, wrong key, RS256, jku/jwk, unknown kid get 401', () => {
  it('accepts only HS256 under one of our keys, chosen by kid', async () => {
    const user = await createUser(t.app, 'caseworker');
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
    const user = await createUser(t.app, 'caseworker');
    const claims = payloadOf(await apiToken(t.app, user));
    const underOld = forge({ alg: 'HS256', typ: 'JWT', kid: keyId(OLD_KEY) }, claims, OLD_KEY);
    expect(await status(underOld)).toBe(200);

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
    const user = await createUser(t.app, 'caseworker');
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
    const user = await createUser(t.app, 'caseworker');
    const token = await apiToken(t.app, user);
    for (let hour = 0; hour < 9; hour += 1) {
      t.clock.advance(3600_000);
      expect(await status(token)).toBe(200);
    }
    t.clock.advance(59 * 60_000);
    expect(await status(token)).toBe(200);
    t.clock.advance(2 * 60_000);
    expect(await status(token)).toBe(401);
  });

  it('shows an admin a user’s sessions and lets them end one, audited', async () => {
    const admin = await createUser(t.app, 'admin');
    const user = await createUser(t.app, 'caseworker');
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
