import fs from 'node:fs';
import path from 'node:path';
import argon2 from 'argon2';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/fixture.js';
import { bearer, PageSession, type TestUser } from '../helpers/auth.js';
import { enrolMfa, totpCode } from '../helpers/mfa.js';

/**
 * docs/rules/security.md §9 items that had no test of their own, or only part of one (issue 16's
 * checklist audit). Each test is named after its item; the table in the issue note maps the
 * others to their files.
 */
let admin: TestUser;
let adminSecret: string;
const logLines: string[] = [];

const t = useTestApp({
  logLines,
  config: { mfaRequiredRoles: ['caseworker', 'manager', 'admin'] },
});
beforeAll(async () => {
  admin = await t.user('admin', { name: 'Checklist Admin' });
  adminSecret = (await enrolMfa(t.app, t.clock, admin.id)).secret;
});

/** The argon2 parameters of a PHC string, whatever order the library writes them in. */
const argonParams = (hash: string) => {
  const [, type, version, params] = hash.split('$');
  return {
    type,
    version,
    ...Object.fromEntries(params!.split(',').map((kv) => kv.split('='))),
  } as Record<string, string>;
};

/** An API token through the real sign-in (password and a fresh TOTP step). */
async function tokenFor(user: TestUser, secret: string): Promise<string> {
  t.clock.advance(30_000);
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/auth/token',
    payload: { email: user.email, password: user.password, otp: await totpCode(secret, t.clock) },
  });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<{ token: string }>().token;
}

/** A page session through the real forms: password, then the code. */
async function pageSignIn(user: TestUser, secret: string) {
  const page = new PageSession(t.app);
  const first = await page.post(
    '/sign-in',
    { email: user.email, password: user.password },
    '/sign-in',
  );
  expect(first.headers.location).toBe('/sign-in/mfa');
  t.clock.advance(30_000);
  const second = await page.post(
    '/sign-in/mfa',
    { code: await totpCode(secret, t.clock) },
    '/sign-in/mfa',
  );
  expect(second.statusCode).toBe(303);
  return { page, response: second };
}

const adminToken = () => tokenFor(admin, adminSecret);

describe('security checklist 1: new hash starts $argon2id$v=19$m=19456,t=2,p=1$; old parameters rehashed at login', () => {
  it('hashes with exactly m=19456, t=2, p=1 (argon2 0.45 writes them m,p,t) and rehashes old ones at sign-in', async () => {
    const user = await t.user('caseworker');
    const secret = (await enrolMfa(t.app, t.clock, user.id)).secret;
    const hashOf = async () =>
      (
        await t.db.sql<{ password_hash: string }[]>`
        select password_hash from users where id = ${user.id}`
      )[0]!.password_hash;
    // The contract quotes `m=19456,t=2,p=1`; the library orders them `m=19456,p=1,t=2`.
    // The parameters are what matter, so they are compared, not the string's order.
    expect(argonParams(await hashOf())).toMatchObject({
      type: 'argon2id',
      version: 'v=19',
      m: '19456',
      t: '2',
      p: '1',
    });
    // A hash from older, weaker settings (@node-rs/argon2's 4 MiB default) ...
    const old = await argon2.hash(user.password, {
      type: argon2.argon2id,
      memoryCost: 4096,
      timeCost: 3,
      parallelism: 1,
    });
    await t.db.sql`update users set password_hash = ${old} where id = ${user.id}`;
    expect(argonParams(await hashOf())).toMatchObject({ m: '4096', t: '3' });
    // ... still signs in, and is replaced by one with the contract's parameters.
    await tokenFor(user, secret);
    const rehashed = await hashOf();
    expect(rehashed).not.toBe(old);
    expect(argonParams(rehashed)).toMatchObject({ type: 'argon2id', m: '19456', t: '2', p: '1' });
    expect(await argon2.verify(rehashed, user.password)).toBe(true);
  });
});

describe('security checklist 10: after logout, password/MFA/role change or disable, the old token gets 401', () => {
  it('refuses the earlier token after each of the five', async () => {
    const changes: Array<[string, (user: TestUser, token: string) => Promise<void>]> = [
      [
        'logout',
        async (_user, token) => {
          const out = await t.app.inject({
            method: 'POST',
            url: '/api/auth/logout',
            headers: bearer(token),
          });
          expect(out.statusCode).toBeLessThan(300);
        },
      ],
      [
        'password change',
        async (user) =>
          t.app.services.users.changePassword(
            { id: user.id, role: user.role, requestId: null },
            user.id,
            'an entirely new and long passphrase',
          ),
      ],
      [
        'MFA reset',
        async (user) =>
          t.app.services.mfa.reset({ id: admin.id, role: 'admin', requestId: null }, user.id),
      ],
      [
        'role change',
        async (user) =>
          void (await t.app.services.users.changeRole(
            { id: admin.id, role: 'admin', requestId: null },
            user.id,
            'manager',
          )),
      ],
      [
        'disable',
        async (user) => {
          await t.app.services.users.setDisabled(
            { id: admin.id, role: 'admin', requestId: null },
            user.id,
            true,
          );
        },
      ],
    ];
    for (const [what, change] of changes) {
      const user = await t.user('caseworker');
      const secret = (await enrolMfa(t.app, t.clock, user.id)).secret;
      const token = await tokenFor(user, secret);
      const before = await t.app.inject({ url: '/api/cases', headers: bearer(token) });
      expect(before.statusCode, `${what}: before`).toBe(200);
      await change(user, token);
      const after = await t.app.inject({ url: '/api/cases', headers: bearer(token) });
      expect(after.statusCode, `${what}: after`).toBe(401);
    }
  });
});

describe('security checklist 11: Set-Cookie exactly as §3; new sid at login; 4th session revokes the oldest', () => {
  it('sets __Host-opcc_session; Secure; HttpOnly; SameSite=Lax; Path=/ (no Domain), a new sid each sign-in', async () => {
    const user = await t.user('manager');
    const secret = (await enrolMfa(t.app, t.clock, user.id)).secret;
    const sids: string[] = [];
    for (let i = 0; i < 2; i += 1) {
      const { response } = await pageSignIn(user, secret);
      const cookie = ([] as string[])
        .concat(response.headers['set-cookie'] ?? [])
        .find((c) => c.startsWith('__Host-opcc_session='))!;
      const [pair, ...attributes] = cookie.split(/;\s*/);
      expect(
        attributes.map((a) => a.toLowerCase()).filter((a) => !a.startsWith('max-age')),
      ).toEqual(expect.arrayContaining(['secure', 'httponly', 'samesite=lax', 'path=/']));
      expect(attributes.some((a) => /^domain=/i.test(a))).toBe(false);
      const jwt = pair!.slice('__Host-opcc_session='.length);
      const claims = JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as {
        sid: string;
        aud: string;
      };
      expect(claims.aud).toBe('web');
      sids.push(claims.sid);
    }
    expect(sids[0]).not.toBe(sids[1]);
    // The 4th-session rule: test/security/sessions.test.ts '§9 #11: a 4th session ends the oldest'.
  });
});

describe('security checklist 15: canary equality values never reach caseworker pages or the API', () => {
  it('records a complainant’s equality answers; the caseworker’s complaint page, list and API never show them', async () => {
    const caseworker = await t.user('caseworker');
    const secret = (await enrolMfa(t.app, t.clock, caseworker.id)).secret;
    const token = await tokenFor(caseworker, secret);
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/complaints',
      headers: bearer(token),
      payload: {
        receivedAt: '2026-11-02',
        complainant: { name: 'Canary Complainant', email: 'canary.complainant@example.org' },
        summary: 'The Chief Constable was rude at a public meeting',
        allegations: [{ category: 'individual_behaviours', description: 'Rude on 1 November' }],
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json<{ id: string }>().id;
    // Values no page or answer would otherwise contain.
    const canary = {
      ethnicity: 'asian_british',
      religion: 'muslim',
      sexualOrientation: 'bisexual',
    };
    const put = await t.app.inject({
      method: 'PUT',
      url: `/api/complaints/${id}/equality`,
      headers: bearer(token),
      payload: canary,
    });
    expect(put.statusCode, put.body).toBe(204);
    const [stored] = await t.db.sql<{ n: number }[]>`
      select count(*)::int as n from complainant_equality where complaint_id = ${id}`;
    expect(stored!.n).toBe(1);

    const { page } = await pageSignIn(caseworker, secret);
    const seen = [
      (await t.app.inject({ url: `/api/complaints/${id}`, headers: bearer(token) })).body,
      (await t.app.inject({ url: '/api/complaints', headers: bearer(token) })).body,
      (await page.get(`/complaints/${id}`)).body,
      (await page.get('/complaints')).body,
    ];
    for (const body of seen) {
      for (const value of Object.values(canary)) expect(body).not.toContain(value);
    }
    // The form lists every option, with none chosen: it never reads the answers back.
    const form = (await page.get(`/complaints/${id}/equality`)).body;
    expect(form).not.toMatch(/selected|checked/);
  });
});

describe('security checklist 16: unknown fields (role, assigneeId), over-long strings, __proto__ get 400', () => {
  it('refuses each on the public contact API, naming the field, and creates no case', async () => {
    const good = {
      name: 'Pat Public',
      email: 'pat.public@example.org',
      subject: 'A question',
      message: 'Hello.',
    };
    const cases = async () =>
      (await t.db.sql<{ n: number }[]>`select count(*)::int as n from cases`)[0]!.n;
    const before = await cases();
    const post = (payload: string | object) =>
      t.app.inject({
        method: 'POST',
        url: '/api/public/contact',
        headers: { 'content-type': 'application/json' },
        payload,
      });
    for (const field of ['role', 'assigneeId']) {
      const response = await post({ ...good, [field]: 'admin' });
      expect(response.statusCode, field).toBe(400);
      expect(response.json().error.fields[field], field).toBe('is not an allowed field');
    }
    const long = await post({ ...good, name: 'n'.repeat(201) });
    expect(long.statusCode).toBe(400);
    expect(Object.keys(long.json().error.fields)).toEqual(['name']);
    const proto = await post(`{"__proto__": {"role": "admin"}, ${JSON.stringify(good).slice(1)}`);
    expect(proto.statusCode).toBe(400);
    expect(await cases()).toBe(before);
  });
});

describe('security checklist 17: lint bans raw SQL; injection strings in search return normal results', () => {
  it('fails sql.raw and .unsafe() in server/ and workers/ (injection strings: test/correspondence/search.test.ts)', async () => {
    const eslint = new ESLint({
      cwd: process.cwd(),
      overrideConfig: { languageOptions: { parserOptions: { projectService: false } } },
      ruleFilter: ({ ruleId }) => ruleId === 'no-restricted-syntax',
    });
    const source = [
      "import { sql } from 'drizzle-orm';",
      'declare const client: { unsafe(text: string): unknown };',
      'export const a = sql.raw(`select * from cases where id = ${String(1)}`);',
      "export const b = client.unsafe('select 1');",
      '',
    ].join('\n');
    for (const filePath of ['server/contacts/added-on-purpose.ts', 'workers/added-on-purpose.ts']) {
      const [result] = await eslint.lintText(source, { filePath });
      const messages = result!.messages.map((m) => m.message);
      expect(messages, filePath).toEqual([
        expect.stringContaining('No raw SQL (sql.raw)'),
        expect.stringContaining('No raw SQL (.unsafe)'),
      ]);
    }
  }, 60_000);
});

describe('security checklist 18: stored <script> renders escaped; no | safe or html: on user data', () => {
  const viewsRoot = path.resolve(import.meta.dirname, '../../server');
  const templates = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return templates(full);
      return entry.name.endsWith('.njk') ? [full] : [];
    });

  it('escapes a stored <script> in a name on the staff pages that show it', async () => {
    const user = await t.user('caseworker', {
      name: '<script>alert("x")</script> Mallory',
    });
    const { page } = await pageSignIn(admin, adminSecret);
    for (const url of ['/admin/users', `/admin/users/${user.id}`]) {
      const body = (await page.get(url)).body;
      expect(body, url).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Mallory');
      expect(body, url).not.toContain('<script>alert("x")</script>');
    }
  });

  it('uses | safe and html: only on values the app builds itself (allow-list of template lines)', () => {
    /*
     * Each entry is a template line that marks markup safe, checked by hand: the value is
     * built by server code from escaped parts (lib/html.ts) or is fixed text, never a stored
     * string. A new `| safe` or `html:` fails here until it is reviewed and listed.
     */
    const found: string[] = [];
    for (const file of templates(viewsRoot)) {
      const lines = fs.readFileSync(file, 'utf8').split('\n');
      lines.forEach((line, i) => {
        if (/\|\s*safe\b|\bhtml\s*:/.test(line))
          found.push(`${path.relative(viewsRoot, file)}:${i + 1}: ${line.trim()}`);
      });
    }
    const reviewed = new Set(
      fs
        .readFileSync(path.join(import.meta.dirname, 'safe-markup.txt'), 'utf8')
        .split('\n')
        .filter((line) => line && !line.startsWith('#')),
    );
    const unreviewed = found.filter((entry) => !reviewed.has(entry.replace(/^[^:]+:\d+: /, '')));
    expect(unreviewed).toEqual([]);
  });
});

describe('security checklist 21: missing or foreign CSRF token, cross-site Sec-Fetch-Site get 403; no GET changes rows', () => {
  /**
   * Every table's contents, hashed. Excepted: the audit log, session last-seen stamps, the
   * security event log (a 403 a manager meets on an admin page is recorded, as §7 asks) and
   * the rate-limit counters: logs and counters, not data a GET may change.
   */
  async function tableDigests(): Promise<Record<string, string>> {
    const tables = await t.db.sql<{ name: string }[]>`
      select table_schema || '.' || table_name as name from information_schema.tables
      where table_schema = 'public' and table_type = 'BASE TABLE'
        and table_name not in ('audit_events', 'sessions', 'security_events', 'rate_limit_counters')
        order by 1`;
    const digests: Record<string, string> = {};
    for (const { name } of tables) {
      const [schema, table] = name.split('.');
      const [row] = await t.db.sql<{ digest: string | null }[]>`
        select md5(coalesce(string_agg(x::text, '|' order by x::text), '')) as digest
        from ${t.db.sql(schema!)}.${t.db.sql(table!)} x`;
      digests[name] = row!.digest ?? '';
    }
    return digests;
  }

  it('walks every GET page and API route without parameters as an admin and a manager: no table changes', async () => {
    const manager = await t.user('manager');
    const managerSecret = (await enrolMfa(t.app, t.clock, manager.id)).secret;
    const sessions = [
      await pageSignIn(admin, adminSecret),
      await pageSignIn(manager, managerSecret),
    ];
    const tokens = [await adminToken(), await tokenFor(manager, managerSecret)];
    const gets = [
      ...new Set(
        t.app.routeCatalogue
          .filter((r) => r.method === 'GET' && !r.url.includes(':') && !r.url.includes('*'))
          .map((r) => r.url),
      ),
    ].filter((url) => !url.startsWith('/static') && !url.startsWith('/assets'));
    expect(gets.length).toBeGreaterThan(30);
    // (GET /account/mfa/qr.svg stored a new pending seed for an enrolled user before the fix.)
    const before = await tableDigests();
    for (const url of gets) {
      if (url.startsWith('/api/')) {
        for (const token of tokens) await t.app.inject({ url, headers: bearer(token) });
      } else {
        for (const { page } of sessions) await page.get(url);
      }
    }
    const after = await tableDigests();
    expect(Object.keys(after).filter((name) => after[name] !== before[name])).toEqual([]);
  }, 180_000);

  it('refuses a form POST with a cross-site Sec-Fetch-Site even with a valid token', async () => {
    const page = new PageSession(t.app);
    const form = await page.get('/forgot-password');
    const token = /name="_csrf" value="([^"]+)"/.exec(form.body)![1]!;
    const response = await t.app.inject({
      method: 'POST',
      url: '/forgot-password',
      headers: {
        cookie: page.jar.header(),
        'content-type': 'application/x-www-form-urlencoded',
        'sec-fetch-site': 'cross-site',
      },
      payload: new URLSearchParams({ _csrf: token, email: admin.email }).toString(),
    });
    expect(response.statusCode).toBe(403);
  });
});

describe('security checklist 22: header snapshot (page, API, error, static) matches §4', () => {
  it('sends the §4 headers on a page, an API answer, an error and a static file', async () => {
    const token = await adminToken();
    const answers = {
      page: await t.app.inject({ url: '/sign-in' }),
      api: await t.app.inject({ url: '/api/users', headers: bearer(token) }),
      apiError: await t.app.inject({ url: '/api/cases/not-a-uuid', headers: bearer(token) }),
      pageError: await t.app.inject({ url: '/no-such-page' }),
      static: await t.app.inject({ url: '/static/app.css' }),
    };
    for (const [what, response] of Object.entries(answers)) {
      expect(response.statusCode, what).toBeLessThan(500);
      expect(response.headers['strict-transport-security'], what).toBe(
        'max-age=31536000; includeSubDomains',
      );
      expect(response.headers['x-content-type-options'], what).toBe('nosniff');
      expect(response.headers['referrer-policy'], what).toBe('no-referrer');
      expect(response.headers['cross-origin-opener-policy'], what).toBe('same-origin');
      expect(response.headers['access-control-allow-origin'], what).toBeUndefined();
      const csp = String(response.headers['content-security-policy']);
      expect(csp, what).toMatch(/frame-ancestors 'none'/);
    }
    const pageCsp = String(answers.page.headers['content-security-policy']);
    for (const directive of [
      "default-src 'self'",
      "object-src 'none'",
      "base-uri 'none'",
      "form-action 'self'",
    ])
      expect(pageCsp).toContain(directive);
    expect(pageCsp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=_-]+'/);
    expect(answers.api.headers['cache-control']).toBe('no-store');
    expect(answers.apiError.headers['cache-control']).toBe('no-store');
  });
});

describe('security checklist 25: logs from login, MFA, case creation hold no password, TOTP, JWT, email, name, link token', () => {
  it('writes none of them at info level', async () => {
    const user = await t.user('caseworker', {
      name: 'Loggable Lucinda',
      email: 'lucinda.logs@opcc.test',
    });
    const secret = (await enrolMfa(t.app, t.clock, user.id)).secret;
    logLines.length = 0;
    // Page sign-in with a code, and an API token with one.
    const { page } = await pageSignIn(user, secret);
    const cookieJwt = page.jar.get('__Host-opcc_session')!;
    t.clock.advance(30_000);
    const otp = await totpCode(secret, t.clock);
    const tokenAnswer = await t.app.inject({
      method: 'POST',
      url: '/api/auth/token',
      payload: { email: user.email, password: user.password, otp },
    });
    const token = tokenAnswer.json<{ token: string }>().token;
    // A case from a member of the public (name, email) and one by a caseworker.
    await t.app.inject({
      method: 'POST',
      url: '/api/public/contact',
      payload: {
        name: 'Perpetua Public',
        email: 'perpetua.public@example.org',
        subject: 'A question about speeding',
        message: 'Please can you tell me more.',
      },
    });
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/cases',
      headers: bearer(token),
      payload: {
        type: 'general',
        channel: 'letter',
        receivedAt: '2026-11-20T09:00:00Z',
        subject: 'Speeding on Acacia Avenue',
        body: 'Letter text.',
        contact: { name: 'Cornelius Contact', email: 'cornelius@example.org' },
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    // A reset link, asked for and opened.
    await page.post('/forgot-password', { email: user.email }, '/forgot-password');
    const [queued] = await t.db.sql<{ id: string }[]>`
      select id from email_messages where "to" = ${user.email} and subject_type = 'user_link'`;
    const before = t.sink.messages.length;
    await t.app.services.mail.send(queued!.id);
    const [mail] = (await t.sink.waitFor(before + 1)).slice(before);
    const linkToken = /\/reset-password\/([A-Za-z0-9_-]{43})/.exec(mail!.parsed.text ?? '')![1]!;
    await t.app.inject({ url: `/reset-password/${linkToken}` });

    const log = logLines.join('');
    expect(log).toContain('"route":"/api/auth/token"');
    expect(log).toContain('"route":"/reset-password/:token"');
    for (const secretValue of [
      user.password,
      otp,
      token,
      cookieJwt,
      token.split('.')[2]!,
      user.email,
      'Loggable',
      'Perpetua',
      'perpetua.public',
      'Cornelius',
      'cornelius@',
      linkToken,
    ])
      expect(log.includes(secretValue), secretValue).toBe(false);
  });
});

describe('security checklist 31: no querystring schema holds personal data; link tokens masked in logs', () => {
  it('names no personal field in any route’s querystring; search terms (q) are never logged', () => {
    const personal =
      /^(e-?mail|name|firstName|lastName|phone|telephone|postcode|address|dob|dateOfBirth|token|password|otp)$/i;
    const offenders: string[] = [];
    const searchRoutes: string[] = [];
    for (const route of t.app.routeCatalogue) {
      for (const key of route.query) {
        if (personal.test(key)) offenders.push(`${route.method} ${route.url} ?${key}`);
        if (key === 'q') searchRoutes.push(`${route.method} ${route.url}`);
      }
    }
    expect(offenders).toEqual([]);
    // Free-text search (`q`) may hold a name: its routes log only the pattern (see defects
    // test 'logs the route pattern of a search, never the search terms').
    expect(searchRoutes.length).toBeGreaterThan(0);
  });

  it('logs a link token’s route pattern, never the token (activation and reset)', async () => {
    const fake = 'A'.repeat(43);
    logLines.length = 0;
    await t.app.inject({ url: `/activate/${fake}` });
    await t.app.inject({ url: `/reset-password/${fake}` });
    const log = logLines.join('');
    expect(log).toContain('"route":"/activate/:token"');
    expect(log).toContain('"route":"/reset-password/:token"');
    expect(log).not.toContain(fake);
  });
});
