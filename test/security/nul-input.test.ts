import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/fixture.js';
import { PageSession, type TestUser } from '../helpers/auth.js';

/**
 * A NUL character (U+0000) in the sign-in or reset email reached PostgreSQL, which refuses it in
 * text, and the reply was a 500. Such an address matches no account: the answer is the unknown
 * user's, identical to a wrong password's (docs/rules/security.md §9 #3).
 */
const t = useTestApp();
let user: TestUser;

beforeAll(async () => {
  user = await t.user('caseworker');
});

/** The body apart from the request id, which differs per request. */
const withoutRequestId = (body: { error: Record<string, unknown> }) => {
  const { requestId, ...error } = body.error;
  expect(requestId).toEqual(expect.any(String));
  return { error };
};

const NUL_EMAIL = `${'x'}\u0000@opcc.test`;

describe('NUL in sign-in and reset emails: the unknown address’s answer, not a 500', () => {
  it('POST /api/auth/token answers a NUL email exactly as a wrong password', async () => {
    const token = (email: string, password: string, ip: string) =>
      t.app.inject({
        method: 'POST',
        url: '/api/auth/token',
        payload: { email, password },
        remoteAddress: ip,
      });
    const wrong = await token(user.email, 'not the right password at all', '10.71.0.1');
    expect(wrong.statusCode).toBe(401);
    for (const email of [NUL_EMAIL, `${user.email}\u0000`, `\u0000${user.email}`]) {
      const nul = await token(email, user.password, '10.71.0.2');
      expect(nul.statusCode, nul.body).toBe(401);
      expect(withoutRequestId(nul.json())).toEqual(withoutRequestId(wrong.json()));
    }
    // The refusals count towards the address's throttle like any other failure.
    const [counted] = await t.db.sql<{ n: number }[]>`
      select count(*)::int as n from login_failures where email_norm like ${'%\uFFFD%'}`;
    expect(counted!.n).toBe(3);
  });

  it('POST /sign-in shows a NUL email the wrong-password error', async () => {
    const page = new PageSession(t.app);
    const wrong = await page.post(
      '/sign-in',
      { email: user.email, password: 'not the right password at all' },
      '/sign-in',
    );
    expect(wrong.statusCode).toBe(401);
    const nul = await page.post(
      '/sign-in',
      { email: `${user.email}\u0000`, password: user.password },
      '/sign-in',
    );
    expect(nul.statusCode, nul.body).toBe(401);
    expect(nul.body).toContain('Enter a correct email address and password');
    expect(wrong.body).toContain('Enter a correct email address and password');
  });

  it('POST /forgot-password answers a NUL email as an unknown address and sends nothing', async () => {
    const page = new PageSession(t.app);
    const asked = await page.post(
      '/forgot-password',
      { email: `${user.email}\u0000` },
      '/forgot-password',
    );
    expect(asked.statusCode, asked.body).toBe(200);
    expect(asked.body).toContain('Check your email');
    const [sent] = await t.db.sql<{ n: number }[]>`
      select count(*)::int as n from email_messages where subject_type = 'user_link'`;
    expect(sent!.n).toBe(0);
  });

  it('POST /api/public/contact gives a NUL in the email a field error and creates no case', async () => {
    const cases = async () =>
      (await t.db.sql<{ n: number }[]>`select count(*)::int as n from cases`)[0]!.n;
    const before = await cases();
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/public/contact',
      payload: {
        name: 'Pat Public',
        email: 'pat\u0000@example.org',
        subject: 'A question',
        message: 'Hello.',
      },
    });
    expect(response.statusCode, response.body).toBe(400);
    expect(response.json().error.fields).toEqual({
      email: 'Enter an email address in the correct format, like name@example.com',
    });
    expect(await cases()).toBe(before);
  });
});
