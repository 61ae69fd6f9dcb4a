import { randomUUID } from 'node:crypto';
import type { DbOrTx, Tx } from '../../db/client.js';
import type { ContactBook, MatchedBy } from '../contacts/gateway.js';
import type { Actor } from '../platform/audit.js';
import { validationError } from '../platform/errors.js';
import { ACKS_PER_DAY, acknowledgementText } from './acknowledgement.js';
import { checkUploads, storeAttachments } from './attachment-store.js';
import type { UploadedFile } from '../attachments/uploads.js';
import type { CaseContext } from './context.js';
import { duplicateSource } from './errors.js';
import { londonDate } from './due.js';
import { DuplicateSourceError } from './repository.js';
import type { CreatedCase, NewCaseInput } from './types.js';
import { checkNewCase, normaliseTag, oneLine } from './validation.js';
import { appendToTimeline } from '../timeline/timeline.js';

/** Recording a new case: the one way a case comes into being (staff, web form, email). */
export function createIntakeCommands(ctx: CaseContext) {
  const { db, repo, audit, clock, mail, deps, inTx, checkAssignee, contacts, officeName } = ctx;
  async function existingForSource(tx: DbOrTx, source: { type: string; id: string }) {
    const row = await repo.findBySource(tx, source.type, source.id);
    if (!row) return undefined;
    const deadline = (await deps.deadlines.forSubject(tx, 'case', row.id))!;
    const created: CreatedCase = {
      id: row.id,
      reference: row.reference,
      status: row.status,
      dueDate: row.nextDueOn,
      deadline: { ...deadline, dueDate: row.nextDueOn },
      contactId: row.contactId,
      contactMatchedBy: null,
      acknowledgementEmailId: null,
      duplicate: true,
    };
    return created;
  }
  return {
    /**
     * Creates a case: reference from the year's counter, requester linked or created, due
     * date, timeline, audit and (given an address) an acknowledgement, all in one
     * transaction: the caller's `tx` if given. With a `source` that already has a case,
     * nothing is created and that case is returned with `duplicate: true`.
     */
    async createCase(
      actor: Actor,
      input: NewCaseInput,
      opts: { tx?: Tx; files?: UploadedFile[] } = {},
    ): Promise<CreatedCase> {
      const { receivedAt } = checkNewCase(input, clock.now());
      // Scanned letters from staff entry: checked before anything is written, stored with it.
      const files = opts.files?.length ? await checkUploads(opts.files) : [];
      const run = () =>
        inTx(opts.tx, async (tx) => {
          if (input.source) {
            const existing = await existingForSource(tx, input.source);
            if (existing) return existing;
          }
          if (input.assigneeId) await checkAssignee(tx, input.assigneeId);
          const now = clock.now();
          const receivedOn = londonDate(receivedAt);
          const year = Number(receivedOn.slice(0, 4));

          let contact: Awaited<ReturnType<ContactBook['resolve']>>['contact'] | undefined;
          let matchedBy: MatchedBy | null = null;
          if (input.contactId) {
            contact = await repo.contact(tx, input.contactId);
            // Chosen from suggestions shown before a merge: the case goes to the survivor.
            if (contact?.mergedIntoId) contact = await repo.contact(tx, contact.mergedIntoId);
            if (!contact) throw validationError({ contactId: 'Select a contact' });
            matchedBy = 'chosen';
          } else if (input.contact) {
            ({ contact, matchedBy } = await contacts.resolve(tx, actor, input.contact));
          }
          const onBehalfOf = input.onBehalfOf
            ? (await contacts.resolve(tx, actor, input.onBehalfOf)).contact
            : undefined;

          const number = await repo.nextReferenceNumber(tx, year);
          const reference = `OPCC-${year}-${String(number).padStart(5, '0')}`;
          const id = randomUUID();

          const emailTo = contact?.email?.trim();
          let acknowledge = input.acknowledge !== false && Boolean(emailTo && contact?.emailNorm);
          if (acknowledge && contact?.emailNorm) {
            const recent = await repo.acknowledgementsSince(
              tx,
              contact.emailNorm,
              new Date(now.getTime() - 24 * 3600_000),
            );
            if (recent >= ACKS_PER_DAY) acknowledge = false;
          }

          const row = await repo.insertCase(tx, {
            id,
            reference,
            type: input.type,
            subtype: input.subtype ?? null,
            channel: input.channel,
            receivedAt,
            receivedOn,
            contactId: contact?.id ?? null,
            onBehalfOfId: onBehalfOf?.id ?? null,
            subject: oneLine(input.subject),
            body: input.body,
            status: 'new',
            assigneeId: input.assigneeId ?? null,
            nextDueOn: null,
            topics: input.topics ?? [],
            tags: [...new Set((input.tags ?? []).map(normaliseTag).filter(Boolean))],
            acknowledgedAt: acknowledge ? now : null,
            reviewOfCaseId: input.reviewOfCaseId ?? null,
            sourceType: input.source?.type ?? null,
            sourceId: input.source?.id ?? null,
            createdAt: now,
            updatedAt: now,
          });
          const deadline = await deps.deadlines.recompute(tx, 'case', row.id);
          row.nextDueOn = deadline.effectiveDueDate ?? deadline.dueDate;
          await appendToTimeline(tx, {
            caseId: row.id,
            at: now,
            actorId: actor.id,
            kind: 'created',
            data: {
              reference,
              type: row.type,
              channel: row.channel,
              receivedOn,
              contactMatchedBy: matchedBy,
              ...(input.assigneeId ? { assigneeId: input.assigneeId } : {}),
              ...(input.source ? { sourceType: input.source.type } : {}),
            },
          });
          await audit.record(tx, actor, {
            action: 'case.create',
            subjectType: 'case',
            subjectId: row.id,
            personId: contact?.id ?? null,
          });
          if (files.length > 0)
            await storeAttachments(
              deps,
              tx,
              actor,
              { id: row.id, contactId: contact?.id ?? null },
              files,
            );

          let acknowledgementEmailId: string | null = null;
          if (acknowledge && contact && emailTo) {
            acknowledgementEmailId = await mail.queue(tx, {
              to: emailTo,
              subject: `We have received your message [${reference}]`,
              text: acknowledgementText(officeName, {
                name: contact.name,
                reference,
                type: row.type,
                receivedOn,
                dueDate: row.nextDueOn,
              }),
              automatic: true,
              subjectType: 'case',
              subjectRef: row.id,
            });
            await appendToTimeline(tx, {
              caseId: row.id,
              at: now,
              actorId: actor.id,
              kind: 'email_queued',
              data: { purpose: 'acknowledgement', emailId: acknowledgementEmailId },
            });
          }
          const created: CreatedCase = {
            id: row.id,
            reference,
            status: row.status,
            dueDate: row.nextDueOn,
            deadline,
            contactId: contact?.id ?? null,
            contactMatchedBy: matchedBy,
            acknowledgementEmailId,
            duplicate: false,
          };
          return created;
        });
      try {
        return await run();
      } catch (error) {
        if (!(error instanceof DuplicateSourceError) || !input.source) throw error;
        // Another request created the case for this source first: answer with that one.
        if (opts.tx) throw duplicateSource();
        const existing = await existingForSource(db, input.source);
        if (!existing) throw error;
        return existing;
      }
    },
  };
}
