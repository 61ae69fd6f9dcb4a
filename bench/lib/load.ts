import { readdirSync, readFileSync } from 'node:fs';
import autocannon, { type Result } from 'autocannon';
import type { PassResult, ScenarioRequest } from './types.js';

export interface PassOptions {
  baseUrl: string;
  request: ScenarioRequest;
  connections: number;
  durationS: number;
  /** Open loop: autocannon `-R`, the requests per second across all connections. */
  overallRate?: number;
  title?: string;
  /** Read this process's CPU time before and after (Linux /proc). */
  serverPid?: number;
}

/** utime + stime of a process in ms, or null off Linux. Fields after the `(comm)` name. */
export function processCpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state); utime and stime are fields 14 and 15, in clock ticks (100/s).
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

/**
 * CPU time of every PostgreSQL process (postmaster, backends, WAL writer, checkpointer) in
 * ms, or null off Linux. On a 2-core host PostgreSQL shares the app's and autocannon's
 * cores, so its cost per request is the other half of a DB-bound scenario's budget.
 */
export function databaseCpuMs(): number | null {
  try {
    let total = 0;
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() !== 'postgres') continue;
        total += processCpuMs(Number(entry)) ?? 0;
      } catch {
        // The process ended between the listing and the read.
      }
    }
    return total;
  } catch {
    return null;
  }
}

const round = (value: number, digits = 2) => {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
};

function toPass(result: Result): PassResult {
  const statusCodes: Record<string, number> = {};
  for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) {
    statusCodes[code] = Number(stat.count);
  }
  const total = result.requests.total;
  return {
    // autocannon's own figure: the mean of the per-second samples.
    reqPerSec: round(result.requests.average, 1),
    total,
    durationS: result.duration,
    p50: result.latency.p50,
    p975: result.latency.p97_5,
    p99: result.latency.p99,
    max: result.latency.max,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes,
  };
}

/**
 * One autocannon pass, no pipelining. With `overallRate` autocannon corrects latencies
 * for coordinated omission; `-C` (ignoreCoordinatedOmission) is never passed.
 */
export async function runPass(options: PassOptions): Promise<PassResult> {
  const { idReplacement, ...request } = options.request;
  const instance = autocannon({
    url: options.baseUrl,
    connections: options.connections,
    duration: options.durationS,
    pipelining: 1,
    timeout: 10,
    requests: [request],
    idReplacement: idReplacement ?? false,
    ...(options.overallRate ? { overallRate: options.overallRate } : {}),
    title: options.title,
  });
  // Raw per-response latencies, for comparison with autocannon's corrected histogram.
  const raw: number[] = [];
  if (options.overallRate) {
    instance.on('response', (_client: unknown, _status: number, _bytes: number, ms: number) => {
      raw.push(ms);
    });
  }
  const cpuBefore = options.serverPid ? processCpuMs(options.serverPid) : null;
  const dbBefore = options.serverPid ? databaseCpuMs() : null;
  const loadBefore = process.cpuUsage();
  const pass = toPass(await instance);
  const load = process.cpuUsage(loadBefore);
  if (pass.total > 0) pass.loadCpuUsPerReq = round((load.user + load.system) / pass.total, 1);
  const cpuAfter = options.serverPid ? processCpuMs(options.serverPid) : null;
  const dbAfter = options.serverPid ? databaseCpuMs() : null;
  pass.databaseCpuUsPerReq =
    dbBefore !== null && dbAfter !== null && pass.total > 0
      ? round(((dbAfter - dbBefore) * 1000) / pass.total, 1)
      : null;
  pass.serverCpuUsPerReq =
    cpuBefore !== null && cpuAfter !== null && pass.total > 0
      ? round(((cpuAfter - cpuBefore) * 1000) / pass.total, 1)
      : null;
  if (raw.length > 0) {
    raw.sort((a, b) => a - b);
    const at = (q: number) =>
      round(raw[Math.min(raw.length - 1, Math.ceil(q * raw.length) - 1)]!, 1);
    pass.uncorrected = { p50: at(0.5), p975: at(0.975), p99: at(0.99), max: round(raw.at(-1)!, 1) };
  }
  return pass;
}

/** The warm-up: `--warmup [ -c 10 -d 5 ]`, results discarded. */
export async function warmUp(
  baseUrl: string,
  request: ScenarioRequest,
  connections: number,
  durationS: number,
): Promise<PassResult> {
  return runPass({ baseUrl, request, connections, durationS, title: 'warm-up' });
}

/** The round with the median req/s (lower middle for an even count). */
export function medianRound(passes: PassResult[]): PassResult {
  const sorted = [...passes].sort((a, b) => a.reqPerSec - b.reqPerSec);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}
