import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/fixture.js';
import { bearer, PageSession, type TestUser } from '../helpers/auth.js';
import { enrolMfa, totpCode } from '../helpers/mfa.js';
import { createSurvey, respond } from '../surveys/helpers.js';

/**
 * docs/rules/security.md §1 "R" (re-authenticated within 5 minutes, justification recorded) and §9
 * item 12, with MFA required of every staff role: the password and a code again, and a
 * reason, stamp the session for 5 minutes.
 */
const t = useTestApp({ config: { mfaRequiredRoles: ['caseworker', 'manager', 'admin'] } });

const step = () => t.clock.advance(30_000);

async function enrolled(role: 'manager' | 'admin') {
  const user = await t.user(role);
  const { secret } = await enrolMfa(t.app, t.clock, user.id);
  step();
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/auth/token',
    payload: { email: user.email, password: user.password, otp: await totpCode(secret, t.clock) },
  });
  expect(response.statusCode).toBe(200);
  return { user, secret, token: response.json<{ token: string }>().token };
}

const reauth = (token: string, payload: Record<string, unknown>) =>
  t.app.inject({ method: 'POST', url: '/api/auth/reauth', headers: bearer(token), payload });

describe('§9 #12: R-marked actions, email or MFA change without re-auth get 401', () => {
  let manager: { user: TestUser; secret: string; token: string };
  let surveyId: string;
  const exportUrl = () => `/api/surveys/${surveyId}/equality-responses.csv`;
  const download = (token = manager.token) =>
    t.app.inject({ method: 'GET', url: exportUrl(), headers: bearer(token) });

  beforeAll(async () => {
    manager = await enrolled('manager');
    const admin = await enrolled('admin');
    const granted = await t.app.inject({
      method: 'PUT',
      url: `/api/surveys/analysts/${manager.user.id}`,
      headers: bearer(admin.token),
    });
    expect(granted.statusCode).toBe(204);
    surveyId = await createSurvey(t, manager.token);
    const answered = await respond(t, surveyId, {
      answers: { contact: 'phone', area: 'fenland', equality_age: '25_34' },
    });
    expect(answered.statusCode).toBe(201);
  });

  it('raw special-category export: 401 auth.reauth_required until password, code and a reason', async () => {
    const refused = await download();
    expect(refused.statusCode).toBe(401);
    expect(refused.json().error.code).toBe('auth.reauth_required');

    step();
    const good = {
      password: manager.user.password,
      otp: await totpCode(manager.secret, t.clock),
      justification: 'Equality monitoring return for the Police and Crime Panel',
    };
    const noCode = await reauth(manager.token, { ...good, otp: undefined });
    expect(noCode.statusCode).toBe(401);
    expect(noCode.json().error.code).toBe('auth.mfa_required');
    const wrongPassword = await reauth(manager.token, { ...good, password: 'not my password' });
    expect(wrongPassword.statusCode).toBe(401);
    expect(wrongPassword.json().error.code).toBe('auth.reauth_invalid');
    const wrongCode = await reauth(manager.token, { ...good, otp: '000000' });
    expect(wrongCode.statusCode).toBe(401);
    expect(wrongCode.json().error.code).toBe('auth.mfa_invalid');
    expect((await reauth(manager.token, { ...good, justification: '   ' })).statusCode).toBe(400);
    expect((await reauth(manager.token, { ...good, justification: undefined })).statusCode).toBe(
      400,
    );
    // None of those stamped the session.
    expect((await download()).statusCode).toBe(401);

    const done = await reauth(manager.token, good);
    expect(done.statusCode).toBe(200);
    expect(done.json()).toEqual({
      reauthenticatedAt: t.clock.now().toISOString(),
      validUntil: new Date(t.clock.now().getTime() + 5 * 60_000).toISOString(),
    });
    // A replayed code does not re-authenticate.
    expect((await reauth(manager.token, good)).json().error.code).toBe('auth.mfa_invalid');

    const csv = await download();
    expect(csv.statusCode).toBe(200);
    expect(csv.body.split('\r\n')[0]).toMatch(/equality_age/);
    const rows = await t.db.sql<{ action: string; justification: string | null }[]>`
      select action, justification from audit_events
      where actor_id = ${manager.user.id} and action in ('survey.exported', 'auth.reauthenticated')
      order by at, action`;
    expect(rows).toEqual([
      { action: 'auth.reauthenticated', justification: good.justification },
      { action: 'survey.exported', justification: good.justification },
    ]);

    t.clock.advance(4 * 60_000 + 59_000);
    expect((await download()).statusCode).toBe(200);
    t.clock.advance(1000);
    const lapsed = await download();
    expect(lapsed.statusCode).toBe(401);
    expect(lapsed.json().error.code).toBe('auth.reauth_required');
  });

  it('stamps only the session that re-authenticated', async () => {
    step();
    expect(
      (
        await reauth(manager.token, {
          password: manager.user.password,
          otp: await totpCode(manager.secret, t.clock),
          justification: 'Quarterly equality analysis',
        })
      ).statusCode,
    ).toBe(200);
    expect((await download()).statusCode).toBe(200);
    step();
    const other = await t.app.inject({
      method: 'POST',
      url: '/api/auth/token',
      payload: {
        email: manager.user.email,
        password: manager.user.password,
        otp: await totpCode(manager.secret, t.clock),
      },
    });
    const refused = await download(other.json<{ token: string }>().token);
    expect(refused.statusCode).toBe(401);
    expect(refused.json().error.code).toBe('auth.reauth_required');
  });

  it('MFA change: an admin’s reset of a user’s app goes to re-authentication, returning to the action', async () => {
    const admin = await t.user('admin');
    const adminMfa = await enrolMfa(t.app, t.clock, admin.id);
    const target = await t.user('manager');
    await enrolMfa(t.app, t.clock, target.id);
    step();
    const page = new PageSession(t.app);
    await page.post('/sign-in', { email: admin.email, password: admin.password }, '/sign-in');
    await page.post(
      '/sign-in/mfa',
      { code: await totpCode(adminMfa.secret, t.clock) },
      '/sign-in/mfa',
    );
    const userPage = `/admin/users/${target.id}`;
    const reauthPage = `/reauth?returnTo=${encodeURIComponent(userPage)}`;

    const refused = await page.post(`${userPage}/mfa-reset`, {}, userPage);
    expect(refused.statusCode).toBe(303);
    expect(refused.headers.location).toBe(reauthPage);
    expect((await t.app.services.mfa.status(target.id)).enrolled).toBe(true);

    const form = await page.get(reauthPage);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('name="justification"');
    expect(form.body).toContain('name="code"');
    step();
    const wrong = await page.post(
      '/reauth',
      {
        password: 'not the admin password',
        code: await totpCode(adminMfa.secret, t.clock),
        justification: 'Lost phone',
        returnTo: userPage,
      },
      reauthPage,
    );
    expect(wrong.statusCode).toBe(401);
    expect(wrong.body).toContain('Enter your correct password');
    const noReason = await page.post(
      '/reauth',
      {
        password: admin.password,
        code: await totpCode(adminMfa.secret, t.clock),
        justification: '',
        returnTo: userPage,
      },
      reauthPage,
    );
    expect(noReason.statusCode).toBe(400);
    expect(noReason.body).toContain('Enter why you need to do this');
    expect((await page.post(`${userPage}/mfa-reset`, {}, userPage)).headers.location).toBe(
      reauthPage,
    );

    const confirmed = await page.post(
      '/reauth',
      {
        password: admin.password,
        code: await totpCode(adminMfa.secret, t.clock),
        justification: 'Lost phone, ticket 5120',
        returnTo: userPage,
      },
      reauthPage,
    );
    expect(confirmed.statusCode).toBe(303);
    expect(confirmed.headers.location).toBe(userPage);

    t.clock.advance(5 * 60_000);
    expect((await page.post(`${userPage}/mfa-reset`, {}, userPage)).headers.location).toBe(
      reauthPage,
    );
    expect((await t.app.services.mfa.status(target.id)).enrolled).toBe(true);

    step();
    await page.post(
      '/reauth',
      {
        password: admin.password,
        code: await totpCode(adminMfa.secret, t.clock),
        justification: 'Lost phone, ticket 5120',
        returnTo: userPage,
      },
      reauthPage,
    );
    const reset = await page.post(`${userPage}/mfa-reset`, {}, userPage);
    expect(reset.headers.location).toBe(userPage);
    expect((await t.app.services.mfa.status(target.id)).enrolled).toBe(false);
    const [audit] = await t.db.sql<{ justification: string }[]>`
      select justification from audit_events
      where action = 'user.mfa_reset' and subject_id = ${target.id}`;
    expect(audit!.justification).toBe('Lost phone, ticket 5120');
  });

  it('MFA change: the old single-form reset action is refused', async () => {
    const admin = await t.user('admin');
    const adminMfa = await enrolMfa(t.app, t.clock, admin.id);
    const target = await t.user('manager');
    await enrolMfa(t.app, t.clock, target.id);
    step();
    const page = new PageSession(t.app);
    await page.post('/sign-in', { email: admin.email, password: admin.password }, '/sign-in');
    await page.post(
      '/sign-in/mfa',
      { code: await totpCode(adminMfa.secret, t.clock) },
      '/sign-in/mfa',
    );
    const old = await page.post(
      `/admin/users/${target.id}`,
      { action: 'mfa-reset' },
      `/admin/users/${target.id}`,
    );
    expect(old.statusCode).toBe(400);
    expect((await t.app.services.mfa.status(target.id)).enrolled).toBe(true);
  });

  it('returns only to a path on this site after re-authentication', async () => {
    const admin = await t.user('admin');
    const adminMfa = await enrolMfa(t.app, t.clock, admin.id);
    step();
    const page = new PageSession(t.app);
    await page.post('/sign-in', { email: admin.email, password: admin.password }, '/sign-in');
    await page.post(
      '/sign-in/mfa',
      { code: await totpCode(adminMfa.secret, t.clock) },
      '/sign-in/mfa',
    );
    step();
    const done = await page.post(
      '/reauth',
      {
        password: admin.password,
        code: await totpCode(adminMfa.secret, t.clock),
        justification: 'Checking',
        returnTo: '/\\evil.example',
      },
      '/reauth',
    );
    expect(done.headers.location).toBe('/staff');
  });
});
