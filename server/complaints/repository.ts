import { and, asc, desc, eq, isNull, or, sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { refuseDuplicate } from '../../db/errors.js';
import {
  caseDeadlines,
  complainantEquality,
  complainants,
  complaintAccess,
  complaintAllegations,
  complaintAllowedMoves,
  complaintContacts,
  complaintLetterTemplates,
  complaintReferenceCounters,
  complaintRegimes,
  complaintReviews,
  complaints,
  complaintSettings,
  complaintTransitions,
  users,
  type ComplaintRow,
  type LetterTemplateRow,
  type NewComplaintRow,
  type ReviewRow,
} from '../../db/schema/index.js';
import { staffMember } from '../platform/staff.js';
import { versionedUpdate } from '../platform/versioned.js';
import { categoryList, factorList } from './code-list-repository.js';
import { complaintErrors } from './errors.js';
import { timerQueries } from './timer-repository.js';
import { isUuid } from '../lib/uuid.js';

export interface Viewer {
  id: string | null;
  role: string | null;
}

/** Only people on the access list see a complaint; system jobs see all (§4). */
export function visibleTo(viewer: Viewer): SQL | undefined {
  if (viewer.role === 'system') return undefined;
  if (!viewer.id) return sql`false`;
  return sql`exists (select 1 from ${complaintAccess} where ${complaintAccess.complaintId} = ${complaints.id} and ${complaintAccess.userId} = ${viewer.id})`;
}

export function createComplaintsRepository() {
  return {
    async nextReference(tx: DbOrTx, prefix: string, year: number): Promise<string> {
      const [row] = await tx
        .insert(complaintReferenceCounters)
        .values({ prefix, year, last: 1 })
        .onConflictDoUpdate({
          target: [complaintReferenceCounters.prefix, complaintReferenceCounters.year],
          set: { last: sql`${complaintReferenceCounters.last} + 1` },
        })
        .returning({ last: complaintReferenceCounters.last });
      return `${prefix}-${year}-${String(row!.last).padStart(4, '0')}`;
    },

    async regimes(tx: DbOrTx) {
      return tx.select().from(complaintRegimes).orderBy(asc(complaintRegimes.appliesFrom));
    },

    async settings(tx: DbOrTx): Promise<Map<string, unknown>> {
      const rows = await tx.select().from(complaintSettings);
      return new Map(rows.map((r) => [r.key, r.value]));
    },

    categories: categoryList.list,
    factors: factorList.list,
    insertCategory: categoryList.insert,
    updateCategory: categoryList.update,
    updateFactor: factorList.update,

    async insertComplaint(tx: DbOrTx, row: NewComplaintRow): Promise<ComplaintRow> {
      const [created] = await tx
        .insert(complaints)
        .values(row)
        .returning()
        .catch(
          refuseDuplicate(() =>
            complaintErrors.refused(
              'case_already_linked',
              'A complaint record has already been made from this case',
              'caseId',
            ),
          ),
        );
      return created!;
    },
    async insertComplainant(tx: DbOrTx, row: typeof complainants.$inferInsert) {
      await tx.insert(complainants).values(row);
    },
    async upsertEquality(tx: DbOrTx, row: typeof complainantEquality.$inferInsert) {
      await tx
        .insert(complainantEquality)
        .values(row)
        .onConflictDoUpdate({ target: complainantEquality.complaintId, set: row });
    },
    async insertAllegations(tx: DbOrTx, rows: Array<typeof complaintAllegations.$inferInsert>) {
      if (rows.length) await tx.insert(complaintAllegations).values(rows);
    },
    async insertReview(tx: DbOrTx, row: typeof complaintReviews.$inferInsert) {
      await tx.insert(complaintReviews).values(row);
    },
    async updateReview(tx: DbOrTx, complaintId: string, patch: Partial<ReviewRow>) {
      await tx
        .update(complaintReviews)
        .set(patch)
        .where(eq(complaintReviews.complaintId, complaintId));
    },
    async insertTransition(tx: DbOrTx, row: typeof complaintTransitions.$inferInsert) {
      const [created] = await tx.insert(complaintTransitions).values(row).returning();
      return created!;
    },
    async grantAccess(
      tx: DbOrTx,
      complaintId: string,
      userId: string,
      role: 'assignee' | 'staff' | 'decision_maker',
      grantedById: string | null,
      now: Date,
    ) {
      await tx
        .insert(complaintAccess)
        .values({ complaintId, userId, role, grantedById, grantedAt: now })
        .onConflictDoNothing();
    },
    async revokeAccess(tx: DbOrTx, complaintId: string, userId: string) {
      const rows = await tx
        .delete(complaintAccess)
        .where(
          and(eq(complaintAccess.complaintId, complaintId), eq(complaintAccess.userId, userId)),
        )
        .returning();
      return rows.length;
    },
    async accessList(tx: DbOrTx, complaintId: string) {
      return tx
        .select({
          userId: complaintAccess.userId,
          role: complaintAccess.role,
          name: users.name,
          userRole: users.role,
          grantedAt: complaintAccess.grantedAt,
        })
        .from(complaintAccess)
        .innerJoin(users, eq(users.id, complaintAccess.userId))
        .where(eq(complaintAccess.complaintId, complaintId))
        .orderBy(asc(users.name));
    },
    user: staffMember,

    /** The complaint if the viewer may see it; undefined for a forged id or no access. */
    async findVisible(tx: DbOrTx, id: string, viewer: Viewer): Promise<ComplaintRow | undefined> {
      if (!isUuid(id)) return undefined;
      const visible = visibleTo(viewer);
      const [row] = await tx
        .select()
        .from(complaints)
        .where(visible ? and(eq(complaints.id, id), visible) : eq(complaints.id, id));
      return row;
    },
    async findByCase(tx: DbOrTx, caseId: string) {
      if (!isUuid(caseId)) return undefined;
      const [row] = await tx
        .select({ id: complaints.id })
        .from(complaints)
        .where(eq(complaints.caseId, caseId));
      return row;
    },
    async lock(tx: DbOrTx, id: string): Promise<ComplaintRow | undefined> {
      const [row] = await tx.select().from(complaints).where(eq(complaints.id, id)).for('update');
      return row;
    },
    /** Conditional on the version read: a concurrent change makes this return undefined. */
    update: versionedUpdate(complaints),

    async list(
      tx: DbOrTx,
      viewer: Viewer,
      filters: { status?: string; stream?: string; q?: string },
      limit: number,
      cursor?: { receivedAt: Date; id: string },
    ) {
      const conditions: SQL[] = [isNull(complaints.disposedAt)];
      const visible = visibleTo(viewer);
      if (visible) conditions.push(visible);
      if (filters.status) conditions.push(eq(complaints.status, filters.status));
      if (filters.stream) conditions.push(eq(complaints.stream, filters.stream as 'cc'));
      if (filters.q) {
        // PostgreSQL refuses U+0000 in text (a 500), and no stored text holds it: it is dropped.
        const typed = filters.q.replaceAll('\u0000', '');
        const like = `%${typed.replace(/[\\%_]/g, '\\$&')}%`;
        conditions.push(
          or(
            sql`${complaints.reference} ilike ${like}`,
            sql`${complaints.summary} ilike ${like}`,
            sql`exists (select 1 from ${complainants} where ${complainants.complaintId} = ${complaints.id} and ${complainants.name} ilike ${like})`,
          )!,
        );
      }
      if (cursor)
        conditions.push(
          sql`(${complaints.receivedAt}, ${complaints.id}) < (${cursor.receivedAt.toISOString()}::timestamptz, ${cursor.id}::uuid)`,
        );
      return tx
        .select({
          id: complaints.id,
          reference: complaints.reference,
          stream: complaints.stream,
          status: complaints.status,
          suspended: complaints.suspended,
          receivedAt: complaints.receivedAt,
          receivedOn: complaints.receivedOn,
          complainantName: complainants.name,
          // The soonest running timer the clock stores for it.
          nextDueOn: sql<
            string | null
          >`(select min(${caseDeadlines.effectiveDueOn}) from ${caseDeadlines} where ${caseDeadlines.subjectType} = 'complaint' and ${caseDeadlines.subjectId} = ${complaints.id} and ${caseDeadlines.supersededAt} is null and not ${caseDeadlines.stopped} and ${caseDeadlines.completedOn} is null)`,
        })
        .from(complaints)
        .leftJoin(complainants, eq(complainants.complaintId, complaints.id))
        .where(and(...conditions))
        .orderBy(desc(complaints.receivedAt), desc(complaints.id))
        .limit(limit + 1);
    },

    async complainant(tx: DbOrTx, id: string) {
      const [row] = await tx.select().from(complainants).where(eq(complainants.complaintId, id));
      return row;
    },
    async equality(tx: DbOrTx, id: string) {
      const [row] = await tx
        .select()
        .from(complainantEquality)
        .where(eq(complainantEquality.complaintId, id));
      return row;
    },
    async allegations(tx: DbOrTx, id: string) {
      return tx
        .select()
        .from(complaintAllegations)
        .where(eq(complaintAllegations.complaintId, id))
        .orderBy(asc(complaintAllegations.position));
    },
    async setAllegationOutcome(
      tx: DbOrTx,
      id: string,
      patch: { outcome: string; actions: string[]; actionOther: string | null },
    ) {
      await tx.update(complaintAllegations).set(patch).where(eq(complaintAllegations.id, id));
    },
    async transitions(tx: DbOrTx, id: string) {
      return tx
        .select({ t: complaintTransitions, actorName: users.name })
        .from(complaintTransitions)
        .leftJoin(users, eq(users.id, complaintTransitions.actorId))
        .where(eq(complaintTransitions.complaintId, id))
        .orderBy(asc(complaintTransitions.id));
    },
    async contacts(tx: DbOrTx, id: string) {
      return tx
        .select()
        .from(complaintContacts)
        .where(eq(complaintContacts.complaintId, id))
        .orderBy(asc(complaintContacts.at), asc(complaintContacts.createdAt));
    },
    async insertContact(tx: DbOrTx, row: typeof complaintContacts.$inferInsert) {
      const [created] = await tx.insert(complaintContacts).values(row).returning();
      return created!;
    },
    async review(tx: DbOrTx, id: string) {
      const [row] = await tx
        .select()
        .from(complaintReviews)
        .where(eq(complaintReviews.complaintId, id));
      return row;
    },

    async latestTemplate(tx: DbOrTx, key: string): Promise<LetterTemplateRow | undefined> {
      const [row] = await tx
        .select()
        .from(complaintLetterTemplates)
        .where(eq(complaintLetterTemplates.key, key))
        .orderBy(desc(complaintLetterTemplates.version))
        .limit(1);
      return row;
    },
    async templates(tx: DbOrTx) {
      return tx
        .selectDistinctOn([complaintLetterTemplates.key])
        .from(complaintLetterTemplates)
        .orderBy(asc(complaintLetterTemplates.key), desc(complaintLetterTemplates.version));
    },
    async insertTemplateVersion(tx: DbOrTx, row: typeof complaintLetterTemplates.$inferInsert) {
      const [created] = await tx.insert(complaintLetterTemplates).values(row).returning();
      return created!;
    },

    ...timerQueries,

    async allowedMoves(tx: DbOrTx) {
      return tx.select().from(complaintAllowedMoves);
    },
  };
}
export type ComplaintsRepository = ReturnType<typeof createComplaintsRepository>;
