import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import * as schema from './schema/index.js';

export type Schema = typeof schema;
export type Db = PostgresJsDatabase<Schema>;
/** A transaction handle; repositories accept either a Db or a Tx. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
export type DbOrTx = Db | Tx;

export interface DbClient {
  db: Db;
  sql: postgres.Sql;
  /**
   * One connection of its own for the group-committed read audits (and the change stamp
   * read that carries them): one statement at a time, always to the same warm backend.
   * Spread over the pool, each batch woke a different PostgreSQL process; on one connection
   * PostgreSQL spent about a quarter less CPU per batch (bench/README.md, session 4).
   * Opened on first use.
   */
  serial: Db;
  close: () => Promise<void>;
}

export interface DbOptions {
  max?: number;
  /** Statement timeout in ms; bounded waits keep a slow query from hanging a request. */
  statementTimeoutMs?: number;
  /**
   * The role every connection takes on at start-up (docs/rules/security.md §7: `opcc_app`, which may
   * not rewrite the audit log); migrations connect without one, as the owner.
   */
  role?: string | undefined;
}

/**
 * postgres.js looks up array types on every new connection. The types are shared by the
 * pool, so once one query has succeeded they are known: later connections skip the lookup
 * (a round trip each, and a lookup cut off by a dropped connection used to be an unhandled
 * rejection; scripts/patch-postgres.mjs now handles that one).
 */
function fetchTypesOnce(sql: postgres.Sql): () => void {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const attempt = () => {
    void sql`select 1`.then(
      () => {
        (sql.options as { fetch_types: boolean }).fetch_types = false;
      },
      () => {
        if (!stopped) timer = setTimeout(attempt, 1000).unref();
      },
    );
  };
  attempt();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

export function createDb(url: string, options: DbOptions = {}): DbClient {
  const connect = (max: number) =>
    postgres(url, {
      max,
      connect_timeout: 5,
      onnotice: () => undefined,
      connection: {
        statement_timeout: options.statementTimeoutMs ?? 15_000,
        lock_timeout: 5_000,
        idle_in_transaction_session_timeout: 30_000,
        TimeZone: 'UTC',
        // A startup parameter, so the session is the role's from its first statement.
        ...(options.role ? { role: options.role } : {}),
      },
    });
  const sql = connect(options.max ?? 10);
  const serialSql = connect(1);
  const stopWarming = [fetchTypesOnce(sql), fetchTypesOnce(serialSql)];
  return {
    db: drizzle(sql, { schema }),
    sql,
    serial: drizzle(serialSql, { schema }),
    close: async () => {
      for (const stop of stopWarming) stop();
      await Promise.all([sql.end({ timeout: 5 }), serialSql.end({ timeout: 5 })]);
    },
  };
}

/**
 * postgres.js 3.4.9 defers small writes with setImmediate; when the connection closes first
 * (PostgreSQL stopped, a backend terminated, the pool ended at shutdown) the deferred write
 * throws `TypeError: Cannot read properties of null (reading 'write')` from `nextWrite`, out
 * of reach of any await (upstream porsager/postgres issues 1154 and 1208, unfixed). The
 * queries on that connection were already rejected with CONNECTION_CLOSED, so the write is
 * moot: the mains log it once instead of crashing. scripts/patch-postgres.mjs (postinstall)
 * makes that write fail its queries instead; this stays for an install that skipped scripts.
 * Any other uncaught error still prints its stack and exits 1, as Node would.
 */
export function guardDriverWriteAfterClose(log: (line: string) => void): void {
  let logged = false;
  process.on('uncaughtException', (error) => {
    if (isDriverWriteAfterClose(error)) {
      if (!logged) log('database connection closed with a write pending (ignored)');
      logged = true;
      return;
    }
    console.error(error);
    process.exit(1);
  });
}

export function isDriverWriteAfterClose(error: unknown): boolean {
  return (
    error instanceof TypeError &&
    /reading 'write'/.test(error.message) &&
    /nextWrite[\s\S]*postgres[\\/]src[\\/]connection\.js/.test(error.stack ?? '')
  );
}
