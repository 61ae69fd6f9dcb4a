import http from 'node:http';
import os from 'node:os';
import { sql } from 'drizzle-orm';
import type { Worker } from 'bullmq';
import type { Db } from '../db/client.js';
import { workerHeartbeats } from '../db/schema/index.js';
import type { QueueBackend } from './queues.js';

/**
 * Worker liveness (reliability §6, §7). Workers have stopped consuming silently after Redis
 * restarts (bullmq #648, #2964, #4585), so a supervisor needs more than "the process is up":
 * the worker stamps `worker_heartbeats` every interval, and its /healthz fails when that
 * stamp is stale, the queue connection does not answer, or the outbox is falling behind.
 */
export const HEALTH_LIMITS = {
  /** A heartbeat older than this fails the check (the contract's 3 minutes). */
  heartbeatStaleMs: 3 * 60_000,
  /** The oldest unpublished outbox row may be this old (the relay polls every second). */
  outboxBehindMs: 5 * 60_000,
  /** The queue backend must answer a ping within this. */
  pingMs: 1000,
};

export function workerName(): string {
  return `${os.hostname()}-${process.pid}`;
}

export interface Heartbeat {
  stop(): void;
}

/** Stamps this worker's row now and every `everyMs`; a failed stamp is retried next time. */
export function startHeartbeat(opts: {
  db: Db;
  name: string;
  everyMs: number;
  /** Only stamps while every worker is running: a stopped worker must look dead. */
  alive: () => boolean;
}): Heartbeat {
  const beat = async () => {
    if (!opts.alive()) return;
    await opts.db
      .insert(workerHeartbeats)
      .values({ worker: opts.name, beatAt: sql`now()` })
      .onConflictDoUpdate({ target: workerHeartbeats.worker, set: { beatAt: sql`now()` } })
      .catch(() => undefined);
  };
  void beat();
  const timer = setInterval(() => void beat(), opts.everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

export interface WorkerHealth {
  ok: boolean;
  checks: { queue: 'ok' | 'failed'; heartbeat: 'ok' | 'stale'; outbox: 'ok' | 'behind' | 'paused' };
}

const within = <T>(work: Promise<T>, ms: number) =>
  Promise.race([
    work,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timed out')), ms).unref()),
  ]);

export async function checkWorkerHealth(opts: {
  db: Db;
  queues: QueueBackend;
  workers: Worker[];
  name: string;
  relayPaused: boolean;
  limits?: Partial<typeof HEALTH_LIMITS>;
}): Promise<WorkerHealth> {
  const limits = { ...HEALTH_LIMITS, ...opts.limits };
  const queue = await within(opts.queues.ping(), limits.pingMs).then(
    () => opts.workers.every((w) => w.isRunning()),
    () => false,
  );
  // Ages by the database's clock, which stamped them.
  const ages = await within(
    opts.db.execute<{ heartbeat: number | null; outbox: number | null }>(sql`
      select (select extract(epoch from now() - beat_at) * 1000 from worker_heartbeats
                where worker = ${opts.name})::float8 as heartbeat,
             (select extract(epoch from now() - min(created_at)) * 1000 from outbox
                where published_at is null)::float8 as outbox`),
    limits.pingMs,
  ).then(
    (rows) => rows[0],
    () => undefined,
  );
  const heartbeat =
    ages?.heartbeat != null && ages.heartbeat < limits.heartbeatStaleMs ? 'ok' : 'stale';
  const outbox = opts.relayPaused
    ? 'paused'
    : ages && (ages.outbox == null || ages.outbox < limits.outboxBehindMs)
      ? 'ok'
      : 'behind';
  return {
    ok: queue && heartbeat === 'ok' && outbox !== 'behind',
    checks: { queue: queue ? 'ok' : 'failed', heartbeat, outbox },
  };
}

/** GET /healthz on the worker (127.0.0.1 by default): 200 when healthy, 503 otherwise. */
export async function serveWorkerHealth(opts: {
  port: number;
  host: string;
  check: () => Promise<WorkerHealth>;
}): Promise<{ port: number; close(): Promise<void> }> {
  const server = http.createServer((request, response) => {
    if (request.method !== 'GET' || request.url !== '/healthz') {
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { code: 'not_found', message: 'Not found' } }));
      return;
    }
    opts.check().then(
      (health) => {
        response.writeHead(health.ok ? 200 : 503, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ status: health.ok ? 'ok' : 'failed', ...health.checks }));
      },
      () => {
        response.writeHead(503, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ status: 'failed' }));
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  return {
    port: (server.address() as { port: number }).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
