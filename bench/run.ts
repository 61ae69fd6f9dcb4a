/**
 * The benchmark orchestrator (`npm run bench`). See bench/README.md and
 * /work/shared/quality/performance.md for the method.
 *
 *   npm run bench                         quick: 1 round × 10 s at -c 50, open loop at 50%
 *   npm run bench -- --full               the doc: 3 rounds × 30 s at -c 10 and -c 50, open loop 50% and 80% × 60 s
 *   npm run bench -- --only authed-json   one scenario (hello always runs first and last)
 *   npm run bench -- --duration 20 --rounds 3 --connections 10,50 --open-connections 200
 *   npm run bench -- --fresh              drop and recreate the bench database first (then seed it)
 *   npm run bench -- --no-seed            do not seed an unseeded bench database (bench/seed.ts)
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { runMigrations } from '../db/migrate.js';
import { BENCH_DATABASE_URL, ensureDatabase } from './app-server.js';
import { constantRatePass } from './lib/constant-rate.js';
import { medianRound, runPass, warmUp } from './lib/load.js';
import {
  cpuState,
  gitState,
  osState,
  pinningPlan,
  pinSelf,
  postgresState,
  redisState,
} from './lib/meta.js';
import { startServer, type ServerProcess } from './lib/servers.js';
import type {
  AppInfo,
  Baseline,
  BenchContext,
  Meta,
  PassResult,
  RunResult,
  Scenario,
  ScenarioRow,
  Settings,
} from './lib/types.js';
import {
  BENCH_DIR,
  nextResultsPath,
  renderComparison,
  renderRun,
  RESULTS_DIR,
  listResults,
  loadResult,
  updateReadme,
} from './report.js';
import { checkTriagePlan } from './plan.js';
import { DEFAULT_SEED, seed, seedRecord, type SeedRecord } from './seed.js';

const NOISE = 0.1;
const MIN_ACHIEVED = 0.98;
const GATE_CONNECTIONS = 50;

const log = (line: string) => process.stderr.write(`${line}\n`);

function parseSettings(): { settings: Settings; fresh: boolean; noSeed: boolean } {
  const { values } = parseArgs({
    options: {
      only: { type: 'string', multiple: true },
      full: { type: 'boolean', default: false },
      duration: { type: 'string' },
      rounds: { type: 'string' },
      connections: { type: 'string' },
      'open-connections': { type: 'string' },
      'open-duration': { type: 'string' },
      fresh: { type: 'boolean', default: false },
      'no-seed': { type: 'boolean', default: false },
    },
    strict: true,
  });
  const full = values.full;
  const num = (value: string | undefined, name: string): number | undefined => {
    if (value === undefined) return undefined;
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number`);
    return n;
  };
  const durationS = num(values.duration, 'duration') ?? (full ? 30 : 10);
  const custom =
    values.duration !== undefined ||
    values.rounds !== undefined ||
    values.connections !== undefined ||
    values['open-connections'] !== undefined ||
    values['open-duration'] !== undefined;
  const only = values.only
    ?.flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
  return {
    fresh: values.fresh,
    noSeed: values['no-seed'],
    settings: {
      mode: custom ? 'custom' : full ? 'full' : 'quick',
      durationS,
      rounds: Math.round(num(values.rounds, 'rounds') ?? (full ? 3 : 1)),
      warmup: { connections: 10, durationS: 5 },
      connections: values.connections
        ? values.connections.split(',').map((c) => Math.round(num(c, 'connections')!))
        : full
          ? [10, 50]
          : [50],
      open: {
        connections: Math.round(num(values['open-connections'], 'open-connections') ?? 200),
        durationS: num(values['open-duration'], 'open-duration') ?? (full ? 60 : durationS),
        fractions: full ? [0.5, 0.8] : [0.5],
        minAchieved: MIN_ACHIEVED,
      },
      only: only?.length ? only : null,
    },
  };
}

async function loadScenarios(): Promise<Scenario[]> {
  const dir = path.join(BENCH_DIR, 'scenarios');
  const files = readdirSync(dir)
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))
    .sort();
  const loaded: Array<{ file: string; scenario: Scenario }> = [];
  for (const file of files) {
    const mod = (await import(pathToFileURL(path.join(dir, file)).href)) as { default?: Scenario };
    const scenario = mod.default;
    if (!scenario?.name || typeof scenario.request !== 'function') {
      throw new Error(`bench/scenarios/${file} must default-export { name, gate, request }`);
    }
    if (loaded.some((l) => l.scenario.name === scenario.name)) {
      throw new Error(`Duplicate scenario name "${scenario.name}" in bench/scenarios/${file}`);
    }
    loaded.push({ file, scenario });
  }
  return loaded
    .sort(
      (a, b) =>
        (a.scenario.order ?? 100) - (b.scenario.order ?? 100) || a.file.localeCompare(b.file),
    )
    .map((l) => l.scenario);
}

function makeContext(
  baseUrl: string,
  serverPid: number,
  app: AppInfo | undefined,
  dataset: Record<string, number>,
) {
  let client: postgres.Sql | undefined;
  const ctx: BenchContext = {
    baseUrl,
    serverPid,
    app,
    bearer: () => {
      if (!app) throw new Error('bearer() is only available to app scenarios');
      return { authorization: `Bearer ${app.token}` };
    },
    bearerAs: (role) => {
      if (!app) throw new Error('bearerAs() is only available to app scenarios');
      return { authorization: `Bearer ${app.staff[role].token}` };
    },
    sql: () => {
      if (!app) throw new Error('sql() is only available to app scenarios');
      client ??= postgres(app.databaseUrl, { max: 2, onnotice: () => undefined });
      return client;
    },
    data: {},
    dataset,
    log: (line) => log(`    ${line}`),
  };
  return { ctx, close: async () => client?.end({ timeout: 5 }) };
}

const emptyRow = (
  name: string,
  mode: 'closed' | 'open',
  connections: number,
  pass: PassResult,
): ScenarioRow => ({
  name,
  mode,
  connections,
  rate: null,
  loadFraction: null,
  ratio: null,
  valid: null,
  achievedRate: null,
  rounds: [pass.reqPerSec],
  gate: '-',
  pass: null,
  problems: [],
  ...pass,
});

const summary = (p: PassResult) =>
  `${Math.round(p.reqPerSec).toLocaleString('en-GB')} req/s, p50 ${p.p50} ms, p99 ${p.p99} ms, max ${p.max} ms, non-2xx ${p.non2xx}, errors ${p.errors}, timeouts ${p.timeouts}, server CPU ${p.serverCpuUsPerReq ?? '?'} µs/req, PostgreSQL CPU ${p.databaseCpuUsPerReq ?? '?'} µs/req, load CPU ${p.loadCpuUsPerReq ?? '?'} µs/req`;

/** Warm-up, then `rounds` closed-loop passes per connection count; the median round is kept. */
async function closedLoop(
  scenario: Scenario,
  ctx: BenchContext,
  settings: Settings,
  connections: number[],
): Promise<ScenarioRow[]> {
  const request = scenario.request(ctx);
  log(`  warm-up -c ${settings.warmup.connections} -d ${settings.warmup.durationS}`);
  await warmUp(ctx.baseUrl, request, settings.warmup.connections, settings.warmup.durationS);
  const rows: ScenarioRow[] = [];
  for (const c of connections) {
    const passes: PassResult[] = [];
    for (let round = 1; round <= settings.rounds; round += 1) {
      const pass = await runPass({
        baseUrl: ctx.baseUrl,
        request: scenario.request(ctx),
        connections: c,
        durationS: settings.durationS,
        title: scenario.name,
        serverPid: ctx.serverPid,
      });
      log(`  closed -c ${c} round ${round}/${settings.rounds}: ${summary(pass)}`);
      passes.push(pass);
    }
    const row = emptyRow(scenario.name, 'closed', c, medianRound(passes));
    row.rounds = passes.map((p) => p.reqPerSec);
    // Sum the failure counters over every round, not just the median one.
    row.errors = passes.reduce((n, p) => n + p.errors, 0);
    row.timeouts = passes.reduce((n, p) => n + p.timeouts, 0);
    rows.push(row);
  }
  return rows;
}

async function openLoop(
  scenario: Scenario,
  ctx: BenchContext,
  settings: Settings,
  closedMax: number,
): Promise<ScenarioRow[]> {
  const rows: ScenarioRow[] = [];
  for (const fraction of settings.open.fractions) {
    const rate = Math.max(1, Math.round(closedMax * fraction));
    const pass = await runPass({
      baseUrl: ctx.baseUrl,
      request: scenario.request(ctx),
      connections: settings.open.connections,
      durationS: settings.open.durationS,
      overallRate: rate,
      title: `${scenario.name} @${rate}/s`,
      serverPid: ctx.serverPid,
    });
    const achievedRate = Math.round((pass.total / pass.durationS) * 10) / 10;
    const row = emptyRow(scenario.name, 'open', Math.min(settings.open.connections, rate), pass);
    row.rate = rate;
    row.loadFraction = fraction;
    row.achievedRate = achievedRate;
    row.valid = achievedRate >= settings.open.minAchieved * rate;
    log(
      `  open -R ${rate} (${fraction * 100}%) -c ${row.connections}: achieved ${achievedRate}/s${row.valid ? '' : ' (INVALID)'}, ${summary(pass)}; uncorrected p50 ${pass.uncorrected?.p50} ms, p99 ${pass.uncorrected?.p99} ms`,
    );
    rows.push(row);

    // The cross-check at the same rate with evenly spaced arrivals (bench/lib/constant-rate.ts).
    const steady = await constantRatePass({
      baseUrl: ctx.baseUrl,
      request: scenario.request(ctx),
      rate,
      durationS: settings.open.durationS,
      connections: settings.open.connections,
    });
    const cross = emptyRow(
      `${scenario.name} (constant rate)`,
      'open',
      settings.open.connections,
      steady,
    );
    cross.rate = rate;
    cross.loadFraction = fraction;
    cross.crossCheck = true;
    cross.achievedRate = steady.achievedRate;
    cross.valid = steady.achievedRate >= settings.open.minAchieved * rate;
    log(
      `  constant rate ${rate}/s (${fraction * 100}%): achieved ${steady.achievedRate}/s, p50 ${steady.p50} ms, p99 ${steady.p99} ms, max ${steady.max} ms, non-2xx ${steady.non2xx}, errors ${steady.errors}`,
    );
    rows.push(cross);
  }
  return rows;
}

/** Gates and the every-scenario rule: 0 errors or timeouts, no unexpected non-2xx. */
function judge(row: ScenarioRow, scenario: Scenario | undefined, helloMean: Map<number, number>) {
  const expected = new Set(scenario?.expectedStatus ?? []);
  const unexpected = Object.entries(row.statusCodes)
    .filter(([code]) => !code.startsWith('2') && !expected.has(Number(code)))
    .reduce((n, [, count]) => n + count, 0);
  if (row.errors) row.problems.push(`${row.errors} errors`);
  if (row.timeouts) row.problems.push(`${row.timeouts} timeouts`);
  if (unexpected) row.problems.push(`${unexpected} unexpected non-2xx`);

  const gate = scenario?.gate ?? {};
  let gated = false;
  let ok = true;
  if (row.mode === 'closed') {
    const mean = helloMean.get(row.connections);
    row.ratio = mean ? Math.round((row.reqPerSec / mean) * 10_000) / 10_000 : null;
    if (gate.minRatio !== undefined && row.connections === GATE_CONNECTIONS && !row.phase) {
      gated = true;
      row.gate = `≥ ${Math.round(gate.minRatio * 100)}%`;
      if (row.ratio === null || row.ratio < gate.minRatio) {
        ok = false;
        row.problems.push(`ratio below ${Math.round(gate.minRatio * 100)}%`);
      }
    }
  } else {
    if (row.loadFraction === 0.5 && gate.p99Ms !== undefined && !row.crossCheck) {
      gated = true;
      row.gate = `p99 < ${gate.p99Ms} ms`;
      if (!(row.p99 < gate.p99Ms)) {
        ok = false;
        row.problems.push(`p99 ${row.p99} ms ≥ ${gate.p99Ms} ms`);
      }
      if (!row.valid) {
        ok = false;
        row.problems.push(`achieved ${row.achievedRate}/s < 98% of ${row.rate}/s`);
      }
    } else if (!row.valid) {
      row.problems.push(`achieved ${row.achievedRate}/s < 98% of ${row.rate}/s (reported only)`);
    }
  }
  const hardProblems = row.errors > 0 || row.timeouts > 0 || unexpected > 0;
  row.pass = gated ? ok && !hardProblems : hardProblems ? false : null;
}

async function main() {
  const { settings, fresh, noSeed } = parseSettings();
  const startedAt = new Date();
  const scenarios = await loadScenarios();
  const hello = scenarios.find((s) => s.name === 'hello');
  if (!hello) throw new Error('bench/scenarios/hello.ts is missing: it is the ratio denominator');
  const known = new Set(scenarios.map((s) => s.name));
  for (const name of settings.only ?? []) {
    if (!known.has(name))
      throw new Error(`Unknown scenario "${name}"; known: ${[...known].join(', ')}`);
  }
  const selected = scenarios.filter(
    (s) => s !== hello && (settings.only === null || settings.only.includes(s.name)),
  );
  if (selected.some((s) => s.target === 'hello'))
    throw new Error('Only the baseline may target hello');

  const cpu = cpuState();
  const loadStart = os.loadavg().map((n) => Math.round(n * 100) / 100);
  const notes: string[] = [];

  // The data set (bench/seed.ts) and the triage plan check (bench/plan.ts), before any load
  // and before the orchestrator pins itself. The app server then reuses the database.
  let seeded: SeedRecord | null = null;
  let planCheck: RunResult['plan'] = null;
  if (selected.length > 0) {
    const databaseUrl = process.env.DATABASE_URL || BENCH_DATABASE_URL;
    await ensureDatabase(databaseUrl, fresh);
    await runMigrations(databaseUrl);
    seeded = await seedRecord(databaseUrl);
    if (!seeded && !noSeed) {
      log('bench database not seeded: running bench/seed.ts (about 5 minutes on 2 cores)');
      seeded = await seed(databaseUrl, {
        ...DEFAULT_SEED,
        anchor: new Date().toISOString().slice(0, 10),
      });
    } else if (seeded) {
      log(
        `bench database seeded ${seeded.seededAt} (${seeded.counts.cases} cases, ${Math.round(seeded.timings.total! / 1000)} s)`,
      );
    } else {
      notes.push('--no-seed on an unseeded bench database: the casework scenarios see no cases.');
    }
    if (seeded) {
      log('plan check: EXPLAIN of the triage query (bench/plan.ts)');
      try {
        const check = await checkTriagePlan(databaseUrl);
        planCheck = check;
        for (const c of check.checks) log(`  ${c.pass ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`);
        notes.push(
          `Triage plan check (${check.query}): **${check.verdict}**; ${
            check.checks
              .filter((c) => !c.pass)
              .map((c) => `${c.name} failed: ${c.detail}`)
              .join('; ') || 'all assertions hold'
          }.`,
        );
      } catch (error) {
        planCheck = { error: error instanceof Error ? error.message : String(error) };
        notes.push(`Triage plan check could not run: ${planCheck.error}`);
      }
    }
  }
  const plan = pinningPlan(cpu.cores);
  if (plan.pinned && !pinSelf(plan.load!)) {
    plan.pinned = false;
    plan.layout = { reason: 'taskset -p failed on the orchestrator' };
  }
  notes.push(
    'BENCH=1 is set for the app server; the rate limiter is route-scoped (sign-in and token routes only), so no benchmarked route is limited.',
  );
  if (loadStart[0]! > cpu.cores * 0.5) {
    notes.push(
      `The host was busy when the run started (1-minute load ${loadStart[0]} on ${cpu.cores} cores): other processes compete for the pinned cores.`,
    );
    log(
      `warning: 1-minute load average ${loadStart[0]} on ${cpu.cores} cores; results will be noisy`,
    );
  }
  if (cpu.cores < 4)
    notes.push(
      `${cpu.cores} cores: PostgreSQL and Redis share the server and load cores, so DB-bound scenarios are pessimistic.`,
    );

  const perScenario =
    selected.length * (5 + settings.connections.length * settings.rounds * settings.durationS);
  const estimate =
    2 * (5 + settings.connections.length * settings.rounds * settings.durationS) +
    perScenario +
    selected.filter((s) => s.openLoop ?? s.gate.p99Ms !== undefined).length *
      settings.open.fractions.length *
      settings.open.durationS;
  log(
    `bench: ${settings.mode}; scenarios ${['hello', ...selected.map((s) => s.name)].join(', ')}; pinned ${plan.pinned}; about ${Math.ceil(estimate / 60)} min of load`,
  );

  const servers: Array<ServerProcess<unknown>> = [];
  const stopAll = async () => {
    for (const server of servers.splice(0)) await server.stop();
  };
  process.once('SIGINT', () => {
    void stopAll().then(() => process.exit(130));
  });

  const dataset: Record<string, number> = {};
  const helloRows: ScenarioRow[] = [];
  const runHello = async (phase: 'before' | 'after') => {
    log(`hello (${phase})`);
    const server = await startServer<{ ready: boolean; port: number; pid: number }>({
      label: 'hello',
      file: path.join(BENCH_DIR, 'hello.ts'),
      cpu: plan.server,
    });
    servers.push(server);
    try {
      const { ctx } = makeContext(
        `http://127.0.0.1:${server.info.port}`,
        server.info.pid,
        undefined,
        dataset,
      );
      const rows = await closedLoop(hello, ctx, settings, settings.connections);
      for (const row of rows) helloRows.push({ ...row, phase });
    } finally {
      await server.stop();
      servers.splice(servers.indexOf(server), 1);
    }
  };

  await runHello('before');

  const appRows: Array<{ scenario: Scenario; rows: ScenarioRow[] }> = [];
  let pgMeta: Meta['postgres'] = null;
  let redisMeta: Meta['redis'] = null;
  const checks: Array<{ scenario: Scenario; problems: string[] }> = [];
  if (selected.length > 0) {
    log('app server');
    const server = await startServer<AppInfo & { ready: boolean }>({
      label: 'app',
      file: path.join(BENCH_DIR, 'app-server.ts'),
      cpu: plan.server,
      timeoutMs: 180_000,
      // --fresh was handled above (drop, migrate, seed); the app server reuses the database.
      env: { NODE_ENV: 'production', BENCH: '1' },
    });
    servers.push(server);
    const app = server.info;
    Object.assign(dataset, app.dataset);
    if (seeded) {
      Object.assign(dataset, seeded.counts, {
        seedMs: seeded.timings.total ?? 0,
        seedCopyCasesMs: seeded.timings.cases ?? 0,
      });
    }
    [pgMeta, redisMeta] = await Promise.all([
      postgresState(app.databaseUrl),
      redisState(app.redisUrl),
    ]);
    try {
      for (const scenario of selected) {
        log(`${scenario.name}: ${scenario.description}`);
        const { ctx, close } = makeContext(`http://127.0.0.1:${app.port}`, app.pid, app, dataset);
        try {
          await scenario.setup?.(ctx);
          const rows = await closedLoop(
            scenario,
            ctx,
            settings,
            scenario.connections ?? settings.connections,
          );
          const wantsOpen = scenario.openLoop ?? scenario.gate.p99Ms !== undefined;
          if (wantsOpen) {
            const max = Math.max(...rows.map((r) => r.reqPerSec));
            rows.push(...(await openLoop(scenario, ctx, settings, max)));
          }
          if (scenario.check) {
            const problems = await scenario.check(ctx, rows);
            checks.push({ scenario, problems });
            for (const p of problems) log(`  check FAILED: ${p}`);
          }
          appRows.push({ scenario, rows });
        } finally {
          await close();
        }
      }
    } finally {
      await server.stop();
      servers.splice(servers.indexOf(server), 1);
    }
  }

  await runHello('after');

  // Baseline per connection count: mean of before and after; noisy when they differ > 10%.
  const byConnections: Baseline[] = settings.connections.map((c) => {
    const before = helloRows.find((r) => r.phase === 'before' && r.connections === c)!;
    const after = helloRows.find((r) => r.phase === 'after' && r.connections === c) ?? null;
    const mean = after ? (before.reqPerSec + after.reqPerSec) / 2 : before.reqPerSec;
    const drift = after ? Math.abs(after.reqPerSec - before.reqPerSec) / before.reqPerSec : null;
    return { connections: c, before, after, mean, drift, noisy: drift !== null && drift > NOISE };
  });
  const helloMean = new Map(byConnections.map((b) => [b.connections, b.mean]));
  const gateBaseline =
    byConnections.find((b) => b.connections === GATE_CONNECTIONS) ?? byConnections.at(-1)!;

  for (const row of helloRows) judge(row, hello, helloMean);
  for (const { scenario, rows } of appRows) {
    for (const row of rows) judge(row, scenario, helloMean);
    const failed = checks.find((c) => c.scenario === scenario)?.problems ?? [];
    if (failed.length) {
      const target = rows.find((r) => r.pass !== null) ?? rows[0]!;
      target.problems.push(...failed.map((p) => `check: ${p}`));
      target.pass = false;
    }
  }
  const scenarioRows = [
    ...helloRows.filter((r) => r.phase === 'before'),
    ...appRows.flatMap((a) => a.rows),
    ...helloRows.filter((r) => r.phase === 'after'),
  ];

  const loadEnd = os.loadavg().map((n) => Math.round(n * 100) / 100);
  if (loadEnd[0]! > cpu.cores * 0.5)
    notes.push(
      `The host was busy when the run finished (1-minute load ${loadEnd[0]} on ${cpu.cores} cores).`,
    );

  const date = startedAt.toISOString().slice(0, 10);
  const result: RunResult = {
    meta: {
      date,
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      git: gitState(),
      node: process.version,
      os: osState(),
      cpu,
      memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
      hostname: os.hostname(),
      loadavg: { start: loadStart, end: loadEnd },
      postgres: pgMeta,
      redis: redisMeta,
      pinned: plan.pinned,
      pinning: plan.layout,
      conditions: {
        NODE_ENV: 'production',
        logLevel: 'warn',
        BENCH: '1',
        database: 'opcc_bench (DATABASE_URL or postgres://postgres@127.0.0.1:5432/opcc_bench)',
        dbPool: '10 (openRuntime default)',
        queues: 'BullMQ on Redis, prefix opccbench (no workers running)',
        mail: 'SMTP transport configured, nothing sent by these scenarios',
      },
      dataset,
      notes,
    },
    settings,
    baseline: {
      before: gateBaseline.before.reqPerSec,
      after: gateBaseline.after?.reqPerSec ?? null,
      mean: Math.round(gateBaseline.mean * 10) / 10,
      drift: gateBaseline.drift === null ? null : Math.round(gateBaseline.drift * 10_000) / 10_000,
      noisy: byConnections.some((b) => b.noisy),
      byConnections,
    },
    scenarios: scenarioRows,
    seed: seeded,
    plan: planCheck,
    // The plan check is an assertion of the run too (a failed EXPLAIN check fails the run).
    pass:
      scenarioRows.every((row) => row.pass !== false) &&
      !(planCheck && 'verdict' in planCheck && planCheck.verdict === 'fail'),
  };

  mkdirSync(RESULTS_DIR, { recursive: true });
  const previousFile = listResults().at(-1);
  const file = nextResultsPath(date);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  const markdown = renderRun(result);
  writeFileSync(file.replace(/\.json$/, '.md'), markdown);
  updateReadme(
    renderComparison(
      result,
      previousFile ? loadResult(previousFile) : undefined,
      file,
      previousFile,
    ),
  );
  process.stdout.write(`\n${markdown}\n`);
  log(`wrote ${path.relative(process.cwd(), file)} and its .md; README table updated`);
  if (!result.pass) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
