import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { StartupError } from '../../db/errors.js';
import { openRuntime } from '../../server/bootstrap.js';
import { loadConfig } from '../../server/config.js';
import { announceFirstAdmin } from '../../server/main.js';
import { useTestApp } from '../helpers/fixture.js';
import { baseEnv, runScript } from '../helpers/app-process.js';
import { PageSession } from '../helpers/auth.js';

/** docs/rules/security.md §2 "No default accounts; the first admin comes from a CLI"; §9 #6. */
const t = useTestApp();

const PASSWORD = 'the first admin chose this passphrase';

/** The variables a production process of this test's app would have. */
const productionEnv = () => ({
  NODE_ENV: 'production',
  JWT_SECRET: t.config.jwtSecret,
  DATABASE_URL: t.databaseUrl,
  REDIS_URL: inject('redisUrl') ?? 'redis://127.0.0.1:6379',
  SMTP_URL: t.sink.url,
  CLAMD_URL: 'tcp://127.0.0.1:3310',
  PUBLIC_URL: t.config.publicUrl,
  QUEUE_PREFIX: t.config.queuePrefix,
});

/** A production start-up against this test's database: resolves once open, then closes. */
async function productionBoot(): Promise<void> {
  const runtime = await openRuntime(loadConfig(productionEnv()), () => undefined);
  await runtime.close();
}

function adminCreate(args: string[]) {
  const script = path.resolve(import.meta.dirname, '../../scripts/admin-create.ts');
  return runScript(script, args, baseEnv(productionEnv()));
}

const linkOf = (output: string) => {
  const match = /https?:\/\/[^/\s]+(\/activate\/[A-Za-z0-9_-]{43})\s/.exec(output);
  expect(match, `an activation link in:\n${output}`).not.toBeNull();
  return match![1]!;
};

describe('security checklist 6: production boot fails while a default account exists', () => {
  it('never generates an admin in production, and ADMIN_EMAIL / ADMIN_PASSWORD are refused there', async () => {
    expect(() => loadConfig({ ...productionEnv(), ADMIN_PASSWORD: 'x'.repeat(20) })).toThrow(
      /ADMIN_PASSWORD is not used in production: create the first admin with `npm run admin:create/,
    );
    expect(() => loadConfig({ ...productionEnv(), ADMIN_EMAIL: 'a@b.example' })).toThrow(
      /ADMIN_EMAIL is not used in production/,
    );
    await announceFirstAdmin(t.app.services.users, { env: 'production' });
    expect(await t.app.services.users.list()).toEqual([]);
    // With no user at all production starts (nobody can sign in until admin:create).
    await expect(productionBoot()).resolves.toBeUndefined();
  });

  it('refuses to start beside the generated development admin, naming it and the command', async () => {
    // What an embedded development copy made on its first start.
    const generated = await t.app.services.users.ensureFirstAdmin(undefined, undefined);
    expect(generated?.password).toBeDefined();
    expect(await t.app.services.users.defaultAccounts()).toEqual([
      { id: expect.any(String), email: 'admin@opcc.example.gov.uk' },
    ]);
    const refusal = productionBoot();
    await expect(refusal).rejects.toBeInstanceOf(StartupError);
    await expect(refusal).rejects.toThrow(
      /Refusing to start in production: 1 default account\(s\).*admin@opcc\.example\.gov\.uk.*npm run admin:create/,
    );
  });

  it('admin:create prints a one-time activation link (no password), disables default accounts, and then production starts', async () => {
    const run = adminCreate([
      '--email',
      'Ada.Admin@opcc.test',
      '--name',
      'Ada Admin',
      '--disable-default-accounts',
    ]);
    expect((await run.exited()).code, run.output()).toBe(0);
    const output = run.output();
    expect(output).toContain('Admin created: ada.admin@opcc.test (Ada Admin)');
    expect(output).toContain('Default account disabled: admin@opcc.example.gov.uk');
    expect(output).not.toMatch(/password:/i);
    const link = linkOf(output);
    expect(await t.app.services.users.defaultAccounts()).toEqual([]);
    await expect(productionBoot()).resolves.toBeUndefined();

    // Nothing signs in before the link is used; the link is the invite flow's, single use.
    const early = await t.app.inject({
      method: 'POST',
      url: '/api/auth/token',
      payload: { email: 'ada.admin@opcc.test', password: PASSWORD },
    });
    expect(early.statusCode).toBe(401);
    const page = new PageSession(t.app);
    expect((await page.get(link)).body).toContain('Set your password');
    expect((await page.post(link, { password: PASSWORD }, link)).statusCode).toBe(200);
    expect((await page.post(link, { password: PASSWORD }, '/sign-in')).statusCode).toBe(400);
    const signIn = await page.post(
      '/sign-in',
      { email: 'ada.admin@opcc.test', password: PASSWORD },
      '/sign-in',
    );
    expect(signIn.statusCode).toBe(303);
    const [audit] = await t.db.sql<{ actor_role: string }[]>`
      select a.actor_role from audit_events a join users u on a.subject_id = u.id::text
      where u.email = 'ada.admin@opcc.test' and a.action = 'user.invite'`;
    expect(audit!.actor_role).toBe('system');
  }, 120_000);

  it('admin:create refuses a second first admin (exit 1) and a missing --name (usage, exit 2)', async () => {
    const again = adminCreate(['--email', 'second@opcc.test', '--name', 'Second Admin']);
    expect((await again.exited()).code).toBe(1);
    expect(again.output()).toContain('An admin exists already (ada.admin@opcc.test)');
    expect(again.output()).not.toContain('/activate/');
    const usage = adminCreate(['--email', 'x@opcc.test']);
    expect((await usage.exited()).code).toBe(2);
    expect(usage.output()).toContain('Usage: npm run admin:create');
  }, 180_000);

  it('a demo-seeded account (password set by the system) also blocks production until its owner resets the password', async () => {
    const seeded = await t.app.services.users.create(
      { id: null, role: 'system', requestId: null },
      {
        email: 'seeded@opcc.test',
        name: 'Seeded Person',
        role: 'caseworker',
        password: 'demo passphrase for opcc casework',
      },
    );
    await expect(productionBoot()).rejects.toThrow(/seeded@opcc\.test/);
    await t.app.services.links.requestReset('seeded@opcc.test', {
      id: null,
      role: null,
      requestId: null,
    });
    const [row] = await t.db.sql<{ text_body: string; id: string }[]>`
      select id, text_body from email_messages where "to" = 'seeded@opcc.test' order by created_at desc limit 1`;
    const before = t.sink.messages.length;
    expect(await t.app.services.mail.send(row!.id)).toBe('sent');
    const [caught] = (await t.sink.waitFor(before + 1)).slice(before);
    const reset = /(\/reset-password\/[A-Za-z0-9_-]{43})/.exec(caught!.parsed.text ?? '')![1]!;
    const owner = new PageSession(t.app);
    expect((await owner.post(reset, { password: PASSWORD }, reset)).statusCode).toBe(200);
    expect(seeded.email).toBe('seeded@opcc.test');
    await expect(productionBoot()).resolves.toBeUndefined();
  });
});
