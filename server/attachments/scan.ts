import { and, asc, eq, lt } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client.js';
import {
  caseAttachments,
  cases,
  disclosureDocuments,
  disclosureLogEntries,
  users,
  type AttachmentScanStatus,
} from '../../db/schema/index.js';
import type { JobPayloads } from '../../workers/queues.js';
import type { Clock } from '../lib/clock.js';
import type { MailService } from '../mail/service.js';
import type { AuditLog } from '../platform/audit.js';
import { systemActor } from '../platform/audit.js';
import { AppError } from '../platform/errors.js';
import { enqueue } from '../platform/outbox.js';
import { scanBuffer } from './clamd.js';
import { appendToTimeline, type TimelineEntry } from '../timeline/timeline.js';

export type { AttachmentScanStatus };

/** Which table a scanned file lives in: case attachments or disclosure-log documents. */
export type ScanKind = NonNullable<JobPayloads['attachment-scan']['kind']>;

/** A file still `pending` this long after upload has lost its scan job: the sweep re-queues it. */
export const STALE_SCAN_AFTER_MS = 30 * 60_000;

/** What a caseworker sees for each state, and whether the file may be downloaded. */
export const SCAN_STATES: Record<
  AttachmentScanStatus,
  { label: string; downloadable: boolean; tag: string }
> = {
  pending: { label: 'Being virus-checked', downloadable: false, tag: 'govuk-tag--blue' },
  clean: { label: 'Virus-checked', downloadable: true, tag: 'govuk-tag--green' },
  infected: { label: 'Virus found', downloadable: false, tag: 'govuk-tag--red' },
  not_scanned: { label: 'Not virus-checked', downloadable: true, tag: 'govuk-tag--yellow' },
};

/**
 * How one kind of file reports an infection: its case timeline entry, its audit action, the
 * person the case is about, and the email to the uploader (absent: none is sent).
 */
interface InfectedReport {
  caseId: string;
  entry: Pick<TimelineEntry, 'kind' | 'data'>;
  audit: { action: string; subjectType: string };
  personId: string | null;
  email:
    | { subject: string; lines: string[]; link: string; subjectType: string; subjectRef: string }
    | undefined;
}

/**
 * Virus scanning of uploads (security §5: "held until ClamAV passes it"). With CLAMD_URL
 * set, a new file is `pending` and an `attachment-scan` job is queued through the outbox in
 * the upload's transaction; the job streams the bytes to clamd. Without it (the embedded
 * development default; production refuses to start without it) files are `not_scanned`.
 * Case attachments and disclosure-log documents share it: the job's `kind` picks the table.
 */
export function createAttachmentScanService(deps: {
  db: Db;
  clock: Clock;
  audit: AuditLog;
  mail: MailService;
  clamdUrl: string | undefined;
  publicUrl: string;
}) {
  const { db, clock, audit, mail, clamdUrl } = deps;

  return {
    /** True when uploads are held for clamd. */
    enabled: clamdUrl !== undefined,

    /** The status a new upload starts in. */
    initialStatus(): AttachmentScanStatus {
      return clamdUrl ? 'pending' : 'not_scanned';
    },

    /** Call in the upload's transaction, after the row is inserted. */
    async queue(
      tx: DbOrTx,
      attachmentId: string,
      kind: ScanKind = 'case_attachment',
    ): Promise<void> {
      if (clamdUrl) await enqueue(tx, 'attachment-scan', { attachmentId, kind });
    },

    /**
     * Files still `pending` that were uploaded before `before` (both tables), oldest first:
     * their scan job has used up its retries (or was lost), so nothing will ever scan them.
     */
    async stalePending(before: Date, limit = 200): Promise<Array<{ kind: ScanKind; id: string }>> {
      const [attachments, documents] = await Promise.all([
        db
          .select({ id: caseAttachments.id })
          .from(caseAttachments)
          .where(
            and(eq(caseAttachments.scanStatus, 'pending'), lt(caseAttachments.uploadedAt, before)),
          )
          .orderBy(asc(caseAttachments.uploadedAt))
          .limit(limit),
        db
          .select({ id: disclosureDocuments.id })
          .from(disclosureDocuments)
          .where(
            and(
              eq(disclosureDocuments.scanStatus, 'pending'),
              lt(disclosureDocuments.uploadedAt, before),
            ),
          )
          .orderBy(asc(disclosureDocuments.uploadedAt))
          .limit(limit),
      ]);
      return [
        ...attachments.map((r) => ({ kind: 'case_attachment' as const, id: r.id })),
        ...documents.map((r) => ({ kind: 'disclosure_document' as const, id: r.id })),
      ];
    },

    /**
     * Scans one pending file. Throws while clamd is unreachable (the job retries and the file
     * stays held). Re-running after a verdict changes nothing: BullMQ delivers at least once.
     */
    async scan(
      attachmentId: string,
      kind: ScanKind = 'case_attachment',
    ): Promise<{ status: AttachmentScanStatus | 'missing' }> {
      if (kind === 'disclosure_document') return scanDocument(attachmentId);
      const [file] = await db
        .select({
          id: caseAttachments.id,
          caseId: caseAttachments.caseId,
          filename: caseAttachments.filename,
          data: caseAttachments.data,
          scanStatus: caseAttachments.scanStatus,
          uploadedById: caseAttachments.uploadedById,
        })
        .from(caseAttachments)
        .where(eq(caseAttachments.id, attachmentId));
      return holdVerdict(caseAttachments, file, async (tx, file, signature) => {
        const [kase] = await tx
          .select({
            id: cases.id,
            reference: cases.reference,
            restricted: cases.restricted,
            contactId: cases.contactId,
          })
          .from(cases)
          .where(eq(cases.id, file.caseId));
        // Restricted cases: notifications say as little as possible (domain §8).
        const which = kase?.restricted ? 'A file you uploaded' : `The file ${file.filename}`;
        return {
          caseId: file.caseId,
          entry: {
            kind: 'attachment_infected',
            data: {
              attachmentId: file.id,
              filename: file.filename,
              signature,
              title: 'Virus found in an attachment',
              description: `${file.filename} contains ${signature}. It has been blocked and cannot be downloaded.`,
            },
          },
          audit: { action: 'case.attachment.infected', subjectType: 'case_attachment' },
          personId: kase?.contactId ?? null,
          email: kase && {
            subject: `Virus found in a file you uploaded [${kase.reference}]`,
            lines: [
              `${which} on case ${kase.reference} contains a virus (${signature}).`,
              'It has been blocked: nobody can download it. Ask the sender for a clean copy if you still need it.',
            ],
            link: `${deps.publicUrl}/casework/${kase.id}#attachments`,
            subjectType: 'case',
            subjectRef: kase.id,
          },
        };
      });
    },
  };

  /**
   * What clamd says of a pending file's bytes, for both kinds of file. Throws while clamd is
   * unreachable (the job retries and the file stays held) and on a worker without clamd.
   */
  async function verdictOn(
    data: Buffer,
  ): Promise<{ status: AttachmentScanStatus; signature: string | null }> {
    // Queued under a configuration that had clamd, run without: say so, do not pass it.
    if (!clamdUrl)
      throw new Error('CLAMD_URL is not set: the file stays held until a worker with clamd');
    const verdict = await scanBuffer(clamdUrl, data);
    return verdict.clean
      ? { status: 'clean', signature: null }
      : { status: 'infected', signature: verdict.signature };
  }

  /**
   * The hold both kinds of file share: a missing or already-decided file is left alone;
   * otherwise clamd's verdict is written, only onto a row still `pending` (a second delivery
   * of the job changes nothing), and an infected file is reported, as `describe` says, in
   * the same transaction.
   */
  async function holdVerdict<
    F extends {
      id: string;
      data: Buffer;
      scanStatus: AttachmentScanStatus;
      uploadedById: string | null;
    },
  >(
    table: typeof caseAttachments | typeof disclosureDocuments,
    file: F | undefined,
    describe: (tx: DbOrTx, file: F, signature: string | null) => Promise<InfectedReport>,
  ): Promise<{ status: AttachmentScanStatus | 'missing' }> {
    if (!file) return { status: 'missing' };
    if (file.scanStatus !== 'pending') return { status: file.scanStatus };
    const { status, signature } = await verdictOn(file.data);
    return db.transaction(async (tx) => {
      const now = clock.now();
      const [updated] = await tx
        .update(table)
        .set({ scanStatus: status, scannedAt: now, scanSignature: signature })
        .where(and(eq(table.id, file.id), eq(table.scanStatus, 'pending')))
        .returning({ id: table.id });
      if (updated && status !== 'clean') {
        const report = await describe(tx, file, signature);
        await reportInfected(tx, file, { now, signature }, report);
      }
      return { status };
    });
  }

  /**
   * What an infected file sets off, for both kinds: the entry on its case's timeline, the
   * audit entry, and an email to whoever uploaded it (none when `email` is absent).
   */
  async function reportInfected(
    tx: DbOrTx,
    file: { id: string; uploadedById: string | null },
    found: { now: Date; signature: string | null },
    report: InfectedReport,
  ) {
    await appendToTimeline(tx, {
      caseId: report.caseId,
      at: found.now,
      actorId: null,
      ...report.entry,
    });
    await audit.record(tx, systemActor(), {
      ...report.audit,
      subjectId: file.id,
      personId: report.personId,
      justification: `clamd: ${found.signature}`,
    });
    const uploader = await activeUploader(tx, file.uploadedById);
    if (!uploader || !report.email) return;
    const { subject, lines, link, subjectType, subjectRef } = report.email;
    await mail.queue(tx, {
      to: uploader.email,
      subject,
      text: [`Dear ${uploader.name},`, '', ...lines, '', link].join('\n'),
      subjectType,
      subjectRef,
    });
  }

  /** Who uploaded a file, to be told it is infected: no one when unknown or disabled. */
  async function activeUploader(tx: DbOrTx, uploadedById: string | null) {
    if (!uploadedById) return undefined;
    const [uploader] = await tx
      .select({ email: users.email, name: users.name, disabledAt: users.disabledAt })
      .from(users)
      .where(eq(users.id, uploadedById));
    return uploader && !uploader.disabledAt ? uploader : undefined;
  }

  /** The disclosure-document half of `scan`: same hold, its own table, entry and audit. */
  async function scanDocument(
    documentId: string,
  ): Promise<{ status: AttachmentScanStatus | 'missing' }> {
    const [file] = await db
      .select({
        id: disclosureDocuments.id,
        entryId: disclosureDocuments.entryId,
        filename: disclosureDocuments.filename,
        data: disclosureDocuments.data,
        scanStatus: disclosureDocuments.scanStatus,
        uploadedById: disclosureDocuments.uploadedById,
        caseId: disclosureLogEntries.caseId,
        reference: disclosureLogEntries.reference,
      })
      .from(disclosureDocuments)
      .innerJoin(disclosureLogEntries, eq(disclosureLogEntries.id, disclosureDocuments.entryId))
      .where(eq(disclosureDocuments.id, documentId));
    // A document removed from its entry before the scan ran comes back `missing`: nothing to hold.
    return holdVerdict(disclosureDocuments, file, async (tx, file, signature) => {
      const [kase] = await tx
        .select({ contactId: cases.contactId })
        .from(cases)
        .where(eq(cases.id, file.caseId));
      return {
        caseId: file.caseId,
        entry: {
          kind: 'disclosure_document_infected',
          data: {
            entryId: file.entryId,
            documentId: file.id,
            filename: file.filename,
            signature,
            title: 'Virus found in a disclosure log document',
            description: `${file.filename} contains ${signature}. It has been blocked: it cannot be downloaded or published.`,
          },
        },
        audit: { action: 'disclosure.document.infected', subjectType: 'disclosure_document' },
        personId: kase?.contactId ?? null,
        // The file name was checked for the requester's details when it was added.
        email: {
          subject: `Virus found in a disclosure log document [${file.reference}]`,
          lines: [
            `The document ${file.filename} you added to the disclosure log entry ${file.reference} contains a virus (${signature}).`,
            'It has been blocked: nobody can download it, and the entry cannot be published until it is removed.',
          ],
          link: `${deps.publicUrl}/disclosure-entries/${file.entryId}#documents`,
          subjectType: 'disclosure_entry',
          subjectRef: file.entryId,
        },
      };
    });
  }
}
export type AttachmentScanService = ReturnType<typeof createAttachmentScanService>;

/**
 * "Scan again" for one held file (a case attachment or a disclosure document), in the
 * caller's transaction: refused with a 422 under `code` unless the file is still `pending`
 * and scanning is on. A second press queues a job that finds the file decided and stops.
 */
export async function queueScanAgain(
  scan: AttachmentScanService | undefined,
  tx: DbOrTx,
  file: { id: string; filename: string; scanStatus: AttachmentScanStatus },
  kind: ScanKind,
  code: string,
): Promise<void> {
  if (file.scanStatus !== 'pending' || !scan?.enabled) {
    const message = `${file.filename} is not waiting for a virus check`;
    throw new AppError(422, code, message, { file: message });
  }
  await scan.queue(tx, file.id, kind);
}
