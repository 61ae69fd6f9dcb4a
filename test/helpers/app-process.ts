import { spawn, type ChildProcess } from 'node:child_process';

/** One run of a project command (`npm start`, the seed, a worker) as its own process. */
export interface AppProcess {
  child: ChildProcess;
  output(): string;
  /** Resolves once the output contains `text`; throws with the output if it exits first. */
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<void>;
  /** Resolves with the exit code (and signal) once the process has ended. */
  exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Only what a fresh machine has, plus what the caller sets. No Pwned Passwords look-ups unless a
 * test sets PWNED_PASSWORDS_URL: there is no egress, and a production-mode child would try.
 */
export function baseEnv(extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, PWNED_PASSWORDS_URL: 'off', ...extra };
}

export function runScript(
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  options: { detached?: boolean } = {},
): AppProcess {
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.detached ?? false,
  });
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    output: () => output,
    async waitFor(text, timeoutMs = 120_000) {
      const deadline = Date.now() + timeoutMs;
      const seen = () => (typeof text === 'string' ? output.includes(text) : text.test(output));
      while (!seen()) {
        if (child.exitCode !== null || child.signalCode !== null)
          throw new Error(`exited before printing ${String(text)}:\n${output}`);
        if (Date.now() > deadline) throw new Error(`no ${String(text)} in time:\n${output}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    exited: () => exit,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exit;
    },
  };
}
