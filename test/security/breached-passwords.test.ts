import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/fixture.js';
import { bearer, PageSession, type TestUser } from '../helpers/auth.js';

/**
 * docs/rules/security.md §2 and §9 #2: passwords found by the Pwned Passwords range API are
 * refused on every path that sets one. A local node:http server stands in for the outside
 * service (this machine has no egress): it answers /range/<prefix> as the real one does,
 * padded, listing the suffix of BREACHED.
 */
const BREACHED = 'plum orchard lantern seventy';
const CLEAN = 'heron quarry velvet ninety';
const sha1 = (text: string) => createHash('sha1').update(text).digest('hex').toUpperCase();

type Mode = 'up' | 'error' | 'reset' | 'hang';
let mode: Mode = 'up';
const asked: Array<{ url: string; padding: string | undefined }> = [];
const hanging = new Set<http.ServerResponse>();

/** A padded answer: decoys with count 0, plus BREACHED's suffix when the prefix is its own. */
function rangeFor(prefix: string): string {
  const lines: string[] = [];
  for (let i = 0; i < 40; i += 1)
    lines.push(`${createHash('sha1').update(`decoy${i}`).digest('hex').slice(5).toUpperCase()}:0`);
  lines.push('0018A45C4D1DEF81644B54AB7F969B88D65:21');
  if (sha1(BREACHED).startsWith(prefix)) lines.push(`${sha1(BREACHED).slice(5)}:3861`);
  return lines.sort().join('\r\n');
}

const service = http.createServer((request, response) => {
  asked.push({ url: request.url ?? '', padding: request.headers['add-padding'] as string });
  if (mode === 'reset') return void request.socket.destroy();
  if (mode === 'hang') return void hanging.add(response);
  if (mode === 'error') return void response.writeHead(503).end('Service Unavailable');
  const match = /^\/range\/([0-9A-F]{5})$/.exec(request.url ?? '');
  if (!match) return void response.writeHead(400).end();
  response.writeHead(200, { 'content-type': 'text/plain' }).end(rangeFor(match[1]!));
});

let admin: TestUser;
let adminToken: string;
const logLines: string[] = [];

const t = useTestApp({
  logLines,
  before: async () => {
    await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', resolve));
    const { port } = service.address() as AddressInfo;
    return { config: { pwnedPasswordsUrl: `http://127.0.0.1:${port}` } };
  },
  after: async () => {
    for (const response of hanging) response.destroy();
    await new Promise((resolve) => service.close(resolve));
  },
});
beforeAll(async () => {
  admin = await t.user('admin');
  adminToken = await t.token(admin);
});

/** Sends the newest email of a kind through the real mailer; returns the link path in it. */
async function linkFor(to: string, path: string): Promise<string> {
  const [row] = await t.db.sql<{ id: string }[]>`
    select id from email_messages
    where "to" = ${to} and subject_type = 'user_link' order by created_at desc limit 1`;
  expect(row, `a link email to ${to}`).toBeDefined();
  const before = t.sink.messages.length;
  expect(await t.app.services.mail.send(row!.id)).toBe('sent');
  const [caught] = await t.sink.waitFor(before + 1).then((all) => all.slice(before));
  const match = new RegExp(`https?://[^/\\s]+(${path}/[A-Za-z0-9_-]{43})`).exec(
    caught!.parsed.text ?? '',
  );
  expect(match, `a ${path} link`).not.toBeNull();
  return match![1]!;
}

const hashOf = async (id: string) =>
  (
    await t.db.sql<{ password_hash: string | null }[]>`
    select password_hash from users where id = ${id}`
  )[0]!.password_hash;

const system = { id: null, role: 'system' as const, requestId: null };

describe('security checklist 2: breach hits refused (Pwned Passwords range API, k-anonymity)', () => {
  it('sends only the first 5 hex digits of the SHA-1, with Add-Padding: true', async () => {
    mode = 'up';
    const user = await t.user('caseworker');
    asked.length = 0;
    await t.app.services.users.changePassword(system, user.id, CLEAN);
    expect(asked).toEqual([{ url: `/range/${sha1(CLEAN).slice(0, 5)}`, padding: 'true' }]);
  });

  it('refuses a breached password at invite activation, and accepts one not in the range', async () => {
    mode = 'up';
    const email = `breach.invite.${Date.now()}@opcc.test`;
    const invited = await t.app.services.users.create(system, {
      email,
      name: 'Ina Invited',
      role: 'caseworker',
    });
    const link = await linkFor(email, '/activate');
    const page = new PageSession(t.app);
    await page.get(link);
    const refused = await page.post(link, { password: BREACHED }, link);
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('This password has appeared in a data breach; choose another');
    expect(await hashOf(invited.id)).toBeNull();
    const accepted = await page.post(link, { password: CLEAN }, link);
    expect(accepted.statusCode).toBe(200);
    expect(await hashOf(invited.id)).not.toBeNull();
  });

  it('refuses a breached password at reset, and accepts one not in the range', async () => {
    mode = 'up';
    const user = await t.user('caseworker');
    const before = await hashOf(user.id);
    const page = new PageSession(t.app);
    await page.post('/forgot-password', { email: user.email }, '/forgot-password');
    const link = await linkFor(user.email, '/reset-password');
    await page.get(link);
    const refused = await page.post(link, { password: BREACHED }, link);
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('This password has appeared in a data breach; choose another');
    expect(await hashOf(user.id)).toBe(before);
    const accepted = await page.post(link, { password: CLEAN }, link);
    expect(accepted.statusCode).toBe(200);
    expect(await hashOf(user.id)).not.toBe(before);
  });

  it('refuses a breached password at a password change', async () => {
    mode = 'up';
    const user = await t.user('caseworker');
    const before = await hashOf(user.id);
    await expect(
      t.app.services.users.changePassword(system, user.id, BREACHED),
    ).rejects.toMatchObject({
      statusCode: 400,
      fields: { password: 'This password has appeared in a data breach; choose another' },
    });
    expect(await hashOf(user.id)).toBe(before);
  });

  it('refuses a breached password for a user an admin adds with one (API and page)', async () => {
    mode = 'up';
    const email = `breach.added.${Date.now()}@opcc.test`;
    const api = await t.app.inject({
      method: 'POST',
      url: '/api/users',
      headers: bearer(adminToken),
      payload: { email, name: 'Ada Added', role: 'caseworker', password: BREACHED },
    });
    expect(api.statusCode).toBe(400);
    expect(api.json().error.fields).toEqual({
      password: 'This password has appeared in a data breach; choose another',
    });
    const page = await new PageSession(t.app).signIn(admin);
    const form = await page.post(
      '/admin/users',
      { name: 'Ada Added', email, role: 'caseworker', password: BREACHED },
      '/admin/users/new',
    );
    expect(form.statusCode).toBe(400);
    expect(form.body).toContain('This password has appeared in a data breach; choose another');
    expect((await t.db.sql`select 1 from users where email = ${email}`).length).toBe(0);
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/users',
      headers: bearer(adminToken),
      payload: { email, name: 'Ada Added', role: 'caseworker', password: CLEAN },
    });
    expect(created.statusCode, created.body).toBe(201);
  });

  it('accepts (fails open) when the service errors, drops the connection or is slower than 2 s, and logs a warning without the password or prefix', async () => {
    const user = await t.user('caseworker');
    for (const down of ['error', 'reset', 'hang'] as const) {
      mode = down;
      const before = await hashOf(user.id);
      const lines = logLines.length;
      const started = Date.now();
      await t.app.services.users.changePassword(system, user.id, BREACHED);
      if (down === 'hang') expect(Date.now() - started).toBeLessThan(5000);
      expect(await hashOf(user.id)).not.toBe(before);
      const logged = logLines.slice(lines).join('\n');
      expect(logged).toContain('Pwned Passwords check unavailable; password accepted without it');
      expect(logged).not.toContain(BREACHED);
      expect(logged).not.toContain(sha1(BREACHED).slice(0, 5));
      expect(logged.toLowerCase()).not.toContain(sha1(BREACHED).slice(0, 5).toLowerCase());
    }
    mode = 'up';
  });
});
