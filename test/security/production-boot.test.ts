import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { describe, expect, inject, it } from 'vitest';
import { createDb } from '../../db/client.js';
import { StartupError } from '../../db/errors.js';
import { buildApp } from '../../server/app.js';
import { ConfigError, loadConfig, type Config } from '../../server/config.js';
import { createMailTransport } from '../../server/mail/transport.js';
import { useTestApp } from '../helpers/fixture.js';
import { bearer, createUser } from '../helpers/auth.js';
import { enrolMfa, totpCode } from '../helpers/mfa.js';

/** docs/rules/security.md §4 (TLS to PostgreSQL and SMTP), §9 #32 (production boot refusals). */
const t = useTestApp();

const productionEnv = (): Record<string, string> => ({
  NODE_ENV: 'production',
  JWT_SECRET: t.config.jwtSecret,
  DATABASE_URL: t.databaseUrl,
  REDIS_URL: inject('redisUrl') ?? 'redis://127.0.0.1:6379',
  SMTP_URL: t.sink.url,
  CLAMD_URL: 'tcp://127.0.0.1:3310',
  QUEUE_PREFIX: t.config.queuePrefix,
});

/** The problems a production configuration is refused for, or [] when it loads. */
function refusals(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    return (error as ConfigError).problems;
  }
}

/** This test's app rebuilt with a production configuration (same database and mail sink). */
const productionApp = (config: Config) =>
  buildApp({
    config: { ...config, logLevel: 'silent' },
    db: t.db,
    queues: t.queues,
    mailTransport: createMailTransport(config.smtpUrl, t.db.db),
    clock: t.clock,
  });

describe('security checklist 32: production boot fails: zero requestTimeout/handlerTimeout, public docs, PGlite, dev mailbox, short secret', () => {
  it('refuses each one, naming the setting', async () => {
    expect(refusals(productionEnv())).toEqual([]);
    // Public API docs.
    expect(refusals({ ...productionEnv(), API_DOCS: 'public' })).toEqual([
      'API_DOCS=public is refused in production: use staff or off',
    ]);
    // The embedded database (this app's PGlite-like default) and the development mailbox.
    expect(refusals({ ...productionEnv(), DATABASE_URL: undefined })).toEqual([
      'DATABASE_URL is required when NODE_ENV=production',
    ]);
    expect(refusals({ ...productionEnv(), SMTP_URL: undefined })).toEqual([
      'SMTP_URL is required when NODE_ENV=production',
    ]);
    // A short secret.
    expect(refusals({ ...productionEnv(), JWT_SECRET: 'x'.repeat(31) })).toEqual([
      'JWT_SECRET must be at least 32 bytes (use `openssl rand -hex 32`)',
    ]);
    // Zero handler timeouts (settable only in code): the app refuses to build.
    const zero = loadConfig(productionEnv(), { handlerTimeouts: { readMs: 0, writeMs: 5000 } });
    const refused = productionApp(zero);
    await expect(refused).rejects.toBeInstanceOf(StartupError);
    await expect(refused).rejects.toThrow(/handler timeouts switched off: readMs/);
    // The HTTP server's own request timeout is fixed and non-zero.
    const app = await productionApp(loadConfig(productionEnv()));
    try {
      expect(app.server.requestTimeout).toBe(30_000);
    } finally {
      await app.close();
    }
  });
});

describe('API docs in production', () => {
  it('are off by default: /api/docs and /api/openapi.json answer 404', async () => {
    const config = loadConfig(productionEnv());
    expect(config.apiDocs).toBe('off');
    const app = await productionApp(config);
    try {
      for (const url of ['/api/docs', '/api/docs/', '/api/docs/json', '/api/openapi.json'])
        expect((await app.inject({ method: 'GET', url })).statusCode, url).toBe(404);
    } finally {
      await app.close();
    }
  });

  it('API_DOCS=staff serves the OpenAPI JSON to a staff Bearer token only, and no browsable UI', async () => {
    const app = await productionApp(loadConfig({ ...productionEnv(), API_DOCS: 'staff' }));
    try {
      await app.ready();
      const anonymous = await app.inject({ method: 'GET', url: '/api/openapi.json' });
      expect(anonymous.statusCode).toBe(401);
      const user = await createUser(app, 'caseworker');
      const { secret } = await enrolMfa(app, t.clock, user.id);
      t.clock.advance(30_000);
      const token = await app.inject({
        method: 'POST',
        url: '/api/auth/token',
        payload: {
          email: user.email,
          password: user.password,
          otp: await totpCode(secret, t.clock),
        },
      });
      expect(token.statusCode).toBe(200);
      const spec = await app.inject({
        method: 'GET',
        url: '/api/openapi.json',
        headers: bearer(token.json<{ token: string }>().token),
      });
      expect(spec.statusCode).toBe(200);
      expect(spec.json().openapi).toMatch(/^3\./);
      expect((await app.inject({ method: 'GET', url: '/api/docs/' })).statusCode).toBe(404);
    } finally {
      await app.close();
    }
  });

  it('stay public outside production (development reference)', () => {
    expect(loadConfig({}).apiDocs).toBe('public');
    expect(refusals({ API_DOCS: 'everyone' })).toEqual([
      'API_DOCS must be public, staff or off (got "everyone")',
    ]);
  });
});

describe('TLS to PostgreSQL (DATABASE_SSL)', () => {
  it('writes sslmode into the URL every client uses, and checks the setting', () => {
    const full = loadConfig({ ...productionEnv(), DATABASE_SSL: 'verify-full' });
    expect(full.databaseSsl).toBe('verify-full');
    expect(new URL(full.databaseUrl!).searchParams.get('sslmode')).toBe('verify-full');
    expect(loadConfig(productionEnv()).databaseSsl).toBeUndefined();
    expect(refusals({ ...productionEnv(), DATABASE_SSL: 'yes' })).toEqual([
      'DATABASE_SSL must be verify-full, require or disable (got "yes")',
    ]);
    expect(refusals({ DATABASE_SSL: 'require' })).toEqual([
      'DATABASE_SSL needs DATABASE_URL (the embedded PostgreSQL has no TLS)',
    ]);
    expect(
      refusals({
        ...productionEnv(),
        DATABASE_URL: `${t.databaseUrl}?sslmode=disable`,
        DATABASE_SSL: 'verify-full',
      }),
    ).toEqual(['DATABASE_SSL=verify-full but DATABASE_URL says sslmode=disable: remove one']);
  });

  it('refuses to talk to a PostgreSQL without TLS when required; connects without the setting', async () => {
    // The test PostgreSQL has ssl = off: a required TLS connection must fail, not fall back.
    for (const mode of ['require', 'verify-full']) {
      const config = loadConfig({ ...productionEnv(), DATABASE_SSL: mode });
      const client = createDb(config.databaseUrl!, { max: 1 });
      try {
        await expect(client.sql`select 1 as one`, mode).rejects.toThrow(/SSL|TLS/);
      } finally {
        await client.close();
      }
    }
    const plain = createDb(loadConfig(productionEnv()).databaseUrl!, { max: 1 });
    try {
      expect(await plain.sql`select 1 as one`).toEqual([{ one: 1 }]);
    } finally {
      await plain.close();
    }
  });
});

describe('TLS to the SMTP relay (SMTP_REQUIRE_TLS)', () => {
  const message = {
    from: 'casework@opcc.test',
    to: 'someone@opcc.test',
    subject: 'TLS check',
    text: 'Hello',
  };

  it('fails a send to a relay without STARTTLS rather than sending in clear', async () => {
    const config = loadConfig({ ...productionEnv(), SMTP_REQUIRE_TLS: 'true' });
    expect(config.smtpRequireTls).toBe(true);
    const before = t.sink.messages.length;
    const strict = createMailTransport(config.smtpUrl, t.db.db, { requireTLS: true });
    try {
      await expect(strict.transporter.sendMail(message)).rejects.toThrow(/STARTTLS/i);
    } finally {
      strict.close();
    }
    // The same relay takes the mail when TLS is not required (the sink offers no STARTTLS).
    const relaxed = createMailTransport(config.smtpUrl, t.db.db);
    try {
      await relaxed.transporter.sendMail(message);
    } finally {
      relaxed.close();
    }
    expect((await t.sink.waitFor(before + 1)).length).toBe(before + 1);
  });

  it('sends over STARTTLS when the relay offers it', async () => {
    const secure: boolean[] = [];
    const relay = new SMTPServer({
      authOptional: true,
      logger: false,
      onData(stream, session, callback) {
        secure.push(session.secure);
        stream.resume();
        stream.on('end', () => callback());
      },
    });
    relay.listen(0, '127.0.0.1');
    await once(relay.server, 'listening');
    const port = (relay.server.address() as AddressInfo).port;
    // The relay's certificate is smtp-server's self-signed one, trusted here by the URL.
    const config = loadConfig({
      ...productionEnv(),
      SMTP_URL: `smtp://127.0.0.1:${port}/?tls.rejectUnauthorized=false`,
      SMTP_REQUIRE_TLS: 'true',
    });
    const transport = createMailTransport(config.smtpUrl, t.db.db, {
      requireTLS: config.smtpRequireTls,
    });
    try {
      await transport.transporter.sendMail(message);
      expect(secure).toEqual([true]);
    } finally {
      transport.close();
      await new Promise<void>((resolve) => relay.close(() => resolve()));
    }
  });

  it('checks the setting', () => {
    expect(refusals({ SMTP_REQUIRE_TLS: 'true' })).toEqual([
      'SMTP_REQUIRE_TLS needs SMTP_URL (the development mailbox sends nothing)',
    ]);
    expect(
      refusals({
        ...productionEnv(),
        SMTP_URL: 'smtp://relay:25/?ignoreTLS=true',
        SMTP_REQUIRE_TLS: 'true',
      }),
    ).toEqual([
      'SMTP_REQUIRE_TLS=true: remove ignoreTLS, requireTLS and secure from SMTP_URL (use smtps:// for implicit TLS)',
    ]);
    expect(refusals({ ...productionEnv(), SMTP_REQUIRE_TLS: 'yes' })).toEqual([
      'SMTP_REQUIRE_TLS must be true or false (got "yes")',
    ]);
  });
});
