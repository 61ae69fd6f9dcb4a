import { describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../server/config.js';
import { useTestApp } from '../helpers/fixture.js';
import { FormSession, goodAnswers } from '../intake/helpers.js';

const TOKEN = 'scrape-token-0123456789abcdef';
const t = useTestApp({ config: { metricsAllow: ['127.0.0.1', '::1'], metricsToken: TOKEN } });

async function scrape(remoteAddress = '127.0.0.1', headers: Record<string, string> = {}) {
  return t.app.inject({ method: 'GET', url: '/metrics', remoteAddress, headers });
}

/** The value of one series in the exposition text (0 when the series is absent). */
function value(body: string, series: string): number {
  const line = body.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

describe('/metrics', () => {
  it('counts a contact form post, its outbox row and its email, then the email sent', async () => {
    const before = (await scrape()).body;
    const posted = 'http_requests_total{method="POST",route="/contact",status_code="200"}';

    const { response } = await new FormSession(t.app).submit(goodAnswers());
    expect(response.statusCode).toBe(200);

    const after = await scrape();
    expect(after.statusCode).toBe(200);
    expect(after.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const body = after.body;
    expect(value(body, posted)).toBe(value(before, posted) + 1);
    // Latency by route pattern, not by raw URL.
    expect(
      value(
        body,
        'http_request_duration_seconds_count{method="POST",route="/contact",status_code="200"}',
      ),
    ).toBe(value(before, posted) + 1);
    expect(value(body, 'opcc_outbox_rows_total')).toBeGreaterThan(
      value(before, 'opcc_outbox_rows_total'),
    );
    expect(value(body, 'opcc_outbox_backlog{state="unpublished"}')).toBeGreaterThan(
      value(before, 'opcc_outbox_backlog{state="unpublished"}'),
    );
    expect(value(body, 'opcc_emails_total{status="queued"}')).toBeGreaterThan(
      value(before, 'opcc_emails_total{status="queued"}'),
    );
    // The process and the queues are there too.
    expect(body).toMatch(/^nodejs_eventloop_lag_seconds \d/m);
    expect(body).toMatch(/^opcc_queue_jobs\{queue="email",state="waiting"\} \d+$/m);
    expect(value(body, 'opcc_queue_up')).toBe(1);
    expect(value(body, 'opcc_db_pool_max')).toBe(5);
    expect(value(body, 'opcc_db_connections{state="active"}')).toBeGreaterThanOrEqual(1);

    // The relay publishes the row and a worker sends the email: the sent counter moves and
    // the backlog empties.
    await t.startWorkers();
    await t.relay();
    await vi.waitFor(
      async () => {
        const now = (await scrape()).body;
        expect(value(now, 'opcc_emails_total{status="sent"}')).toBeGreaterThan(
          value(before, 'opcc_emails_total{status="sent"}'),
        );
        expect(value(now, 'opcc_outbox_backlog{state="unpublished"}')).toBe(0);
      },
      { timeout: 15_000, interval: 200 },
    );
    expect(t.sink.messages.length).toBeGreaterThanOrEqual(1);
  });

  it('refuses an unlisted caller, and serves one with the token', async () => {
    const refused = await scrape('203.0.113.9');
    expect(refused.statusCode).toBe(403);
    expect(refused.body).not.toContain('http_requests_total');
    expect(
      (await scrape('203.0.113.9', { authorization: 'Bearer wrong-token-000000000' })).statusCode,
    ).toBe(403);
    const withToken = await scrape('203.0.113.9', { authorization: `Bearer ${TOKEN}` });
    expect(withToken.statusCode).toBe(200);
    expect(withToken.body).toContain('http_requests_total');
    // IPv6 loopback and an IPv4-mapped loopback are the same listed caller.
    expect((await scrape('::1')).statusCode).toBe(200);
    expect((await scrape('::ffff:127.0.0.1')).statusCode).toBe(200);
  });

  it('reads METRICS_ALLOW and METRICS_TOKEN, naming a bad entry', () => {
    const config = loadConfig({ METRICS_ALLOW: '10.0.0.0/8, 192.0.2.7', METRICS_TOKEN: TOKEN });
    expect(config.metricsAllow).toEqual(['10.0.0.0/8', '192.0.2.7']);
    expect(loadConfig({}).metricsAllow).toEqual(['127.0.0.1', '::1']);
    expect(() => loadConfig({ METRICS_ALLOW: '10.0.0.0/33,localhost' })).toThrow(
      /METRICS_ALLOW .*10\.0\.0\.0\/33, localhost/,
    );
    expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN/);
  });
});
