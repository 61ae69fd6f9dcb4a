/**
 * Fault soak (issue 18, reliability §9, docs/rules/performance.md §7's mix): the web server and a
 * worker as real processes under a steady mixed load (`--rate` requests a second in all:
 * 60% case JSON and 25% the triage list as a manager's Bearer token, 10% public contact
 * POSTs, 5% public survey responses), the worker SIGKILLed every minute (and started again
 * at once), and Redis (its own, on its own port) restarted twice. Afterwards the invariant
 * of the fault suite: each email row sent once, one distinct Message-ID at the sink each,
 * nothing lost, nothing left in the outbox. Both processes run with --expose-gc and
 * BENCH_HEAP_LOG (post-GC heap every 30 s; the server's slope over minutes 2 to the end is
 * the heap figure: each worker lives a minute); resident memory is sampled too.
 *
 *   flock /work/locks/bench.lock npx tsx bench/soak-faults.ts --minutes 10 --rate 8
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import argon2 from 'argon2';
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
const RATE = arg('rate', 8);
/** docs/rules/performance.md §7's mix. */
const MIX = { caseJson: 0.6, triage: 0.25, contact: 0.1, survey: 0.05 };
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
  // The manager whose Bearer token reads cases and the triage list (no MFA outside production).
  const managerPassword = 'soak manager password 4242';
  await sql`
    insert into users (email, name, role, password_hash)
    values ('soak-manager@example.org', 'Soak Manager', 'manager',
            ${await argon2.hash(managerPassword, { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 })})`;
  const heapLog = path.join(
    fs.mkdtempSync(path.join(os.tmpdir(), 'opcc-soak-heap-')),
    'heap.jsonl',
  );

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
    NODE_OPTIONS: '--expose-gc',
    BENCH_HEAP_LOG: heapLog,
  });
  const server = runScript('server/main.ts', [], env);
  await server.waitFor(/listening|ready|pages:/i, 120_000);
  let worker: AppProcess = runScript('workers/main.ts', [], env);
  await worker.waitFor('ready in', 120_000);
  const base = `http://127.0.0.1:${port}`;
  const tokenResponse = await fetch(`${base}/api/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'soak-manager@example.org', password: managerPassword }),
  });
  if (tokenResponse.status !== 200)
    throw new Error(`token: ${tokenResponse.status} ${await tokenResponse.text()}`);
  const auth = {
    authorization: `Bearer ${((await tokenResponse.json()) as { token: string }).token}`,
  };
  const created = await fetch(`${base}/api/surveys`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({
      title: 'Soak survey',
      opensAt: new Date(Date.now() - 3600_000).toISOString(),
      closesAt: new Date(Date.now() + 7 * 86400_000).toISOString(),
      anonymous: true,
      questions: [
        {
          key: 'contact',
          kind: 'single',
          label: 'How would you contact the police?',
          required: true,
          options: [
            { key: 'phone', label: 'By phone' },
            { key: 'online', label: 'Online' },
          ],
        },
        { key: 'trust', kind: 'likert', label: 'I trust the police in my area' },
      ],
    }),
  });
  if (created.status !== 201) throw new Error(`survey: ${created.status} ${await created.text()}`);
  const surveyId = ((await created.json()) as { id: string }).id;
  const opened = await fetch(`${base}/api/surveys/${surveyId}/open`, {
    method: 'POST',
    headers: auth,
  });
  if (opened.status !== 200)
    throw new Error(`survey open: ${opened.status} ${await opened.text()}`);
  // Cases to read: those the contact POSTs make (and a few made before the load starts).
  let caseIds: string[] = [];
  const refreshCaseIds = async () => {
    caseIds = (
      await sql<{ id: string }[]>`select id from cases order by created_at desc limit 2000`
    ).map((r) => r.id);
  };

  let sent = 0;
  let ok = 0;
  const failures = new Map<string, number>();
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

  const byKind = new Map<string, { sent: number; ok: number; latencies: number[] }>();
  const timed = async (kind: string, expect: number, go: () => Promise<Response>) => {
    const k = byKind.get(kind) ?? { sent: 0, ok: 0, latencies: [] };
    byKind.set(kind, k);
    k.sent += 1;
    const t0 = performance.now();
    try {
      const response = await go();
      await response.arrayBuffer();
      k.latencies.push(performance.now() - t0);
      if (response.status === expect) {
        k.ok += 1;
        if (kind === 'contact') ok += 1;
      } else {
        const key = `${kind} ${response.status}`;
        failures.set(key, (failures.get(key) ?? 0) + 1);
      }
    } catch (error) {
      const key = `${kind} ${(error as Error).message}`;
      failures.set(key, (failures.get(key) ?? 0) + 1);
    }
  };
  let contacts = 0;
  const request = async (n: number) => {
    const roll = (n * 0.6180339887) % 1; // an even spread of the mix, reproducible
    if (roll < MIX.contact || caseIds.length === 0) {
      contacts += 1;
      const c = contacts;
      return timed('contact', 201, () =>
        fetch(`${base}/api/public/contact`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': crypto.randomUUID() },
          body: JSON.stringify({
            name: 'Soak Person',
            email: `soak-${c}@example.org`,
            subject: `Soak ${c}`,
            message: 'Streetlights out.',
          }),
        }),
      );
    }
    if (roll < MIX.contact + MIX.survey)
      return timed('survey', 201, () =>
        fetch(`${base}/api/public/surveys/${surveyId}/responses`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': crypto.randomUUID() },
          body: JSON.stringify({
            answers: { contact: n % 2 ? 'phone' : 'online', trust: n % 3 ? 'agree' : 'disagree' },
          }),
        }),
      );
    if (roll < MIX.contact + MIX.survey + MIX.triage)
      return timed('triage-list', 200, () =>
        fetch(`${base}/api/cases?status=new&sort=due&limit=25`, { headers: auth }),
      );
    return timed('case-json', 200, () =>
      fetch(`${base}/api/cases/${caseIds[n % caseIds.length]}`, { headers: auth }),
    );
  };
  // Cases for the reads before the load starts: 50 contact POSTs (their emails count too).
  for (let i = 0; i < 50; i += 1) await request(0);
  await refreshCaseIds();
  let nextRefresh = Date.now() + 5_000;

  const inFlight = new Set<Promise<void>>();
  while (Date.now() < end) {
    const now = Date.now();
    if (now >= nextSample) {
      await refreshCaseIds();
      samples.push(
        `${((now - started) / 60_000).toFixed(1)} min: server ${rssMb(server.child.pid)} MB, worker ${rssMb(worker.child.pid)} MB, requests ${sent}, contact posts ${contacts}, sink ${sink.mails.length}`,
      );
      console.log(samples.at(-1));
      nextSample += 30_000;
    }
    if (now >= nextRefresh) {
      nextRefresh = now + 5_000;
      void refreshCaseIds();
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
    const p = request(sent).finally(() => inFlight.delete(p));
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
  const pct = (values: number[], p: number) => {
    const sorted = [...values].sort((a, b) => a - b);
    return Math.round(sorted[Math.floor(sorted.length * p)] ?? NaN);
  };
  // Post-GC heap (docs/rules/performance.md §7): the server's slope over minute 2 to the end, MiB/min,
  // and its last sample against the minute-2 one; each worker's first and last sample.
  const heap = fs
    .readFileSync(heapLog, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map(
      (line) =>
        JSON.parse(line) as {
          at: string;
          role: string;
          pid: number;
          heapUsed: number;
          gc: boolean;
        },
    );
  const serverHeap = heap
    .filter((h) => h.role === 'server')
    .map((h) => ({ min: (Date.parse(h.at) - started) / 60_000, mib: h.heapUsed / 1048576 }))
    .filter((h) => h.min >= 2);
  const slope = (() => {
    const n = serverHeap.length;
    if (n < 2) return NaN;
    const mx = serverHeap.reduce((a, h) => a + h.min, 0) / n;
    const my = serverHeap.reduce((a, h) => a + h.mib, 0) / n;
    const num = serverHeap.reduce((a, h) => a + (h.min - mx) * (h.mib - my), 0);
    const den = serverHeap.reduce((a, h) => a + (h.min - mx) ** 2, 0);
    return num / den;
  })();
  const workerHeaps = [...new Set(heap.filter((h) => h.role === 'worker').map((h) => h.pid))].map(
    (pid) => {
      const own = heap.filter((h) => h.pid === pid);
      return Math.round(own.at(-1)!.heapUsed / 1048576);
    },
  );

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
        contactPosts: contacts,
        contact201: ok,
        byKind: Object.fromEntries(
          [...byKind].map(([kind, k]) => [
            kind,
            { sent: k.sent, ok: k.ok, p50ms: pct(k.latencies, 0.5), p99ms: pct(k.latencies, 0.99) },
          ]),
        ),
        failures: Object.fromEntries(failures),
        serverHeapMiB: serverHeap.map((h) => Math.round(h.mib * 10) / 10),
        serverHeapSlopeMiBPerMin: Math.round(slope * 100) / 100,
        serverHeapLastOverMinute2: serverHeap.length
          ? Math.round((serverHeap.at(-1)!.mib / serverHeap[0]!.mib) * 100) / 100
          : NaN,
        gcExposed: heap.every((h) => h.gc),
        workerHeapMiBAtEnd: workerHeaps,
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
