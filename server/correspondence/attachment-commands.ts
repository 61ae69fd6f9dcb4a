import { queueScanAgain, SCAN_STATES } from '../attachments/scan.js';
import type { Actor } from '../platform/audit.js';
import { AppError, notFound } from '../platform/errors.js';
import { checkUploads, storeAttachments } from './attachment-store.js';
import type { UploadedFile } from '../attachments/uploads.js';
import { viewerOf, type CaseContext } from './context.js';
import { caseNotFound } from './errors.js';
import type { AttachmentView } from './types.js';

/** Files on a case: adding, downloading (held until virus-checked) and scanning again. */
export function createAttachmentCommands(ctx: CaseContext) {
  const { db, repo, audit, deps, lockCase, managerChange } = ctx;

  return {
    /**
     * Attaches files to a visible case. Every file is checked first (size, then type by its
     * bytes: PDF, PNG, JPEG or DOCX); one bad file refuses them all. Each one added goes on
     * the timeline and in the audit log, in one transaction.
     */
    async addAttachments(
      actor: Actor,
      id: string,
      files: UploadedFile[],
    ): Promise<AttachmentView[]> {
      const checked = await checkUploads(files);
      return db.transaction(async (tx) => {
        const row = await lockCase(tx, actor, id);
        const added = await storeAttachments(deps, tx, actor, row, checked);
        return added.map((file) => ({
          ...file,
          downloadable: SCAN_STATES[file.scanStatus].downloadable,
        }));
      });
    },

    /**
     * One attachment's bytes, for download. A case the actor may not see is a 404, exactly
     * like a missing attachment. The download is audited.
     */
    async attachment(actor: Actor, id: string, attachmentId: string) {
      const row = await repo.findVisible(db, viewerOf(actor), id);
      if (!row) throw caseNotFound();
      const file = await repo.attachment(db, row.id, attachmentId);
      if (!file) throw notFound('Attachment not found');
      // Held until clamd passes it (security §5); an infected file is never served.
      if (file.scanStatus === 'pending')
        throw new AppError(
          409,
          'correspondence.attachment_scan_pending',
          'This file is still being checked for viruses. Try again in a few minutes.',
        );
      if (file.scanStatus === 'infected')
        throw new AppError(
          403,
          'correspondence.attachment_infected',
          'This file contains a virus and has been blocked. It cannot be downloaded.',
        );
      await audit.recordRead(actor, {
        action: 'case.attachment.download',
        subjectType: 'case_attachment',
        subjectId: file.id,
        personId: row.contactId,
        justification: `case ${row.id}`,
      });
      return {
        id: file.id,
        filename: file.filename,
        contentType: file.contentType,
        size: file.size,
        sha256: file.sha256,
        data: file.data,
      };
    },

    /**
     * "Scan again" (managers): queues another virus scan of a file still held, for when its
     * job gave up while clamd was down. The scan-sweep does the same after 30 minutes; this
     * is for not waiting. Queued through the outbox with an audit record, in one transaction;
     * a second press only queues a job that finds the file already decided and does nothing.
     */
    async rescanAttachment(actor: Actor, id: string, attachmentId: string): Promise<void> {
      await managerChange(actor, id, 'Only a manager can scan again', async (tx, row) => {
        const file = await repo.attachment(tx, row.id, attachmentId);
        if (!file) throw notFound('Attachment not found');
        await queueScanAgain(
          deps.attachmentScan,
          tx,
          file,
          'case_attachment',
          'correspondence.attachment_not_pending',
        );
        await audit.record(tx, actor, {
          action: 'case.attachment.rescan',
          subjectType: 'case_attachment',
          subjectId: file.id,
          personId: row.contactId,
          justification: `case ${row.id}`,
        });
      });
    },
  };
}
