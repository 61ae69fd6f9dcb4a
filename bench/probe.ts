/**
 * `npm run bench:probe`: one request at a time (no concurrency) against the casework
 * endpoints on the seeded data set: the uncontended latency of each, to read beside the
 * loaded figures of `npm run bench`. Starts its own app server (bench/app-server.ts).
 * Prints the results as JSON; with `--out <file>` also writes them there.
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startServer } from './lib/servers.js';
import { signInCookie } from './lib/session.js';
import type { AppInfo } from './lib/types.js';
import { BENCH_DIR } from './report.js';
import { TRIAGE_QUERY } from './scenarios/triage-json.js';

const { values } = parseArgs({
  options: { n: { type: 'string', default: '30' }, out: { type: 'string' } },
});
const n = Number(values.n);

const server = await startServer<AppInfo & { ready: boolean }>({
  label: 'app',
  file: path.join(BENCH_DIR, 'app-server.ts'),
  cpu: null,
  timeoutMs: 180_000,
  env: { NODE_ENV: 'production', BENCH: '1' },
});
try {
  const app = server.info;
  const base = `http://127.0.0.1:${app.port}`;
  const manager = { authorization: `Bearer ${app.staff.manager.token}` };
  const cookie = await signInCookie(base, app.staff.caseworker);
  const managerCookie = await signInCookie(base, app.staff.manager);
  const ids = await (
    await fetch(`${base}/api/cases?status=closed&sort=-received&limit=${n}`, { headers: manager })
  ).json();
  const caseIds = (ids as { items: Array<{ id: string }> }).items.map((i) => i.id);
  const probes: Array<{
    name: string;
    url: (i: number) => string;
    headers: Record<string, string>;
  }> = [
    {
      name: 'case-json (manager)',
      url: (i) => `/api/cases/${caseIds[i % caseIds.length]}`,
      headers: manager,
    },
    { name: 'triage-json (manager)', url: () => `/api/cases?${TRIAGE_QUERY}`, headers: manager },
    {
      name: 'triage-page (caseworker)',
      url: () => `/casework?${TRIAGE_QUERY}`,
      headers: { cookie },
    },
    {
      name: 'triage-page (manager)',
      url: () => `/casework?${TRIAGE_QUERY}`,
      headers: { cookie: managerCookie },
    },
  ];
  const results: Record<
    string,
    { n: number; p50: number; p90: number; max: number; status: number[] }
  > = {};
  for (const probe of probes) {
    const times: number[] = [];
    const statuses = new Set<number>();
    for (let i = 0; i < n + 2; i += 1) {
      const t = performance.now();
      const response = await fetch(`${base}${probe.url(i)}`, { headers: probe.headers });
      await response.arrayBuffer();
      if (i >= 2) times.push(performance.now() - t); // two warm-up requests
      statuses.add(response.status);
    }
    times.sort((a, b) => a - b);
    const at = (q: number) =>
      Math.round(times[Math.min(times.length - 1, Math.floor(q * times.length))]! * 10) / 10;
    results[probe.name] = { n, p50: at(0.5), p90: at(0.9), max: at(1), status: [...statuses] };
    process.stderr.write(`${probe.name}: p50 ${at(0.5)} ms, p90 ${at(0.9)} ms, max ${at(1)} ms\n`);
  }
  const out = {
    at: new Date().toISOString(),
    loadavg: os.loadavg().map((x) => Math.round(x * 100) / 100),
    results,
  };
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  if (values.out) writeFileSync(values.out, `${JSON.stringify(out, null, 2)}\n`);
} finally {
  await server.stop();
}
