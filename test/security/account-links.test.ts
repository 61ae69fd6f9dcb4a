import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { deniedPasswords, passwordProblem } from '../../server/auth/passwords.js';
import { useTestApp } from '../helpers/fixture.js';
import { bearer, PageSession, type TestUser } from '../helpers/auth.js';
import { enrolMfa, totpCode } from '../helpers/mfa.js';

/** docs/rules/security.md §2 activation/reset links, lock email and deny-list; §9 items 2 and 7. */
let admin: TestUser;
let adminSecret: string;

const t = useTestApp({ config: { mfaRequiredRoles: ['caseworker', 'manager', 'admin'] } });
beforeAll(async () => {
  admin = await t.user('admin');
  adminSecret = (await enrolMfa(t.app, t.clock, admin.id)).secret;
});

const NEW_PASSWORD = 'a fresh and rather long passphrase';

/** Sends the newest email of a kind through the real mailer; returns its text at the sink. */
async function deliver(to: string, subjectType: string): Promise<string> {
  const [row] = await t.db.sql<{ id: string; text_body: string }[]>`
    select id, text_body from email_messages
    where "to" = ${to} and subject_type = ${subjectType} order by created_at desc limit 1`;
  expect(row, `an email of type ${subjectType} to ${to}`).toBeDefined();
  const before = t.sink.messages.length;
  expect(await t.app.services.mail.send(row!.id)).toBe('sent');
  const [caught] = await t.sink.waitFor(before + 1).then((all) => all.slice(before));
  return caught!.parsed.text ?? '';
}

const linkIn = (text: string, path: string) => {
  const match = new RegExp(`https?://[^/\\s]+(${path}/([A-Za-z0-9_-]{43}))`).exec(text);
  expect(match, `a ${path} link`).not.toBeNull();
  return { url: match![1]!, token: match![2]! };
};

const emailsOfType = async (to: string, subjectType: string) =>
  (
    await t.db.sql<{ n: number }[]>`
      select count(*)::int as n from email_messages where "to" = ${to} and subject_type = ${subjectType}`
  )[0]!.n;

describe('§9 #7: reset token: reuse gets 400, expires (fake clock), still needs MFA', () => {
  it('emails a single-use 256-bit link, stores only its hash, ends sessions and still asks for a code', async () => {
    const user = await t.user('caseworker');
    const { secret } = await enrolMfa(t.app, t.clock, user.id);
    t.clock.advance(30_000);
    const token = (
      await t.app.inject({
        method: 'POST',
        url: '/api/auth/token',
        payload: {
          email: user.email,
          password: user.password,
          otp: await totpCode(secret, t.clock),
        },
      })
    ).json<{ token: string }>().token;

    const page = new PageSession(t.app);
    const asked = await page.post('/forgot-password', { email: user.email }, '/forgot-password');
    expect(asked.statusCode).toBe(200);
    expect(asked.body).toContain('Check your email');
    // The stored email holds a placeholder, never the link.
    const [stored] = await t.db.sql<{ text_body: string }[]>`
      select text_body from email_messages where "to" = ${user.email} and subject_type = 'user_link'`;
    expect(stored!.text_body).toContain('[link]');
    const link = linkIn(await deliver(user.email, 'user_link'), '/reset-password');
    const [row] = await t.db.sql<{ token_hash: string; expires_at: Date }[]>`
      select token_hash, expires_at from user_tokens where user_id = ${user.id} and purpose = 'reset'`;
    expect(row!.token_hash).toBe(createHash('sha256').update(link.token).digest('hex'));
    expect(new Date(row!.expires_at).getTime() - t.clock.now().getTime()).toBe(3600_000);
    expect(Buffer.from(link.token, 'base64url')).toHaveLength(32);

    expect((await page.get(link.url)).statusCode).toBe(200);
    const weak = await page.post(link.url, { password: 'too short' }, link.url);
    expect(weak.statusCode).toBe(400);
    expect(weak.body).toContain('govuk-error-summary');
    const done = await page.post(link.url, { password: NEW_PASSWORD }, link.url);
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain('Your password is set');
    const reused = await page.post(link.url, { password: `${NEW_PASSWORD} again` }, '/sign-in');
    expect(reused.statusCode).toBe(400);
    expect(reused.body).toContain('expired or has already been used');

    // Sessions from before the reset end; the new password still needs the second factor.
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/cases', headers: bearer(token) })).statusCode,
    ).toBe(401);
    const signIn = await new PageSession(t.app).post(
      '/sign-in',
      { email: user.email, password: NEW_PASSWORD },
      '/sign-in',
    );
    expect(signIn.statusCode).toBe(303);
    expect(signIn.headers.location).toBe('/sign-in/mfa');
  });

  it('refuses the link after an hour, and answers unknown addresses the same way', async () => {
    const user = await t.user('caseworker');
    const page = new PageSession(t.app);
    await page.post('/forgot-password', { email: user.email }, '/forgot-password');
    const link = linkIn(await deliver(user.email, 'user_link'), '/reset-password');
    t.clock.advance(3600_000 + 1_000);
    expect((await page.get(link.url)).statusCode).toBe(400);
    const late = await page.post(link.url, { password: NEW_PASSWORD }, '/forgot-password');
    expect(late.statusCode).toBe(400);

    const unknown = await page.post(
      '/forgot-password',
      { email: 'nobody.here@opcc.test' },
      '/forgot-password',
    );
    expect(unknown.statusCode).toBe(200);
    expect(unknown.body).toContain('Check your email');
    expect(await emailsOfType('nobody.here@opcc.test', 'user_link')).toBe(0);
  });
});

describe('invitations', () => {
  it('adds a user without a password, emails a 24-hour activation link, then asks for MFA set-up', async () => {
    const page = new PageSession(t.app);
    await page.post('/sign-in', { email: admin.email, password: admin.password }, '/sign-in');
    t.clock.advance(30_000);
    await page.post('/sign-in/mfa', { code: await totpCode(adminSecret, t.clock) }, '/sign-in/mfa');
    const email = `invited.${Date.now()}@opcc.test`;
    const added = await page.post(
      '/admin/users',
      { name: 'Ivy Invited', email, role: 'caseworker', password: '' },
      '/admin/users/new',
    );
    expect(added.statusCode).toBe(303);
    const [audit] = await t.db.sql<{ actor_id: string }[]>`
      select actor_id from audit_events where action = 'user.invite' order by at desc limit 1`;
    expect(audit!.actor_id).toBe(admin.id);

    // Before activation there is no password that works, and the reply says nothing more.
    const early = await t.app.inject({
      method: 'POST',
      url: '/api/auth/token',
      payload: { email, password: 'any password of enough length' },
    });
    expect(early.statusCode).toBe(401);
    expect(early.json().error.code).toBe('auth.invalid_credentials');

    const link = linkIn(await deliver(email, 'user_link'), '/activate');
    const visitor = new PageSession(t.app);
    expect((await visitor.get(link.url)).body).toContain('Set your password');
    const set = await visitor.post(link.url, { password: NEW_PASSWORD }, link.url);
    expect(set.statusCode).toBe(200);
    expect((await visitor.post(link.url, { password: NEW_PASSWORD }, '/sign-in')).statusCode).toBe(
      400,
    );
    const signIn = await visitor.post('/sign-in', { email, password: NEW_PASSWORD }, '/sign-in');
    expect(signIn.headers.location).toBe('/sign-in/mfa/setup');
  });

  it('lets an activation link lapse after 24 hours; asking for a reset sends a new one', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/users',
      headers: bearer(
        (
          await t.app.inject({
            method: 'POST',
            url: '/api/auth/token',
            payload: {
              email: admin.email,
              password: admin.password,
              otp: await (async () => {
                t.clock.advance(30_000);
                return totpCode(adminSecret, t.clock);
              })(),
            },
          })
        ).json<{ token: string }>().token,
      ),
      payload: { name: 'Late Larry', email: `late.${Date.now()}@opcc.test`, role: 'manager' },
    });
    expect(response.statusCode).toBe(201);
    const [user] = await t.db.sql<{ email: string }[]>`
      select email from users where id = ${response.json<{ id: string }>().id}`;
    const first = linkIn(await deliver(user!.email, 'user_link'), '/activate');
    t.clock.advance(24 * 3600_000 + 1_000);
    const page = new PageSession(t.app);
    expect((await page.get(first.url)).statusCode).toBe(400);
    await page.post('/forgot-password', { email: user!.email }, '/forgot-password');
    const second = linkIn(await deliver(user!.email, 'user_link'), '/activate');
    expect(second.token).not.toBe(first.token);
    expect((await page.post(second.url, { password: NEW_PASSWORD }, second.url)).statusCode).toBe(
      200,
    );
  });
});

describe('lock email', () => {
  it('emails the owner once when the 10th failure locks the account', async () => {
    const user = await t.user('caseworker');
    for (let i = 0; i < 11; i += 1) {
      await t.app.inject({
        method: 'POST',
        url: '/api/auth/token',
        payload: { email: user.email, password: `wrong password number ${i}` },
        remoteAddress: `10.60.0.${i}`,
      });
    }
    expect(await emailsOfType(user.email, 'user_lock')).toBe(1);
    const text = await deliver(user.email, 'user_lock');
    expect(text).toContain('locked for 15 minutes');
    const [audit] = await t.db.sql<{ n: number }[]>`
      select count(*)::int as n from audit_events where action = 'auth.locked' and subject_id = ${user.id}`;
    expect(audit!.n).toBe(1);
    t.clock.advance(16 * 60_000);
  });
});

describe('§9 #2: 14 chars refused, 15 and 256 accepted; deny-list and context refused; trailing space kept', () => {
  it('applies length, the shipped 100,000-entry deny-list and context words', () => {
    expect(deniedPasswords().size).toBeGreaterThanOrEqual(100_000);
    expect(passwordProblem('abcdefghijklmn')).toMatch(/15 characters/);
    expect(passwordProblem('tulip river lamp')).toBeUndefined();
    expect(passwordProblem('kx9 '.repeat(64))).toBeUndefined(); // 256
    expect(passwordProblem('kx9 '.repeat(64) + 'z')).toMatch(/256/);
    // Long entries of the shipped list, which the length rule alone would let through.
    for (const common of ['1qaz2wsx3edc4rfv', 'QWERTY123456789', 'momsanaladventure'])
      expect(passwordProblem(common)).toMatch(/too common/);
    expect(passwordProblem('opcc police opcc police')).toMatch(/name, email or the organisation/);
    expect(
      passwordProblem('winterbottom winterbottom', { name: 'Sam Winterbottom', email: 'sam@x.uk' }),
    ).toMatch(/name, email/);
  });

  it('keeps a trailing space: the password without it does not sign in', async () => {
    const user = await t.user('caseworker', {
      password: 'ends with a space here ',
    });
    const bare = await t.app.inject({
      method: 'POST',
      url: '/api/auth/token',
      payload: { email: user.email, password: 'ends with a space here' },
      remoteAddress: '10.61.0.1',
    });
    expect(bare.statusCode).toBe(401);
    const exact = await t.app.inject({
      method: 'POST',
      url: '/api/auth/token',
      payload: { email: user.email, password: 'ends with a space here ' },
      remoteAddress: '10.61.0.1',
    });
    // Password right; the role's MFA enrolment is what stops it now.
    expect(exact.statusCode).toBe(403);
  });
});
