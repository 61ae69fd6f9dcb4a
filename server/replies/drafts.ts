/**
 * Reply drafts (issue #15 item 5): "save and come back". One draft per case and writer,
 * saved from the reply page (or the API) and offered again when they return; the draft is
 * dropped once that person sends a reply on the case. Only someone who may see the case may
 * save or read a draft of it, and a draft is only ever its writer's.
 */
import { and, eq } from 'drizzle-orm';
import { replyDrafts } from '../../db/schema/index.js';
import type { DbOrTx } from '../../db/client.js';
import type { Actor } from '../platform/audit.js';
import { validationError, type FieldErrors } from '../platform/errors.js';
import { viewerOf, type RepliesContext } from './context.js';
import { caseNotFound } from './errors.js';
import { CONTROL, REPLY_LIMITS } from './model.js';
import { isUuid } from '../lib/uuid.js';

export interface DraftInput {
  templateId?: string;
  subject: string;
  body: string;
  channel?: 'email' | 'post';
  responds?: boolean;
}

export interface DraftView {
  caseId: string;
  templateId: string | null;
  subject: string;
  body: string;
  channel: 'email' | 'post' | null;
  responds: boolean | null;
  updatedAt: string;
}

type DraftRow = typeof replyDrafts.$inferSelect;
const draftView = (row: DraftRow): DraftView => ({
  caseId: row.caseId,
  templateId: row.templateId,
  subject: row.subject,
  body: row.body,
  channel: row.channel,
  responds: row.responds,
  updatedAt: row.updatedAt.toISOString(),
});

const mine = (caseId: string, authorId: string) =>
  and(eq(replyDrafts.caseId, caseId), eq(replyDrafts.authorId, authorId));

export function createDraftCommands(ctx: RepliesContext) {
  const { db, clock, cases } = ctx;

  /** The case, if this person may see it; a hidden or missing case is a 404. */
  async function visibleCase(dbOrTx: DbOrTx, actor: Actor, caseId: string) {
    const row = isUuid(caseId) ? await cases.find(dbOrTx, viewerOf(actor), caseId) : undefined;
    if (!row || !actor.id) throw caseNotFound();
    return row;
  }

  return {
    /** Saves (or replaces) this person's draft reply on the case. */
    async saveDraft(actor: Actor, caseId: string, input: DraftInput): Promise<DraftView> {
      const fields: FieldErrors = {};
      const subject = (input.subject ?? '').replace(/[\r\n\t]+/g, ' ').trim();
      if (subject.length > REPLY_LIMITS.subject + 20)
        fields.subject = `Subject must be ${REPLY_LIMITS.subject} characters or fewer`;
      else if (CONTROL.test(subject))
        fields.subject = 'The subject must not contain control characters';
      if ((input.body ?? '').length > REPLY_LIMITS.body)
        fields.body = `The reply must be ${REPLY_LIMITS.body.toLocaleString('en-GB')} characters or fewer`;
      if (!subject && !input.body?.trim()) fields.body = 'Write something before saving a draft';
      if (input.templateId !== undefined && !isUuid(input.templateId))
        fields.templateId = 'Select a template from the list';
      if (Object.keys(fields).length) throw validationError(fields);
      const row = await visibleCase(db, actor, caseId);
      const values = {
        caseId: row.id,
        authorId: actor.id!,
        templateId: input.templateId ?? null,
        subject,
        body: input.body ?? '',
        channel: input.channel ?? null,
        responds: input.responds ?? null,
        updatedAt: clock.now(),
      };
      const [saved] = await db
        .insert(replyDrafts)
        .values(values)
        .onConflictDoUpdate({ target: [replyDrafts.caseId, replyDrafts.authorId], set: values })
        .returning();
      return draftView(saved!);
    },

    /** This person's draft on the case, if they saved one. */
    async getDraft(actor: Actor, caseId: string): Promise<DraftView | null> {
      const row = await visibleCase(db, actor, caseId);
      const [draft] = await db.select().from(replyDrafts).where(mine(row.id, actor.id!));
      return draft ? draftView(draft) : null;
    },

    /** Drops this person's draft on the case (after sending, or when they discard it). */
    async discardDraft(actor: Actor, caseId: string): Promise<void> {
      if (!actor.id || !isUuid(caseId)) return;
      await db.delete(replyDrafts).where(mine(caseId, actor.id));
    },
  };
}
