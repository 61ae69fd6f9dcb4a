/**
 * IOPC categories and factors (§2) are two code lists of one shape (code, label, validity,
 * confirmed): listed by code, added under a code no other entry has, edited by code. Part
 * of the complaints repository; admin-repository.ts adds factors, repository.ts the rest.
 */
import { asc, eq } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { refuseDuplicate } from '../../db/errors.js';
import { complaintCategories, complaintFactors } from '../../db/schema/index.js';
import { complaintErrors } from './errors.js';

type CodeListTable = typeof complaintCategories | typeof complaintFactors;
/** What an admin may change on an entry; the code never changes. */
export type CodeListPatch = { label?: string; validTo?: string | null; confirmed?: boolean };

function codeList<T extends CodeListTable>(table: T, noun: 'category' | 'factor') {
  // Drizzle types a query for one table, not for either of two: the queries are built as if
  // on factors, whose columns categories all have too, and return the table's own rows.
  const on = table as typeof complaintFactors;
  type Row = T['$inferSelect'];
  return {
    list: async (tx: DbOrTx): Promise<Row[]> => tx.select().from(on).orderBy(asc(on.code)),
    insert: async (tx: DbOrTx, row: T['$inferInsert']): Promise<Row> => {
      const [created] = await tx
        .insert(on)
        .values(row)
        .returning()
        .catch(
          refuseDuplicate(() =>
            complaintErrors.invalid({ code: `A ${noun} with this code already exists` }),
          ),
        );
      return created as Row;
    },
    update: async (
      tx: DbOrTx,
      code: string,
      patch: CodeListPatch,
      now: Date,
    ): Promise<Row | undefined> => {
      const [row] = await tx
        .update(on)
        .set({ ...patch, updatedAt: now })
        .where(eq(on.code, code))
        .returning();
      return row;
    },
  };
}

export const categoryList = codeList(complaintCategories, 'category');
export const factorList = codeList(complaintFactors, 'factor');
