import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { baseEnv, runScript } from '../helpers/app-process.js';
import { freePort } from '../helpers/ports.js';

/**
 * Ctrl-C on `npm start` with the embedded PostgreSQL (issue #18): the terminal sends SIGINT
 * to its whole foreground process group, so the test starts the app in a group of its own
 * and signals the group, as the terminal would. The app must finish and exit 0, and stop
 * the PostgreSQL it started (not leave it running, nor have it killed before the app).
 * In test:faults only: it has been seen to exit 1 once in four runs on a loaded machine
 * (an error from the BullMQ PostgreSQL backend's pg client while stopping; reported).
 */
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'opcc-ctrl-c-'));
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('Ctrl-C', () => {
  it('SIGINT to npm start’s process group stops it cleanly (exit 0) and stops its embedded PostgreSQL', async () => {
    const port = await freePort();
    const app = runScript(
      'workers/main.ts',
      ['--all'],
      baseEnv({ DATA_DIR: dataDir, PORT: String(port) }),
      { detached: true },
    );
    try {
      await app.waitFor('ready in', 180_000);
      const response = await fetch(`http://127.0.0.1:${port}/api/public/contact`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          name: 'Ada Lovelace',
          email: 'ada@example.org',
          subject: 'Before Ctrl-C',
          message: 'Street lights out.',
        }),
      });
      expect(response.status).toBe(201);
      const pidFile = path.join(dataDir, 'postgres', 'postmaster.pid');
      const postmaster = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
      expect(isAlive(postmaster)).toBe(true);

      process.kill(-app.child.pid!, 'SIGINT');
      const { code } = await app.exited();
      expect(code, app.output()).toBe(0);
      expect(app.output()).toContain('SIGINT: finishing in-flight requests and jobs');
      expect(app.output()).not.toMatch(/TypeError|Unhandled|gave up/);
      // The postmaster is gone and its pid file removed: a clean shutdown, not a crash.
      await expect.poll(() => isAlive(postmaster), { timeout: 5_000 }).toBe(false);
      expect(isAlive(postmaster)).toBe(false);
      expect(fs.existsSync(pidFile)).toBe(false);
    } finally {
      if (app.child.exitCode === null) process.kill(-app.child.pid!, 'SIGKILL');
    }
  }, 240_000);
});
