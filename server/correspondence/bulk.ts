import type { Tx } from '../../db/client.js';
import type { CaseRow } from '../../db/schema/index.js';
import type { Actor } from '../platform/audit.js';
import { AppError, validationError, type FieldErrors } from '../platform/errors.js';
import { isManager, viewerOf, type CaseContext } from './context.js';
import { londonDate } from './due.js';
import {
  batchRefused,
  caseNotFound,
  reassignForbidden,
  staleVersion,
  tooManyTags,
} from './errors.js';
import type { CaseSummary } from './types.js';
import { MAX_BULK, parseTags, TAG_LIMITS } from './validation.js';
import { saveCaseChange } from './case-change.js';

/** Assigning and tagging, one case or a batch (version-checked, all or nothing). */
export function createAssignmentCommands(ctx: CaseContext) {
  const { db, repo, clock, summaryOf, checkAssignee } = ctx;
  function checkBatch(items: ReadonlyArray<{ id: string; version: number }>) {
    if (items.length === 0) throw validationError({ cases: 'Select at least one case' });
    if (items.length > MAX_BULK)
      throw validationError({ cases: `Select ${MAX_BULK} cases or fewer` });
  }

  /**
   * Locks a batch's cases (those the actor may see) and checks every row's version: any
   * stale or missing case rejects the whole batch, naming the stale ones.
   */
  async function lockBatch(
    tx: Tx,
    actor: Actor,
    items: ReadonlyArray<{ id: string; version: number }>,
    done: 'assigned' | 'tagged',
  ): Promise<CaseRow[]> {
    const wanted = new Map(items.map((c) => [c.id, c.version]));
    const rows = await repo.lockManyVisible(tx, viewerOf(actor), [...wanted.keys()]);
    const missing = wanted.size - rows.length;
    const stale = rows.filter((row) => row.version !== wanted.get(row.id));
    if (missing > 0 || stale.length > 0) {
      const parts: string[] = [];
      if (stale.length > 0)
        parts.push(
          `${stale.map((row) => row.reference).join(', ')} changed since you loaded the list`,
        );
      if (missing > 0)
        parts.push(`${missing} selected case${missing === 1 ? ' was' : 's were'} not found`);
      const message = `No cases were ${done}: ${parts.join('; ')}. Reload and try again.`;
      throw batchRefused(message, stale.length > 0);
    }
    return rows;
  }

  /**
   * Adds tags to many cases in one transaction with a version check on every row: any
   * conflict rejects the whole batch and names the cases. A case that already has every
   * tag is left alone (no new version, nothing on the timeline).
   */
  async function bulkTag(
    actor: Actor,
    input: { tags: string[]; cases: Array<{ id: string; version: number }> },
  ): Promise<{ tagged: number; changed: number; cases: CaseSummary[] }> {
    const parsed = parseTags(input.tags);
    const fields: FieldErrors = {};
    if ('error' in parsed) fields.tags = parsed.error;
    if (input.cases.length === 0) fields.cases = 'Select at least one case';
    if (Object.keys(fields).length > 0) throw validationError(fields);
    checkBatch(input.cases);
    const tags = 'tags' in parsed ? parsed.tags : [];
    return db.transaction(async (tx) => {
      const rows = await lockBatch(tx, actor, input.cases, 'tagged');
      const full = rows.filter((row) => new Set([...row.tags, ...tags]).size > TAG_LIMITS.perCase);
      if (full.length > 0) {
        const message = `No cases were tagged: ${full.map((row) => row.reference).join(', ')} would have more than ${TAG_LIMITS.perCase} tags.`;
        throw tooManyTags(message);
      }
      const now = clock.now();
      const today = londonDate(now);
      const names = new Map<string, string | undefined>();
      for (const id of new Set(rows.flatMap((row) => (row.assigneeId ? [row.assigneeId] : []))))
        names.set(id, (await repo.user(tx, id))?.name);
      const summary = (row: CaseRow) =>
        summaryOf(tx, row, today, row.assigneeId ? names.get(row.assigneeId) : null);
      const results: CaseSummary[] = [];
      let changed = 0;
      for (const row of rows) {
        const added = tags.filter((tag) => !row.tags.includes(tag));
        if (added.length === 0) {
          results.push(await summary(row));
          continue; // no change, nothing on the timeline
        }
        const updated = await saveCaseChange(ctx, tx, actor, row, {
          at: now,
          values: { tags: [...row.tags, ...added] },
          timeline: { kind: 'tagged', data: { added } },
          action: 'case.tag',
        });
        changed += 1;
        results.push(await summary(updated));
      }
      return { tagged: results.length, changed, cases: results };
    });
  }

  /**
   * Assigns many cases in one transaction with a version check on every row: any
   * conflict rejects the whole batch and names the cases.
   */
  async function bulkAssign(
    actor: Actor,
    input: { assigneeId: string | null; cases: Array<{ id: string; version: number }> },
  ): Promise<{ assigned: number; cases: CaseSummary[] }> {
    checkBatch(input.cases);
    return db.transaction(async (tx) => {
      const assignee = input.assigneeId ? await checkAssignee(tx, input.assigneeId) : undefined;
      const rows = await lockBatch(tx, actor, input.cases, 'assigned');
      if (!isManager(actor)) {
        const refused = rows.filter(
          (row) =>
            !(
              (row.assigneeId === null && input.assigneeId === actor.id) ||
              (row.assigneeId === actor.id && input.assigneeId === null)
            ),
        );
        if (refused.length > 0) throw reassignForbidden(refused.map((r) => r.reference));
      }
      const now = clock.now();
      const today = londonDate(now);
      const names = new Map<string, string>();
      const results: CaseSummary[] = [];
      for (const row of rows) {
        if (row.assigneeId === input.assigneeId) {
          results.push(await summaryOf(tx, row, today, assignee?.name));
          continue; // no change, nothing on the timeline
        }
        let fromName: string | null = null;
        if (row.assigneeId) {
          fromName =
            names.get(row.assigneeId) ?? (await repo.user(tx, row.assigneeId))?.name ?? null;
          if (fromName) names.set(row.assigneeId, fromName);
        }
        const updated = await saveCaseChange(ctx, tx, actor, row, {
          at: now,
          values: { assigneeId: input.assigneeId },
          timeline: {
            kind: 'assigned',
            data: {
              from: row.assigneeId,
              fromName,
              to: input.assigneeId,
              toName: assignee?.name ?? null,
            },
          },
          action: input.assigneeId ? 'case.assign' : 'case.unassign',
        });
        results.push(await summaryOf(tx, updated, today, assignee?.name));
      }
      return { assigned: results.length, cases: results };
    });
  }
  return {
    /**
     * Assigns (or, with null, unassigns) one case. Managers may assign anything; a
     * caseworker may take an unassigned case or hand back their own.
     */
    async assign(
      actor: Actor,
      id: string,
      input: { assigneeId: string | null; version: number },
    ): Promise<CaseSummary> {
      try {
        const { cases } = await bulkAssign(actor, {
          assigneeId: input.assigneeId,
          cases: [{ id, version: input.version }],
        });
        return cases[0]!;
      } catch (error) {
        // One case: the plain answers, not the batch's.
        if (error instanceof AppError && error.code === 'correspondence.stale_version')
          throw staleVersion();
        if (error instanceof AppError && error.statusCode === 404) throw caseNotFound();
        throw error;
      }
    },

    bulkAssign,

    bulkTag,
  };
}
