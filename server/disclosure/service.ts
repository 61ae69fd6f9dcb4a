import { createHash } from 'node:crypto';
import type { Db, DbOrTx } from '../../db/client.js';
import { queueScanAgain, SCAN_STATES, type AttachmentScanService } from '../attachments/scan.js';
import {
  ATTACHMENT_LIMITS,
  ATTACHMENT_TYPES,
  attachmentTooLarge,
  detectAttachmentType,
  formatSize,
  safeFilename,
  type UploadedFile,
} from '../correspondence/attachments.js';
import { londonDate } from '../correspondence/due.js';
import type { CaseGateway, CaseRow } from '../correspondence/gateway.js';
import { humanise, replyOutcomes, type CaseType } from '../correspondence/workflow.js';
import type { Clock } from '../lib/clock.js';
import type { Actor, AuditLog } from '../platform/audit.js';
import { AppError, notFound, validationError, type FieldErrors } from '../platform/errors.js';
import {
  createDisclosureRepository,
  EntryExists,
  type DisclosureRepository,
  type DocumentListing,
  type EntryRow,
  type PublicFilters,
} from './repository.js';
import { appendToTimeline } from '../timeline/timeline.js';

/** Only these case types are ever published (§9): never subject access requests. */
export const PUBLISHABLE_TYPES: readonly CaseType[] = ['foi', 'eir'];
/** …and only once they have been answered. */
const ANSWERED = ['responded', 'closed'];
export const OUTCOMES = replyOutcomes('foi');
export const PUBLIC_PAGE_SIZE = 20;

export const LIMITS = { title: 200, text: 20_000, summary: 10_000, exemption: 200, reason: 2000 };
/** Redacted documents (§9): PDFs only, 10 MiB each (security §5), at most 5 on an entry. */
export const DOCUMENT_LIMITS = { fileSize: ATTACHMENT_LIMITS.fileSize, files: 5 };
const PDF = 'application/pdf';

/** A redacted document as lists show it: never the bytes, never who uploaded it. */
export interface DocumentView {
  id: string;
  filename: string;
  contentType: string;
  typeLabel: string;
  size: number;
  sizeLabel: string;
  uploadedAt: string;
  /** Virus scan (security §5): only `clean` and `not_scanned` files are ever served. */
  scanStatus: DocumentListing['scanStatus'];
  downloadable: boolean;
}

export interface EntryInput {
  title: string;
  requestText: string;
  summary: string;
  outcome: string | null;
  exemptions: string[];
  responseDate: string;
  topics: string[];
  /** The caseworker confirms the text holds no personal data (required on every save). */
  personalDataRemoved: boolean;
  version: number;
}

export interface EntryView {
  id: string;
  caseId: string;
  reference: string;
  title: string;
  requestText: string;
  summary: string;
  outcome: string | null;
  exemptions: string[];
  responseDate: string;
  topics: string[];
  status: EntryRow['status'];
  personalDataRemoved: boolean;
  version: number;
  approvedBy: string | null;
  approvedAt: string | null;
  publishedAt: string | null;
  withdrawnAt: string | null;
  withdrawnReason: string | null;
  createdAt: string;
  updatedAt: string;
}

/** What the public sees: the entry's own fields, never the case, its requester or staff. */
export interface PublicEntry {
  reference: string;
  title: string;
  requestText: string;
  summary: string;
  outcome: string | null;
  outcomeLabel: string | null;
  exemptions: string[];
  responseDate: string;
  topics: Array<{ slug: string; label: string }>;
}

const iso = (value: Date | null) => (value ? value.toISOString() : null);
const documentView = (row: DocumentListing): DocumentView => ({
  id: row.id,
  filename: row.filename,
  contentType: row.contentType,
  typeLabel: ATTACHMENT_TYPES[row.contentType]?.label ?? row.contentType,
  size: row.size,
  sizeLabel: formatSize(row.size),
  uploadedAt: row.uploadedAt.toISOString(),
  scanStatus: row.scanStatus,
  downloadable: SCAN_STATES[row.scanStatus].downloadable,
});

const documentError = (status: number, code: string, message: string) =>
  new AppError(status, code, message, { file: message });
const viewerOf = (actor: Actor) => ({ id: actor.id, role: actor.role });
const isManager = (actor: Actor) => actor.role === 'manager' || actor.role === 'system';
const EMAIL_IN_TEXT = /[^\s@<>()",;:]+@[^\s@<>()",;:]+\.[a-z]{2,}/gi;

const notPublishable = (message: string) =>
  new AppError(422, 'disclosure.not_publishable', message);

const managerOnly = (what: string) =>
  new AppError(403, 'disclosure.manager_only', `Only a manager can ${what}`);

const stale = () =>
  new AppError(
    409,
    'disclosure.stale_version',
    'This entry has changed since you loaded it. Check the latest version and try again.',
    { version: 'This entry has changed since you loaded it' },
  );

function entryView(row: EntryRow, approvedBy: string | null = null): EntryView {
  return {
    id: row.id,
    caseId: row.caseId,
    reference: row.reference,
    title: row.title,
    requestText: row.requestText,
    summary: row.summary,
    outcome: row.outcome,
    exemptions: row.exemptions,
    responseDate: row.responseDate,
    topics: row.topics,
    status: row.status,
    personalDataRemoved: row.personalDataRemoved,
    version: row.version,
    approvedBy,
    approvedAt: iso(row.approvedAt),
    publishedAt: iso(row.publishedAt),
    withdrawnAt: iso(row.withdrawnAt),
    withdrawnReason: row.withdrawnReason,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

const escapeRegExp = (value: string) => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The public FOI/EIR disclosure log (§9). Entries come from answered FOI and EIR cases only,
 * are prefilled with the requester's details taken out, edited by a caseworker who confirms
 * personal data is removed, approved and published by a manager, and may be withdrawn.
 * Public reads go through `publicList` and `publicEntry`, which see only published fields.
 */
export function createDisclosureService(deps: {
  db: Db;
  clock: Clock;
  audit: AuditLog;
  repo?: DisclosureRepository;
  /** Holds new documents for clamd (security §5); absent, they are `not_scanned`. */
  attachmentScan?: AttachmentScanService;
  /** Cases, through correspondence's public entry point. */
  cases: CaseGateway;
}) {
  const { db, clock, audit, cases } = deps;
  const repo = deps.repo ?? createDisclosureRepository();

  function checkPublishable(row: CaseRow) {
    if (!PUBLISHABLE_TYPES.includes(row.type))
      throw notPublishable(
        row.type === 'sar'
          ? 'Subject access requests are never published in the disclosure log'
          : 'Only freedom of information and environmental information requests can be published',
      );
    if (!ANSWERED.includes(row.status))
      throw notPublishable('Only answered requests can be published: send the response first');
  }

  /** The requester's (and constituent's) names and addresses, which must never be published. */
  async function personalData(tx: DbOrTx, row: CaseRow): Promise<string[]> {
    const people = await Promise.all([
      cases.contact(tx, row.contactId),
      cases.contact(tx, row.onBehalfOfId),
    ]);
    const values: string[] = [];
    for (const person of people) {
      if (!person) continue;
      for (const value of [person.name, person.email, person.phone, person.postcode])
        if (value && value.trim().length >= 3) values.push(value.trim());
    }
    return values;
  }

  /** Replaces personal data and any email address with "[redacted]" (for the prefill). */
  function scrub(text: string, personal: string[]): string {
    let out = text.replace(EMAIL_IN_TEXT, '[redacted]');
    for (const value of personal)
      out = out.replace(new RegExp(escapeRegExp(value), 'gi'), '[redacted]');
    return out;
  }

  /** Field errors for text that still names the requester or holds an email address. */
  function personalDataFound(
    input: Pick<EntryInput, 'title' | 'requestText' | 'summary' | 'exemptions'>,
    personal: string[],
  ): FieldErrors {
    const fields: FieldErrors = {};
    const check = (field: string, text: string) => {
      const lower = text.toLowerCase();
      if (personal.some((value) => lower.includes(value.toLowerCase())))
        fields[field] = 'Remove the requester’s name and contact details';
      else if (EMAIL_IN_TEXT.test(text)) fields[field] = 'Remove email addresses';
      EMAIL_IN_TEXT.lastIndex = 0;
    };
    check('title', input.title);
    check('requestText', input.requestText);
    check('summary', input.summary);
    check('exemptions', input.exemptions.join('\n'));
    return fields;
  }

  function checkInput(input: EntryInput): FieldErrors {
    const fields: FieldErrors = {};
    const title = input.title?.trim() ?? '';
    if (!title) fields.title = 'Enter a title';
    else if (title.length > LIMITS.title)
      fields.title = `Title must be ${LIMITS.title} characters or fewer`;
    if (!input.requestText?.trim()) fields.requestText = 'Enter the request';
    else if (input.requestText.length > LIMITS.text)
      fields.requestText = `The request must be ${LIMITS.text.toLocaleString('en-GB')} characters or fewer`;
    if ((input.summary?.length ?? 0) > LIMITS.summary)
      fields.summary = `The summary must be ${LIMITS.summary.toLocaleString('en-GB')} characters or fewer`;
    if (input.outcome && !OUTCOMES.includes(input.outcome)) fields.outcome = 'Select the outcome';
    if (input.exemptions.some((e) => e.length > LIMITS.exemption) || input.exemptions.length > 20)
      fields.exemptions = `Give up to 20 exemptions of ${LIMITS.exemption} characters or fewer`;
    if (input.outcome === 'refused' && input.exemptions.length === 0)
      fields.exemptions = 'Give the exemptions a refusal relied on';
    const date = /^\d{4}-\d{2}-\d{2}$/.test(input.responseDate ?? '')
      ? new Date(`${input.responseDate}T12:00:00Z`)
      : undefined;
    if (
      !date ||
      Number.isNaN(date.getTime()) ||
      date.toISOString().slice(0, 10) !== input.responseDate
    )
      fields.responseDate = 'Enter the date of the response, for example 27 3 2026';
    else if (input.responseDate > londonDate(clock.now()))
      fields.responseDate = 'The date of the response must be today or in the past';
    if (input.topics.length > 20 || input.topics.some((t) => t.length > 50))
      fields.topics = 'Select topics from the list';
    if (input.personalDataRemoved !== true)
      fields.personalDataRemoved = 'Confirm that personal data has been removed';
    return fields;
  }

  async function loadCase(tx: DbOrTx, entry: EntryRow): Promise<CaseRow> {
    const row = await cases.find(tx, { id: null, role: 'system' }, entry.caseId);
    if (!row) throw notFound('Case not found');
    return row;
  }

  /** The checks every step towards publication repeats: type, answered, no personal data. */
  async function checkReady(tx: DbOrTx, entry: EntryRow) {
    const row = await loadCase(tx, entry);
    checkPublishable(row);
    if (!entry.personalDataRemoved)
      throw new AppError(
        422,
        'disclosure.personal_data_unconfirmed',
        'The caseworker has not confirmed that personal data has been removed',
        { personalDataRemoved: 'Confirm that personal data has been removed' },
      );
    const found = personalDataFound(entry, await personalData(tx, row));
    if (Object.keys(found).length)
      throw new AppError(
        422,
        'disclosure.personal_data',
        'The entry still contains personal data',
        found,
      );
    return row;
  }

  async function changeStatus(
    actor: Actor,
    id: string,
    version: number,
    step: {
      from: EntryRow['status'][];
      to: EntryRow['status'];
      what: string;
      event: string;
      values?: (now: Date) => Partial<EntryRow>;
      ready?: boolean;
      /** Refused while any document is still held or infected (publication only). */
      documentsChecked?: boolean;
    },
  ): Promise<EntryView> {
    if (!isManager(actor)) throw managerOnly(step.what);
    return db.transaction(async (tx) => {
      const entry = await repo.lockVisible(tx, viewerOf(actor), id);
      if (!entry) throw notFound('Entry not found');
      if (entry.version !== version) throw stale();
      if (!step.from.includes(entry.status))
        throw new AppError(
          422,
          'disclosure.invalid_transition',
          `A ${entry.status} entry cannot be ${step.to}`,
        );
      if (step.ready) await checkReady(tx, entry);
      if (step.documentsChecked) await checkDocumentsScanned(tx, entry);
      const now = clock.now();
      const updated = await repo.update(tx, entry.id, entry.version, {
        status: step.to,
        updatedAt: now,
        ...(step.values?.(now) ?? {}),
      });
      if (!updated) throw stale();
      await appendToTimeline(tx, {
        caseId: entry.caseId,
        at: now,
        actorId: actor.id,
        kind: step.event,
        data: { entryId: entry.id },
      });
      await audit.record(tx, actor, {
        action: `disclosure.${step.to}`,
        subjectType: 'disclosure_entry',
        subjectId: entry.id,
      });
      return entryView(updated, await repo.userName(tx, updated.approvedById));
    });
  }

  /**
   * The public can download every document of a published entry, so none may be waiting for
   * its virus check or have failed it. Documents cannot be added once published, and adding
   * one locks the entry as publishing does, so this check cannot be raced.
   */
  async function checkDocumentsScanned(tx: DbOrTx, entry: EntryRow) {
    const held = (await repo.documents(tx, entry.id)).filter(
      (d) => d.scanStatus === 'pending' || d.scanStatus === 'infected',
    );
    if (held.length === 0) return;
    const infected = held.filter((d) => d.scanStatus === 'infected');
    const message = infected.length
      ? `Remove ${infected.map((d) => d.filename).join(', ')}: a virus was found. An entry cannot be published with an infected document`
      : `Wait for the virus check of ${held.map((d) => d.filename).join(', ')} to finish before publishing`;
    throw new AppError(422, 'disclosure.documents_not_checked', message, { documents: message });
  }

  async function topicList(slugs: string[]) {
    const labels = await repo.topicLabels(db);
    return slugs.map((slug) => ({ slug, label: labels.get(slug) ?? humanise(slug) }));
  }

  function publicView(row: EntryRow, labels: Map<string, string>): PublicEntry {
    return {
      reference: row.reference,
      title: row.title,
      requestText: row.requestText,
      summary: row.summary,
      outcome: row.outcome,
      outcomeLabel: row.outcome ? humanise(row.outcome) : null,
      exemptions: row.exemptions,
      responseDate: row.responseDate,
      topics: row.topics.map((slug) => ({ slug, label: labels.get(slug) ?? humanise(slug) })),
    };
  }

  /** The published entry behind a public URL: 404 unless published, 410 once withdrawn. */
  async function publishedRow(reference: string): Promise<EntryRow> {
    if (!/^OPCC-\d{4}-\d{5,}$/i.test(reference.trim())) throw notFound('Entry not found');
    const row = await repo.byReference(db, reference);
    if (!row || (row.status !== 'published' && row.status !== 'withdrawn'))
      throw notFound('Entry not found');
    if (row.status === 'withdrawn')
      throw new AppError(
        410,
        'disclosure.withdrawn',
        'This entry has been withdrawn from the disclosure log',
      );
    return row;
  }

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
      const shown = file.filename.split(/[\\/]/).pop()?.slice(0, 100) ?? '';
      if (file.truncated || file.data.length > DOCUMENT_LIMITS.fileSize)
        throw attachmentTooLarge(shown);
      if (file.data.length === 0)
        throw validationError({ file: `${shown || 'The selected file'} is empty` });
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
    /**
     * Starts an entry from an answered FOI/EIR case, with the requester's name, email,
     * phone and postcode (and any email address) replaced by "[redacted]". A case that
     * already has an entry gives that entry back (`created: false`).
     */
    async draftFromCase(
      actor: Actor,
      caseId: string,
    ): Promise<{ entry: EntryView; created: boolean }> {
      try {
        return await db.transaction(async (tx) => {
          const row = await cases.lock(tx, viewerOf(actor), caseId);
          if (!row) throw notFound('Case not found');
          checkPublishable(row);
          const existing = await repo.byCase(tx, row.id);
          if (existing) return { entry: entryView(existing), created: false };
          const personal = await personalData(tx, row);
          const now = clock.now();
          const entry = await repo.insert(tx, {
            caseId: row.id,
            reference: row.reference,
            title: scrub(row.subject, personal).slice(0, LIMITS.title),
            requestText: scrub(row.body, personal),
            summary: '',
            outcome: row.outcome && OUTCOMES.includes(row.outcome) ? row.outcome : null,
            exemptions: [],
            responseDate: londonDate(row.respondedAt ?? now),
            topics: row.topics,
            status: 'draft',
            personalDataRemoved: false,
            createdById: actor.id,
            createdAt: now,
            updatedAt: now,
          });
          await appendToTimeline(tx, {
            caseId: row.id,
            at: now,
            actorId: actor.id,
            kind: 'disclosure_drafted',
            data: { entryId: entry.id },
          });
          await audit.record(tx, actor, {
            action: 'disclosure.draft',
            subjectType: 'disclosure_entry',
            subjectId: entry.id,
            personId: row.contactId,
          });
          return { entry: entryView(entry), created: true };
        });
      } catch (error) {
        if (!(error instanceof EntryExists)) throw error;
        const existing = await repo.byCase(db, caseId);
        if (!existing) throw error;
        return { entry: entryView(existing), created: false };
      }
    },

    async get(actor: Actor, id: string): Promise<EntryView> {
      const entry = await repo.findVisible(db, viewerOf(actor), id);
      if (!entry) throw notFound('Entry not found');
      return entryView(entry, await repo.userName(db, entry.approvedById));
    },

    async forCase(actor: Actor, caseId: string): Promise<EntryView | null> {
      const row = await cases.find(db, viewerOf(actor), caseId);
      if (!row) throw notFound('Case not found');
      const entry = await repo.byCase(db, row.id);
      return entry ? entryView(entry) : null;
    },

    async list(actor: Actor, statuses?: string[]): Promise<EntryView[]> {
      const rows = await repo.staffList(db, viewerOf(actor), statuses);
      return rows.map((r) => entryView(r.entry, r.approverName));
    },

    /**
     * Saves the caseworker's edit. The text must not hold the requester's details and the
     * "personal data removed" box must be ticked. Editing an approved entry sends it back
     * to draft (it needs approving again); published entries are withdrawn, not edited.
     */
    async update(actor: Actor, id: string, input: EntryInput): Promise<EntryView> {
      const clean: EntryInput = {
        ...input,
        title: input.title?.trim() ?? '',
        summary: input.summary ?? '',
        outcome: input.outcome || null,
        exemptions: (input.exemptions ?? []).map((e) => e.trim()).filter(Boolean),
        topics: [...new Set(input.topics ?? [])],
      };
      const fields = checkInput(clean);
      return db.transaction(async (tx) => {
        const entry = await repo.lockVisible(tx, viewerOf(actor), id);
        if (!entry) throw notFound('Entry not found');
        if (entry.version !== input.version) throw stale();
        if (entry.status !== 'draft' && entry.status !== 'approved')
          throw new AppError(
            422,
            'disclosure.not_editable',
            `A ${entry.status} entry cannot be edited`,
          );
        const row = await loadCase(tx, entry);
        checkPublishable(row);
        const found = personalDataFound(clean, await personalData(tx, row));
        for (const [field, message] of Object.entries(found)) fields[field] ??= message;
        if (Object.keys(fields).length) throw validationError(fields);
        const now = clock.now();
        const updated = await repo.update(tx, entry.id, entry.version, {
          title: clean.title,
          requestText: clean.requestText,
          summary: clean.summary,
          outcome: clean.outcome,
          exemptions: clean.exemptions,
          responseDate: clean.responseDate,
          topics: clean.topics,
          personalDataRemoved: true,
          confirmedById: actor.id,
          status: 'draft',
          approvedById: null,
          approvedAt: null,
          updatedAt: now,
        });
        if (!updated) throw stale();
        await audit.record(tx, actor, {
          action: 'disclosure.edit',
          subjectType: 'disclosure_entry',
          subjectId: entry.id,
        });
        return entryView(updated);
      });
    },

    approve: (actor: Actor, id: string, input: { version: number }) =>
      changeStatus(actor, id, input.version, {
        from: ['draft'],
        to: 'approved',
        what: 'approve an entry',
        event: 'disclosure_approved',
        ready: true,
        values: (now) => ({ approvedById: actor.id, approvedAt: now }),
      }),

    publish: (actor: Actor, id: string, input: { version: number }) =>
      changeStatus(actor, id, input.version, {
        from: ['approved'],
        to: 'published',
        what: 'publish an entry',
        event: 'disclosure_published',
        ready: true,
        documentsChecked: true,
        values: (now) => ({ publishedAt: now }),
      }),

    async withdraw(
      actor: Actor,
      id: string,
      input: { version: number; reason: string },
    ): Promise<EntryView> {
      const reason = input.reason?.trim() ?? '';
      if (!reason) throw validationError({ reason: 'Give a reason for withdrawing the entry' });
      if (reason.length > LIMITS.reason)
        throw validationError({ reason: `Reason must be ${LIMITS.reason} characters or fewer` });
      return changeStatus(actor, id, input.version, {
        from: ['published'],
        to: 'withdrawn',
        what: 'withdraw an entry',
        event: 'disclosure_withdrawn',
        values: (now) => ({ withdrawnAt: now, withdrawnReason: reason }),
      });
    },

    /** Published entries, newest response first, with the filters' choices. */
    async publicList(
      filters: PublicFilters,
      page = 1,
    ): Promise<{
      items: PublicEntry[];
      total: number;
      page: number;
      pages: number;
      years: number[];
      topics: Array<{ slug: string; label: string }>;
      outcomes: Array<{ value: string; label: string }>;
    }> {
      const current = Math.max(1, Math.floor(page));
      const [{ rows, total }, facets, labels] = await Promise.all([
        repo.publicPage(db, filters, PUBLIC_PAGE_SIZE, (current - 1) * PUBLIC_PAGE_SIZE),
        repo.publicFacets(db),
        repo.topicLabels(db),
      ]);
      return {
        items: rows.map((row) => publicView(row, labels)),
        total,
        page: current,
        pages: Math.max(1, Math.ceil(total / PUBLIC_PAGE_SIZE)),
        years: facets.years,
        topics: (await topicList(facets.topics)).sort((a, b) => a.label.localeCompare(b.label)),
        outcomes: OUTCOMES.filter((o) => facets.outcomes.includes(o)).map((value) => ({
          value,
          label: humanise(value),
        })),
      };
    },

    /** One published entry with its documents; a withdrawn one is 410 Gone; anything else is 404. */
    async publicEntry(reference: string): Promise<PublicEntry & { documents: DocumentView[] }> {
      const row = await publishedRow(reference);
      const [labels, documents] = await Promise.all([
        repo.topicLabels(db),
        repo.documents(db, row.id),
      ]);
      // A document still held or found infected is not offered at all (see publicDocument).
      return {
        ...publicView(row, labels),
        documents: documents.map(documentView).filter((d) => d.downloadable),
      };
    },

    /** A published entry's document, for download: the file only, nothing about the case. */
    async publicDocument(reference: string, documentId: string) {
      const row = await publishedRow(reference);
      const file = await repo.document(db, row.id, documentId);
      if (!file) throw notFound('Document not found');
      // Not yet virus-checked: 404, exactly as if it did not exist (it is not listed either).
      // The public learns nothing it could not see, and the URL works once the check passes.
      if (file.scanStatus === 'pending') throw notFound('Document not found');
      // Infected: 410 Gone, not 403. It is never coming back (it has to be removed and a clean
      // copy uploaded, under a new id), so crawlers and caches should drop the URL; 403 would
      // suggest that someone with more rights could have it. The body does not say "virus".
      if (file.scanStatus === 'infected')
        throw new AppError(410, 'disclosure.document_removed', 'This document has been removed');
      return { filename: file.filename, contentType: file.contentType, data: file.data };
    },

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
      if (file.scanStatus === 'pending')
        throw new AppError(
          409,
          'disclosure.document_scan_pending',
          'This document is still being checked for viruses. Try again in a few minutes.',
        );
      if (file.scanStatus === 'infected')
        throw new AppError(
          403,
          'disclosure.document_infected',
          'This document contains a virus and has been blocked. It cannot be downloaded.',
        );
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

    outcomes: OUTCOMES,
    topicList,
    /** Every managed topic (retired ones too), for the entry form. */
    async allTopics(): Promise<Array<{ slug: string; label: string }>> {
      return [...(await repo.topicLabels(db))].map(([slug, label]) => ({ slug, label }));
    },
    today: () => londonDate(clock.now()),
  };
}
export type DisclosureService = ReturnType<typeof createDisclosureService>;
