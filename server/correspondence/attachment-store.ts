import { createHash } from 'node:crypto';
import type { Tx } from '../../db/client.js';
import type { AttachmentScanService, AttachmentScanStatus } from '../attachments/scan.js';
import type { Clock } from '../lib/clock.js';
import type { Actor, AuditLog } from '../platform/audit.js';
import { validationError } from '../platform/errors.js';
import {
  ATTACHMENT_LIMITS,
  detectAttachmentType,
  safeFilename,
  sizeCheckedName,
  tooManyAttachments,
  unsupportedAttachment,
  type UploadedFile,
} from '../attachments/uploads.js';
import type { CorrespondenceRepository } from './repository.js';
import { appendToTimeline } from '../timeline/timeline.js';

/** A file that passed the checks: its safe name and the type its bytes are. */
export interface CheckedFile {
  filename: string;
  contentType: string;
  data: Buffer;
}

/**
 * Every file checked before anything is written (size, then type by its bytes: PDF, PNG,
 * JPEG or DOCX); one bad file refuses them all. 413 too large or too many, 415 wrong type,
 * each with a `file` field error for the page.
 */
export async function checkUploads(
  files: UploadedFile[],
  opts: { required?: boolean } = {},
): Promise<CheckedFile[]> {
  if (files.length === 0 && opts.required !== false)
    throw validationError({ file: 'Select a file to upload' });
  if (files.length > ATTACHMENT_LIMITS.files) throw tooManyAttachments();
  const checked: CheckedFile[] = [];
  for (const file of files) {
    const shown = sizeCheckedName(file, ATTACHMENT_LIMITS.fileSize);
    const contentType = await detectAttachmentType(file.data);
    if (!contentType) throw unsupportedAttachment(shown);
    checked.push({
      filename: safeFilename(file.filename, contentType),
      contentType,
      data: file.data,
    });
  }
  return checked;
}

export interface StoredAttachment {
  id: string;
  filename: string;
  contentType: string;
  size: number;
  uploadedAt: string;
  uploadedBy: { id: string; name: string } | null;
  scanStatus: AttachmentScanStatus;
}

/**
 * Stores checked files on a case in the caller's transaction: each row, its timeline event,
 * its audit row and (with clamd configured) its `attachment-scan` job in the outbox, so a
 * rollback leaves neither a file nor a job.
 */
export async function storeAttachments(
  deps: {
    repo: CorrespondenceRepository;
    audit: AuditLog;
    clock: Clock;
    attachmentScan?: AttachmentScanService;
  },
  tx: Tx,
  actor: Actor,
  kase: { id: string; contactId: string | null },
  files: CheckedFile[],
): Promise<StoredAttachment[]> {
  const now = deps.clock.now();
  const scanStatus = deps.attachmentScan?.initialStatus() ?? 'not_scanned';
  const added: StoredAttachment[] = [];
  for (const file of files) {
    const sha256 = createHash('sha256').update(file.data).digest('hex');
    const { id: attachmentId } = await deps.repo.insertAttachment(tx, {
      caseId: kase.id,
      filename: file.filename,
      contentType: file.contentType,
      size: file.data.length,
      data: file.data,
      uploadedById: actor.id,
      uploadedAt: now,
      sha256,
      scanStatus,
    });
    await appendToTimeline(tx, {
      caseId: kase.id,
      at: now,
      actorId: actor.id,
      kind: 'attachment_added',
      data: {
        attachmentId,
        filename: file.filename,
        contentType: file.contentType,
        size: file.data.length,
      },
    });
    await deps.audit.record(tx, actor, {
      action: 'case.attachment.add',
      subjectType: 'case_attachment',
      subjectId: attachmentId,
      personId: kase.contactId,
      justification: `case ${kase.id}`,
    });
    await deps.attachmentScan?.queue(tx, attachmentId);
    added.push({
      id: attachmentId,
      filename: file.filename,
      contentType: file.contentType,
      size: file.data.length,
      uploadedAt: now.toISOString(),
      uploadedBy: actor.id ? { id: actor.id, name: '' } : null,
      scanStatus,
    });
  }
  return added;
}
