/**
 * The three one-row statements every repository writes: read the row a key names, insert a
 * row and get it back as stored, update a row and get it back. Named once so a repository
 * method says which table and which key, and nothing else.
 */
import type { SQL } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import type { DbOrTx } from './client.js';

/** The row of `table` that `where` names (a unique key), or undefined. */
export async function rowWhere<T extends PgTable>(
  db: DbOrTx,
  table: T,
  where: SQL | undefined,
): Promise<T['$inferSelect'] | undefined> {
  // Widened first: Drizzle's `from` cannot resolve its table checks on a type parameter.
  const source: PgTable = table;
  const [row] = await db.select().from(source).where(where);
  return row;
}

/** Inserts one row and returns it as stored (defaults and generated columns filled in). */
export async function insertRow<T extends PgTable>(
  db: DbOrTx,
  table: T,
  values: T['$inferInsert'],
): Promise<T['$inferSelect']> {
  const [row] = await db.insert(table).values(values).returning();
  return row as T['$inferSelect'];
}

/** Updates the row `where` names and returns it as stored; undefined when none matched. */
export async function updateRow<T extends PgTable>(
  db: DbOrTx,
  table: T,
  set: Partial<T['$inferInsert']>,
  where: SQL | undefined,
): Promise<T['$inferSelect'] | undefined> {
  const [row] = await db.update(table).set(set).where(where).returning();
  return row;
}
