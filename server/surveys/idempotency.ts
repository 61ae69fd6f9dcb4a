import { and, eq } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { idempotencyKeys } from '../../db/schema/index.js';
import { surveyErrors } from './errors.js';

export interface IdempotencyClaim {
  scope: string;
  key: string;
  requestHash: string;
}

/**
 * The public answers API's Idempotency-Key, in the shared `idempotency_keys` table (swept
 * after 24 h by `idempotency-sweep`). The stored response is empty: the receipt is always
 * `{ status: "received" }`, and nothing may tie an anonymous response to a time.
 */
export function surveyIdempotency() {
  async function first(db: DbOrTx, claim: IdempotencyClaim) {
    const [row] = await db
      .select({ requestHash: idempotencyKeys.requestHash })
      .from(idempotencyKeys)
      .where(and(eq(idempotencyKeys.scope, claim.scope), eq(idempotencyKeys.key, claim.key)));
    return row;
  }
  return {
    /** True when this key already answered this body; 422 when it answered another. */
    async seen(db: DbOrTx, claim: IdempotencyClaim): Promise<boolean> {
      const row = await first(db, claim);
      if (!row) return false;
      if (row.requestHash !== claim.requestHash) throw surveyErrors.answersKeyReused();
      return true;
    },
    /** Inserts the key; false when a concurrent request holding it committed first. */
    async claim(tx: DbOrTx, claim: IdempotencyClaim, at: Date): Promise<boolean> {
      const [row] = await tx
        .insert(idempotencyKeys)
        .values({ ...claim, response: {}, createdAt: at })
        .onConflictDoNothing()
        .returning({ key: idempotencyKeys.key });
      return Boolean(row);
    },
  };
}
