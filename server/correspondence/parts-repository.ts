/**
 * A case's parts: notes (redactable, never edited), attachments and access grants. Part of
 * the correspondence repository.
 */
import { and, asc, desc, eq, isNull, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { DbOrTx } from '../../db/client.js';
import { preparedOn } from '../../db/prepared.js';
import { caseAccess, caseAttachments, caseNotes, users } from '../../db/schema/index.js';
import { isUuid } from '../lib/uuid.js';

export type CaseNoteRow = typeof caseNotes.$inferSelect;

const notesQuery = (db: DbOrTx, name: string) =>
  db
    .select({
      id: caseNotes.id,
      body: caseNotes.body,
      createdAt: caseNotes.createdAt,
      redactedAt: caseNotes.redactedAt,
      authorId: caseNotes.authorId,
      authorName: users.name,
    })
    .from(caseNotes)
    .leftJoin(users, eq(users.id, caseNotes.authorId))
    .where(eq(caseNotes.caseId, sql.placeholder('caseId')))
    .orderBy(desc(caseNotes.createdAt), desc(caseNotes.id))
    .prepare(name);

const attachmentsQuery = (db: DbOrTx, name: string) =>
  db
    .select({
      id: caseAttachments.id,
      filename: caseAttachments.filename,
      contentType: caseAttachments.contentType,
      size: caseAttachments.size,
      uploadedAt: caseAttachments.uploadedAt,
      uploadedById: caseAttachments.uploadedById,
      uploadedByName: users.name,
      scanStatus: caseAttachments.scanStatus,
    })
    .from(caseAttachments)
    .leftJoin(users, eq(users.id, caseAttachments.uploadedById))
    .where(eq(caseAttachments.caseId, sql.placeholder('caseId')))
    .orderBy(asc(caseAttachments.uploadedAt), asc(caseAttachments.id))
    .prepare(name);

export function createCasePartsRepository() {
  return {
    async insertNote(tx: DbOrTx, values: typeof caseNotes.$inferInsert): Promise<CaseNoteRow> {
      const [row] = await tx.insert(caseNotes).values(values).returning();
      return row!;
    },

    /** A case's notes, newest first (prepared: the case view reads them). */
    async notes(db: DbOrTx, caseId: string) {
      return preparedOn(db, 'case_notes', notesQuery).execute({ caseId });
    },

    async redactNote(tx: DbOrTx, caseId: string, noteId: string, by: string | null, at: Date) {
      if (!isUuid(noteId)) return undefined;
      const [row] = await tx
        .update(caseNotes)
        .set({ body: '', redactedAt: at, redactedById: by })
        .where(
          and(eq(caseNotes.id, noteId), eq(caseNotes.caseId, caseId), isNull(caseNotes.redactedAt)),
        )
        .returning({ id: caseNotes.id });
      return row;
    },

    async insertAttachment(
      tx: DbOrTx,
      values: typeof caseAttachments.$inferInsert,
    ): Promise<{ id: string }> {
      const [row] = await tx
        .insert(caseAttachments)
        .values(values)
        .returning({ id: caseAttachments.id });
      return row!;
    },

    /** A case's attachments without their bytes, oldest first. */
    async attachments(db: DbOrTx, caseId: string) {
      return preparedOn(db, 'case_attachments', attachmentsQuery).execute({ caseId });
    },

    /** One attachment with its bytes, only if it belongs to `caseId`. */
    async attachment(db: DbOrTx, caseId: string, attachmentId: string) {
      if (!isUuid(attachmentId)) return undefined;
      const [row] = await db
        .select()
        .from(caseAttachments)
        .where(and(eq(caseAttachments.id, attachmentId), eq(caseAttachments.caseId, caseId)));
      return row;
    },

    /** True when the grant is new (a repeat changes nothing). */
    async grantAccess(tx: DbOrTx, values: typeof caseAccess.$inferInsert): Promise<boolean> {
      const rows = await tx
        .insert(caseAccess)
        .values(values)
        .onConflictDoNothing()
        .returning({ userId: caseAccess.userId });
      return rows.length > 0;
    },

    /** True when there was a grant to remove. */
    async revokeAccess(tx: DbOrTx, caseId: string, userId: string): Promise<boolean> {
      if (!isUuid(userId)) return false;
      const rows = await tx
        .delete(caseAccess)
        .where(and(eq(caseAccess.caseId, caseId), eq(caseAccess.userId, userId)))
        .returning({ userId: caseAccess.userId });
      return rows.length > 0;
    },

    /** The people granted access to a case, by name, with who granted it. */
    async accessList(db: DbOrTx, caseId: string) {
      const grantedBy = alias(users, 'granted_by');
      return db
        .select({
          userId: caseAccess.userId,
          name: users.name,
          role: users.role,
          disabledAt: users.disabledAt,
          grantedAt: caseAccess.grantedAt,
          grantedById: caseAccess.grantedById,
          grantedByName: grantedBy.name,
        })
        .from(caseAccess)
        .innerJoin(users, eq(users.id, caseAccess.userId))
        .leftJoin(grantedBy, eq(grantedBy.id, caseAccess.grantedById))
        .where(eq(caseAccess.caseId, caseId))
        .orderBy(asc(users.name), asc(caseAccess.userId));
    },
  };
}
