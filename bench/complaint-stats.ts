/**
 * Complaint statistics over 100,000 complaints (docs/rules/performance.md §1 "each statistics query
 * over 100,000 complaints, warm: p95 < 100 ms over 20 runs"; issue 12).
 *
 * Its own database (`opcc_bench_complaints`, created and migrated here), seeded set-based by
 * bench/complaint-seed.ts. Then, one request at a time (the gate is a latency, not a
 * throughput): the bare Fastify hello (bench/hello.ts) 20 times; the real app
 * (bench/app-server.ts, production config) answering `GET /api/stats/complaints` as a
 * manager for each groupBy over the last 12 months (the default period) and over all five
 * years, and the /stats/complaints page, each once cold and then 20 times warm; then hello
 * again. Every request runs every §5 query (grouped rows, totals, timeliness, on time, over
 * 12 months, reviews, equality) and commits its audit row, so each query's time is inside
 * the endpoint's. Reported: p50/p95/max per series, the warm p95 as a multiple of hello's
 * p95 in the same run, and pass/fail against 100 ms.
 *
 *   flock /work/locks/bench.lock npm run bench:complaints -- [--n 100000] [--runs 20] [--fresh]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { runMigrations } from '../db/migrate.js';
import { ensureDatabase } from './app-server.js';
import { timeQueries } from './complaint-queries.js';
import { seedComplaints, type ComplaintSeedResult } from './complaint-seed.js';
import { cpuState, gitState, pinningPlan, pinSelf, postgresState } from './lib/meta.js';
import { startServer } from './lib/servers.js';
import { signInCookie } from './lib/session.js';
import type { AppInfo } from './lib/types.js';

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const N = Number(arg('n') ?? 100_000);
const RUNS = Number(arg('runs') ?? 20);
const FRESH = process.argv.includes('--fresh');
const GATE_MS = 100;
const DATABASE_URL =
  process.env.BENCH_COMPLAINTS_URL ?? 'postgres://postgres@127.0.0.1:5432/opcc_bench_complaints';
const here = path.dirname(new URL(import.meta.url).pathname);

interface Series {
  name: string;
  path: string;
  coldMs: number;
  p50: number;
  p95: number;
  max: number;
  ratioToHello: number | null;
  pass: boolean | null;
  rows?: number;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const round = (v: number) => Math.round(v * 100) / 100;

/** One request at a time: the first timed apart (cold), then `runs` warm ones. */
async function measure(url: string, headers: Record<string, string>, runs: number) {
  const once = async () => {
    const t = performance.now();
    const response = await fetch(url, { headers });
    const body = await response.text();
    const ms = performance.now() - t;
    if (response.status !== 200)
      throw new Error(`${url}: ${response.status} ${body.slice(0, 300)}`);
    return { ms, body };
  };
  const cold = await once();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push((await once()).ms);
  const sorted = [...times].sort((a, b) => a - b);
  return {
    coldMs: round(cold.ms),
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    max: round(sorted.at(-1)!),
    body: cold.body,
  };
}

async function hello(cpu: string | null) {
  const server = await startServer<{ ready: boolean; port: number }>({
    label: 'hello',
    file: path.join(here, 'hello.ts'),
    cpu,
  });
  try {
    const url = `http://127.0.0.1:${server.info.port}/`;
    await measure(url, {}, 50); // warm the client's keep-alive socket and the JIT
    const { body: _body, ...timing } = await measure(url, {}, RUNS);
    return timing;
  } finally {
    await server.stop();
  }
}

async function needsSeed(): Promise<boolean> {
  const sql = postgres(DATABASE_URL, { max: 1, onnotice: () => undefined });
  try {
    const [row] = await sql<[{ n: number }]>`select count(*)::int as n from complaints`;
    return row.n < N;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

async function main() {
  const cores = cpuState().cores;
  const plan = pinningPlan(cores);
  if (plan.load) pinSelf(plan.load);

  await ensureDatabase(DATABASE_URL, FRESH);
  await runMigrations(DATABASE_URL);
  const anchor = new Date().toISOString().slice(0, 10);
  let seed: ComplaintSeedResult | null = null;
  if (await needsSeed()) {
    console.log(`seeding ${N.toLocaleString('en-GB')} complaints (anchor ${anchor})`);
    seed = await seedComplaints(DATABASE_URL, N, anchor);
    console.log(`seeded in ${seed.seedMs} ms, VACUUM ANALYZE ${seed.analyzeMs} ms`, seed);
  } else console.log('reusing the seeded database (--fresh to reload)');

  const helloBefore = await hello(plan.server);
  console.log(`hello before: p50 ${helloBefore.p50} ms, p95 ${helloBefore.p95} ms`);

  const app = await startServer<AppInfo & { ready: boolean }>({
    label: 'app',
    file: path.join(here, 'app-server.ts'),
    cpu: plan.server,
    env: { DATABASE_URL, BENCH: '1' },
    timeoutMs: 180_000,
  });
  const series: Array<Omit<Series, 'ratioToHello' | 'pass'>> = [];
  try {
    const base = `http://127.0.0.1:${app.info.port}`;
    const bearer = { authorization: `Bearer ${app.info.staff.manager.token}` };
    const today = new Date().toISOString().slice(0, 10);
    const fiveYearsAgo = `${Number(today.slice(0, 4)) - 5}${today.slice(4)}`;
    const periods: Array<[string, string]> = [
      ['12 months', ''],
      ['5 years', `&from=${fiveYearsAgo}&to=${today}`],
    ];
    for (const [label, range] of periods) {
      for (const groupBy of ['category', 'subcategory', 'handling', 'outcome', 'month']) {
        const p = `/api/stats/complaints?groupBy=${groupBy}${range}`;
        const m = await measure(base + p, bearer, RUNS);
        const parsed = JSON.parse(m.body) as { totals: { complaints: number } };
        const { body: _body, ...timing } = m;
        series.push({
          name: `api ${groupBy}, ${label}`,
          path: p,
          ...timing,
          rows: parsed.totals.complaints,
        });
        console.log(`${p}: cold ${m.coldMs} ms, p50 ${m.p50}, p95 ${m.p95}, max ${m.max}`);
      }
    }
    const cookie = await signInCookie(base, app.info.staff.manager);
    const page = `/stats/complaints?from=${fiveYearsAgo}&to=${today}`;
    const m = await measure(base + page, { cookie }, RUNS);
    const { body: _body, ...timing } = m;
    series.push({ name: 'page, 5 years', path: page, ...timing });
    console.log(`${page}: cold ${m.coldMs} ms, p50 ${m.p50}, p95 ${m.p95}, max ${m.max}`);
  } finally {
    await app.stop();
  }

  // Each query on its own, never reused: what a cold answer (the first after a change) costs.
  const today = new Date().toISOString().slice(0, 10);
  const back = (years: number) => `${Number(today.slice(0, 4)) - years}${today.slice(4)}`;
  const queries = (
    await timeQueries(
      DATABASE_URL,
      [
        ['12 months', { from: back(1), to: today, stream: 'cc' }],
        ['5 years', { from: back(5), to: today, stream: 'cc' }],
      ],
      RUNS,
    )
  ).map((q) => ({ ...q, pass: q.p95 < GATE_MS }));

  const helloAfter = await hello(plan.server);
  console.log(`hello after: p50 ${helloAfter.p50} ms, p95 ${helloAfter.p95} ms`);
  const helloP95 = (helloBefore.p95 + helloAfter.p95) / 2;
  const rows: Series[] = series.map((s) => ({
    ...s,
    ratioToHello: round(s.p95 / helloP95),
    pass: s.p95 < GATE_MS,
  }));

  const [counts] = await (async () => {
    const sql = postgres(DATABASE_URL, { max: 1, onnotice: () => undefined });
    try {
      return await sql<[Record<string, number>]>`
        select (select count(*)::int from complaints) as complaints,
               (select count(*)::int from complaint_allegations) as allegations,
               (select count(*)::int from complaint_transitions) as transitions,
               (select count(*)::int from complaint_contacts) as contacts,
               (select count(*)::int from complaint_reviews) as reviews,
               (select count(*)::int from complainant_equality) as equality`;
    } finally {
      await sql.end({ timeout: 5 });
    }
  })();
  const result = {
    meta: {
      at: new Date().toISOString(),
      git: gitState(),
      node: process.version,
      cpu: cpuState(),
      loadavg: os.loadavg(),
      postgres: await postgresState(DATABASE_URL),
      pinning: plan,
      runs: RUNS,
      gateMs: GATE_MS,
    },
    dataset: counts,
    seed,
    hello: { before: helloBefore, after: helloAfter, p95: round(helloP95) },
    series: rows,
    queries,
    pass: rows.every((r) => r.pass),
    queriesPass: queries.every((q) => q.pass),
  };
  const dir = path.join(here, 'results');
  const day = result.meta.at.slice(0, 10);
  let file = path.join(dir, `complaint-stats-${day}.json`);
  for (let k = 2; fs.existsSync(file); k++)
    file = path.join(dir, `complaint-stats-${day}-${k}.json`);
  fs.writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);

  console.log(`\n| Series | Cold | p50 | p95 | max | p95 ÷ hello p95 | Gate p95 < ${GATE_MS} ms |`);
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const r of rows)
    console.log(
      `| ${r.name} | ${r.coldMs} ms | ${r.p50} ms | ${r.p95} ms | ${r.max} ms | ${r.ratioToHello}× | ${r.pass ? 'pass' : 'FAIL'} |`,
    );
  console.log(
    `| hello (before / after) | | ${helloBefore.p50} / ${helloAfter.p50} ms | ${helloBefore.p95} / ${helloAfter.p95} ms | | 1× | |`,
  );
  console.log(`\n| Query (repository, not reused) | Cold | p50 | p95 | max | Gate |`);
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const q of queries)
    console.log(
      `| ${q.name} | ${q.coldMs} ms | ${q.p50} ms | ${q.p95} ms | ${q.max} ms | ${q.pass ? 'pass' : 'FAIL'} |`,
    );
  console.log(
    `\nwritten ${path.relative(process.cwd(), file)}; overall ${result.pass ? 'pass' : 'FAIL'}`,
  );
  process.exit(result.pass ? 0 : 1);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(2);
});
