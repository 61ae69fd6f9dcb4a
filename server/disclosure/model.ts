/**
 * The disclosure log's vocabulary: what may be published, the limits, and the views the
 * pages and the API show. No database.
 */
import type { EntryRow } from '../../db/schema/index.js';
import { SCAN_STATES } from '../attachments/scan.js';
import { ATTACHMENT_LIMITS, ATTACHMENT_TYPES, formatSize } from '../attachments/uploads.js';
import { replyOutcomes, type CaseType } from '../correspondence/workflow.js';
import type { Actor } from '../platform/audit.js';
import { type DocumentListing } from './repository.js';

/** Only these case types are ever published (§9): never subject access requests. */
export const PUBLISHABLE_TYPES: readonly CaseType[] = ['foi', 'eir'];
/** …and only once they have been answered. */
export const ANSWERED = ['responded', 'closed'];
/** An entry can be edited while it is a draft or approved, never once published or withdrawn. */
export const isEditable = (status: string) => status === 'draft' || status === 'approved';
export const OUTCOMES = replyOutcomes('foi');
export const PUBLIC_PAGE_SIZE = 20;

export const LIMITS = { title: 200, text: 20_000, summary: 10_000, exemption: 200, reason: 2000 };
/** Redacted documents (§9): PDFs only, 10 MiB each (security §5), at most 5 on an entry. */
export const DOCUMENT_LIMITS = { fileSize: ATTACHMENT_LIMITS.fileSize, files: 5 };
export const PDF = 'application/pdf';

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

/** What a caseworker writes on an entry: the form takes it in, the views give it back. */
interface EntryFields {
  title: string;
  requestText: string;
  summary: string;
  outcome: string | null;
  exemptions: string[];
  responseDate: string;
  /** Topic slugs. */
  topics: string[];
}

export interface EntryInput extends EntryFields {
  /** The caseworker confirms the text holds no personal data (required on every save). */
  personalDataRemoved: boolean;
  version: number;
}

export interface EntryView extends EntryFields {
  id: string;
  caseId: string;
  reference: string;
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

export const iso = (value: Date | null) => (value ? value.toISOString() : null);
export const documentView = (row: DocumentListing): DocumentView => ({
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

export const viewerOf = (actor: Actor) => ({ id: actor.id, role: actor.role });
export const isManager = (actor: Actor) => actor.role === 'manager' || actor.role === 'system';
export const EMAIL_IN_TEXT = /[^\s@<>()",;:]+@[^\s@<>()",;:]+\.[a-z]{2,}/gi;

export function entryView(row: EntryRow, approvedBy: string | null = null): EntryView {
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

export const escapeRegExp = (value: string) => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
