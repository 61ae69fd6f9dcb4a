import http from 'node:http';
import type { PassResult, ScenarioRequest } from './types.js';

/**
 * A constant-rate open-loop load generator: the wrk2 cross-check docs/rules/performance.md §3 asks for,
 * since wrk2 is not packaged here. Request i is due at start + i / rate, evenly spaced (not
 * autocannon's once-a-second burst per connection). Latency runs from when the request was
 * due, not when it could be sent, so a stalled server is charged for the queue it causes
 * (coordinated omission, as wrk2 corrects it). Sockets come from a keep-alive agent of up to
 * `connections`; requests beyond that wait, on the clock.
 */
export async function constantRatePass(options: {
  baseUrl: string;
  request: ScenarioRequest;
  rate: number;
  durationS: number;
  connections: number;
}): Promise<PassResult & { achievedRate: number }> {
  const url = new URL(options.baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.connections });
  const template = options.request;
  const total = Math.round(options.rate * options.durationS);
  const intervalMs = 1000 / options.rate;
  const latencies: number[] = [];
  const statusCodes: Record<string, number> = {};
  let errors = 0;
  let timeouts = 0;
  let sent = 0;
  let finished = 0;
  const started = performance.now();

  await new Promise<void>((resolve) => {
    const send = (dueAt: number) => {
      const req = (template.setupRequest?.({ ...template }, {}) ?? template) as ScenarioRequest;
      const request = http.request(
        {
          host: url.hostname,
          port: url.port,
          method: req.method ?? 'GET',
          path: req.path ?? '/',
          headers: req.headers,
          agent,
          timeout: 10_000,
        },
        (response) => {
          response.resume();
          response.on('end', () => {
            latencies.push(performance.now() - dueAt);
            const code = String(response.statusCode);
            statusCodes[code] = (statusCodes[code] ?? 0) + 1;
            done();
          });
        },
      );
      request.on('timeout', () => {
        timeouts += 1;
        request.destroy();
      });
      request.on('error', () => {
        errors += 1;
        done();
      });
      if (req.body) request.write(req.body);
      request.end();
    };
    const done = () => {
      finished += 1;
      if (finished === total) resolve();
    };
    // A 1 ms tick sends every request that has fallen due (timers cannot fire per 0.3 ms).
    const tick = setInterval(() => {
      const now = performance.now();
      while (sent < total && started + sent * intervalMs <= now) {
        send(started + sent * intervalMs);
        sent += 1;
      }
      if (sent === total) clearInterval(tick);
    }, 1);
  });
  const elapsedS = (performance.now() - started) / 1000;
  agent.destroy();

  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    latencies.length
      ? round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!)
      : 0;
  const non2xx = Object.entries(statusCodes)
    .filter(([code]) => !code.startsWith('2'))
    .reduce((n, [, count]) => n + count, 0);
  const achievedRate = Math.round((latencies.length / elapsedS) * 10) / 10;
  return {
    reqPerSec: achievedRate,
    achievedRate,
    total: latencies.length,
    durationS: round(elapsedS),
    non2xx,
    errors,
    timeouts,
    statusCodes,
    p50: at(0.5),
    p975: at(0.975),
    p99: at(0.99),
    max: latencies.length ? round(latencies.at(-1)!) : 0,
  };
}

const round = (n: number) => Math.round(n * 10) / 10;
