import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface ServerProcess<T> {
  info: T;
  child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts `node --import tsx <file>` (under `taskset -c <cpu>` when given), waits for the
 * first stdout line that parses as JSON with `ready: true` and returns it. stderr is
 * passed through with a prefix so server warnings show in the run log.
 */
export async function startServer<T extends { ready?: boolean }>(options: {
  label: string;
  file: string;
  cpu: string | null;
  env?: Record<string, string>;
  timeoutMs?: number;
  /** Extra node flags, e.g. `--cpu-prof` for bench/profile.ts. */
  nodeFlags?: string[];
}): Promise<ServerProcess<T>> {
  const nodeArgs = [...(options.nodeFlags ?? []), '--import', 'tsx', options.file];
  const [command, args] = options.cpu
    ? ['taskset', ['-c', options.cpu, process.execPath, ...nodeArgs]]
    : [process.execPath, nodeArgs];
  const child = spawn(command, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...options.env },
  });
  child.stderr.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) {
      if (line.trim()) process.stderr.write(`  [${options.label}] ${line}\n`);
    }
  });

  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const info = await new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(
          new Error(`${options.label} did not report ready in ${options.timeoutMs ?? 60_000} ms`),
        ),
      options.timeoutMs ?? 60_000,
    );
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      try {
        const parsed = JSON.parse(line) as T;
        if (parsed.ready) {
          clearTimeout(timer);
          resolve(parsed);
        }
      } catch {
        process.stderr.write(`  [${options.label}] ${line}\n`);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${options.label} exited before ready (code ${code}, signal ${signal})`));
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  }).catch(async (error: unknown) => {
    if (child.exitCode === null) child.kill('SIGKILL');
    throw error;
  });

  return {
    info,
    child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timeout = new Promise<'timeout'>((resolve) =>
        setTimeout(() => resolve('timeout'), 10_000).unref(),
      );
      if ((await Promise.race([exited, timeout])) === 'timeout') {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}
