import type { Request as AutocannonRequest } from 'autocannon';
import type postgres from 'postgres';
import type { PlanCheck } from '../plan.js';
import type { SeedRecord } from '../seed.js';

/**
 * A scenario is one file in bench/scenarios/ that default-exports this shape. The
 * orchestrator (bench/run.ts) discovers the files, so adding a scenario is adding a file.
 */
export interface Scenario {
  /** Unique; what `npm run bench -- --only <name>` selects. */
  name: string;
  /** One line for the README: what the number means. */
  description: string;
  /** Which server the load goes to. Only the baseline uses 'hello'. */
  target?: 'app' | 'hello';
  /** Sort key; files sort by name when equal. */
  order?: number;
  gate: Gate;
  /** Closed-loop connection counts; default from the run (50, or 10 and 50 with --full). */
  connections?: number[];
  /** Run the open-loop pass at 50% (and 80% with --full) of the closed-loop max; default: when gate.p99Ms is set. */
  openLoop?: boolean;
  /** Status codes other than 2xx that are expected (e.g. 409 for booking contention). */
  expectedStatus?: number[];
  /** Once, before the warm-up: fetch ids, sign in, seed rows; keep state in ctx.data. */
  setup?(ctx: BenchContext): Promise<void>;
  /** The request autocannon repeats; setupRequest may rotate ids from ctx.data. */
  request(ctx: BenchContext): ScenarioRequest;
  /** After all passes: correctness checks (e.g. rows = 2xx count). Each string is a failure. */
  check?(ctx: BenchContext, rows: ScenarioRow[]): Promise<string[]>;
}

export interface Gate {
  /** Closed loop at -c 50: minimum req/s as a fraction of the mean hello-world req/s. */
  minRatio?: number;
  /** Open loop at 50% of the closed-loop maximum: p99 must be below this (ms). */
  p99Ms?: number;
}

export type ScenarioRequest = AutocannonRequest & {
  /** autocannon `-I`: replace `[<id>]` in the body with a unique id per request. */
  idReplacement?: boolean;
};

export interface AppInfo {
  port: number;
  pid: number;
  token: string;
  databaseUrl: string;
  redisUrl: string;
  admin: { email: string; password: string };
  /** Casework staff created by bench/app-server.ts, each with a Bearer token. */
  staff: Record<StaffRole, { email: string; password: string; name: string; token: string }>;
  /** Row counts and timings the server's own seeding produced. */
  dataset: Record<string, number>;
}

export type StaffRole = 'manager' | 'caseworker';

export interface BenchContext {
  /** e.g. http://127.0.0.1:40123 */
  baseUrl: string;
  /** The server's pid, for its CPU time per request. */
  serverPid?: number;
  /** Set for app scenarios. */
  app?: AppInfo;
  /** `authorization: Bearer …` for the seeded admin (app scenarios). */
  bearer(): Record<string, string>;
  /** `authorization: Bearer …` for the bench manager or caseworker (casework routes). */
  bearerAs(role: StaffRole): Record<string, string>;
  /** A lazily opened client on the bench database (app scenarios), for ids and counts. */
  sql(): postgres.Sql;
  /** The scenario's own state between setup, request and check. */
  data: Record<string, unknown>;
  /** Dataset sizes to record in the results meta (name → rows). */
  dataset: Record<string, number>;
  log(line: string): void;
}

export interface Latency {
  p50: number;
  p975: number;
  p99: number;
  max: number;
}

export interface PassResult extends Latency {
  reqPerSec: number;
  total: number;
  durationS: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  /**
   * Open loop only: percentiles of the raw response times, one sample per response.
   * autocannon's own figures (p50…max above, the gated ones) are its coordinated-omission
   * corrected histogram; see bench/README.md for why the two differ.
   */
  uncorrected?: Latency;
  /** The server process's own CPU time (user + system, /proc) per completed request, µs. */
  serverCpuUsPerReq?: number | null;
  /** Every PostgreSQL process's CPU time per completed request, µs (0 for scenarios without it). */
  databaseCpuUsPerReq?: number | null;
  /** The load generator's CPU time per completed request, µs (autocannon runs in this process). */
  loadCpuUsPerReq?: number | null;
}

export interface ScenarioRow extends PassResult {
  name: string;
  mode: 'closed' | 'open';
  /** The baseline runs twice: before the app scenarios and after them. */
  phase?: 'before' | 'after';
  /** Closed loop: the -c value. Open loop: the connection count used to drive the rate. */
  connections: number;
  /** Open loop: the target rate (req/s) and its fraction of the closed-loop max. */
  rate: number | null;
  loadFraction: number | null;
  /** Open loop: the constant-rate cross-check at the same rate (reported, never gated). */
  crossCheck?: boolean;
  /** Closed loop: reqPerSec ÷ mean hello-world reqPerSec at the same -c. */
  ratio: number | null;
  /** Open loop: achieved ≥ 98% of the target rate. */
  valid: boolean | null;
  achievedRate: number | null;
  /** Closed loop: req/s of every round (the row is the median round). */
  rounds: number[];
  gate: string;
  /** null: reported only, no gate. */
  pass: boolean | null;
  problems: string[];
}

export interface Baseline {
  connections: number;
  before: PassResult;
  after: PassResult | null;
  mean: number;
  /** |after − before| ÷ before. */
  drift: number | null;
  noisy: boolean;
}

export interface RunResult {
  meta: Meta;
  settings: Settings;
  baseline: {
    before: number;
    after: number | null;
    mean: number;
    drift: number | null;
    noisy: boolean;
    byConnections: Baseline[];
  };
  scenarios: ScenarioRow[];
  /** Seed record and triage plan check, when the run had app scenarios. */
  seed?: RunExtras['seed'];
  plan?: RunExtras['plan'];
  pass: boolean;
}

export interface Settings {
  mode: 'quick' | 'full' | 'custom';
  durationS: number;
  rounds: number;
  warmup: { connections: number; durationS: number };
  connections: number[];
  open: { connections: number; durationS: number; fractions: number[]; minAchieved: number };
  only: string[] | null;
}

export interface Meta {
  date: string;
  startedAt: string;
  finishedAt: string;
  git: { sha: string; dirty: boolean; dirtyFiles: number };
  node: string;
  os: { platform: string; release: string; kernel: string; distro: string | null };
  cpu: { model: string; cores: number };
  memoryGiB: number;
  hostname: string;
  /** 1, 5 and 15-minute load averages when the run started and when it finished. */
  loadavg: { start: number[]; end: number[] };
  postgres: { version: string; settings: Record<string, string> } | null;
  redis: { version: string; settings: Record<string, string> } | null;
  pinned: boolean;
  pinning: Record<string, string>;
  conditions: Record<string, string>;
  dataset: Record<string, number>;
  notes: string[];
}

/** The data set and plan check of a run (bench/seed.ts, bench/plan.ts). */
export interface RunExtras {
  seed?: SeedRecord | null;
  plan?: PlanCheck | { error: string } | null;
}
