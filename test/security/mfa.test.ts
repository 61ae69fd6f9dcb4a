import { describe, expect, it } from 'vitest';
import { MFA_COOKIE } from '../../server/auth/mfa-routes.js';
import { loadConfig } from '../../server/config.js';
import { SESSION_COOKIE } from '../../server/platform/auth.js';
import { buildTestApp } from '../helpers/app.js';
import { useTestApp } from '../helpers/fixture.js';
import { bearer, createUser, csrfFrom, PageSession, signInPage } from '../helpers/auth.js';
import { enrolMfa, totpCode } from '../helpers/mfa.js';

/** docs/rules/security.md §2 MFA and §9 items 4 and 5, with MFA required for every staff role. */
const t = useTestApp({ config: { mfaRequiredRoles: ['caseworker', 'manager', 'admin'] } });

const step = () => t.clock.advance(30_000);

const tokenRequest = (user: { email: string; password: string }, otp?: string, ip = '10.40.0.1') =>
  t.app.inject({
    method: 'POST',
    url: '/api/auth/token',
    payload: { email: user.email, password: user.password, ...(otp ? { otp } : {}) },
    remoteAddress: ip,
  });

describe('§9 #4: no TOTP, a replayed step or a code two steps old gets 401', () => {
  it('asks the API for a code, accepts a fresh one once, refuses a replay and an old one', async () => {
    const user = await t.user('caseworker');
    const { secret } = await enrolMfa(t.app, t.clock, user.id);
    step();

    const none = await tokenRequest(user);
    expect(none.statusCode).toBe(401);
    expect(none.json().error.code).toBe('auth.mfa_required');

    const code = await totpCode(secret, t.clock);
    expect((await tokenRequest(user, code)).statusCode).toBe(200);
    const replay = await tokenRequest(user, code);
    expect(replay.statusCode).toBe(401);
    expect(replay.json().error.code).toBe('auth.mfa_invalid');

    step();
    step();
    const twoStepsOld = await tokenRequest(user, await totpCode(secret, t.clock, 2));
    expect(twoStepsOld.statusCode).toBe(401);
    // One step of drift either way is allowed (RFC 6238 §5.2).
    expect((await tokenRequest(user, await totpCode(secret, t.clock, 1))).statusCode).toBe(200);
    // The step just used, or any earlier one, is refused even within the drift window.
    const earlier = await tokenRequest(user, await totpCode(secret, t.clock, 1));
    expect(earlier.statusCode).toBe(401);
  });

  it('keeps the seed under AES-256-GCM, not as the base32 secret', async () => {
    const user = await t.user('caseworker');
    const { secret } = await enrolMfa(t.app, t.clock, user.id);
    const [row] = await t.db.sql<{ mfa_secret: string }[]>`
      select mfa_secret from users where id = ${user.id}`;
    expect(row!.mfa_secret).not.toContain(secret);
    expect(row!.mfa_secret.split('.')).toHaveLength(3);
  });

  it('refuses the API to staff who must enrol but have not, without opening a session', async () => {
    const user = await t.user('manager');
    const response = await tokenRequest(user);
    expect(response.statusCode).toBe(403);
    expect(response.json().error.code).toBe('auth.mfa_enrolment_required');
    const [row] = await t.db.sql<{ n: number }[]>`
      select count(*)::int as n from sessions where user_id = ${user.id}`;
    expect(row!.n).toBe(0);
  });

  it('counts wrong codes towards the account lock: the 11th try gets 429', async () => {
    const user = await t.user('caseworker');
    const { secret } = await enrolMfa(t.app, t.clock, user.id);
    for (let i = 0; i < 10; i += 1) {
      const wrong = await tokenRequest(user, '000000', `10.41.0.${i}`);
      expect(wrong.statusCode).toBe(401);
    }
    step();
    const locked = await tokenRequest(user, await totpCode(secret, t.clock), '10.41.1.1');
    expect(locked.statusCode).toBe(429);
    t.clock.advance(16 * 60_000);
  });
});

describe('§9 #5: recovery codes stored hashed; each works once', () => {
  it('stores ten argon2id hashes and accepts each code once, typed loosely', async () => {
    const user = await t.user('caseworker');
    const { recoveryCodes } = await enrolMfa(t.app, t.clock, user.id);
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    const rows = await t.db.sql<{ code_hash: string }[]>`
      select code_hash from mfa_recovery_codes where user_id = ${user.id}`;
    expect(rows).toHaveLength(10);
    for (const row of rows) {
      // argon2 writes the parameters as m, p, t.
      expect(row.code_hash).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
      for (const code of recoveryCodes) expect(row.code_hash).not.toContain(code);
    }

    const code = recoveryCodes[3]!;
    const typed = ` ${code.replace('-', '').toUpperCase()} `;
    expect((await tokenRequest(user, typed)).statusCode).toBe(200);
    const again = await tokenRequest(user, code);
    expect(again.statusCode).toBe(401);
    expect((await tokenRequest(user, recoveryCodes[4])).statusCode).toBe(200);
    expect(await t.app.services.mfa.status(user.id)).toEqual({ enrolled: true, codesLeft: 8 });
    const [audit] = await t.db.sql<{ n: number }[]>`
      select count(*)::int as n from audit_events
      where action = 'auth.mfa_recovery_code_used' and subject_id = ${user.id}`;
    expect(audit!.n).toBe(2);
  });
});

describe('page sign-in with MFA', () => {
  it('sends a first sign-in to set up an app, shows the QR and key, then the codes once', async () => {
    const user = await t.user('admin');
    const page = new PageSession(t.app);
    const signIn = await page.post(
      '/sign-in',
      { email: user.email, password: user.password, returnTo: '/admin/users' },
      '/sign-in',
    );
    expect(signIn.statusCode).toBe(303);
    expect(signIn.headers.location).toBe('/sign-in/mfa/setup');
    expect(page.jar.get(SESSION_COOKIE)).toBeUndefined();
    const pendingCookie = signIn.cookies.find((c) => c.name === MFA_COOKIE)!;
    expect(pendingCookie).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Lax' });
    expect(pendingCookie.maxAge).toBe(300);

    const setup = await page.get('/sign-in/mfa/setup');
    expect(setup.statusCode).toBe(200);
    const key = /Setup key: ([A-Z2-7 ]+)/.exec(setup.body)![1]!.replace(/ /g, '');
    expect(key).toMatch(/^[A-Z2-7]{32}$/);
    const qr = await page.get('/sign-in/mfa/qr.svg');
    expect(qr.statusCode).toBe(200);
    expect(qr.headers['content-type']).toMatch(/^image\/svg\+xml/);
    expect(qr.headers['cache-control']).toBe('no-store');

    const wrong = await page.post('/sign-in/mfa/setup', { code: '123456' }, '/sign-in/mfa/setup');
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain('govuk-error-summary');

    const done = await page.post(
      '/sign-in/mfa/setup',
      { code: await totpCode(key, t.clock) },
      '/sign-in/mfa/setup',
    );
    expect(done.statusCode).toBe(200);
    const codes = [...done.body.matchAll(/<code>([a-z2-9]{5}-[a-z2-9]{5})<\/code>/g)];
    expect(codes).toHaveLength(10);
    expect(done.body).toContain('href="/admin/users"');
    expect(page.jar.get(MFA_COOKIE)).toBeUndefined();
    expect((await page.get('/admin/users')).statusCode).toBe(200);

    // The next sign-in asks for a code instead, and returns where it was going.
    step();
    const next = new PageSession(t.app);
    const again = await next.post(
      '/sign-in',
      { email: user.email, password: user.password, returnTo: '/admin/users' },
      '/sign-in',
    );
    expect(again.headers.location).toBe('/sign-in/mfa');
    const bad = await next.post('/sign-in/mfa', { code: '000000' }, '/sign-in/mfa');
    expect(bad.statusCode).toBe(401);
    expect(bad.body).toContain('govuk-error-summary');
    const ok = await next.post(
      '/sign-in/mfa',
      { code: await totpCode(key, t.clock) },
      '/sign-in/mfa',
    );
    expect(ok.statusCode).toBe(303);
    expect(ok.headers.location).toBe('/admin/users');
    expect((await next.get('/admin/users')).statusCode).toBe(200);
  });

  it('never treats the pending token as a session, and lets it lapse after 5 minutes', async () => {
    const user = await t.user('caseworker');
    const { secret } = await enrolMfa(t.app, t.clock, user.id);
    step();
    const page = new PageSession(t.app);
    await page.post('/sign-in', { email: user.email, password: user.password }, '/sign-in');
    const pending = page.jar.get(MFA_COOKIE)!;
    expect(pending).toBeTruthy();

    const asCookie = await t.app.inject({
      method: 'GET',
      url: '/staff',
      headers: { cookie: `${SESSION_COOKIE}=${pending}` },
    });
    expect(asCookie.statusCode).toBe(401);
    const asBearer = await t.app.inject({
      method: 'GET',
      url: '/api/users',
      headers: bearer(pending),
    });
    expect(asBearer.statusCode).toBe(401);

    t.clock.advance(5 * 60_000 + 1_000);
    const lapsed = await page.get('/sign-in/mfa');
    expect(lapsed.statusCode).toBe(401);
    expect(lapsed.body).toContain('Sign in again');
    const late = await t.app.inject({
      method: 'POST',
      url: '/sign-in/mfa',
      headers: {
        cookie: page.jar.header(),
        'content-type': 'application/x-www-form-urlencoded',
      },
      payload: new URLSearchParams({
        code: await totpCode(secret, t.clock),
        _csrf: csrfFrom(lapsed.body),
      }).toString(),
    });
    expect(late.statusCode).toBe(401);
    expect(late.cookies.find((c) => c.name === SESSION_COOKIE)).toBeUndefined();
  });
});

describe('admin MFA reset', () => {
  it('ends the user’s sessions and sends them back to set up an app, audited', async () => {
    const admin = await t.user('admin');
    const user = await t.user('caseworker');
    const adminMfa = await enrolMfa(t.app, t.clock, admin.id);
    const userMfa = await enrolMfa(t.app, t.clock, user.id);
    step();
    const userToken = (await tokenRequest(user, await totpCode(userMfa.secret, t.clock))).json<{
      token: string;
    }>().token;
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/cases', headers: bearer(userToken) }))
        .statusCode,
    ).toBe(200);

    const page = new PageSession(t.app);
    await page.post('/sign-in', { email: admin.email, password: admin.password }, '/sign-in');
    await page.post(
      '/sign-in/mfa',
      { code: await totpCode(adminMfa.secret, t.clock) },
      '/sign-in/mfa',
    );
    const shown = await page.get(`/admin/users/${user.id}`);
    expect(shown.body).toContain('Reset authenticator app');
    // An MFA change: the admin confirms their password and code with a reason first (§9 #12).
    const unconfirmed = await page.post(
      `/admin/users/${user.id}/mfa-reset`,
      {},
      `/admin/users/${user.id}`,
    );
    expect(unconfirmed.headers.location).toBe(
      `/reauth?returnTo=${encodeURIComponent(`/admin/users/${user.id}`)}`,
    );
    step();
    const confirmed = await page.post(
      '/reauth',
      {
        password: admin.password,
        code: await totpCode(adminMfa.secret, t.clock),
        justification: 'User lost their phone (ticket 4411)',
        returnTo: `/admin/users/${user.id}`,
      },
      `/reauth?returnTo=${encodeURIComponent(`/admin/users/${user.id}`)}`,
    );
    expect(confirmed.headers.location).toBe(`/admin/users/${user.id}`);
    const reset = await page.post(
      `/admin/users/${user.id}/mfa-reset`,
      {},
      `/admin/users/${user.id}`,
    );
    expect(reset.statusCode).toBe(303);
    expect(reset.headers.location).toBe(`/admin/users/${user.id}`);

    expect(
      (await t.app.inject({ method: 'GET', url: '/api/cases', headers: bearer(userToken) }))
        .statusCode,
    ).toBe(401);
    expect(await t.app.services.mfa.status(user.id)).toEqual({ enrolled: false, codesLeft: 0 });
    const next = new PageSession(t.app);
    const signIn = await next.post(
      '/sign-in',
      { email: user.email, password: user.password },
      '/sign-in',
    );
    expect(signIn.headers.location).toBe('/sign-in/mfa/setup');
    const [audit] = await t.db.sql<{ actor_id: string; justification: string }[]>`
      select actor_id, justification from audit_events
      where action = 'user.mfa_reset' and subject_id = ${user.id}`;
    expect(audit!.actor_id).toBe(admin.id);
    expect(audit!.justification).toBe('User lost their phone (ticket 4411)');
  });
});

describe('self-service enrolment where MFA is not yet required', () => {
  it('lets a signed-in user set up an app; the session then ends and the next sign-in asks for a code', async () => {
    // A second app with other settings, for this test only: buildTestApp, not the file's fixture.
    const relaxed = await buildTestApp({ config: { mfaRequiredRoles: [] } });
    try {
      const user = await createUser(relaxed.app, 'caseworker');
      const page = await signInPage(relaxed.app, user);
      expect((await page.get('/account/mfa')).body).toContain('Not set up');
      // An MFA change: the password again (no code yet to give) and a reason (§9 #12).
      expect((await page.get('/account/mfa/setup')).headers.location).toBe(
        '/reauth?returnTo=%2Faccount%2Fmfa%2Fsetup',
      );
      const confirmed = await page.post(
        '/reauth',
        { password: user.password, justification: 'Adding an app', returnTo: '/account/mfa/setup' },
        '/reauth?returnTo=%2Faccount%2Fmfa%2Fsetup',
      );
      expect(confirmed.headers.location).toBe('/account/mfa/setup');
      const setup = await page.get('/account/mfa/setup');
      const key = /Setup key: ([A-Z2-7 ]+)/.exec(setup.body)![1]!.replace(/ /g, '');
      const done = await page.post(
        '/account/mfa/setup',
        { code: await totpCode(key, relaxed.clock) },
        '/account/mfa/setup',
      );
      expect(done.statusCode).toBe(200);
      expect([...done.body.matchAll(/<code>[a-z2-9-]{11}<\/code>/g)]).toHaveLength(10);
      expect((await page.get('/staff')).statusCode).toBe(401);
      const again = await new PageSession(relaxed.app).post(
        '/sign-in',
        { email: user.email, password: user.password },
        '/sign-in',
      );
      expect(again.headers.location).toBe('/sign-in/mfa');
    } finally {
      await relaxed.close();
    }
  });
});

describe('configuration', () => {
  it('requires MFA of every staff role in production, whatever MFA_REQUIRED_ROLES says', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      JWT_SECRET: 'x'.repeat(64),
      DATABASE_URL: 'postgres://db/opcc',
      REDIS_URL: 'redis://redis:6379',
      SMTP_URL: 'smtp://mail:25',
      CLAMD_URL: 'tcp://clamd:3310',
      MFA_REQUIRED_ROLES: 'none',
    });
    expect(config.mfaRequiredRoles).toEqual(['caseworker', 'manager', 'admin']);
    expect(loadConfig({ MFA_REQUIRED_ROLES: 'admin,manager' }).mfaRequiredRoles).toEqual([
      'manager',
      'admin',
    ]);
    expect(() => loadConfig({ MFA_REQUIRED_ROLES: 'everyone' })).toThrow(/MFA_REQUIRED_ROLES/);
    expect(() => loadConfig({ MFA_ENCRYPTION_KEY: 'short' })).toThrow(/MFA_ENCRYPTION_KEY/);
  });
});
