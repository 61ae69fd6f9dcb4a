/**
 * `npm run bench:report`: rewrites bench/results/<latest>.md from its JSON and the README
 * table between `<!-- bench:start -->` and `<!-- bench:end -->` (latest run vs the one
 * before it). bench/run.ts calls the same functions at the end of every run.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunResult, ScenarioRow } from './lib/types.js';

export const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
export const RESULTS_DIR = path.join(BENCH_DIR, 'results');
export const README = path.join(BENCH_DIR, 'README.md');
const START = '<!-- bench:start -->';
const END = '<!-- bench:end -->';
/** A ratio more than this far below the previous run's is flagged. */
export const REGRESSION = 0.15;

/** Results files oldest first: 2026-11-23.json, 2026-11-23-2.json, 2026-11-24.json … */
export function listResults(dir = RESULTS_DIR): string[] {
  if (!existsSync(dir)) return [];
  const key = (file: string) => {
    const m = /^(\d{4}-\d{2}-\d{2})(?:-(\d+))?\.json$/.exec(file)!;
    return `${m[1]}-${(m[2] ?? '1').padStart(4, '0')}`;
  };
  return readdirSync(dir)
    .filter((file) => /^\d{4}-\d{2}-\d{2}(-\d+)?\.json$/.test(file))
    .sort((a, b) => key(a).localeCompare(key(b)))
    .map((file) => path.join(dir, file));
}

/** The next free `<date>.json`, `<date>-2.json`, … */
export function nextResultsPath(date: string, dir = RESULTS_DIR): string {
  for (let n = 1; ; n += 1) {
    const file = path.join(dir, n === 1 ? `${date}.json` : `${date}-${n}.json`);
    if (!existsSync(file)) return file;
  }
}

export const loadResult = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as RunResult;

const int = (n: number) => Math.round(n).toLocaleString('en-GB');
const pct = (n: number | null) => (n === null ? '-' : `${(n * 100).toFixed(1)}%`);
const ms = (n: number) => `${Number.isInteger(n) ? n : n.toFixed(1)} ms`;

/** A latency of a pass that completed no request is no latency at all. */
const lat = (row: ScenarioRow, n: number) => (row.total === 0 ? '-' : ms(n));

export const rowLabel = (row: ScenarioRow) => (row.phase ? `${row.name} (${row.phase})` : row.name);

export const loadLabel = (row: ScenarioRow) =>
  row.mode === 'closed'
    ? `c ${row.connections}`
    : `${int(row.rate ?? 0)}/s (${Math.round((row.loadFraction ?? 0) * 100)}%)`;

/** Identifies "the same measurement" across runs: rates differ, load fractions do not. */
export const rowKey = (row: ScenarioRow) =>
  [
    row.name,
    row.phase ?? '',
    row.mode,
    row.mode === 'closed' ? row.connections : row.loadFraction,
  ].join('|');

export const resultLabel = (row: ScenarioRow) => {
  if (row.mode === 'open' && row.valid === false)
    return row.pass === false ? 'FAIL (invalid)' : 'invalid';
  if (row.pass === null) return 'reported';
  return row.pass ? 'pass' : 'FAIL';
};

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

function metaLines(result: RunResult): string[] {
  const { meta, settings, baseline } = result;
  return [
    `- Commit \`${meta.git.sha.slice(0, 12)}\`${meta.git.dirty ? ` (dirty: ${meta.git.dirtyFiles} files)` : ''}; Node ${meta.node}; ${meta.os.distro ?? meta.os.platform}, kernel ${meta.os.release}`,
    `- CPU ${meta.cpu.model} × ${meta.cpu.cores}; ${meta.memoryGiB} GiB; load average at start ${meta.loadavg.start.join(' / ')}, at end ${meta.loadavg.end.join(' / ')}; pinned: ${meta.pinned}${
      meta.pinned
        ? ` (${Object.entries(meta.pinning)
            .map(([k, v]) => `${k}: ${v}`)
            .join('; ')})`
        : ''
    }`,
    `- PostgreSQL ${meta.postgres?.version ?? 'n/a'}; Redis ${meta.redis?.version ?? 'n/a'}${meta.redis?.settings.appendonly ? ` (appendonly ${meta.redis.settings.appendonly}, appendfsync ${meta.redis.settings.appendfsync ?? '?'})` : ''}`,
    `- Method: ${settings.mode}; warm-up -c ${settings.warmup.connections} ${settings.warmup.durationS} s; closed loop -c ${settings.connections.join(', ')} × ${settings.durationS} s × ${settings.rounds} round(s) (median); open loop -R at ${settings.open.fractions.map((f) => `${f * 100}%`).join(', ')} of the closed-loop max, -c ${settings.open.connections}, ${settings.open.durationS} s`,
    `- Baseline hello: before ${int(baseline.before)} req/s, after ${baseline.after === null ? '-' : int(baseline.after)} req/s, drift ${pct(baseline.drift)}${baseline.noisy ? ' — **noisy** (> 10%)' : ''}`,
    `- Dataset: ${
      Object.entries(meta.dataset)
        .map(([k, v]) => `${k} ${int(v)}`)
        .join(', ') || '-'
    }`,
    ...meta.notes.map((note) => `- Note: ${note}`),
  ];
}

/** Server CPU per request: far less sensitive to a busy host than req/s. */
function cpuLines(result: RunResult): string[] {
  const rows = result.scenarios.filter((row) => row.mode === 'closed' && row.serverCpuUsPerReq);
  if (rows.length === 0) return [];
  const hello = rows.filter((row) => row.name === 'hello').map((row) => row.serverCpuUsPerReq!);
  const helloMean = hello.length ? hello.reduce((a, b) => a + b, 0) / hello.length : null;
  return [
    '',
    'CPU time (user + system, from /proc) per request, closed loop: the server process, every PostgreSQL process together, and the load generator (autocannon, in the orchestrator). Redis is not included:',
    '',
    table(
      ['Scenario', 'c', 'Server CPU µs/req', '× hello', 'PostgreSQL CPU µs/req', 'Load CPU µs/req'],
      rows.map((row) => [
        rowLabel(row),
        String(row.connections),
        row.serverCpuUsPerReq!.toFixed(1),
        helloMean ? `${(row.serverCpuUsPerReq! / helloMean).toFixed(1)}×` : '-',
        row.databaseCpuUsPerReq != null ? row.databaseCpuUsPerReq.toFixed(1) : '-',
        row.loadCpuUsPerReq != null ? row.loadCpuUsPerReq.toFixed(1) : '-',
      ]),
    ),
  ];
}

/** Open-loop rows: the raw per-response percentiles beside autocannon's corrected ones. */
function uncorrectedLines(result: RunResult): string[] {
  const open = result.scenarios.filter((row) => row.mode === 'open' && row.uncorrected);
  if (open.length === 0) return [];
  return [
    '',
    'Open loop, raw response times (one sample per response, no correction) for comparison:',
    '',
    table(
      ['Scenario', 'Rate', 'p50', 'p97.5', 'p99', 'max', 'corrected p99'],
      open.map((row) => [
        row.name,
        loadLabel(row),
        ms(row.uncorrected!.p50),
        ms(row.uncorrected!.p975),
        ms(row.uncorrected!.p99),
        ms(row.uncorrected!.max),
        ms(row.p99),
      ]),
    ),
  ];
}

/** The seeded data set and its load time (bench/seed.ts). */
function seedLines(result: RunResult): string[] {
  const seed = result.seed;
  if (!seed) return [];
  const s = (ms?: number) => (ms === undefined ? '-' : `${(ms / 1000).toFixed(1)} s`);
  return [
    '',
    `Data set (bench/seed.ts, PRNG seed ${seed.options.seed}, anchor ${seed.options.anchor}, seeded ${seed.seededAt}): ${Object.entries(
      seed.counts,
    )
      .map(([k, v]) => `${k} ${int(v)}`)
      .join(
        ', ',
      )}. Seed time ${s(seed.timings.total)} (contacts ${s(seed.timings.contacts)}, cases ${s(seed.timings.cases)}, case events ${s(seed.timings.case_events)}, VACUUM ANALYZE ${s(seed.timings.vacuumAnalyze)}); load average ${seed.host.loadavgStart.join(' / ')} at the start, ${seed.host.loadavgEnd.join(' / ')} at the end.`,
  ];
}

/** The triage EXPLAIN check (bench/plan.ts). */
function planLines(result: RunResult): string[] {
  const plan = result.plan;
  if (!plan) return [];
  if ('error' in plan) return ['', `Plan check: could not run (${plan.error}).`];
  const block = (q: (typeof plan.triage)[number]) => [
    '',
    `${q.label}: execution ${q.executionMs} ms, planning ${q.planningMs} ms, shared buffers hit ${int(q.sharedHitBlocks)} / read ${int(q.sharedReadBlocks)}`,
    '',
    '```',
    q.shape,
    '```',
  ];
  return [
    '',
    `## Plan check: **${plan.verdict}**`,
    '',
    `${plan.query}; ${int(plan.openRows)} cases have status open. EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON); the full plans are in the JSON.`,
    '',
    table(
      ['Assertion', 'Result', 'Detail'],
      plan.checks.map((c) => [c.name, c.pass ? 'pass' : 'FAIL', c.detail]),
    ),
    ...plan.triage.flatMap(block),
    '',
    'The page’s other queries (reported only):',
    ...plan.others.flatMap(block),
  ];
}

/** The per-run Markdown file: bench/results/<date>.md. */
export function renderRun(result: RunResult): string {
  const rows = result.scenarios.map((row) => [
    rowLabel(row),
    row.mode,
    loadLabel(row),
    int(row.mode === 'open' && row.achievedRate !== null ? row.achievedRate : row.reqPerSec),
    pct(row.ratio),
    lat(row, row.p50),
    lat(row, row.p99),
    String(row.non2xx),
    row.gate,
    resultLabel(row) + (row.problems.length ? ` (${row.problems.join('; ')})` : ''),
  ]);
  return [
    `# Benchmark run ${result.meta.date}`,
    '',
    `Overall: **${result.pass ? 'pass' : 'FAIL'}**${result.baseline.noisy ? ' (noisy)' : ''}. Started ${result.meta.startedAt}, finished ${result.meta.finishedAt}.`,
    '',
    ...metaLines(result),
    '',
    table(
      [
        'Scenario',
        'Mode',
        'c or rate',
        'req/s',
        'Ratio',
        'p50',
        'p99',
        'non-2xx',
        'Gate',
        'Result',
      ],
      rows,
    ),
    '',
    'Open-loop rows show the achieved rate as req/s. Latencies are autocannon’s (ms); open-loop ones are its coordinated-omission corrected histogram, which the gate uses.',
    ...cpuLines(result),
    ...uncorrectedLines(result),
    ...seedLines(result),
    ...planLines(result),
    '',
  ].join('\n');
}

/** The README table: this run against the previous one, with regressions flagged. */
export function renderComparison(
  current: RunResult,
  previous: RunResult | undefined,
  currentFile: string,
  previousFile?: string,
): string {
  const before = new Map(previous?.scenarios.map((row) => [rowKey(row), row]) ?? []);
  const sameHost =
    previous !== undefined &&
    previous.meta.cpu.model === current.meta.cpu.model &&
    previous.meta.cpu.cores === current.meta.cpu.cores &&
    previous.meta.hostname === current.meta.hostname;
  const regressions: string[] = [];
  const rows = current.scenarios.map((row) => {
    const old = before.get(rowKey(row));
    let change = '-';
    // The baseline's own ratio is only its drift; it is not a regression of anything.
    if (row.ratio !== null && old?.ratio && !row.phase) {
      const delta = row.ratio / old.ratio - 1;
      change = `${delta >= 0 ? '+' : ''}${(delta * 100).toFixed(1)}%`;
      if (delta < -REGRESSION) {
        change += ' **REGRESSION**';
        regressions.push(`${rowLabel(row)} ${loadLabel(row)}`);
      }
    }
    return [
      rowLabel(row),
      row.mode,
      loadLabel(row),
      int(row.mode === 'open' && row.achievedRate !== null ? row.achievedRate : row.reqPerSec),
      pct(row.ratio),
      old ? pct(old.ratio) : '-',
      change,
      lat(row, row.p99),
      old ? lat(old, old.p99) : '-',
      row.serverCpuUsPerReq ? row.serverCpuUsPerReq.toFixed(0) : '-',
      row.gate,
      resultLabel(row),
    ];
  });
  const noisy = current.baseline.noisy || previous?.baseline.noisy;
  const rel = (file: string) => path.relative(BENCH_DIR, file);
  return [
    `This run: [${rel(currentFile).replace(/\.json$/, '.md')}](${rel(currentFile).replace(/\.json$/, '.md')}) (JSON beside it) — ${current.meta.startedAt}, \`${current.meta.git.sha.slice(0, 12)}\`${current.meta.git.dirty ? ' (dirty)' : ''}, ${current.settings.mode}, ${current.meta.cpu.model} × ${current.meta.cpu.cores}, pinned: ${current.meta.pinned}. Overall: **${current.pass ? 'pass' : 'FAIL'}**${current.baseline.noisy ? ', **noisy** baseline' : ''}.`,
    '',
    previous && previousFile
      ? `Previous: [${rel(previousFile).replace(/\.json$/, '.md')}](${rel(previousFile).replace(/\.json$/, '.md')}) — ${previous.meta.startedAt}, \`${previous.meta.git.sha.slice(0, 12)}\`, ${previous.settings.mode}${sameHost ? ', same host' : ', **different host** (compare ratios only)'}.`
      : 'Previous: none.',
    '',
    table(
      [
        'Scenario',
        'Mode',
        'c or rate',
        'req/s',
        'Ratio',
        'Prev ratio',
        'Change',
        'p99',
        'Prev p99',
        'Server CPU µs/req',
        'Gate',
        'Result',
      ],
      rows,
    ),
    '',
    ...(current.plan && 'verdict' in current.plan
      ? [
          `Triage plan check: **${current.plan.verdict}** (${current.plan.checks
            .map((c) => `${c.name}: ${c.pass ? 'yes' : 'NO'}`)
            .join(
              '; ',
            )}). Load average ${current.meta.loadavg.start[0]} at the start, ${current.meta.loadavg.end[0]} at the end (${current.meta.cpu.cores} cores).`,
          '',
        ]
      : []),
    regressions.length
      ? `Regressions (ratio > ${REGRESSION * 100}% below the previous run): ${regressions.join(', ')}.${noisy ? ' One of the two runs has a noisy baseline: rerun on a quiet host before acting on these.' : ''}`
      : `No ratio fell more than ${REGRESSION * 100}% below the previous run.`,
  ].join('\n');
}

export function updateReadme(comparison: string, readme = README): void {
  const text = readFileSync(readme, 'utf8');
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  if (start < 0 || end < start) throw new Error(`${readme} has no ${START} … ${END} block`);
  writeFileSync(
    readme,
    `${text.slice(0, start + START.length)}\n${comparison}\n${text.slice(end)}`,
  );
}

/** Rewrites the latest run's Markdown and the README table from the results files. */
export function report(): { current: string; previous?: string } {
  const files = listResults();
  const currentFile = files.at(-1);
  if (!currentFile) throw new Error(`No results in ${RESULTS_DIR}: run npm run bench first`);
  const previousFile = files.at(-2);
  const current = loadResult(currentFile);
  const previous = previousFile ? loadResult(previousFile) : undefined;
  writeFileSync(currentFile.replace(/\.json$/, '.md'), renderRun(current));
  updateReadme(renderComparison(current, previous, currentFile, previousFile));
  return { current: currentFile, previous: previousFile };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    const { current, previous } = report();
    console.log(
      `README updated from ${path.basename(current)}${previous ? ` vs ${path.basename(previous)}` : ''}`,
    );
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
