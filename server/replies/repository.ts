import { and, asc, desc, eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { refuseDuplicate } from '../../db/errors.js';
import { insertRow, rowWhere } from '../../db/rows.js';
import {
  inboundMessages,
  outboundMessages,
  replyTemplates,
  users,
  type NewOutboundRow,
  type NewReplyTemplateRow,
  type OutboundRow,
  type ReplyTemplateRow,
} from '../../db/schema/index.js';
import { staffMember } from '../platform/staff.js';
import { isUuid } from '../lib/uuid.js';

/** Thrown when two people save a new version of one template at the same moment. */
export class TemplateVersionTaken extends Error {}

/** Every query of the replies domain (templates, outbound messages, the inbound thread). */
export function createRepliesRepository() {
  return {
    /** The latest version of each template family, by name. */
    async latestTemplates(db: DbOrTx): Promise<ReplyTemplateRow[]> {
      return db
        .selectDistinctOn([replyTemplates.familyId])
        .from(replyTemplates)
        .orderBy(replyTemplates.familyId, desc(replyTemplates.version))
        .then((rows) => rows.sort((a, b) => a.name.localeCompare(b.name)));
    },

    async template(db: DbOrTx, id: string): Promise<ReplyTemplateRow | undefined> {
      if (!isUuid(id)) return undefined;
      return rowWhere(db, replyTemplates, eq(replyTemplates.id, id));
    },

    /** Every version of one family, newest first. */
    async family(db: DbOrTx, familyId: string): Promise<ReplyTemplateRow[]> {
      if (!isUuid(familyId)) return [];
      return db
        .select()
        .from(replyTemplates)
        .where(eq(replyTemplates.familyId, familyId))
        .orderBy(desc(replyTemplates.version));
    },

    async insertTemplate(tx: DbOrTx, values: NewReplyTemplateRow): Promise<ReplyTemplateRow> {
      return insertRow(tx, replyTemplates, values).catch(
        refuseDuplicate(() => new TemplateVersionTaken()),
      );
    },

    async insertOutbound(tx: DbOrTx, values: NewOutboundRow) {
      return insertRow(tx, outboundMessages, values);
    },

    async outbound(db: DbOrTx, id: string): Promise<OutboundRow | undefined> {
      if (!isUuid(id)) return undefined;
      return rowWhere(db, outboundMessages, eq(outboundMessages.id, id));
    },

    /** Locks a reply that is still waiting for its email, or nothing (already final). */
    async lockQueued(tx: DbOrTx, id: string): Promise<OutboundRow | undefined> {
      if (!isUuid(id)) return undefined;
      const [row] = await tx
        .select()
        .from(outboundMessages)
        .where(and(eq(outboundMessages.id, id), eq(outboundMessages.status, 'queued')))
        .for('update');
      return row;
    },

    async markOutbound(
      tx: DbOrTx,
      id: string,
      values: Pick<Partial<OutboundRow>, 'status' | 'sentAt' | 'failedAt' | 'error'>,
    ) {
      await tx.update(outboundMessages).set(values).where(eq(outboundMessages.id, id));
    },

    /** Replies on a case, oldest first, with the sender's name. */
    async forCase(db: DbOrTx, caseId: string) {
      return db
        .select({ outbound: outboundMessages, senderName: users.name })
        .from(outboundMessages)
        .leftJoin(users, eq(users.id, outboundMessages.createdById))
        .where(eq(outboundMessages.caseId, caseId))
        .orderBy(asc(outboundMessages.createdAt), asc(outboundMessages.id));
    },

    /** An email reply on this case still waiting to go that will answer it. */
    async pendingAnswer(tx: DbOrTx, caseId: string): Promise<OutboundRow | undefined> {
      const [row] = await tx
        .select()
        .from(outboundMessages)
        .where(
          and(
            eq(outboundMessages.caseId, caseId),
            eq(outboundMessages.status, 'queued'),
            eq(outboundMessages.responds, true),
          ),
        )
        .limit(1);
      return row;
    },

    /**
     * The requester's latest inbound email on the case (any sender's when the requester's
     * address never wrote), for In-Reply-To and References. Automated mail is skipped.
     */
    async latestInbound(
      db: DbOrTx,
      caseId: string,
      fromEmailNorm: string | null,
    ): Promise<{ messageId: string; references: string | null } | undefined> {
      const fromRequester = fromEmailNorm
        ? sql`(lower(${inboundMessages.fromAddress}) = ${fromEmailNorm})`
        : sql`false`;
      const [row] = await db
        .select({ messageId: inboundMessages.messageId, references: inboundMessages.references })
        .from(inboundMessages)
        .where(
          and(
            eq(inboundMessages.caseId, caseId),
            eq(inboundMessages.automated, false),
            sql`${inboundMessages.messageId} is not null`,
          ),
        )
        .orderBy(desc(fromRequester), desc(inboundMessages.receivedAt))
        .limit(1);
      return row?.messageId ? { messageId: row.messageId, references: row.references } : undefined;
    },

    /** A reply's writer, sender or alerted assignee; undefined for an id that is not a uuid. */
    async staff(db: DbOrTx, id: string | null) {
      if (!id || !isUuid(id)) return undefined;
      return staffMember(db, id);
    },
  };
}
export type RepliesRepository = ReturnType<typeof createRepliesRepository>;
