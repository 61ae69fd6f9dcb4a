/**
 * The public booking rate limit (docs/rules/surgeries.md §3: "a per-IP Redis rate limit") is one count
 * per visitor across every web process: two app instances on the same Redis and prefix
 * share it. Loopback is exempt only under BENCH=1 (docs/rules/performance.md §2).
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config.js';
import { BOOKING_RATE_LIMIT } from '../../server/surgeries/routes.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { useTestApp } from '../helpers/fixture.js';
import { nextIp } from './helpers.js';

const prefix = `t${randomBytes(4).toString('hex')}`;
// Two "processes" (separate Fastify instances and Redis clients), one deployment prefix.
const a = useTestApp({ config: { queuePrefix: prefix } });
const b = useTestApp({ config: { queuePrefix: prefix } });

const post = (t: TestApp, ip: string) =>
  t.app.inject({ method: 'POST', url: '/api/public/bookings', remoteAddress: ip, payload: {} });

describe('public booking rate limit', () => {
  it('is shared across processes: the limit spent on one is refused on the other', async () => {
    const ip = nextIp();
    // Invalid bodies (400) still count: the limit runs before validation.
    for (let i = 0; i < BOOKING_RATE_LIMIT.max; i += 1) {
      expect((await post(i % 2 === 0 ? a : b, ip)).statusCode).toBe(400);
    }
    const limitedA = await post(a, ip);
    const limitedB = await post(b, ip);
    expect(limitedA.statusCode).toBe(429);
    expect(limitedB.statusCode).toBe(429);
    expect(limitedB.json().error.code).toBe('rate_limited');
    // Another visitor is unaffected.
    expect((await post(b, nextIp())).statusCode).toBe(400);
  });

  it('keeps the count in Redis under the deployment prefix', async () => {
    const ip = nextIp();
    await post(a, ip);
    const client = new Redis(a.config.redisUrl!);
    try {
      const keys = await client.keys(`${prefix}:rate-limit:*${ip}`);
      expect(keys).toHaveLength(1);
      expect(await client.get(keys[0]!)).toBe('1');
    } finally {
      client.disconnect();
    }
  });

  it('exempts loopback only when BENCH=1', async () => {
    expect(loadConfig({}).rateLimitAllow).toEqual([]);
    expect(loadConfig({ BENCH: '1' }).rateLimitAllow).toContain('127.0.0.1');
    // A third app with BENCH's loopback exemption, for this test only: buildTestApp.
    const bench = await buildTestApp({ config: { rateLimitAllow: ['127.0.0.1'] } });
    try {
      for (let i = 0; i <= BOOKING_RATE_LIMIT.max + 2; i += 1) {
        expect((await post(bench, '127.0.0.1')).statusCode).toBe(400);
      }
      const other = nextIp();
      for (let i = 0; i < BOOKING_RATE_LIMIT.max; i += 1) await post(bench, other);
      expect((await post(bench, other)).statusCode).toBe(429);
    } finally {
      await bench.close();
    }
  });
});
