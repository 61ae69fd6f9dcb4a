import { createHmac } from 'node:crypto';
import { normalizeIP } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Redis } from 'ioredis';
import type postgres from 'postgres';
import { AppError } from './errors.js';

/**
 * Rate limits (docs/rules/security.md §6). Counters live in one store every web process shares: Redis
 * when REDIS_URL is set, else PostgreSQL (the embedded default has no Redis), so a visitor
 * gets the limit once, not once per process. If that store fails:
 *
 * - sign-in, MFA and password reset fail closed with 503 (`whenStoreDown: 'refuse'`);
 * - public forms and every other route fall back to a counter in this process.
 */

/** One counter: hits in the current window and the window's remaining time. */
export interface Counted {
  current: number;
  ttl: number;
}

export interface CounterBackend {
  readonly kind: 'redis' | 'postgres' | 'memory';
  incr(key: string, windowMs: number): Promise<Counted>;
}

/** The window starts with the first hit and is not extended by later ones (fixed window). */
const REDIS_INCR = `
local current = redis.call('INCR', KEYS[1])
if current == 1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  return {current, tonumber(ARGV[1])}
end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {current, ttl}
`;

export function redisCounters(redis: Redis, nameSpace: string): CounterBackend {
  return {
    kind: 'redis',
    async incr(key, windowMs) {
      const [current, ttl] = (await redis.eval(REDIS_INCR, 1, `${nameSpace}${key}`, windowMs)) as [
        number,
        number,
      ];
      return { current, ttl };
    },
  };
}

/**
 * Counters in `rate_limit_counters` (an UNLOGGED table: a crash may reset them, which only
 * forgives some visitors early). One statement per hit, timed by the database's clock so
 * every process agrees on the window.
 */
export function postgresCounters(sql: postgres.Sql): CounterBackend {
  return {
    kind: 'postgres',
    async incr(key, windowMs) {
      const [row] = await sql<{ hits: number; ttl: number }[]>`
        insert into rate_limit_counters as c (key, hits, expires_at)
        values (${key}, 1, clock_timestamp() + ${windowMs}::int * interval '1 millisecond')
        on conflict (key) do update set
          hits = case when c.expires_at <= clock_timestamp() then 1 else c.hits + 1 end,
          expires_at = case when c.expires_at <= clock_timestamp()
                            then excluded.expires_at else c.expires_at end
        returning hits,
          greatest(0, ceil(extract(epoch from (expires_at - clock_timestamp())) * 1000))::int as ttl`;
      return { current: row!.hits, ttl: row!.ttl };
    },
  };
}

/** This process's own counters: the fallback while the shared store is down, and for tests. */
export function memoryCounters(maxKeys = 20_000): CounterBackend {
  const counters = new Map<string, { hits: number; endsAt: number }>();
  return {
    kind: 'memory',
    async incr(key, windowMs) {
      const now = Date.now();
      let entry = counters.get(key);
      if (!entry || entry.endsAt <= now) {
        if (entry) counters.delete(key);
        entry = { hits: 0, endsAt: now + windowMs };
        if (counters.size >= maxKeys) {
          // Expired first; failing that, the oldest window goes (Map keeps insertion order).
          for (const [k, v] of counters) if (v.endsAt <= now) counters.delete(k);
          if (counters.size >= maxKeys) counters.delete(counters.keys().next().value!);
        }
        counters.set(key, entry);
      }
      entry.hits += 1;
      return { current: entry.hits, ttl: entry.endsAt - now };
    },
  };
}

export const STORE_DOWN = () =>
  new AppError(
    503,
    'unavailable',
    'Signing in is unavailable for a moment. Try again in a few minutes.',
  );

/** The fields a route's `config.rateLimit` adds to @fastify/rate-limit's own. */
export interface LimitGroup {
  /** Routes naming the same bucket share one count (a form's page and API, say). */
  bucket: string;
  max: number;
  timeWindow: number;
  /** 'refuse': 503 while the shared store is down; 'in-process': count in this process. */
  whenStoreDown?: 'refuse' | 'in-process';
}

type StoreParams = {
  bucket?: string;
  whenStoreDown?: 'refuse' | 'in-process';
  routeInfo?: { method?: string; url?: string };
};
type Callback = (error: Error | null, result?: Counted) => void;

/**
 * A store class for @fastify/rate-limit's `store` option. Its `child` (one per route with
 * its own limit) keys by bucket, so routes of one bucket share a count, where the plugin's
 * stores key by method and URL.
 */
export function limiterStore(options: {
  shared: CounterBackend;
  local: CounterBackend;
  onFallback?: (error: unknown) => void;
}) {
  const { shared, local } = options;
  return class LimiterStore {
    private readonly prefix: string;
    private readonly refuse: boolean;
    // The plugin passes its merged options (ours included: bucket, whenStoreDown).
    constructor(options: object = {}) {
      const params = options as StoreParams;
      const info = params.routeInfo;
      this.prefix = `${params.bucket ?? (info?.url ? `${info.method}${info.url}` : 'general')}:`;
      this.refuse = params.whenStoreDown === 'refuse';
    }

    incr(key: string, callback: Callback, timeWindow: number) {
      const full = this.prefix + key;
      shared.incr(full, timeWindow).then(
        (result) => callback(null, result),
        (error: unknown) => {
          if (shared.kind !== 'memory') options.onFallback?.(error);
          if (this.refuse) return callback(STORE_DOWN());
          local.incr(full, timeWindow).then(
            (result) => callback(null, result),
            (e: unknown) => callback(e as Error),
          );
        },
      );
    }

    child(routeOptions: object) {
      return new LimiterStore(routeOptions);
    }
  };
}

export const ipKey = (request: FastifyRequest) => `ip:${normalizeIP(request.ip)}`;

/** Public forms (§6): per IP, one bucket each across the page and the API. */
export const FORM_LIMITS = {
  contact: { bucket: 'contact', max: 5, timeWindow: 10 * 60_000, keyGenerator: ipKey },
  booking: { bucket: 'booking', max: 10, timeWindow: 10 * 60_000, keyGenerator: ipKey },
  survey: { bucket: 'survey', max: 20, timeWindow: 10 * 60_000, keyGenerator: ipKey },
} satisfies Record<string, LimitGroup & { keyGenerator: typeof ipKey }>;

/** Every other route (§6): 600 a minute per member of staff, 300 per address otherwise. */
export const GENERAL_LIMIT = { staff: 600, visitor: 300, timeWindow: 60_000 };

/**
 * Sign-in, MFA and reset (§6): per account and address, counted after the body is read.
 * Every attempt counts (the §2 lock counts failures: 10 per account, 30 per address, in the
 * database); 30 attempts per account and address in 15 minutes bounds the work an address
 * can ask for, well above the lock so the lock (and its email) comes first.
 */
export const ACCOUNT_LIMIT = { max: 30, timeWindow: 15 * 60_000 };

/**
 * The account a sign-in, code or reset request is about: the staff member signed in, the
 * email typed, the link's token, or the user of the pending MFA token. Kept as an HMAC so
 * the store never holds an email address.
 */
export function accountKeyGenerator(secret: string, mfaCookie: string) {
  const key = createHmac('sha256', secret).update('opcc rate-limit account').digest();
  const pseudonym = (value: string) =>
    createHmac('sha256', key).update(value).digest('base64url').slice(0, 22);
  return (request: FastifyRequest) => {
    const body = request.body as Record<string, unknown> | undefined;
    const params = request.params as Record<string, unknown> | undefined;
    let account = 'none';
    if (request.staff) account = `user:${request.staff.id}`;
    else if (typeof body?.email === 'string') account = `email:${body.email.trim().toLowerCase()}`;
    else if (typeof params?.token === 'string') account = `link:${params.token}`;
    else {
      const pending = request.cookies?.[mfaCookie];
      // Unverified here: a forged token gets no code checked (the route verifies it), so
      // forging one only spreads the forger's own attempts.
      const sub = pending ? subjectOf(pending) : undefined;
      if (sub) account = `user:${sub}`;
    }
    return `${pseudonym(account)}:${normalizeIP(request.ip)}`;
  };
}

function subjectOf(jwt: string): string | undefined {
  try {
    const payload = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString()) as {
      sub?: unknown;
    };
    return typeof payload.sub === 'string' ? payload.sub : undefined;
  } catch {
    return undefined;
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The account-and-address key of sign-in, MFA and reset limits (security plugin). */
    accountRateKey: (request: FastifyRequest) => string;
  }
}

/** The `config.rateLimit` of sign-in, MFA and reset routes. */
export function accountLimit(bucket: string) {
  return {
    bucket,
    ...ACCOUNT_LIMIT,
    keyGenerator: (request: FastifyRequest) => request.server.accountRateKey(request),
    // After validation: the key needs the body.
    hook: 'preHandler' as const,
    whenStoreDown: 'refuse' as const,
    skipOnError: false,
  };
}

/**
 * The rate limiter's own Redis client, or none without `REDIS_URL` (counters then go to
 * PostgreSQL). Shared by every web process; failing fast: no offline queue, one retry,
 * short timeouts, so a Redis outage refuses sign-in at once (503) instead of hanging it.
 */
export function limiterRedisClient(
  app: FastifyInstance,
  redisUrl: string | undefined,
): Redis | undefined {
  if (!redisUrl) return undefined;
  const client = new Redis(redisUrl, {
    connectTimeout: 500,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    commandTimeout: 500,
  });
  client.on('error', () => undefined);
  // Without an offline queue a command sent before the connection is up fails: give it
  // the connect timeout at boot, then start regardless (Redis may come later).
  app.addHook('onReady', async () => {
    if (client.status === 'ready') return;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        client.off('ready', done);
        resolve();
      };
      const timer = setTimeout(done, 1000);
      client.once('ready', done);
    });
  });
  app.addHook('onClose', async () => void client.disconnect());
  return client;
}
