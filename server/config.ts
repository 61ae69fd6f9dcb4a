import { hkdfSync, randomBytes } from 'node:crypto';
import path from 'node:path';
import { parseAllowList } from './lib/allow-list.js';

/**
 * The only reader of process.env. Everything else receives a frozen Config.
 * Validation names the bad variable so an operator can fix it without reading code.
 */
export interface Config {
  readonly env: 'development' | 'test' | 'production';
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  /** Folder of pg_dump/pg_restore for backups, when the ones on PATH are older than the server. */
  readonly pgBin: string | undefined;
  /** Absent: the embedded PostgreSQL under dataDir is used. */
  readonly databaseUrl: string | undefined;
  /**
   * DATABASE_SSL: TLS to PostgreSQL (docs/rules/security.md §4). `verify-full` checks the certificate
   * chain and host name, `require` encrypts without checking; written into `databaseUrl` as
   * `sslmode`, so every client (postgres.js, BullMQ's pg, pg_dump) uses it. Absent: whatever
   * DATABASE_URL says (plain by default).
   */
  readonly databaseSsl: 'require' | 'verify-full' | undefined;
  /** SMTP_REQUIRE_TLS=true: nodemailer `requireTLS`, no mail sent over a plain connection. */
  readonly smtpRequireTls: boolean;
  /**
   * API_DOCS: `public` serves /api/docs and /api/openapi.json to anyone (the default outside
   * production), `staff` serves /api/openapi.json to a Bearer token holder only (no UI),
   * `off` (the production default) serves neither. Production refuses `public` (§9 #32).
   */
  readonly apiDocs: 'public' | 'staff' | 'off';
  /**
   * DATABASE_ROLE: the role the application's connections take on (default `opcc_app`, made
   * by the migrations; `none`: the login's own). Migrations run as the login (the owner).
   */
  readonly databaseRole: string | undefined;
  /** Absent: BullMQ runs on its PostgreSQL backend in the same database. */
  readonly redisUrl: string | undefined;
  /** Absent: mail goes to the development mailbox in the database. */
  readonly smtpUrl: string | undefined;
  readonly imapUrl: string | undefined;
  /** The survey bounce mailbox (VERP DSNs, docs/rules/surveys.md §6); absent: bounce-poll does not run. */
  readonly bounceImapUrl: string | undefined;
  /**
   * clamd for virus-scanning uploads, `tcp://host:3310`. Absent (development only): files are
   * marked not virus-checked and downloadable with a warning.
   */
  readonly clamdUrl: string | undefined;
  /** Absent: no SMTP adapter for inbound email; set, the worker listens there for the relay. */
  readonly inboundSmtpPort: number | undefined;
  /**
   * WORKER_HEALTH_PORT: the worker serves GET /healthz there on HOST (reliability §7), for a
   * supervisor to restart a worker that stopped consuming. Absent: not served.
   */
  readonly workerHealthPort: number | undefined;
  /** WORKER_HEARTBEAT_SECONDS: how often the worker stamps worker_heartbeats (default 30). */
  readonly workerHeartbeatMs: number;
  readonly jwtSecret: string;
  readonly jwtSecretIsEphemeral: boolean;
  /** The signing key being rotated out (`JWT_PREVIOUS_SECRET`): verifies, never signs. */
  readonly jwtPreviousSecret: string | undefined;
  readonly mailFrom: string;
  readonly mailDomain: string;
  /** The polled mailbox: From and Reply-To of case replies, so answers come back to a case. */
  readonly mailboxAddress: string;
  readonly publicUrl: string;
  readonly adminEmail: string | undefined;
  readonly adminPassword: string | undefined;
  /** An IP/CIDR list of trusted proxies, or false. `true` and hop counts are refused. */
  readonly trustProxy: string | false;
  readonly logLevel: string;
  readonly queuePrefix: string;
  readonly officeName: string;
  /** Survey invitations: BullMQ limiter (null = no limit), worker concurrency, retry and lease (docs/rules/surveys.md §5). */
  readonly surveySend: {
    limit: { max: number; duration: number } | null;
    concurrency: number;
    retryDelayMs: number;
    leaseMs: number;
    /** How long a throttling answer (421, 4.7.x) pauses sending. */
    throttlePauseMs: number;
    /**
     * Deliveries per `survey-invite` job when no limit is set (default 50): one claim
     * statement and one job per batch. With a limit, one per job, so the limiter counts mails.
     */
    batchSize?: number;
    /**
     * Most survey emails sent per Europe/London day (Exchange Online allows 10,000
     * recipients a day); null or absent: no cap. Jobs past it wait for the next day.
     */
    dailyCap?: number | null;
  };
  /** The office's postal address, for the `office.address` merge field (may span lines). */
  readonly officeAddress: string;
  /** Addresses and CIDR ranges that may read /metrics without a token. */
  readonly metricsAllow: readonly string[];
  /**
   * Addresses the public rate limits never count: loopback only, and only under `BENCH=1`
   * (docs/rules/performance.md §2), so a benchmark's single client is not turned away as one visitor.
   */
  readonly rateLimitAllow: readonly string[];
  /** BENCH_HEAP_LOG: the soak's post-GC heap samples go to this file (docs/rules/performance.md §7). */
  readonly benchHeapLog: string | undefined;
  /** With `Authorization: Bearer <token>` any address may read /metrics. */
  readonly metricsToken: string | undefined;
  /**
   * Apply pending migrations at start-up (default outside production). In production
   * `npm run db:migrate` is its own step and a process finding the schema behind refuses
   * to start.
   */
  readonly migrateOnStart: boolean;
  /**
   * OUTBOX_RELAY_PAUSED=true: the worker hands nothing from the outbox to the queues (relay
   * and reconciler idle) until it is restarted without it. For maintenance, and for the
   * first start after a restore, when rows shown unsent may already have gone (reliability §8).
   */
  readonly outboxRelayPaused: boolean;
  /** Deadline of a surgery reminder's send (docs/rules/surgeries.md §6: 15 s); tests shorten it. */
  readonly surgeryReminderSendMs?: number;
  /** Request deadlines; the contract's (2 s reads, 5 s writes, 30 s slow) unless overridden. */
  readonly handlerTimeouts?: { readMs?: number; writeMs?: number; slowMs?: number };
  /**
   * Roles that must enrol TOTP before their first session. Every staff role in production
   * (docs/rules/security.md §2); outside production `MFA_REQUIRED_ROLES` (default none), so a local
   * copy can be used before an authenticator is at hand. Enrolled users always need a code.
   */
  readonly mfaRequiredRoles: readonly ('caseworker' | 'manager' | 'admin')[];
  /**
   * PWNED_PASSWORDS_URL: the Pwned Passwords range API new passwords are checked against
   * (docs/rules/security.md §2; default https://api.pwnedpasswords.com, `off` where there is
   * no egress; `off` by default under NODE_ENV=test). Unreachable or slow: passwords accepted.
   */
  readonly pwnedPasswordsUrl: string | undefined;
  /** 32-byte AES-256-GCM key for TOTP seeds (`MFA_ENCRYPTION_KEY`, else derived from JWT_SECRET). */
  readonly mfaKey: Buffer;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

type Env = Record<string, string | undefined>;

export function loadConfig(env: Env = process.env, overrides: Partial<Config> = {}): Config {
  const problems: string[] = [];
  const read = (name: string): string | undefined => {
    const value = env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  };

  const nodeEnv = read('NODE_ENV') ?? 'development';
  if (!['development', 'test', 'production'].includes(nodeEnv)) {
    problems.push(`NODE_ENV must be development, test or production (got "${nodeEnv}")`);
  }
  const production = nodeEnv === 'production';

  const port = Number(read('PORT') ?? '3000');
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    problems.push(`PORT must be a whole number from 0 to 65535 (got "${read('PORT')}")`);
  }

  const inboundSmtpRaw = read('INBOUND_SMTP_PORT');
  const inboundSmtpPort = inboundSmtpRaw === undefined ? undefined : Number(inboundSmtpRaw);
  if (
    inboundSmtpPort !== undefined &&
    (!Number.isInteger(inboundSmtpPort) || inboundSmtpPort < 0 || inboundSmtpPort > 65535)
  ) {
    problems.push(
      `INBOUND_SMTP_PORT must be a whole number from 0 to 65535 (got "${inboundSmtpRaw}")`,
    );
  }

  const healthRaw = read('WORKER_HEALTH_PORT');
  const workerHealthPort = healthRaw === undefined ? undefined : Number(healthRaw);
  if (
    workerHealthPort !== undefined &&
    (!Number.isInteger(workerHealthPort) || workerHealthPort < 0 || workerHealthPort > 65535)
  ) {
    problems.push(`WORKER_HEALTH_PORT must be a whole number from 0 to 65535 (got "${healthRaw}")`);
  }
  const heartbeatRaw = read('WORKER_HEARTBEAT_SECONDS');
  const heartbeatSeconds = Number(heartbeatRaw ?? '30');
  if (!Number.isInteger(heartbeatSeconds) || heartbeatSeconds < 1 || heartbeatSeconds > 60) {
    problems.push(
      `WORKER_HEARTBEAT_SECONDS must be a whole number from 1 to 60 (got "${heartbeatRaw}")`,
    );
  }

  const urlVar = (name: string, protocols: string[]): string | undefined => {
    const value = read(name);
    if (value === undefined) return undefined;
    try {
      const url = new URL(value);
      if (!protocols.includes(url.protocol)) {
        problems.push(`${name} must start with ${protocols.join(' or ')} (got "${url.protocol}")`);
      }
    } catch {
      problems.push(`${name} is not a valid URL`);
    }
    return value;
  };
  const databaseUrl = urlVar('DATABASE_URL', ['postgres:', 'postgresql:']);
  const databaseSslRaw = read('DATABASE_SSL');
  let databaseSsl: Config['databaseSsl'];
  let tlsDatabaseUrl = databaseUrl;
  if (databaseSslRaw !== undefined && databaseSslRaw !== 'disable') {
    if (databaseSslRaw !== 'require' && databaseSslRaw !== 'verify-full') {
      problems.push(
        `DATABASE_SSL must be verify-full, require or disable (got "${databaseSslRaw}")`,
      );
    } else if (databaseUrl === undefined) {
      problems.push('DATABASE_SSL needs DATABASE_URL (the embedded PostgreSQL has no TLS)');
    } else {
      databaseSsl = databaseSslRaw;
      try {
        const url = new URL(databaseUrl);
        const given = url.searchParams.get('sslmode') ?? url.searchParams.get('ssl');
        if (given !== null && given !== databaseSslRaw) {
          problems.push(
            `DATABASE_SSL=${databaseSslRaw} but DATABASE_URL says sslmode=${given}: remove one`,
          );
        }
        url.searchParams.delete('ssl');
        url.searchParams.set('sslmode', databaseSslRaw);
        tlsDatabaseUrl = url.toString();
      } catch {
        // DATABASE_URL's own problem is reported above.
      }
    }
  }
  const redisUrl = urlVar('REDIS_URL', ['redis:', 'rediss:']);
  const databaseRole = read('DATABASE_ROLE') ?? 'opcc_app';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(databaseRole))
    problems.push(
      `DATABASE_ROLE must be a role name like opcc_app, or none (got "${databaseRole}")`,
    );
  const smtpUrl = urlVar('SMTP_URL', ['smtp:', 'smtps:']);
  const smtpTlsRaw = read('SMTP_REQUIRE_TLS');
  if (smtpTlsRaw !== undefined && !['true', 'false'].includes(smtpTlsRaw)) {
    problems.push(`SMTP_REQUIRE_TLS must be true or false (got "${smtpTlsRaw}")`);
  }
  const smtpRequireTls = smtpTlsRaw === 'true';
  if (smtpRequireTls && smtpUrl === undefined) {
    problems.push('SMTP_REQUIRE_TLS needs SMTP_URL (the development mailbox sends nothing)');
  }
  if (
    smtpRequireTls &&
    smtpUrl !== undefined &&
    /[?&](ignoreTLS|requireTLS|secure)=/i.test(smtpUrl)
  ) {
    problems.push(
      'SMTP_REQUIRE_TLS=true: remove ignoreTLS, requireTLS and secure from SMTP_URL (use smtps:// for implicit TLS)',
    );
  }
  const imapUrl = urlVar('IMAP_URL', ['imap:', 'imaps:']);
  const bounceImapUrl = urlVar('BOUNCE_IMAP_URL', ['imap:', 'imaps:']);
  const clamdUrl = urlVar('CLAMD_URL', ['tcp:']);
  if (clamdUrl !== undefined && !/^tcp:\/\/[^/:]+:\d{1,5}\/?$/.test(clamdUrl)) {
    problems.push(`CLAMD_URL must be tcp://host:port, like tcp://clamd:3310 (got "${clamdUrl}")`);
  }
  const publicUrl = urlVar('PUBLIC_URL', ['http:', 'https:']);
  const pwnedRaw =
    read('PWNED_PASSWORDS_URL') ?? (nodeEnv === 'test' ? 'off' : 'https://api.pwnedpasswords.com');
  const pwnedPasswordsUrl =
    pwnedRaw === 'off'
      ? undefined
      : (urlVar('PWNED_PASSWORDS_URL', ['http:', 'https:']) ?? pwnedRaw);

  let jwtSecret = read('JWT_SECRET');
  const jwtSecretIsEphemeral = jwtSecret === undefined;
  if (jwtSecret !== undefined && Buffer.byteLength(jwtSecret) < 32) {
    problems.push('JWT_SECRET must be at least 32 bytes (use `openssl rand -hex 32`)');
  }
  const jwtPreviousSecret = read('JWT_PREVIOUS_SECRET');
  if (jwtPreviousSecret !== undefined && Buffer.byteLength(jwtPreviousSecret) < 32) {
    problems.push('JWT_PREVIOUS_SECRET must be at least 32 bytes');
  }
  if (production) {
    for (const name of ['JWT_SECRET', 'DATABASE_URL', 'REDIS_URL', 'SMTP_URL', 'CLAMD_URL']) {
      if (read(name) === undefined) problems.push(`${name} is required when NODE_ENV=production`);
    }
  }
  if (production) {
    // No default accounts (docs/rules/security.md §2): the first admin comes from `admin:create`.
    for (const name of ['ADMIN_EMAIL', 'ADMIN_PASSWORD']) {
      if (read(name) !== undefined)
        problems.push(
          `${name} is not used in production: create the first admin with \`npm run admin:create -- --email <address> --name <name>\``,
        );
    }
  }
  // Outside production a fresh random secret per process is safe: it only signs out staff on restart.
  jwtSecret ??= randomBytes(32).toString('hex');

  const apiDocsRaw = read('API_DOCS') ?? (production ? 'off' : 'public');
  if (!['public', 'staff', 'off'].includes(apiDocsRaw)) {
    problems.push(`API_DOCS must be public, staff or off (got "${apiDocsRaw}")`);
  } else if (production && apiDocsRaw === 'public') {
    // docs/rules/security.md §9 #32: production boot fails with public docs.
    problems.push('API_DOCS=public is refused in production: use staff or off');
  }

  const trustProxyRaw = read('TRUST_PROXY');
  let trustProxy: string | false = false;
  if (trustProxyRaw !== undefined && trustProxyRaw !== 'false') {
    // Fastify 5 dropped safe hop-count trust; `true` would let anyone forge X-Forwarded-For.
    if (trustProxyRaw === 'true' || /^\d+$/.test(trustProxyRaw)) {
      problems.push('TRUST_PROXY must name the proxy IP or CIDR, not true or a hop count');
    } else {
      trustProxy = trustProxyRaw;
    }
  }

  const mailFrom = read('MAIL_FROM') ?? 'OPCC casework <casework@opcc.example.gov.uk>';
  const mailDomain =
    read('MAIL_DOMAIN') ?? /@([^>\s]+)/.exec(mailFrom)?.[1] ?? 'opcc.example.gov.uk';

  const mailboxAddress =
    read('MAILBOX_ADDRESS') ?? /<([^>]+)>/.exec(mailFrom)?.[1] ?? mailFrom.trim();
  if (!/^[^\s@<>()",;:]+@[^\s@<>()",;:]+$/.test(mailboxAddress)) {
    problems.push(
      `MAILBOX_ADDRESS must be a bare email address, like casework@example.gov.uk (got "${mailboxAddress}")`,
    );
  }

  // SURVEY_SEND_LIMIT "max/durationMs" (default 30 a minute, Exchange Online's limit); "off" for none.
  const sendLimitRaw = read('SURVEY_SEND_LIMIT') ?? '30/60000';
  const sendLimitMatch = /^(\d+)\/(\d+)$/.exec(sendLimitRaw);
  if (sendLimitRaw !== 'off' && !sendLimitMatch)
    problems.push(
      `SURVEY_SEND_LIMIT must be max/durationMs like 30/60000, or off (got "${sendLimitRaw}")`,
    );
  // SURVEY_DAILY_CAP: emails a London day (default 10000, Exchange Online's limit); "off" for none.
  const dailyCapRaw = read('SURVEY_DAILY_CAP') ?? '10000';
  if (dailyCapRaw !== 'off' && !/^[1-9]\d*$/.test(dailyCapRaw))
    problems.push(`SURVEY_DAILY_CAP must be a whole number or off (got "${dailyCapRaw}")`);
  const surveySend = {
    limit: sendLimitMatch
      ? { max: Number(sendLimitMatch[1]), duration: Number(sendLimitMatch[2]) }
      : null,
    concurrency: Number(read('SURVEY_SEND_CONCURRENCY') ?? '1') || 1,
    retryDelayMs: 30_000,
    leaseMs: 10 * 60_000,
    throttlePauseMs: 60_000,
    batchSize: Number(read('SURVEY_SEND_BATCH') ?? '50') || 50,
    dailyCap: dailyCapRaw === 'off' ? null : Number(dailyCapRaw),
  };
  const metricsAllow = (read('METRICS_ALLOW') ?? '127.0.0.1,::1')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  const badAllow = parseAllowList(metricsAllow).bad;
  if (badAllow.length > 0) {
    problems.push(
      `METRICS_ALLOW must be a comma-separated list of addresses or CIDR ranges (got "${badAllow.join(', ')}")`,
    );
  }
  const metricsToken = read('METRICS_TOKEN');
  if (metricsToken !== undefined && Buffer.byteLength(metricsToken) < 16) {
    problems.push('METRICS_TOKEN must be at least 16 bytes (use `openssl rand -hex 16`)');
  }

  const migrateRaw = read('MIGRATE_ON_START');
  if (migrateRaw !== undefined && !['true', 'false'].includes(migrateRaw)) {
    problems.push(`MIGRATE_ON_START must be true or false (got "${migrateRaw}")`);
  }
  const migrateOnStart = migrateRaw === undefined ? !production : migrateRaw === 'true';

  const pausedRaw = read('OUTBOX_RELAY_PAUSED');
  if (pausedRaw !== undefined && !['true', 'false'].includes(pausedRaw)) {
    problems.push(`OUTBOX_RELAY_PAUSED must be true or false (got "${pausedRaw}")`);
  }
  const staffRoles = ['caseworker', 'manager', 'admin'] as const;
  const mfaRaw = read('MFA_REQUIRED_ROLES') ?? 'none';
  const mfaListed = mfaRaw === 'none' ? [] : mfaRaw.split(',').map((r) => r.trim());
  const mfaUnknown = mfaListed.filter((r) => !(staffRoles as readonly string[]).includes(r));
  if (mfaUnknown.length > 0)
    problems.push(
      `MFA_REQUIRED_ROLES must be none or a list of caseworker, manager, admin (got "${mfaRaw}")`,
    );
  const mfaRequiredRoles = production
    ? staffRoles
    : staffRoles.filter((role) => mfaListed.includes(role));
  const mfaKeyRaw = read('MFA_ENCRYPTION_KEY');
  if (mfaKeyRaw !== undefined && !/^[0-9a-f]{64}$/i.test(mfaKeyRaw))
    problems.push('MFA_ENCRYPTION_KEY must be 64 hex digits (use `openssl rand -hex 32`)');

  if (problems.length > 0) throw new ConfigError(problems);

  return Object.freeze({
    env: nodeEnv as Config['env'],
    port,
    host: read('HOST') ?? '127.0.0.1',
    dataDir: path.resolve(read('DATA_DIR') ?? './data'),
    pgBin: read('PG_BIN'),
    databaseUrl: tlsDatabaseUrl,
    databaseSsl,
    smtpRequireTls,
    apiDocs: apiDocsRaw as Config['apiDocs'],
    databaseRole: databaseRole === 'none' ? undefined : databaseRole,
    redisUrl,
    smtpUrl,
    imapUrl,
    bounceImapUrl,
    clamdUrl,
    inboundSmtpPort,
    workerHealthPort,
    workerHeartbeatMs: heartbeatSeconds * 1000,
    jwtSecret,
    jwtSecretIsEphemeral,
    jwtPreviousSecret,
    mailFrom,
    mailDomain,
    mailboxAddress,
    publicUrl: (publicUrl ?? `http://localhost:${port}`).replace(/\/$/, ''),
    adminEmail: read('ADMIN_EMAIL'),
    adminPassword: read('ADMIN_PASSWORD'),
    trustProxy,
    logLevel: read('LOG_LEVEL') ?? (nodeEnv === 'test' ? 'silent' : 'info'),
    queuePrefix: read('QUEUE_PREFIX') ?? 'opcc',
    surveySend,
    officeName: read('OFFICE_NAME') ?? 'Office of the Police and Crime Commissioner',
    // `\n` in the variable starts a new line (compose files and .env cannot hold real ones).
    officeAddress: (
      read('OFFICE_ADDRESS') ?? 'Police Headquarters\nCentral Street\nExampletown\nEX1 1AA'
    ).replace(/\\n/g, '\n'),
    metricsAllow,
    rateLimitAllow: read('BENCH') === '1' ? ['127.0.0.1', '::1', '::ffff:127.0.0.1'] : [],
    benchHeapLog: read('BENCH_HEAP_LOG'),
    metricsToken,
    migrateOnStart,
    outboxRelayPaused: pausedRaw === 'true',
    mfaRequiredRoles,
    pwnedPasswordsUrl,
    // Its own key so rotating the JWT keys never strands the seeds; derived only as a fallback.
    mfaKey: mfaKeyRaw
      ? Buffer.from(mfaKeyRaw, 'hex')
      : Buffer.from(hkdfSync('sha256', jwtSecret, 'opcc', 'mfa seed key', 32)),
    ...overrides,
  });
}
