import type { MissedTarget } from './missed.js';
import type { ContactInput, ContactView, MatchedBy } from '../contacts/gateway.js';
import type { AttachmentScanStatus } from '../attachments/scan.js';
import type { Deadline } from './due.js';
import type { CaseSort } from './repository.js';
import type { CaseChannel, CaseStatus, CaseSubtype, CaseType } from './workflow.js';

/** The shapes the correspondence service takes and gives (the API's, too). */

export interface NewCaseInput {
  type: CaseType;
  subtype?: CaseSubtype | null;
  channel: CaseChannel;
  /** The instant of arrival; may be backdated, never in the future. */
  receivedAt: Date | string;
  subject: string;
  body: string;
  /** The requester, found by the linking rule (email, then phone) or created. */
  contact?: ContactInput;
  /** Or an existing contact that staff chose from the suggestions. */
  contactId?: string;
  /** For MP enquiries: the constituent. */
  onBehalfOf?: ContactInput;
  topics?: string[];
  tags?: string[];
  assigneeId?: string | null;
  /** Where the case came from (a web form submission, an email, a surgery): unique together. */
  source?: { type: string; id: string };
  /** Email an acknowledgement when the contact has an address (default true). */
  acknowledge?: boolean;
  reviewOfCaseId?: string;
}

export interface CreatedCase {
  id: string;
  reference: string;
  status: CaseStatus;
  dueDate: string | null;
  deadline: Deadline;
  contactId: string | null;
  contactMatchedBy: MatchedBy | null;
  /** The queued acknowledgement, when one was sent. */
  acknowledgementEmailId: string | null;
  /** True when `source` already had a case: nothing new was created. */
  duplicate: boolean;
}

export interface TransitionInput {
  to: string;
  version: number;
  outcome?: string;
  reason?: string;
  /** Confirming the type on new → open may correct it. */
  type?: CaseType;
}

export interface StaffRef {
  id: string;
  name: string;
}

export interface CaseSummary {
  id: string;
  reference: string;
  type: CaseType;
  channel: CaseChannel;
  status: CaseStatus;
  outcome: string | null;
  subject: string;
  receivedAt: string;
  receivedOn: string;
  dueDate: string | null;
  /** Any target missed: the response due date or an unmet acknowledgement target. */
  overdue: boolean;
  /** Which targets are missed, earliest first (empty when none is, or the case is not open). */
  missed: MissedTarget[];
  assignee: StaffRef | null;
  contactName: string | null;
  restricted: boolean;
  topics: string[];
  tags: string[];
  version: number;
  respondedOn: string | null;
  closedAt: string | null;
}

/** A member of staff granted access to a restricted case (domain §8). */
export interface AccessGrant {
  user: StaffRef & { role: string };
  grantedAt: string;
  grantedBy: StaffRef | null;
}

export interface TimelineItem {
  id: number;
  at: string;
  kind: string;
  actor: StaffRef | null;
  title: string;
  description: string;
  data: Record<string, unknown>;
}

export interface NoteView {
  id: string;
  body: string;
  createdAt: string;
  author: StaffRef | null;
  redacted: boolean;
}

export interface AttachmentView {
  id: string;
  filename: string;
  contentType: string;
  size: number;
  uploadedAt: string;
  uploadedBy: StaffRef | null;
  /** Virus scan (security §5): only `clean` and `not_scanned` files can be downloaded. */
  scanStatus: AttachmentScanStatus;
  downloadable: boolean;
}

export interface MoveView {
  to: CaseStatus;
  label: string;
  managerOnly: boolean;
  requires: string[];
  reasons: string[];
  outcomes: string[];
}

export interface CaseDetail extends CaseSummary {
  subtype: CaseSubtype | null;
  body: string;
  tags: string[];
  flags: string[];
  acknowledgedAt: string | null;
  respondedAt: string | null;
  contact: ContactView | null;
  onBehalfOf: ContactView | null;
  sourceType: string | null;
  deadline: Deadline;
  timeline: TimelineItem[];
  notes: NoteView[];
  attachments: AttachmentView[];
  allowedMoves: MoveView[];
}

export interface CaseCounts {
  unassigned: number;
  mine: number;
  due5wd: number;
  overdue: number;
  awaitingRequester: number;
  awaitingApproval: number;
  needsAttention: number;
  allOpen: number;
}

export interface ListPage {
  sort?: CaseSort;
  limit?: number;
  cursor?: string;
  /** A numbered page (from 1) instead of a cursor: what the queue page's page links use. */
  page?: number;
}
