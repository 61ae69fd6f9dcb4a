import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { Redis } from 'ioredis';
import postgres from 'postgres';
import type { Meta } from './types.js';

const run = (command: string, args: string[]): string | null => {
  try {
    return execFileSync(command, args, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return null;
  }
};

export function gitState(): Meta['git'] {
  const sha = run('git', ['rev-parse', 'HEAD']) ?? 'unknown';
  const status = run('git', ['status', '--porcelain']) ?? '';
  const dirtyFiles = status ? status.split('\n').filter(Boolean).length : 0;
  return { sha, dirty: dirtyFiles > 0, dirtyFiles };
}

export function osState(): Meta['os'] {
  let distro: string | null = null;
  try {
    distro =
      /^PRETTY_NAME="?([^"\n]+)"?/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? null;
  } catch {
    distro = null;
  }
  return {
    platform: `${os.platform()} ${os.arch()}`,
    release: os.release(),
    kernel: os.version(),
    distro,
  };
}

export function cpuState(): Meta['cpu'] {
  const cpus = os.cpus();
  return {
    model: cpus[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism?.() ?? cpus.length,
  };
}

export async function postgresState(databaseUrl: string): Promise<Meta['postgres']> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => undefined, connect_timeout: 5 });
  try {
    const [version] = await sql<[{ server_version: string }]>`show server_version`;
    const names = [
      'shared_buffers',
      'synchronous_commit',
      'fsync',
      'max_connections',
      'work_mem',
      'effective_cache_size',
      'jit',
    ];
    const rows = await sql<Array<{ name: string; setting: string; unit: string | null }>>`
      select name, setting, unit from pg_settings where name in ${sql(names)}`;
    const settings: Record<string, string> = {};
    for (const row of rows)
      settings[row.name] = row.unit ? `${row.setting} ${row.unit}` : row.setting;
    return { version: version?.server_version ?? 'unknown', settings };
  } catch {
    return null;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

export async function redisState(redisUrl: string): Promise<Meta['redis']> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    const info = await redis.info('server');
    const version = /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
    const settings: Record<string, string> = {};
    for (const name of ['appendonly', 'appendfsync', 'save', 'maxmemory-policy']) {
      try {
        const pair = await redis.config('GET', name);
        if (pair[1] !== undefined) settings[name] = pair[1];
      } catch {
        // CONFIG may be renamed or refused on a managed Redis.
      }
    }
    return { version, settings };
  } catch {
    return null;
  } finally {
    redis.disconnect();
  }
}

/**
 * The doc's plan: hello and app on CPU 0, autocannon on CPU 1, PostgreSQL and Redis on 2,
 * worker and SMTP sink on 3. With fewer cores the spare ones are shared. The harness
 * pins only the processes it starts; PostgreSQL and Redis are system services it leaves alone.
 */
export function pinningPlan(cores: number): {
  pinned: boolean;
  server: string | null;
  load: string | null;
  layout: Record<string, string>;
} {
  const taskset = run('sh', ['-c', 'command -v taskset']);
  if (!taskset || cores < 2) {
    return {
      pinned: false,
      server: null,
      load: null,
      layout: { reason: !taskset ? 'taskset not found' : `only ${cores} core(s)` },
    };
  }
  return {
    pinned: true,
    server: '0',
    load: '1',
    layout: {
      'hello, app server': 'CPU 0',
      autocannon: 'CPU 1 (the orchestrator process, all threads)',
      'PostgreSQL, Redis':
        cores >= 3
          ? 'not pinned by the harness (system services; the doc wants CPU 2)'
          : `not pinned: shared with CPUs 0-${cores - 1} (${cores} cores)`,
    },
  };
}

/** Moves this process (every thread) onto `cpu`, so autocannon stays off the server's core. */
export function pinSelf(cpu: string): boolean {
  return run('taskset', ['-a', '-p', '-c', cpu, String(process.pid)]) !== null;
}
