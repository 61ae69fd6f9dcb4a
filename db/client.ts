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
  close: () => Promise<void>;
}

export interface DbOptions {
  max?: number;
  /** Statement timeout in ms; bounded waits keep a slow query from hanging a request. */
  statementTimeoutMs?: number;
}

export function createDb(url: string, options: DbOptions = {}): DbClient {
  const sql = postgres(url, {
    max: options.max ?? 10,
    connect_timeout: 5,
    onnotice: () => undefined,
    connection: {
      statement_timeout: options.statementTimeoutMs ?? 15_000,
      lock_timeout: 5_000,
      idle_in_transaction_session_timeout: 30_000,
      TimeZone: 'UTC',
    },
  });
  const db = drizzle(sql, { schema });
  return { db, sql, close: () => sql.end({ timeout: 5 }) };
}
