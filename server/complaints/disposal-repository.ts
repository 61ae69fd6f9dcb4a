import { and, eq, isNull, lte, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import {
  complainants,
  complaintAllegations,
  complaintContacts,
  complaintDisposals,
  complaints,
  complaintTransitions,
} from '../../db/schema/index.js';

/** The retention sweep's queries (§4): find what is due, strip it to a statistical stub. */
export function createDisposalRepository() {
  return {
    async due(tx: DbOrTx, concludedOnOrBefore: string) {
      return tx
        .select({ id: complaints.id, legalHold: complaints.legalHold })
        .from(complaints)
        .where(
          and(isNull(complaints.disposedAt), lte(complaints.concludedOn, concludedOnOrBefore)),
        );
    },
    /** Deletes the person and the free text; keeps dates, statuses, categories, outcomes. */
    async strip(tx: DbOrTx, id: string, now: Date, rule: string) {
      const [row] = await tx
        .select()
        .from(complaints)
        .where(
          and(
            eq(complaints.id, id),
            isNull(complaints.disposedAt),
            eq(complaints.legalHold, false),
          ),
        )
        .for('update');
      if (!row || !row.concludedOn) return false;
      await tx.delete(complainants).where(eq(complainants.complaintId, id));
      await tx
        .update(complaintAllegations)
        .set({ description: null, actionOther: null })
        .where(eq(complaintAllegations.complaintId, id));
      await tx
        .update(complaintContacts)
        .set({ subject: null, body: null, harmTestReason: null })
        .where(eq(complaintContacts.complaintId, id));
      // The transitions are append-only; the trigger lets the sweep clear their free text only.
      await tx.execute(sql`select set_config('opcc.complaint_disposal', 'on', true)`);
      await tx
        .update(complaintTransitions)
        .set({ reasons: null, criteria: {}, decisionMaker: null })
        .where(eq(complaintTransitions.complaintId, id));
      await tx
        .update(complaints)
        .set({
          summary: null,
          legalHoldReason: null,
          caseId: null,
          disposedAt: now,
          updatedAt: now,
        })
        .where(eq(complaints.id, id));
      await tx.insert(complaintDisposals).values({
        complaintId: id,
        reference: row.reference,
        concludedOn: row.concludedOn,
        disposedAt: now,
        rule,
      });
      return true;
    },
    async log(tx: DbOrTx) {
      return tx.select().from(complaintDisposals).orderBy(complaintDisposals.id);
    },
  };
}
