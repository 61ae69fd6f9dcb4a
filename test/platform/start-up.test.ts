import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseEnv, runScript, type AppProcess } from '../helpers/app-process.js';
import { createTestDatabase, dropTestDatabase } from '../helpers/app.js';
import { freePort } from '../helpers/ports.js';

/**
 * Start-up on the embedded default beside a running copy, and start-up failures an operator
 * must be able to fix from the message alone (issue #18; #15 item 1 for the seed).
 */
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'opcc-startup-'));
let running: AppProcess;
let port: number;
let base: string;

beforeAll(async () => {
  port = await freePort();
  base = `http://127.0.0.1:${port}`;
  running = runScript(
    'workers/main.ts',
    ['--all'],
    baseEnv({ DATA_DIR: dataDir, PORT: String(port) }),
  );
  await running.waitFor('ready in', 180_000);
}, 200_000);

afterAll(async () => {
  await running?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function postContact(subject: string) {
  return fetch(`${base}/api/public/contact`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      name: 'Ada Lovelace',
      email: 'ada@example.org',
      subject,
      message: 'Street lights out on the high street.',
    }),
  });
}

async function expectStillServing(subject: string) {
  expect((await fetch(`${base}/readyz`)).status).toBe(200);
  expect((await postContact(subject)).status).toBe(201);
}

describe('a second copy on the same DATA_DIR', () => {
  it('a second npm start on the same DATA_DIR refuses, naming DATA_DIR, and leaves the live database running', async () => {
    expect((await postContact('Before the second start')).status).toBe(201);
    const other = await freePort();
    const second = runScript(
      'workers/main.ts',
      ['--all'],
      baseEnv({ DATA_DIR: dataDir, PORT: String(other) }),
    );
    const { code } = await second.exited();
    expect(code).toBe(1);
    expect(second.output()).toContain(`DATA_DIR ${dataDir} is in use by another running copy`);
    expect(second.output()).not.toMatch(/\n\s+at /); // no stack
    expect(second.output()).not.toContain('First admin created');
    await expectStillServing('After the second start');
  }, 120_000);

  it('npm run db:seed beside a running app uses its database and does not stop it (issue #15 item 1)', async () => {
    // A case exists already, so the seed adds its staff and stops there (a full seed takes minutes).
    const seed = runScript('scripts/seed-demo.ts', [], baseEnv({ DATA_DIR: dataDir }));
    const { code } = await seed.exited();
    expect(seed.output()).toContain('using the embedded PostgreSQL of the running app');
    expect(seed.output()).toMatch(/correspondence: \d+ cases already present/);
    expect(code).toBe(0);
    await expectStillServing('After the seed');
  }, 180_000);
});

describe('start-up failures name the setting to fix', () => {
  it('a port already taken names PORT, prints no stack and does not print the admin password', async () => {
    const databaseUrl = await createTestDatabase();
    try {
      const clash = runScript(
        'workers/main.ts',
        ['--all'],
        baseEnv({ DATABASE_URL: databaseUrl, PORT: String(port) }),
      );
      const { code } = await clash.exited();
      expect(code).toBe(1);
      expect(clash.output()).toContain(`PORT ${port} is already in use`);
      expect(clash.output()).not.toMatch(/\n\s+at /);
      expect(clash.output()).not.toContain('Password (shown once');
      // The password was never shown, so the next good start must still create and show it.
      const again = runScript(
        'workers/main.ts',
        ['--all'],
        baseEnv({ DATABASE_URL: databaseUrl, PORT: String(await freePort()) }),
      );
      await again.waitFor('ready in');
      expect(again.output()).toContain('Password (shown once');
      await again.stop();
    } finally {
      await dropTestDatabase(databaseUrl);
    }
  }, 120_000);

  it('a DATA_DIR under a file names DATA_DIR and prints no stack', async () => {
    const file = path.join(dataDir, 'not-a-folder');
    fs.writeFileSync(file, 'x');
    const bad = runScript(
      'workers/main.ts',
      ['--all'],
      baseEnv({ DATA_DIR: path.join(file, 'data'), PORT: String(await freePort()) }),
    );
    const { code } = await bad.exited();
    expect(code).toBe(1);
    expect(bad.output()).toContain(`DATA_DIR ${path.join(file, 'data')} cannot be used`);
    expect(bad.output()).not.toMatch(/\n\s+at /);
  }, 60_000);
});
