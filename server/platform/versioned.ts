/**
 * Optimistic concurrency for records that carry a `version` (cases, complaints, disclosure log
 * entries): a change applies only to the version it was made from, so of two people editing at
 * once the second gets nothing back and can say so, instead of silently overwriting the first.
 */
import { and, eq, sql } from 'drizzle-orm';
import type { PgColumn, PgTable, PgUpdateSetSource } from 'drizzle-orm/pg-core';
import type { DbOrTx } from '../../db/client.js';

type Versioned = PgTable & { id: PgColumn; version: PgColumn };

/**
 * The compare-and-set update of `table`: applies `values` and bumps the version, or returns
 * undefined when someone else changed the row first.
 */
export function versionedUpdate<T extends Versioned>(table: T) {
  return async (
    tx: DbOrTx,
    id: string,
    expectedVersion: number,
    values: PgUpdateSetSource<T>,
  ): Promise<T['$inferSelect'] | undefined> => {
    const [row] = await tx
      .update(table)
      .set({ ...values, version: sql`${table.version} + 1` })
      .where(and(eq(table.id, id), eq(table.version, expectedVersion)))
      .returning();
    return row;
  };
}
