/**
 * Where the app server spends its CPU for one scenario (`npm run bench:profile -- case-json`).
 * Starts bench/app-server.ts with V8's `--cpu-prof`, drives the scenario's request closed
 * loop for `--duration` seconds at `-c 50`, stops the server (the profile is written on
 * exit) and prints the heaviest functions by self time, then the heaviest files. The raw
 * `.cpuprofile` stays in `--dir` for Chrome DevTools. Not a benchmark: no ratios, no gates.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { BENCH_DATABASE_URL } from './app-server.js';
import { runPass } from './lib/load.js';
import { startServer } from './lib/servers.js';
import type { AppInfo, BenchContext, Scenario } from './lib/types.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    duration: { type: 'string', default: '10' },
    dir: { type: 'string', default: '/tmp/opcc-profile' },
    top: { type: 'string', default: '40' },
  },
});
const name = positionals[0] ?? 'case-json';
const dir = path.resolve(values.dir);
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });

const scenario = ((await import(`./scenarios/${name}.ts`)) as { default: Scenario }).default;
const app = await startServer<AppInfo & { ready?: boolean }>({
  label: 'app',
  file: 'bench/app-server.ts',
  cpu: null,
  nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${dir}`],
  env: { BENCH: '1' },
});
const sql = postgres(process.env.DATABASE_URL ?? BENCH_DATABASE_URL, { max: 2 });
const baseUrl = `http://127.0.0.1:${app.info.port}`;
const ctx: BenchContext = {
  baseUrl,
  serverPid: app.info.pid,
  data: {},
  dataset: {},
  app: app.info,
  log: (line: string) => process.stderr.write(`${line}\n`),
  sql: () => sql,
  bearer: () => ({ authorization: `Bearer ${app.info.token}` }),
  bearerAs: (role) => ({ authorization: `Bearer ${app.info.staff[role].token}` }),
};
await scenario.setup?.(ctx);
const result = await runPass({
  baseUrl,
  request: scenario.request(ctx),
  connections: 50,
  durationS: Number(values.duration),
  serverPid: app.info.pid,
});
process.stderr.write(
  `${name}: ${Math.round(result.reqPerSec)} req/s, p99 ${result.p99} ms, server CPU ${result.serverCpuUsPerReq} µs/req, PostgreSQL CPU ${result.databaseCpuUsPerReq} µs/req, load CPU ${result.loadCpuUsPerReq} µs/req\n`,
);
await app.stop();
await sql.end();

// The main thread's profile is the largest (tsx's loader thread writes a small one too).
const file = readdirSync(dir)
  .filter((f) => f.endsWith('.cpuprofile'))
  .sort((a, b) => statSync(path.join(dir, b)).size - statSync(path.join(dir, a)).size)[0];
if (!file) throw new Error(`no .cpuprofile written in ${dir}`);
const profile = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as CpuProfile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const selfUs = new Map<number, number>();
profile.samples.forEach((id, i) =>
  selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)),
);
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
const byFunction = new Map<string, number>();
const byFile = new Map<string, number>();
for (const [id, us] of selfUs) {
  const frame = byId.get(id)!.callFrame;
  const where = frame.url
    .replace(/^file:\/\/\/work\/main\//, '')
    .replace(/.*node_modules\//, 'nm:');
  byFunction.set(
    `${frame.functionName || '(anonymous)'} ${where}:${frame.lineNumber + 1}`,
    (byFunction.get(`${frame.functionName || '(anonymous)'} ${where}:${frame.lineNumber + 1}`) ??
      0) + us,
  );
  const pkg = where.startsWith('nm:')
    ? where
        .split('/')
        .slice(0, where.startsWith('nm:@') ? 2 : 1)
        .join('/')
    : where || '(native)';
  byFile.set(pkg, (byFile.get(pkg) ?? 0) + us);
}
const print = (title: string, map: Map<string, number>) => {
  console.log(`\n${title}`);
  for (const [key, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top)))
    console.log(`${((100 * us) / total).toFixed(1).padStart(5)}%  ${key}`);
};
print('Self time by function', byFunction);
print('Self time by package or file', byFile);
console.log(`\nprofile: ${path.join(dir, file)}`);
