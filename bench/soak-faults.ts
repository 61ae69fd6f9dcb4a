/**
 * Fault soak (issue 18, reliability §9): the web server and a worker as real processes,
 * public contact POSTs at a steady rate, the worker SIGKILLed every minute (and started
 * again at once), and Redis (its own, on its own port) restarted twice. Afterwards the
 * invariant of the fault suite: each email row sent once, one distinct Message-ID at the
 * sink each, nothing lost, nothing left in the outbox. Resident memory of both processes is
 * sampled every 30 s.
 *
 *   flock /work/locks/bench.lock npx tsx bench/soak-faults.ts --minutes 10 --rate 5
 */
import { execFileSync } from 'node:child_process';
import postgres from 'postgres';
import { runMigrations } from '../db/migrate.js';
import { baseEnv, runScript, type AppProcess } from '../test/helpers/app-process.js';
import { CountingSmtpSink } from '../test/helpers/counting-smtp-sink.js';
import { freePort } from '../test/helpers/ports.js';
import { OwnRedis } from '../test/faults/harness/redis.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const MINUTES = arg('minutes', 10);
const RATE = arg('rate', 5);
const ADMIN = process.env.BENCH_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const NAME = 'opcc_bench_soak_faults';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rssMb = (pid: number | undefined) => {
  try {
    return Math.round(Number(execFileSync('ps', ['-o', 'rss=', '-p', String(pid)])) / 1024);
  } catch {
    return NaN;
  }
};

async function main() {
  const admin = postgres(ADMIN, { max: 1, onnotice: () => undefined });
  await admin.unsafe(`drop database if exists "${NAME}" with (force)`);
  await admin.unsafe(`create database "${NAME}"`);
  await admin.end();
  const url = new URL(ADMIN);
  url.pathname = `/${NAME}`;
  const databaseUrl = url.toString();
  await runMigrations(databaseUrl);
  const sql = postgres(databaseUrl, { max: 2, onnotice: () => undefined });

  const redis = await OwnRedis.start();
  const sink = await new CountingSmtpSink({ keepRaw: false }).start();
  const port = await freePort();
  const env = baseEnv({
    NODE_ENV: 'development',
    BENCH: '1',
    PORT: String(port),
    DATABASE_URL: databaseUrl,
    REDIS_URL: redis.url,
    SMTP_URL: sink.url,
    QUEUE_PREFIX: 'soak',
    MIGRATE_ON_START: 'false',
    JWT_SECRET: 'soak-secret-soak-secret-soak-secret-000001',
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    LOG_LEVEL: 'warn',
    ADMIN_EMAIL: 'admin@example.org',
    ADMIN_PASSWORD: 'correct horse battery staple 42',
  });
  const server = runScript('server/main.ts', [], env);
  await server.waitFor(/listening|ready|pages:/i, 120_000);
  let worker: AppProcess = runScript('workers/main.ts', [], env);
  await worker.waitFor('ready in', 120_000);

  let sent = 0;
  let ok = 0;
  const failures = new Map<string, number>();
  const latencies: number[] = [];
  const samples: string[] = [];
  const started = Date.now();
  const end = started + MINUTES * 60_000;
  let kills = 0;
  // A worker that exits on its own is started again, as a supervisor would; counted, with
  // the end of its output, because that is a finding in itself.
  const unexpectedExits: string[] = [];
  let redisRestarts = 0;
  let nextKill = started + 60_000;
  const redisAt = [started + 0.35 * MINUTES * 60_000, started + 0.75 * MINUTES * 60_000];
  let nextSample = started;

  const post = async (n: number) => {
    const t0 = performance.now();
    try {
      const response = await fetch(`http://127.0.0.1:${port}/api/public/contact`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': crypto.randomUUID() },
        body: JSON.stringify({
          name: 'Soak Person',
          email: `soak-${n}@example.org`,
          subject: `Soak ${n}`,
          message: 'Streetlights out.',
        }),
      });
      latencies.push(performance.now() - t0);
      if (response.status === 201) ok += 1;
      else failures.set(String(response.status), (failures.get(String(response.status)) ?? 0) + 1);
    } catch (error) {
      const key = (error as Error).message;
      failures.set(key, (failures.get(key) ?? 0) + 1);
    }
  };

  const inFlight = new Set<Promise<void>>();
  while (Date.now() < end) {
    const now = Date.now();
    if (now >= nextSample) {
      samples.push(
        `${((now - started) / 60_000).toFixed(1)} min: server ${rssMb(server.child.pid)} MB, worker ${rssMb(worker.child.pid)} MB, posted ${sent}, sink ${sink.mails.length}`,
      );
      console.log(samples.at(-1));
      nextSample += 30_000;
    }
    if (worker.child.exitCode !== null) {
      unexpectedExits.push(worker.output().slice(-600));
      console.log(
        `worker exited on its own (code ${worker.child.exitCode}):\n${worker.output().slice(-600)}`,
      );
      worker = runScript('workers/main.ts', [], env);
    }
    if (now >= nextKill) {
      worker.child.kill('SIGKILL');
      await worker.exited();
      kills += 1;
      worker = runScript('workers/main.ts', [], env);
      nextKill += 60_000;
      console.log(`worker killed (${kills})`);
    }
    if (redisAt[0] !== undefined && now >= redisAt[0]) {
      redisAt.shift();
      await redis.stop();
      console.log('redis stopped');
      await sleep(10_000);
      await redis.up();
      redisRestarts += 1;
      console.log(`redis restarted (${redisRestarts})`);
      continue;
    }
    sent += 1;
    const p = post(sent).finally(() => inFlight.delete(p));
    inFlight.add(p);
    await sleep(1000 / RATE);
  }
  await Promise.all(inFlight);
  const loadEnded = Date.now();

  // Drain: everything committed reaches the sink once the worker has caught up.
  const deadline = Date.now() + 5 * 60_000;
  for (;;) {
    const [state] = await sql<{ open: number; busy: number }[]>`
      select (select count(*)::int from outbox where processed_at is null) as open,
             (select count(*)::int from email_messages where status in ('queued', 'sending')) as busy`;
    if ((state!.open === 0 && state!.busy === 0) || Date.now() > deadline) break;
    if (worker.child.exitCode !== null) {
      unexpectedExits.push(worker.output().slice(-600));
      worker = runScript('workers/main.ts', [], env);
    }
    await sleep(500);
  }
  const drainMs = Date.now() - loadEnded;
  const rows = await sql<{ status: string; message_id: string }[]>`
    select status, message_id from email_messages`;
  const byId = new Map<string, number>();
  for (const mail of sink.mails) {
    const id = mail.messageId.replace(/[<>]/g, '');
    byId.set(id, (byId.get(id) ?? 0) + 1);
  }
  const known = new Set(rows.map((r) => r.message_id));
  const lost = rows.filter((r) => r.status !== 'sent' || !byId.has(r.message_id)).length;
  const rawDuplicates = [...byId.values()].reduce((n, c) => n + c - 1, 0);
  const strangers = [...byId.keys()].filter((id) => !known.has(id)).length;
  const [outboxLeft] = await sql<{ n: number }[]>`
    select count(*)::int as n from outbox where published_at is null or processed_at is null`;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => Math.round(latencies[Math.floor(latencies.length * p)] ?? NaN);

  worker.child.kill('SIGTERM');
  server.child.kill('SIGTERM');
  await Promise.all([worker.exited(), server.exited()]);
  await sql.end();
  await sink.stop();
  await redis.destroy();

  console.log('\n--- soak summary ---');
  for (const line of samples) console.log(line);
  console.log(
    JSON.stringify(
      {
        minutes: MINUTES,
        rate: RATE,
        posted: sent,
        created201: ok,
        failures: Object.fromEntries(failures),
        postP50ms: pct(0.5),
        postP99ms: pct(0.99),
        workerKills: kills,
        workerExitedOnItsOwn: unexpectedExits.length,
        redisRestarts,
        emailRows: rows.length,
        distinctDelivered: byId.size,
        lost,
        rawDuplicates,
        sinkWithoutRow: strangers,
        outboxLeft: outboxLeft!.n,
        drainSeconds: Math.round(drainMs / 1000),
      },
      null,
      2,
    ),
  );
  process.exit(lost === 0 && strangers === 0 && outboxLeft!.n === 0 ? 0 : 1);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
