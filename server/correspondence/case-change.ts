import type { DbOrTx } from '../../db/client.js';
import type { CaseRow, NewCaseRow } from '../../db/schema/index.js';
import type { Actor, AuditLog } from '../platform/audit.js';
import { appendToTimeline } from '../timeline/timeline.js';
import { staleVersion } from './errors.js';
import type { CorrespondenceRepository } from './repository.js';

/**
 * One change a person makes to a case they have locked and checked, saved with its timeline
 * and audit entries in the caller's transaction, so the three never disagree. The update is
 * a compare-and-set on the version read: a change made by someone else since is refused (409)
 * and nothing is written, rather than silently overwritten.
 */
export async function saveCaseChange(
  deps: { repo: CorrespondenceRepository; audit: AuditLog },
  tx: DbOrTx,
  actor: Actor,
  row: CaseRow,
  change: {
    at: Date;
    values: Partial<NewCaseRow>;
    /** The timeline entry's kind and facts (correspondence/timeline-wording.ts words them). */
    timeline: { kind: string; data: Record<string, unknown> };
    /** The audit action ('case.tag'). */
    action: string;
  },
): Promise<CaseRow> {
  const updated = await deps.repo.updateCase(tx, row.id, row.version, {
    ...change.values,
    updatedAt: change.at,
  });
  if (!updated) throw staleVersion();
  await recordOnCase(deps, tx, actor, row, change);
  return updated;
}

/** What a person did to a case, on its timeline and in the audit log (about its contact). */
export async function recordOnCase(
  deps: { audit: AuditLog },
  tx: DbOrTx,
  actor: Actor,
  row: Pick<CaseRow, 'id' | 'contactId'>,
  event: { at: Date; timeline: { kind: string; data: Record<string, unknown> }; action: string },
): Promise<void> {
  await appendToTimeline(tx, {
    caseId: row.id,
    at: event.at,
    actorId: actor.id,
    ...event.timeline,
  });
  await deps.audit.record(tx, actor, {
    action: event.action,
    subjectType: 'case',
    subjectId: row.id,
    personId: row.contactId,
  });
}
