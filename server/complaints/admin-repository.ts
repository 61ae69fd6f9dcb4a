/**
 * Queries for the complaint admin pages and grants: factors added by admins, template
 * versions, the people who may be put on an access list, equality grants, and the weekly
 * justified-reads ledger. Kept apart from repository.ts (the complaint records).
 */
import { and, desc, eq, gte, isNull, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import {
  complaintEqualityGrants,
  complaintJustifiedReadReports,
  complaintLetterTemplates,
  users,
} from '../../db/schema/index.js';
import { caseworkers } from '../platform/staff.js';
import { factorList } from './code-list-repository.js';

export type EqualityGrantRow = typeof complaintEqualityGrants.$inferSelect;

export function createAdminRepository() {
  return {
    insertFactor: factorList.insert,

    /** Every version of one template, newest first, with who saved it. */
    async templateVersions(tx: DbOrTx, key: string) {
      return tx
        .select({
          id: complaintLetterTemplates.id,
          key: complaintLetterTemplates.key,
          version: complaintLetterTemplates.version,
          subject: complaintLetterTemplates.subject,
          body: complaintLetterTemplates.body,
          createdAt: complaintLetterTemplates.createdAt,
          createdBy: users.name,
        })
        .from(complaintLetterTemplates)
        .leftJoin(users, eq(users.id, complaintLetterTemplates.createdById))
        .where(eq(complaintLetterTemplates.key, key))
        .orderBy(desc(complaintLetterTemplates.version));
    },

    /** Who may be put on an access list or granted equality access. */
    staff: caseworkers,

    async grants(tx: DbOrTx) {
      const granter = sql<
        string | null
      >`(select name from users g where g.id = ${complaintEqualityGrants.grantedById})`;
      return tx
        .select({
          id: complaintEqualityGrants.id,
          userId: complaintEqualityGrants.userId,
          name: users.name,
          role: users.role,
          reason: complaintEqualityGrants.reason,
          until: complaintEqualityGrants.until,
          grantedAt: complaintEqualityGrants.grantedAt,
          grantedBy: granter,
          revokedAt: complaintEqualityGrants.revokedAt,
        })
        .from(complaintEqualityGrants)
        .innerJoin(users, eq(users.id, complaintEqualityGrants.userId))
        .orderBy(desc(complaintEqualityGrants.grantedAt));
    },

    /** The person's live grant on `on` (not revoked, not past its last day). */
    async liveGrant(tx: DbOrTx, userId: string, on: string) {
      const [row] = await tx
        .select()
        .from(complaintEqualityGrants)
        .where(
          and(
            eq(complaintEqualityGrants.userId, userId),
            isNull(complaintEqualityGrants.revokedAt),
            gte(complaintEqualityGrants.until, on),
          ),
        );
      return row;
    },

    async insertGrant(tx: DbOrTx, row: typeof complaintEqualityGrants.$inferInsert, today: string) {
      // A grant past its last day still holds the one live slot: it is closed first.
      await tx
        .update(complaintEqualityGrants)
        .set({ revokedAt: row.grantedAt, revokedById: row.grantedById })
        .where(
          and(
            eq(complaintEqualityGrants.userId, row.userId),
            isNull(complaintEqualityGrants.revokedAt),
            sql`${complaintEqualityGrants.until} < ${today}::date`,
          ),
        );
      const [created] = await tx
        .insert(complaintEqualityGrants)
        .values(row)
        .onConflictDoNothing()
        .returning();
      return created;
    },

    async revokeGrant(tx: DbOrTx, id: string, by: string | null, at: Date) {
      const [row] = await tx
        .update(complaintEqualityGrants)
        .set({ revokedAt: at, revokedById: by })
        .where(and(eq(complaintEqualityGrants.id, id), isNull(complaintEqualityGrants.revokedAt)))
        .returning();
      return row;
    },

    /** Claims the week's report; false when it was already sent (the ledger row exists). */
    async claimWeek(tx: DbOrTx, weekOf: string, reads: number, recipients: number, at: Date) {
      const rows = await tx
        .insert(complaintJustifiedReadReports)
        .values({ weekOf, reads, recipients, sentAt: at })
        .onConflictDoNothing()
        .returning();
      return rows.length === 1;
    },
  };
}
export type AdminRepository = ReturnType<typeof createAdminRepository>;
