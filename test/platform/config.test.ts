import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../server/config.js';

const secret = 'x'.repeat(40);

describe('config', () => {
  it('defaults to the embedded setup with no environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      env: 'development',
      port: 3000,
      databaseUrl: undefined,
      redisUrl: undefined,
      smtpUrl: undefined,
      jwtSecretIsEphemeral: true,
    });
    expect(config.dataDir).toMatch(/data$/);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('refuses to start in production without its secrets and services, naming each variable', () => {
    const attempt = () => loadConfig({ NODE_ENV: 'production' });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (error) {
      const problems = (error as ConfigError).problems.join('\n');
      for (const name of ['JWT_SECRET', 'DATABASE_URL', 'REDIS_URL', 'SMTP_URL', 'CLAMD_URL'])
        expect(problems).toContain(name);
    }
    const ok = loadConfig({
      NODE_ENV: 'production',
      JWT_SECRET: secret,
      DATABASE_URL: 'postgres://db/opcc',
      REDIS_URL: 'redis://redis:6379',
      SMTP_URL: 'smtp://mail:25',
      CLAMD_URL: 'tcp://clamd:3310',
    });
    expect(ok.env).toBe('production');
    expect(ok.clamdUrl).toBe('tcp://clamd:3310');
  });

  it('names bad values clearly', () => {
    const problems = (() => {
      try {
        loadConfig({
          PORT: 'eighty',
          DATABASE_URL: 'mysql://x',
          JWT_SECRET: 'short',
          TRUST_PROXY: 'true',
        });
        return [];
      } catch (error) {
        return (error as ConfigError).problems;
      }
    })();
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining('PORT'),
        expect.stringContaining('DATABASE_URL must start with postgres:'),
        expect.stringContaining('JWT_SECRET must be at least 32 bytes'),
        expect.stringContaining('TRUST_PROXY'),
      ]),
    );
  });

  it('accepts a proxy address for TRUST_PROXY', () => {
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8' }).trustProxy).toBe('10.0.0.0/8');
  });

  it('PWNED_PASSWORDS_URL: the public API by default, off under NODE_ENV=test, off and http(s) only', () => {
    expect(loadConfig({}).pwnedPasswordsUrl).toBe('https://api.pwnedpasswords.com');
    expect(loadConfig({ NODE_ENV: 'test' }).pwnedPasswordsUrl).toBeUndefined();
    expect(loadConfig({ PWNED_PASSWORDS_URL: 'off' }).pwnedPasswordsUrl).toBeUndefined();
    expect(
      loadConfig({ NODE_ENV: 'test', PWNED_PASSWORDS_URL: 'http://127.0.0.1:9999' })
        .pwnedPasswordsUrl,
    ).toBe('http://127.0.0.1:9999');
    expect(() => loadConfig({ PWNED_PASSWORDS_URL: 'ftp://x' })).toThrow(
      /PWNED_PASSWORDS_URL must start with http: or https:/,
    );
  });
});
