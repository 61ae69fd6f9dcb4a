/**
 * Booking contention (docs/rules/performance.md §5 `booking-contention`, issue 13): 200 connections POST
 * /api/public/bookings to one of the 20 one-place slots of one surgery. Each pass gets a
 * fresh surgery, so each must end with exactly 20 bookings (20 × 201, every other answer a
 * 409 `slot_full`), 20 confirmation emails with their outbox rows, no 5xx and no deadlock.
 * The closed-loop maximum sets the open-loop rate (50% gated at p99 < 250 ms, 80% reported);
 * the bare Fastify hello-world runs before and after in the same run, at the same
 * connections, and every req/s is reported as a ratio of its mean.
 *
 * The app runs with BENCH=1, so the per-IP public rate limit allow-lists 127.0.0.1 (all load
 * comes from one address); every other limit and check is as in production.
 *
 *   flock /work/locks/bench.lock npm run bench:surgeries
 *   flock /work/locks/bench.lock npm run bench:surgeries -- --duration 20 --rounds 3 --open-duration 30
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import type { AppInfo, PassResult, ScenarioRequest } from './lib/types.js';
import { medianRound, runPass, warmUp } from './lib/load.js';
import { cpuState, gitState } from './lib/meta.js';
import { startServer } from './lib/servers.js';
import { BENCH_DIR, RESULTS_DIR } from './report.js';

const { values } = parseArgs({
  options: {
    connections: { type: 'string', default: '200' },
    slots: { type: 'string', default: '20' },
    duration: { type: 'string', default: '20' },
    rounds: { type: 'string', default: '1' },
    'open-duration': { type: 'string', default: '30' },
    /** Writes the app server's V8 CPU profile here (for finding the cost; not a result). */
    'cpu-prof': { type: 'string' },
  },
  strict: true,
});
const CONNECTIONS = Number(values.connections);
const SLOTS = Number(values.slots);
const DURATION = Number(values.duration);
const ROUNDS = Number(values.rounds);
const OPEN_DURATION = Number(values['open-duration']);
const P99_GATE_MS = 250;
const DATABASE_URL =
  process.env.BENCH_SURGERIES_DATABASE_URL ??
  'postgres://postgres@127.0.0.1:5432/opcc_bench_surgeries';

const log = (line: string) => process.stderr.write(`${line}\n`);

interface Check {
  surgeryId: string;
  created: number;
  bookings: number;
  booked: number;
  emails: number;
  outbox: number;
}

async function main() {
  const started = new Date();
  log(`booking contention: -c ${CONNECTIONS}, ${SLOTS} one-place slots per surgery`);
  const hello = await startServer<{ ready: boolean; port: number; pid: number }>({
    label: 'hello',
    file: path.join(BENCH_DIR, 'hello.ts'),
    cpu: null,
  });
  const helloUrl = `http://127.0.0.1:${hello.info.port}`;
  const helloPass = async (label: string) => {
    const pass = await runPass({
      baseUrl: helloUrl,
      request: { method: 'GET', path: '/' },
      connections: CONNECTIONS,
      durationS: 10,
      title: 'hello',
    });
    log(`  hello ${label}: ${Math.round(pass.reqPerSec)} req/s, p99 ${pass.p99} ms`);
    return pass;
  };
  await warmUp(helloUrl, { method: 'GET', path: '/' }, 10, 3);
  const before = await helloPass('before');

  const app = await startServer<AppInfo & { ready: boolean }>({
    label: 'app',
    file: path.join(BENCH_DIR, 'app-server.ts'),
    cpu: null,
    env: { DATABASE_URL, BENCH_FRESH: '1', BENCH: '1' },
    ...(values['cpu-prof']
      ? { nodeFlags: ['--cpu-prof', '--cpu-prof-dir', values['cpu-prof']] }
      : {}),
    timeoutMs: 120_000,
  });
  const baseUrl = `http://127.0.0.1:${app.info.port}`;
  const sql = postgres(DATABASE_URL, { max: 2, onnotice: () => undefined });
  const bearer = { authorization: `Bearer ${app.info.staff.manager.token}` };
  const dbName = new URL(DATABASE_URL).pathname.slice(1);
  const deadlocks = async () =>
    (
      await sql<
        [{ n: number }]
      >`select deadlocks::int as n from pg_stat_database where datname = ${dbName}`
    )[0].n;

  let day = 0;
  /** A published surgery 30+ days ahead: 20 × 15-minute slots, one place each. */
  const newSurgery = async (): Promise<{ id: string; slots: string[] }> => {
    day += 1;
    const date = new Date(Date.now() + (30 + day) * 86_400_000).toISOString().slice(0, 10);
    const startsAt = `${date}T09:00:00Z`;
    const endsAt = new Date(Date.parse(startsAt) + SLOTS * 15 * 60_000).toISOString();
    const response = await fetch(`${baseUrl}/api/surgeries`, {
      method: 'POST',
      headers: { ...bearer, 'content-type': 'application/json' },
      body: JSON.stringify({
        title: `Bench surgery ${day}`,
        venue: 'Bench Hall',
        host: 'commissioner',
        area: 'huntingdonshire',
        startsAt,
        endsAt,
        slotMinutes: 15,
        placesPerSlot: 1,
        publish: true,
      }),
    });
    if (response.status !== 201)
      throw new Error(`POST /api/surgeries: ${response.status} ${await response.text()}`);
    const body = (await response.json()) as { id: string; slots: Array<{ id: string }> };
    if (body.slots.length !== SLOTS) throw new Error(`expected ${SLOTS} slots`);
    return { id: body.id, slots: body.slots.map((s) => s.id) };
  };

  let person = 0;
  /** Every request a new person and idempotency key, on a slot chosen round-robin. */
  const bookingRequest = (slots: string[]): ScenarioRequest => {
    const body = () => {
      person += 1;
      return JSON.stringify({
        slotId: slots[person % slots.length],
        name: `Bench Person ${person}`,
        email: `bench.person${person}@bench.example`,
        topic: 'communities',
      });
    };
    return {
      method: 'POST',
      path: '/api/public/bookings',
      headers: { 'content-type': 'application/json' },
      body: body(),
      setupRequest: (req) => ({
        ...req,
        body: body(),
        headers: { ...req.headers, 'idempotency-key': `bench-${person}-${Date.now()}` },
      }),
    };
  };

  const check = async (surgeryId: string, pass: PassResult): Promise<Check> => {
    const [row] = await sql<[Omit<Check, 'surgeryId' | 'created'>]>`
      select
        (select count(*)::int from surgery_booking where surgery_id = ${surgeryId}) as bookings,
        (select coalesce(sum(booked), 0)::int from surgery_slot where surgery_id = ${surgeryId}) as booked,
        (select count(*)::int from email_messages e join surgery_booking b on e.subject_ref = b.id::text
          where b.surgery_id = ${surgeryId}) as emails,
        (select count(*)::int from outbox o join email_messages e on o.payload->>'emailId' = e.id::text
          join surgery_booking b on e.subject_ref = b.id::text where b.surgery_id = ${surgeryId}) as outbox`;
    return { surgeryId, created: pass.statusCodes['201'] ?? 0, ...row };
  };

  const problemsOf = (pass: PassResult, c: Check) => {
    const problems: string[] = [];
    const unexpected = Object.entries(pass.statusCodes).filter(
      ([code]) => code !== '201' && code !== '409',
    );
    if (unexpected.length) problems.push(`unexpected statuses ${JSON.stringify(unexpected)}`);
    if (pass.errors || pass.timeouts)
      problems.push(`${pass.errors} errors, ${pass.timeouts} timeouts`);
    for (const [name, n] of Object.entries(c)) {
      if (name !== 'surgeryId' && n !== SLOTS) problems.push(`${name} = ${n}, not ${SLOTS}`);
    }
    return problems;
  };

  const deadlocksBefore = await deadlocks();
  const warm = await newSurgery();
  await warmUp(baseUrl, bookingRequest(warm.slots), 10, 5);

  const closed: Array<{ pass: PassResult; check: Check; problems: string[] }> = [];
  for (let round = 1; round <= ROUNDS; round += 1) {
    const surgery = await newSurgery();
    const pass = await runPass({
      baseUrl,
      request: bookingRequest(surgery.slots),
      connections: CONNECTIONS,
      durationS: DURATION,
      title: 'booking-contention',
      serverPid: app.info.pid,
    });
    const c = await check(surgery.id, pass);
    const problems = problemsOf(pass, c);
    log(
      `  closed -c ${CONNECTIONS} round ${round}: ${Math.round(pass.reqPerSec)} req/s, p50 ${pass.p50} ms, p99 ${pass.p99} ms, statuses ${JSON.stringify(pass.statusCodes)}, ${JSON.stringify(c)}${problems.length ? ` PROBLEMS ${problems.join('; ')}` : ''}`,
    );
    closed.push({ pass, check: c, problems });
  }
  const median = medianRound(closed.map((r) => r.pass));

  const open: Array<{
    fraction: number;
    rate: number;
    achieved: number;
    pass: PassResult;
    check: Check;
    problems: string[];
  }> = [];
  for (const fraction of [0.5, 0.8]) {
    const rate = Math.max(1, Math.round(median.reqPerSec * fraction));
    const surgery = await newSurgery();
    const pass = await runPass({
      baseUrl,
      request: bookingRequest(surgery.slots),
      connections: CONNECTIONS,
      durationS: OPEN_DURATION,
      overallRate: rate,
      title: `booking-contention @${rate}/s`,
      serverPid: app.info.pid,
    });
    const achieved = Math.round((pass.total / pass.durationS) * 10) / 10;
    const c = await check(surgery.id, pass);
    const problems = problemsOf(pass, c);
    if (achieved < 0.98 * rate) problems.push(`achieved ${achieved}/s < 98% of ${rate}/s`);
    if (fraction === 0.5 && !(pass.p99 < P99_GATE_MS))
      problems.push(`p99 ${pass.p99} ms ≥ ${P99_GATE_MS} ms`);
    log(
      `  open -R ${rate} (${fraction * 100}%): achieved ${achieved}/s, p50 ${pass.p50} ms, p99 ${pass.p99} ms (uncorrected ${pass.uncorrected?.p99} ms), statuses ${JSON.stringify(pass.statusCodes)}, ${JSON.stringify(c)}${problems.length ? ` PROBLEMS ${problems.join('; ')}` : ''}`,
    );
    open.push({ fraction, rate, achieved, pass, check: c, problems });
  }
  const deadlocksAfter = await deadlocks();
  await sql.end({ timeout: 5 });
  await app.stop();

  const after = await helloPass('after');
  await hello.stop();
  const helloMean = (before.reqPerSec + after.reqPerSec) / 2;
  const noisy = Math.abs(before.reqPerSec - after.reqPerSec) / helloMean > 0.1;
  const ratio = (n: number) => Math.round((n / helloMean) * 10_000) / 10_000;
  const problems = [
    ...closed.flatMap((r) => r.problems),
    ...open.flatMap((r) => (r.fraction === 0.5 ? r.problems : [])),
    ...(deadlocksAfter > deadlocksBefore ? [`${deadlocksAfter - deadlocksBefore} deadlocks`] : []),
  ];
  const result = {
    scenario: 'booking-contention',
    startedAt: started.toISOString(),
    meta: {
      git: gitState(),
      node: process.version,
      cpu: cpuState(),
      loadAverage: os.loadavg(),
      pinned: false,
      rateLimit: 'BENCH=1: 127.0.0.1 allow-listed',
      connections: CONNECTIONS,
      slotsPerSurgery: SLOTS,
      durationS: DURATION,
      rounds: ROUNDS,
      openDurationS: OPEN_DURATION,
      command: `npm run bench:surgeries -- ${process.argv.slice(2).join(' ')}`.trim(),
    },
    baseline: { before: before.reqPerSec, after: after.reqPerSec, noisy },
    closed: closed.map((r) => ({ ...r, ratio: ratio(r.pass.reqPerSec) })),
    closedMedian: { reqPerSec: median.reqPerSec, ratio: ratio(median.reqPerSec) },
    open: open.map((r) => ({ ...r, ratio: ratio(r.achieved) })),
    deadlocks: deadlocksAfter - deadlocksBefore,
    gate: `exactly ${SLOTS} bookings per surgery, 0 × 5xx, p99 < ${P99_GATE_MS} ms at 50%`,
    pass: problems.length === 0,
    problems,
  };
  mkdirSync(RESULTS_DIR, { recursive: true });
  const date = started.toISOString().slice(0, 10);
  let file = path.join(RESULTS_DIR, `surgeries-${date}.json`);
  for (let n = 2; existsSync(file); n += 1) {
    file = path.join(RESULTS_DIR, `surgeries-${date}-${n}.json`);
  }
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  log(
    `hello ${Math.round(before.reqPerSec)} / ${Math.round(after.reqPerSec)} req/s${noisy ? ' (noisy)' : ''}; ` +
      `closed ${Math.round(median.reqPerSec)} req/s = ${(ratio(median.reqPerSec) * 100).toFixed(1)}% of hello; ` +
      open
        .map(
          (r) =>
            `${r.fraction * 100}% (${r.rate}/s): p99 ${r.pass.p99} ms, ${(ratio(r.achieved) * 100).toFixed(1)}% of hello`,
        )
        .join('; ') +
      `; deadlocks ${result.deadlocks}; ${result.pass ? 'PASS' : `FAIL: ${problems.join('; ')}`}`,
  );
  log(`wrote ${path.relative(process.cwd(), file)}`);
  process.exit(result.pass ? 0 : 1);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
