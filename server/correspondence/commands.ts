import type { Tx } from '../../db/client.js';
import type { CaseRow } from '../../db/schema/index.js';
import type { Actor } from '../platform/audit.js';
import { notFound, validationError, type FieldErrors } from '../platform/errors.js';
import { isManager, type CaseContext } from './context.js';
import { londonDate } from './due.js';
import { invalidTransition, managerOnly, staleVersion } from './errors.js';
import type { CaseSummary, NoteView, TransitionInput } from './types.js';
import { LIMITS } from './validation.js';
import { findMove, humanise, STATUS_LABELS, type CaseStatus } from './workflow.js';
import { appendToTimeline } from '../timeline/timeline.js';
import { recordOnCase, saveCaseChange } from './case-change.js';

/** Changes to one case: the workflow (§5), notes and restriction. */
export function createCaseCommands(ctx: CaseContext) {
  const { db, repo, audit, clock, deps, inTx, summaryOf, lockCase, managerChange } = ctx;

  return {
    /** Moves a case along §5. Invalid moves 422 and stale versions 409, changing nothing. */
    async transition(
      actor: Actor,
      id: string,
      input: TransitionInput,
      /** `recompute: false`: the clock, recording a clock event, stores the timers itself. */
      opts: { tx?: Tx; recompute?: boolean } = {},
    ): Promise<CaseSummary> {
      return inTx(opts.tx, async (tx) => {
        const row = await lockCase(tx, actor, id);
        if (row.version !== input.version) throw staleVersion();
        const type = input.type ?? row.type;
        const move = findMove(type, row.status, input.to);
        if (!move) {
          const to = STATUS_LABELS[input.to as CaseStatus] ?? input.to;
          throw invalidTransition(STATUS_LABELS[row.status], to);
        }
        if (move.managerOnly && !isManager(actor)) throw managerOnly('Only a manager can do this');
        if (input.type && input.type !== row.type && !(row.status === 'new' && input.to === 'open'))
          throw validationError({ type: 'The type can only be changed when the case is opened' });
        const fields: FieldErrors = {};
        const reason = input.reason?.trim() || undefined;
        if (move.requires.includes('outcome')) {
          const outcomes = move.outcomes?.(type) ?? [];
          if (!input.outcome) fields.outcome = 'Select an outcome';
          else if (!outcomes.includes(input.outcome))
            fields.outcome = `Select one of: ${outcomes.map(humanise).join(', ')}`;
        } else if (input.outcome) fields.outcome = 'An outcome is only given when closing';
        if (move.requires.includes('reasonEvent')) {
          if (!reason || !move.reasons?.includes(reason))
            fields.reason = `Select what happened: ${(move.reasons ?? []).map(humanise).join(', ')}`;
        } else if (move.requires.includes('reason') && !reason) fields.reason = 'Give a reason';
        if (reason && reason.length > LIMITS.reason)
          fields.reason = `Reason must be ${LIMITS.reason} characters or fewer`;
        if (Object.keys(fields).length > 0) throw validationError(fields);

        const now = clock.now();
        const values: Partial<CaseRow> = { status: move.to, updatedAt: now };
        if (move.to === 'closed') {
          values.outcome = input.outcome!;
          values.closedAt = now;
        }
        if (move.to === 'responded' && !row.respondedAt) values.respondedAt = now;
        if (move.from === 'closed') {
          values.outcome = null;
          values.closedAt = null;
        }
        if (type !== row.type) {
          values.type = type;
          values.subtype = null;
        }
        const updated = await repo.updateCase(tx, row.id, row.version, values);
        if (!updated) throw staleVersion();
        if (opts.recompute !== false) {
          // A reply or closure stops the clock; a new type has new rules.
          const deadline = await deps.deadlines.recompute(tx, 'case', row.id);
          updated.nextDueOn = deadline.effectiveDueDate ?? deadline.dueDate;
        }
        if (type !== row.type)
          await appendToTimeline(tx, {
            caseId: row.id,
            at: now,
            actorId: actor.id,
            kind: 'type_changed',
            data: { from: row.type, to: type },
          });
        await appendToTimeline(tx, {
          caseId: row.id,
          at: now,
          actorId: actor.id,
          kind: 'status_changed',
          data: {
            from: row.status,
            to: move.to,
            ...(input.outcome ? { outcome: input.outcome } : {}),
            ...(reason ? { reason } : {}),
          },
        });
        await audit.record(tx, actor, {
          action: `case.transition.${move.to}`,
          subjectType: 'case',
          subjectId: row.id,
          personId: row.contactId,
          justification: reason ?? null,
        });
        const assignee = updated.assigneeId ? await repo.user(tx, updated.assigneeId) : undefined;
        return summaryOf(tx, updated, londonDate(now), assignee?.name);
      });
    },

    /** Adds an internal note (immutable; a correction is a new note). */
    async addNote(actor: Actor, id: string, input: { body: string }): Promise<NoteView> {
      const body = input.body ?? '';
      if (!body.trim()) throw validationError({ body: 'Enter the note' });
      if (body.length > LIMITS.body)
        throw validationError({
          body: `The note must be ${LIMITS.body.toLocaleString('en-GB')} characters or fewer`,
        });
      return db.transaction(async (tx) => {
        const row = await lockCase(tx, actor, id);
        const now = clock.now();
        const note = await repo.insertNote(tx, {
          caseId: row.id,
          authorId: actor.id,
          body,
          createdAt: now,
        });
        await recordOnCase(ctx, tx, actor, row, {
          at: now,
          timeline: { kind: 'note_added', data: { noteId: note.id } },
          action: 'case.note.add',
        });
        return {
          id: note.id,
          body: note.body,
          createdAt: note.createdAt.toISOString(),
          author: actor.id ? { id: actor.id, name: '' } : null,
          redacted: false,
        };
      });
    },

    /** A manager redacts a note: the text goes, a tombstone stays. */
    async redactNote(actor: Actor, id: string, noteId: string): Promise<void> {
      await managerChange(actor, id, 'Only a manager can redact a note', async (tx, row) => {
        const now = clock.now();
        const done = await repo.redactNote(tx, row.id, noteId, actor.id, now);
        if (!done) throw notFound('Note not found');
        await recordOnCase(ctx, tx, actor, row, {
          at: now,
          timeline: { kind: 'note_redacted', data: { noteId } },
          action: 'case.note.redact',
        });
      });
    },

    /** A manager restricts a case (or lifts the restriction). */
    async setRestricted(
      actor: Actor,
      id: string,
      input: { restricted: boolean; version: number },
    ): Promise<CaseSummary> {
      return managerChange(actor, id, 'Only a manager can restrict a case', async (tx, row) => {
        if (row.version !== input.version) throw staleVersion();
        if (row.restricted === input.restricted) return summaryOf(tx, row, londonDate(clock.now()));
        const now = clock.now();
        const updated = await saveCaseChange(ctx, tx, actor, row, {
          at: now,
          values: { restricted: input.restricted },
          timeline: { kind: 'restriction_changed', data: { restricted: input.restricted } },
          action: input.restricted ? 'case.restrict' : 'case.unrestrict',
        });
        return summaryOf(tx, updated, londonDate(now));
      });
    },
  };
}
