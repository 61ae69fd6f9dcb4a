/**
 * Redacted documents on a disclosure entry (§9, security §5): PDFs only, held for their virus
 * check, listed and downloaded by staff; a change sends an approved entry back to draft.
 */
import { createHash } from 'node:crypto';
import type { DbOrTx } from '../../db/client.js';
import type { EntryRow } from '../../db/schema/index.js';
import { queueScanAgain } from '../attachments/scan.js';
import {
  detectAttachmentType,
  formatSize,
  safeFilename,
  sizeCheckedName,
  type UploadedFile,
} from '../attachments/uploads.js';
import type { CaseRow } from '../correspondence/gateway.js';
import type { Actor } from '../platform/audit.js';
import { notFound, validationError } from '../platform/errors.js';
import { appendToTimeline } from '../timeline/timeline.js';
import {
  documentError,
  documentInfected,
  documentScanPending,
  managerOnly,
  stale,
} from './errors.js';
import {
  documentView,
  DOCUMENT_LIMITS,
  isManager,
  PDF,
  viewerOf,
  type DocumentView,
} from './model.js';
import type { DisclosureContext } from './context.js';

/** The entry's case and its requester's details, which a document's name must not carry. */
export interface CaseChecks {
  loadCase: (tx: DbOrTx, entry: EntryRow) => Promise<CaseRow>;
  personalData: (tx: DbOrTx, row: CaseRow) => Promise<string[]>;
}

export function createDocumentCommands(ctx: DisclosureContext, checks: CaseChecks) {
  const { db, clock, audit, repo } = ctx;
  const deps = ctx;
  const { loadCase, personalData } = checks;

  /** Files as uploaded → checked PDFs with safe names, or the first problem (413/415/400). */
  async function checkDocuments(files: UploadedFile[]) {
    if (files.length === 0) throw validationError({ file: 'Select a PDF file to upload' });
    if (files.length > DOCUMENT_LIMITS.files)
      throw documentError(
        413,
        'disclosure.too_many_documents',
        `An entry can have up to ${DOCUMENT_LIMITS.files} documents`,
      );
    const checked: Array<{ filename: string; contentType: string; data: Buffer }> = [];
    for (const file of files) {
      const shown = sizeCheckedName(file, DOCUMENT_LIMITS.fileSize);
      // What the bytes are, not what the name or the browser claim.
      if ((await detectAttachmentType(file.data)) !== PDF)
        throw documentError(
          415,
          'disclosure.document_type',
          `${shown || 'The selected file'} must be a PDF`,
        );
      checked.push({
        filename: safeFilename(file.filename, PDF),
        contentType: PDF,
        data: file.data,
      });
    }
    return checked;
  }

  /**
   * Locks an entry a caseworker may still change (draft or approved). A change to an approved
   * entry sends it back to draft, as an edit does: a manager approves what is published.
   */
  async function lockEditable(tx: DbOrTx, actor: Actor, id: string) {
    const entry = await repo.lockVisible(tx, viewerOf(actor), id);
    if (!entry) throw notFound('Entry not found');
    if (entry.status !== 'draft' && entry.status !== 'approved')
      throw documentError(
        422,
        'disclosure.not_editable',
        `Documents cannot be changed on a ${entry.status} entry`,
      );
    return entry;
  }

  async function touchEntry(tx: DbOrTx, entry: EntryRow, now: Date) {
    const updated = await repo.update(tx, entry.id, entry.version, {
      status: 'draft',
      approvedById: null,
      approvedAt: null,
      updatedAt: now,
    });
    if (!updated) throw stale();
    return updated;
  }

  return {
    /** The documents on an entry the actor may see. */
    async documents(actor: Actor, id: string): Promise<DocumentView[]> {
      const entry = await repo.findVisible(db, viewerOf(actor), id);
      if (!entry) throw notFound('Entry not found');
      return (await repo.documents(db, entry.id)).map(documentView);
    },

    /** One document's bytes for staff checking it before publication (audited). */
    async document(actor: Actor, id: string, documentId: string) {
      const entry = await repo.findVisible(db, viewerOf(actor), id);
      if (!entry) throw notFound('Entry not found');
      const file = await repo.document(db, entry.id, documentId);
      if (!file) throw notFound('Document not found');
      // Held until clamd passes it (security §5), as case attachments are.
      if (file.scanStatus === 'pending') throw documentScanPending();
      if (file.scanStatus === 'infected') throw documentInfected();
      await audit.record(db, actor, {
        action: 'disclosure.document.read',
        subjectType: 'disclosure_document',
        subjectId: file.id,
      });
      return { filename: file.filename, contentType: file.contentType, data: file.data };
    },

    /**
     * "Scan again" (managers), as for case attachments: queues another virus check of a
     * document still held, for when its job gave up while clamd was down, instead of waiting
     * for the 15-minute sweep. Queued through the outbox with an audit record, in one
     * transaction; a second press queues a job that finds the document decided and stops.
     */
    async rescanDocument(actor: Actor, id: string, documentId: string): Promise<void> {
      if (!isManager(actor)) throw managerOnly('scan a document again');
      await db.transaction(async (tx) => {
        const entry = await repo.lockVisible(tx, viewerOf(actor), id);
        if (!entry) throw notFound('Entry not found');
        const file = await repo.document(tx, entry.id, documentId);
        if (!file) throw notFound('Document not found');
        await queueScanAgain(
          deps.attachmentScan,
          tx,
          file,
          'disclosure_document',
          'disclosure.document_not_pending',
        );
        await audit.record(tx, actor, {
          action: 'disclosure.document.rescan',
          subjectType: 'disclosure_document',
          subjectId: file.id,
          justification: `entry ${entry.id}`,
        });
      });
    },

    /**
     * Adds redacted documents to a draft or approved entry: PDFs by their bytes, 10 MiB each,
     * at most 5 on the entry, names free of the requester's details. An approved entry goes
     * back to draft.
     */
    async addDocuments(actor: Actor, id: string, files: UploadedFile[]): Promise<DocumentView[]> {
      const checked = await checkDocuments(files);
      return db.transaction(async (tx) => {
        const entry = await lockEditable(tx, actor, id);
        const existing = await repo.documents(tx, entry.id);
        if (existing.length + checked.length > DOCUMENT_LIMITS.files)
          throw documentError(
            413,
            'disclosure.too_many_documents',
            `An entry can have up to ${DOCUMENT_LIMITS.files} documents: it has ${existing.length}`,
          );
        const personal = await personalData(tx, await loadCase(tx, entry));
        for (const file of checked) {
          const lower = file.filename.toLowerCase();
          if (personal.some((value) => lower.includes(value.toLowerCase())))
            throw documentError(
              422,
              'disclosure.personal_data',
              'Rename the file: its name contains the requester’s details',
            );
        }
        const now = clock.now();
        await touchEntry(tx, entry, now);
        const scanStatus = deps.attachmentScan?.initialStatus() ?? 'not_scanned';
        const added: DocumentView[] = [];
        for (const file of checked) {
          const row = await repo.insertDocument(tx, {
            entryId: entry.id,
            filename: file.filename,
            contentType: file.contentType,
            size: file.data.length,
            data: file.data,
            sha256: createHash('sha256').update(file.data).digest('hex'),
            uploadedById: actor.id,
            uploadedAt: now,
            scanStatus,
          });
          // The scan job is queued in this transaction: no document without its scan.
          await deps.attachmentScan?.queue(tx, row.id, 'disclosure_document');
          await appendToTimeline(tx, {
            caseId: entry.caseId,
            at: now,
            actorId: actor.id,
            kind: 'disclosure_document_added',
            data: {
              entryId: entry.id,
              documentId: row.id,
              title: 'Redacted document added to the disclosure log entry',
              description: `${row.filename} (${formatSize(row.size)})`,
            },
          });
          await audit.record(tx, actor, {
            action: 'disclosure.document.add',
            subjectType: 'disclosure_document',
            subjectId: row.id,
            justification: `entry ${entry.id}`,
          });
          added.push(documentView(row));
        }
        return added;
      });
    },

    /** Removes a document from a draft or approved entry (an approved one goes back to draft). */
    async removeDocument(actor: Actor, id: string, documentId: string): Promise<void> {
      await db.transaction(async (tx) => {
        const entry = await lockEditable(tx, actor, id);
        const removed = await repo.deleteDocument(tx, entry.id, documentId);
        if (!removed) throw notFound('Document not found');
        const now = clock.now();
        await touchEntry(tx, entry, now);
        await appendToTimeline(tx, {
          caseId: entry.caseId,
          at: now,
          actorId: actor.id,
          kind: 'disclosure_document_removed',
          data: {
            entryId: entry.id,
            documentId: removed.id,
            title: 'Redacted document removed from the disclosure log entry',
            description: removed.filename,
          },
        });
        await audit.record(tx, actor, {
          action: 'disclosure.document.remove',
          subjectType: 'disclosure_document',
          subjectId: removed.id,
          justification: `entry ${entry.id}`,
        });
      });
    },
  };
}
