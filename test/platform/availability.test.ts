import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';
import { CONTRACT_HANDLER_TIMEOUTS } from '../../server/platform/availability.js';

/**
 * Request deadlines and fast 503s while the database is away (reliability §4, §6): the
 * API error shape, never a 500, never a hung request; liveness unaffected.
 */
let proxy: TcpProxy;
let t: TestApp;
/** Deferreds for the closing test: the slow handler runs, closing begins, the second arrives. */
const deferred = () => {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};
const slowStarted = deferred();
const slowRelease = deferred();
const closingBegun = deferred();
beforeAll(async () => {
  proxy = await new TcpProxy(Number(new URL(inject('adminDatabaseUrl')).port)).start();
  t = await buildTestApp({
    config: { handlerTimeouts: CONTRACT_HANDLER_TIMEOUTS },
    databaseUrlThrough: (url) => proxy.url(url),
    extend: (app) => {
      // In flight until the test lets it finish, not for a fixed time.
      app.get('/api/test/slow', { config: { public: true } }, async () => {
        slowStarted.resolve();
        await slowRelease.promise;
        return { done: true };
      });
      // Fastify answers 503 to new requests from the moment before preClose runs.
      app.addHook('preClose', (done) => {
        closingBegun.resolve();
        done();
      });
    },
  });
});
afterEach(() => {
  proxy.allow();
  proxy.resume();
});
afterAll(async () => {
  await t.close();
  await proxy.stop();
});

const contact = (subject: string) =>
  t.app.inject({
    method: 'POST',
    url: '/api/public/contact',
    payload: { name: 'Ada Lovelace', email: 'ada@example.org', subject, message: 'Lights out.' },
  });

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const result = await work();
  return [result, performance.now() - started];
}

describe('database outages', () => {
  it('a public POST while the database hangs answers 503 in the API error shape within the 5 s write deadline', async () => {
    expect((await contact('Warm-up')).statusCode).toBe(201);
    proxy.pause();
    const [response, ms] = await timed(() => contact('During the pause'));
    expect(response.statusCode).toBe(503);
    expect(response.json()).toEqual({
      error: { code: 'unavailable', message: expect.any(String), requestId: expect.any(String) },
    });
    expect(ms).toBeGreaterThan(4_500);
    expect(ms).toBeLessThan(7_000);
  }, 20_000);

  it('a read while the database hangs answers 503 within the 2 s read deadline', async () => {
    proxy.pause();
    const [response, ms] = await timed(() =>
      t.app.inject({ method: 'GET', url: '/api/public/disclosure-log' }),
    );
    expect(response.statusCode).toBe(503);
    expect(response.json().error.code).toBe('unavailable');
    expect(ms).toBeLessThan(3_500);
  }, 20_000);

  it('liveness stays fast and readiness says 503 within 500 ms while the database hangs', async () => {
    proxy.pause();
    const times: number[] = [];
    for (let i = 0; i < 20; i += 1) {
      const [response, ms] = await timed(() => t.app.inject({ method: 'GET', url: '/healthz' }));
      expect(response.statusCode).toBe(200);
      times.push(ms);
    }
    times.sort((a, b) => a - b);
    expect(times[times.length - 2]).toBeLessThan(50);
    const [ready, ms] = await timed(() => t.app.inject({ method: 'GET', url: '/readyz' }));
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({ checks: { database: 'failed' } });
    expect(ms).toBeLessThan(1_000);
  }, 20_000);

  it('a POST while the database refuses connections answers 503, not 500, and saves nothing', async () => {
    proxy.reset({ refuse: true });
    const [response, ms] = await timed(() => contact('While refused'));
    expect(response.statusCode).toBe(503);
    expect(response.json().error.code).toBe('unavailable');
    expect(ms).toBeLessThan(6_000);
    proxy.allow();
    const saved = await t.db.sql`select 1 from cases where subject = 'While refused'`;
    expect(saved).toHaveLength(0);
    expect((await contact('After the outage')).statusCode).toBe(201);
  }, 20_000);
});

describe('closing', () => {
  it('finishes the request in flight and answers new ones 503 in the API error shape', async () => {
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.app.server.address() as net.AddressInfo;
    // One keep-alive connection: a slow request in flight, then a second one sent on the
    // same connection once the server has begun to close.
    const socket = net.connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
    const ended = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.write('GET /api/test/slow HTTP/1.1\r\nHost: localhost\r\n\r\n');
    await slowStarted.promise;
    const closing = t.app.close();
    await closingBegun.promise;
    // The first answer is held until the second request has reached the server.
    t.app.server.once('request', () => slowRelease.resolve());
    socket.write('GET /api/public/disclosure-log HTTP/1.1\r\nHost: localhost\r\n\r\n');
    await closing;
    // A cap, not an ordering: the server ends the connection once both are answered.
    await Promise.race([ended, new Promise((r) => setTimeout(r, 3000))]);
    socket.destroy();
    const responses = received.split(/(?=HTTP\/1\.1 )/);
    expect(responses[0]).toMatch(/^HTTP\/1\.1 200/);
    expect(responses[0]).toContain('{"done":true}');
    expect(responses[1]).toMatch(/^HTTP\/1\.1 503/);
    expect(responses[1]).toMatch(
      /\{"error":\{"code":"unavailable","message":"[^"]+","requestId":"[^"]+"\}\}/,
    );
  }, 20_000);
});
