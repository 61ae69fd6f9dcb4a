import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/ports.js';

/**
 * The two-command promise: `npm start` with no environment at all starts the embedded
 * PostgreSQL, the PostgreSQL queue backend and the development mailbox, and keeps its data.
 */
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'opcc-fresh-'));
let child: ChildProcess | undefined;

async function start(port: number): Promise<{ output: () => string }> {
  let output = '';
  // Only what a fresh machine has: no DATABASE_URL, REDIS_URL, SMTP_URL or secrets.
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DATA_DIR: dataDir,
    PORT: String(port),
  };
  child = spawn(process.execPath, ['--import', 'tsx', 'workers/main.ts', '--all'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const started = child;
  // Resolved by the process's own output ("ready in"), refused if it exits first.
  await new Promise<void>((resolve, reject) => {
    const fail = () => reject(new Error(`did not start:\n${output}`));
    // A cap, not a wait: a start that has not printed "ready in" by then has failed.
    const cap = setTimeout(fail, 180_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('ready in')) {
        clearTimeout(cap);
        started.off('exit', failed);
        resolve();
      }
    };
    const failed = () => {
      clearTimeout(cap);
      fail();
    };
    started.stdout!.on('data', read);
    started.stderr!.on('data', read);
    started.once('exit', failed);
  });
  return { output: () => output };
}

async function stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  if (!child || child.exitCode !== null) return child?.exitCode ?? null;
  const exited = new Promise<number | null>((resolve) =>
    child!.once('exit', (code) => resolve(code)),
  );
  child.kill(signal);
  return exited;
}

afterAll(async () => {
  await stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('npm start on the embedded default', () => {
  it('serves health, readiness and sign-in, delivers outbox mail to the dev mailbox, and keeps data across a restart', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const first = await start(port);
    expect(first.output()).toContain('embedded PostgreSQL');
    expect(first.output()).toContain('BullMQ on its PostgreSQL backend');
    expect(first.output()).toContain('development mailbox');
    // The addresses printed are the README's.
    expect(first.output()).toContain(
      `http://localhost:${port}/ (public), http://localhost:${port}/sign-in (staff sign-in), http://localhost:${port}/api/docs (API)`,
    );
    const password = /Password \(shown once[^)]*\): (\S+)/.exec(first.output())?.[1];
    expect(password).toBeTruthy();

    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ checks: { database: 'ok' } });
    // The queue backend is reported, not gating, and answers within 500 ms once warm.
    let queue = '';
    await expect
      .poll(
        async () =>
          (queue = ((await (await fetch(`${base}/readyz`)).json()) as { checks: { queue: string } })
            .checks.queue),
        { timeout: 10_000 },
      )
      .toBe('ok');
    expect(queue).toBe('ok');
    const signIn = await fetch(`${base}/sign-in`);
    expect(signIn.status).toBe(200);
    expect(await signIn.text()).toContain('Sign in');

    const tokenResponse = await fetch(`${base}/api/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'admin@opcc.example.gov.uk', password }),
    });
    expect(tokenResponse.status).toBe(200);
    const { token } = (await tokenResponse.json()) as { token: string };
    const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const queued = await fetch(`${base}/api/admin/test-email`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ to: 'someone@example.org' }),
    });
    expect(queued.status).toBe(202);

    const mailbox = async () =>
      (
        (await (await fetch(`${base}/api/admin/mailbox`, { headers: auth })).json()) as {
          items: Array<{ subject: string; envelopeTo: string }>;
        }
      ).items;
    await expect.poll(async () => (await mailbox()).length, { timeout: 20_000 }).toBeGreaterThan(0);
    expect(await mailbox()).toEqual([
      expect.objectContaining({
        subject: 'Test email from OPCC casework',
        envelopeTo: 'someone@example.org',
      }),
    ]);

    expect(await stop(), first.output().slice(-4000)).toBe(0); // graceful shutdown on SIGTERM
    const second = await start(port);
    expect(second.output()).not.toContain('First admin created');
    // The same admin password still works and the delivered message is still there.
    const again = await fetch(`${base}/api/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'admin@opcc.example.gov.uk', password }),
    });
    expect(again.status).toBe(200);
    const { token: token2 } = (await again.json()) as { token: string };
    const items = (
      (await (
        await fetch(`${base}/api/admin/mailbox`, { headers: { authorization: `Bearer ${token2}` } })
      ).json()) as { items: unknown[] }
    ).items;
    expect(items).toHaveLength(1);

    // After a SIGKILL the orphaned PostgreSQL still holds the data folder; the next start stops it.
    await stop('SIGKILL');
    const third = await start(port);
    expect(third.output()).toContain('ready in');
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
  }, 480_000);
});
