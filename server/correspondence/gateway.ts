/**
 * Correspondence's public entry point for the domains that work on a case beside it
 * (replies, disclosure, intake, complaints, surgeries): the reads, locks and moves they may make, with
 * correspondence's own rules (visibility, the §5 workflow, the audit) behind each. They
 * import this file, never correspondence's service or repository (eslint.config.js), and
 * app.ts builds one gateway from the correspondence service for all of them.
 */
import type { DbOrTx } from '../../db/client.js';
import type { CaseRow } from '../../db/schema/index.js';
import {
  createCorrespondenceRepository,
  visibleTo,
  type CorrespondenceRepository,
  type Viewer,
} from './repository.js';
import type { CorrespondenceService } from './service.js';

// Shared vocabulary: the visibility rule for queries joining `cases`.
export { visibleTo, type CaseRow, type Viewer };
export { LIMITS } from './validation.js';

export function createCaseGateway(
  service: CorrespondenceService,
  repo: CorrespondenceRepository = createCorrespondenceRepository(),
) {
  return {
    /** The case if `viewer` may see it (a hidden case is a missing case); not audited. */
    find: (db: DbOrTx, viewer: Viewer, id: string) => repo.findVisible(db, viewer, id),
    /** As find, locking the row for the rest of the caller's transaction. */
    lock: (tx: DbOrTx, viewer: Viewer, id: string) => repo.lockVisible(tx, viewer, id),
    /** The id of the case with this reference, if `viewer` may see it. */
    findByReference: (db: DbOrTx, viewer: Viewer, reference: string) =>
      repo.findVisibleByReference(db, viewer, reference),
    /** A case's requester (or any contact) by id. */
    contact: (db: DbOrTx, id: string | null) => repo.contact(db, id),
    /** Records the acknowledgement (the target met): undefined if the case changed first. */
    markAcknowledged: (tx: DbOrTx, row: CaseRow, at: Date) =>
      repo.updateCase(tx, row.id, row.version, { acknowledgedAt: at, updatedAt: at }),
    /** Raises a flag on a locked case: undefined if the case changed first. */
    addFlag: (tx: DbOrTx, row: CaseRow, flag: string, at: Date) =>
      repo.updateCase(tx, row.id, row.version, { flags: [...row.flags, flag], updatedAt: at }),
    /** The case page's detail (an audited read). */
    get: (...args: Parameters<CorrespondenceService['get']>) => service.get(...args),
    /** A status move through the workflow (§5), in the caller's transaction when given. */
    transition: (...args: Parameters<CorrespondenceService['transition']>) =>
      service.transition(...args),
    /**
     * One of a case's files with its bytes, under the download rules (a file still being
     * virus-checked or found infected is refused); an audited read. Reply attachments.
     */
    attachment: (...args: Parameters<CorrespondenceService['attachment']>) =>
      service.attachment(...args),
    /** Opens a case (idempotent by source). */
    createCase: (...args: Parameters<CorrespondenceService['createCase']>) =>
      service.createCase(...args),
  };
}
export type CaseGateway = ReturnType<typeof createCaseGateway>;
