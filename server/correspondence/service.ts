import { randomUUID } from 'node:crypto';
import type { Db, DbOrTx, Tx } from '../../db/client.js';
import { createContactsRepository } from '../contacts/repository.js';
import {
  createContactsService,
  toContactView,
  type ContactInput,
  type ContactsService,
  type ContactSuggestion,
  type ContactView,
  type MatchedBy,
} from '../contacts/service.js';
import type { Clock } from '../lib/clock.js';
import { formatDate } from '../lib/format.js';
import type { MailService } from '../mail/service.js';
import type { Actor, AuditEntry, AuditLog } from '../platform/audit.js';
import { createStampReader, createStampedCache } from '../platform/change-stamps.js';
import { AppError, notFound, validationError, type FieldErrors } from '../platform/errors.js';
import type { AttachmentScanService, AttachmentScanStatus } from '../attachments/scan.js';
import { queueScanAgain, SCAN_STATES } from '../attachments/scan.js';
import { checkUploads, storeAttachments } from './attachment-store.js';
import { formatSize, type UploadedFile } from './attachments.js';
import {
  addWorkingDays,
  computeDue,
  DUE_SOON_WORKING_DAYS,
  type CaseDeadlineHook,
  londonDate,
  workingDaysBetween,
  type Deadline,
} from './due.js';
import {
  DuplicateSourceError,
  isUuid,
  type CaseFilters,
  type CaseListRow,
  type CaseRow,
  type CaseSort,
  type CorrespondenceRepository,
  type QueueDates,
  type Viewer,
} from './repository.js';
import {
  CASE_CHANNELS,
  CASE_SUBTYPES,
  CASE_TYPES,
  CHANNEL_PHRASES,
  findMove,
  humanise,
  movesFor,
  OPEN_STATUSES,
  STATUS_LABELS,
  TYPE_LABELS,
  type CaseChannel,
  type CaseStatus,
  type CaseSubtype,
  type CaseType,
  type Move,
} from './workflow.js';

export const LIMITS = { subject: 200, body: 20_000, name: 200, email: 254, reason: 2_000 };
/** Tags: up to 50 characters each, 20 on a case, 10 added at once. */
export const TAG_LIMITS = { length: 50, perCase: 20, perRequest: 10 };
export const MAX_PAGE = 200;
export const MAX_BULK = 200;
/** No address gets more than this many acknowledgements in 24 hours. */
export const ACKS_PER_DAY = 3;

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
  overdue: boolean;
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
}

const EMAIL = /^[^\s@<>()",;:]+@[^\s@<>()",;:]+\.[^\s@<>()",;:]+$/;
// eslint-disable-next-line no-control-regex -- control characters are exactly what we look for
const CONTROL = /[\u0000-\u001f\u007f]/;
// eslint-disable-next-line no-control-regex -- control characters are exactly what we strip
const oneLine = (value: string) => value.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();

const iso = (value: Date | null | undefined) => (value ? value.toISOString() : null);
const viewerOf = (actor: Actor): Viewer => ({ id: actor.id, role: actor.role });
const isManager = (actor: Actor) => actor.role === 'manager' || actor.role === 'system';

export const staleVersion = () =>
  new AppError(
    409,
    'correspondence.stale_version',
    'This case has changed since you loaded it. Check the latest details and try again.',
    { version: 'This case has changed since you loaded it' },
  );

const caseNotFound = () => notFound('Case not found');

/** A tag as stored and matched: trimmed, single-spaced, lower case. */
export const normaliseTag = (tag: string) => tag.trim().replace(/\s+/g, ' ').toLowerCase();

/** The distinct, normalised tags of a request, or the field problem with them. */
export function parseTags(values: readonly string[]): { tags: string[] } | { error: string } {
  const tags = [...new Set(values.map(normaliseTag).filter(Boolean))];
  if (tags.length === 0) return { error: 'Enter at least one tag' };
  if (tags.length > TAG_LIMITS.perRequest)
    return { error: `Enter ${TAG_LIMITS.perRequest} tags or fewer` };
  const long = tags.find((tag) => tag.length > TAG_LIMITS.length);
  if (long) return { error: `Each tag must be ${TAG_LIMITS.length} characters or fewer` };
  if (tags.some((tag) => CONTROL.test(tag)))
    return { error: 'Tags must not contain control characters' };
  return { tags };
}

/** The queue filters' own rule: a date range must not end before it starts. */
export function filterProblems(filters: CaseFilters): FieldErrors {
  const fields: FieldErrors = {};
  if (filters.receivedFrom && filters.receivedTo && filters.receivedTo < filters.receivedFrom)
    fields.receivedTo = "'Received to' must be the same as or after 'Received from'";
  return fields;
}

/** Checks a list's filters; tags are matched as stored (normalised). */
/** The audit of a queue read (a search says so). */
function listReadAudit(filters: CaseFilters): AuditEntry {
  return { action: 'case.list', subjectType: 'case', justification: filters.q ? 'search' : null };
}

function checkFilters(filters: CaseFilters): CaseFilters {
  const fields = filterProblems(filters);
  if (Object.keys(fields).length > 0) throw validationError(fields);
  if (!filters.tag) return filters;
  return { ...filters, tag: [...new Set(filters.tag.map(normaliseTag).filter(Boolean))] };
}

function checkContact(input: ContactInput, prefix: string, fields: FieldErrors) {
  const name = input.name?.trim() ?? '';
  if (!name) fields[`${prefix}.name`] = 'Enter the name of the person or organisation';
  else if (name.length > LIMITS.name)
    fields[`${prefix}.name`] = `Name must be ${LIMITS.name} characters or fewer`;
  else if (CONTROL.test(name))
    fields[`${prefix}.name`] = 'Name must not contain control characters';
  const email = input.email?.trim();
  if (email && (email.length > LIMITS.email || !EMAIL.test(email)))
    fields[`${prefix}.email`] =
      'Enter an email address in the correct format, like name@example.org';
  const phone = input.phone?.trim();
  if (phone && !/^[+\d][\d\s().-]{4,30}$/.test(phone))
    fields[`${prefix}.phone`] = 'Enter a telephone number, like 01632 960 001 or +44 7700 900 982';
  if ((input.postcode?.length ?? 0) > 20)
    fields[`${prefix}.postcode`] = 'Postcode must be 20 characters or fewer';
  if ((input.address?.length ?? 0) > 1000)
    fields[`${prefix}.address`] = 'Address must be 1,000 characters or fewer';
}

/**
 * Correspondence casework: intake, the timeline, the workflow (§5), notes, assignment,
 * restriction, the triage queue, search and export. No Fastify here: routes, workers and
 * other domains (the public form, inbound email) call these functions.
 */
export function createCorrespondenceService(deps: {
  db: Db;
  /** The one-connection handle for grouped read audits (DbClient.serial); defaults to db. */
  serialDb?: Db;
  repo: CorrespondenceRepository;
  audit: AuditLog;
  clock: Clock;
  mail: MailService;
  contacts?: ContactsService;
  officeName?: string;
  /** The deadlines domain: stores real deadlines (deadlines.md §5). */
  deadlines?: CaseDeadlineHook;
  /** Virus scanning of uploads; absent, files are stored as not virus-checked. */
  attachmentScan?: AttachmentScanService;
}) {
  const { db, repo, audit, clock, mail } = deps;
  const contacts =
    deps.contacts ?? createContactsService({ db, repo: createContactsRepository(), audit, clock });
  const officeName = deps.officeName ?? 'the Office of the Police and Crime Commissioner';

  const inTx = <T>(tx: Tx | undefined, fn: (tx: Tx) => Promise<T>): Promise<T> =>
    tx ? fn(tx) : db.transaction(fn);

  /**
   * Answers about cases (a case view, a queue page, counts) reused while nothing under the
   * `cases` change stamp moves: one single-row read instead of the queries behind them.
   */
  const readCasesStamp = createStampReader(deps.serialDb ?? db, 'cases');
  // Bounded: a case view is a few KB; any committed change empties it anyway.
  const answers = createStampedCache<unknown>({ maxEntries: 5_000 });
  // One stamp read per request: a queue page asks for its list, counts and nav badge.
  // `audited` names the read audit that travelled with it, so it is not written twice.
  const stampsByRequest = new Map<string, { stamp: Promise<number>; audited?: string }>();
  const auditKey = (entry: AuditEntry) => `${entry.action}|${entry.justification ?? ''}`;
  /**
   * The stamp for this request. With an audit entry, the read is audited in the statement
   * that reads the stamp (one round trip for both), before the answer is worked out: an
   * answer never goes out unaudited, and one that then fails leaves the row of an attempt.
   */
  async function stampFor(actor: Actor | undefined, entry?: AuditEntry): Promise<number> {
    if (!actor) return readCasesStamp();
    const { requestId } = actor;
    const memo = requestId ? stampsByRequest.get(requestId) : undefined;
    if (memo) {
      if (entry && memo.audited !== auditKey(entry)) await audit.recordRead(actor, entry);
      return memo.stamp;
    }
    const stamp = readCasesStamp(entry ? audit.row(actor, entry) : undefined);
    if (requestId) {
      if (stampsByRequest.size >= 1_000)
        stampsByRequest.delete(stampsByRequest.keys().next().value!);
      stampsByRequest.set(requestId, { stamp, audited: entry && auditKey(entry) });
    }
    return stamp;
  }
  async function reuse<T>(
    key: string,
    compute: () => Promise<T>,
    actor?: Actor,
    entry?: AuditEntry,
  ): Promise<T> {
    const stamp = await stampFor(actor, entry);
    const hit = answers.get(stamp, key);
    if (hit !== undefined) return hit as T;
    const value = await compute();
    answers.set(stamp, key, value);
    return value;
  }

  /**
   * London's offset from UTC is a whole number of hours, so the London date cannot change
   * within a UTC hour: the dates are worked out once an hour, not on every read (the
   * time-zone and working-day arithmetic showed at 4% of a cached queue read).
   */
  let datesMemo: { hour: number; dates: QueueDates } | undefined;
  function queueDates(): QueueDates {
    const hour = Math.floor(clock.now().getTime() / 3_600_000);
    if (datesMemo?.hour !== hour) {
      const today = londonDate(clock.now());
      datesMemo = {
        hour,
        dates: { today, dueSoonBy: addWorkingDays(today, DUE_SOON_WORKING_DAYS) },
      };
    }
    return datesMemo.dates;
  }

  function isOverdue(status: CaseStatus, dueDate: string | null, today: string) {
    return OPEN_STATUSES.includes(status) && dueDate !== null && dueDate < today;
  }

  function toSummary(row: CaseListRow | CaseRow, today: string, assigneeName?: string | null) {
    const name = 'assigneeName' in row ? row.assigneeName : assigneeName;
    const summary: CaseSummary = {
      id: row.id,
      reference: row.reference,
      type: row.type,
      channel: row.channel as CaseChannel,
      status: row.status,
      outcome: row.outcome ?? null,
      subject: row.subject ?? '',
      receivedAt: iso(row.receivedAt)!,
      receivedOn: row.receivedOn!,
      dueDate: row.nextDueOn ?? null,
      overdue: isOverdue(row.status, row.nextDueOn ?? null, today),
      assignee: row.assigneeId ? { id: row.assigneeId, name: name ?? 'Unknown' } : null,
      contactName: 'contactName' in row ? (row.contactName ?? null) : null,
      restricted: row.restricted ?? false,
      topics: row.topics ?? [],
      tags: row.tags ?? [],
      version: row.version!,
      respondedOn: row.respondedAt ? londonDate(row.respondedAt) : null,
      closedAt: iso(row.closedAt),
    };
    return summary;
  }

  /** Every field problem of a new case at once (for the GOV.UK error summary). */
  function newCaseProblems(input: NewCaseInput): FieldErrors {
    const fields: FieldErrors = {};
    if (!CASE_TYPES.includes(input.type)) fields.type = 'Select the type of correspondence';
    if (input.subtype && (input.type !== 'complaint' || !CASE_SUBTYPES.includes(input.subtype)))
      fields.subtype = 'Only complaints have a subtype: service, staff or data protection';
    if (!CASE_CHANNELS.includes(input.channel)) fields.channel = 'Select how it arrived';
    const subject = input.subject?.trim() ?? '';
    if (!subject) fields.subject = 'Enter a subject';
    else if (subject.length > LIMITS.subject)
      fields.subject = `Subject must be ${LIMITS.subject} characters or fewer`;
    if (!input.body?.trim()) fields.body = 'Enter the text of the correspondence';
    else if (input.body.length > LIMITS.body)
      fields.body = `The text must be ${LIMITS.body.toLocaleString('en-GB')} characters or fewer`;
    const receivedAt = new Date(input.receivedAt);
    if (Number.isNaN(receivedAt.getTime())) fields.receivedAt = 'Enter the date it was received';
    else if (receivedAt.getTime() > clock.now().getTime())
      fields.receivedAt = 'The date received must be today or in the past';
    else if (receivedAt.getUTCFullYear() < 2000)
      fields.receivedAt = 'The date received must be after 2000';
    if (input.contact) checkContact(input.contact, 'contact', fields);
    if (input.onBehalfOf) checkContact(input.onBehalfOf, 'onBehalfOf', fields);
    if (input.contactId && !isUuid(input.contactId)) fields.contactId = 'Select a contact';
    if (input.source && (!input.source.type || !input.source.id))
      fields.source = 'A source needs a type and an id';
    return fields;
  }

  function checkNewCase(input: NewCaseInput): { receivedAt: Date } {
    const fields = newCaseProblems(input);
    if (Object.keys(fields).length > 0) throw validationError(fields);
    return { receivedAt: new Date(input.receivedAt) };
  }

  async function existingForSource(tx: DbOrTx, source: { type: string; id: string }) {
    const row = await repo.findBySource(tx, source.type, source.id);
    if (!row) return undefined;
    const deadline = await computeDue(row.type, row.receivedOn);
    const created: CreatedCase = {
      id: row.id,
      reference: row.reference,
      status: row.status,
      dueDate: row.nextDueOn,
      deadline: { ...deadline, dueDate: row.nextDueOn },
      contactId: row.contactId,
      contactMatchedBy: null,
      acknowledgementEmailId: null,
      duplicate: true,
    };
    return created;
  }

  async function checkAssignee(tx: DbOrTx, assigneeId: string, field = 'assigneeId') {
    const user = await repo.user(tx, assigneeId);
    if (!user || user.disabledAt || (user.role !== 'caseworker' && user.role !== 'manager'))
      throw validationError({ [field]: 'Select a caseworker or manager' });
    return user;
  }

  function acknowledgementText(input: {
    name: string;
    reference: string;
    type: CaseType;
    receivedOn: string;
    dueDate: string | null;
  }) {
    const lines = [
      `Dear ${input.name},`,
      '',
      `Thank you for contacting ${officeName}. We received your ${TYPE_LABELS[input.type].toLowerCase()} on ${formatDate(input.receivedOn)}.`,
      '',
      `Your reference is ${input.reference}. Please quote it if you contact us about this.`,
    ];
    if (input.dueDate && ['foi', 'eir', 'sar'].includes(input.type))
      lines.push('', `We will respond by ${formatDate(input.dueDate)}.`);
    lines.push('', 'This is an automatic acknowledgement. You do not need to reply to it.');
    return lines.join('\n');
  }

  function describeEvent(
    kind: string,
    data: Record<string, unknown>,
    notes: Map<string, NoteView>,
  ): { title: string; description: string } {
    const str = (key: string) => (typeof data[key] === 'string' ? data[key] : '');
    const status = (key: string) => STATUS_LABELS[str(key) as CaseStatus] ?? humanise(str(key));
    const quoted = (key: string) => (str(key) ? `“${str(key)}”.` : '');
    switch (kind) {
      case 'created':
        return {
          title: 'Case created',
          description: `${TYPE_LABELS[str('type') as CaseType] ?? humanise(str('type'))} received ${CHANNEL_PHRASES[str('channel') as CaseChannel] ?? `by ${humanise(str('channel')).toLowerCase()}`}, reference ${str('reference')}`,
        };
      case 'email_queued':
        return str('purpose') === 'acknowledgement'
          ? {
              title: 'Acknowledgement queued',
              description: 'An automatic acknowledgement is being emailed to the requester.',
            }
          : { title: 'Email queued', description: quoted('subject') };
      case 'email_in': {
        const from = str('from');
        const parts = [`Subject: “${str('subject') || '(no subject)'}”.`];
        if (data.automated)
          parts.push('An automatic reply (such as an out-of-office): no action needed.');
        if (str('flag')) parts.push(`Flagged “${str('flag')}”.`);
        return {
          title: from ? `Email received from ${from}` : 'Email received',
          description: parts.join(' '),
        };
      }
      case 'reply_queued':
        return {
          title: str('to') ? `Reply being emailed to ${str('to')}` : 'Reply being emailed',
          description: [
            quoted('subject'),
            data.responds
              ? 'The case will be marked as responded once it is sent.'
              : 'It does not answer the case.',
          ]
            .filter(Boolean)
            .join(' '),
        };
      case 'reply_sent':
        return {
          title: str('to') ? `Reply emailed to ${str('to')}` : 'Reply emailed',
          description: [
            quoted('subject'),
            data.answered ? 'The case is marked as responded.' : str('note'),
          ]
            .filter(Boolean)
            .join(' '),
        };
      case 'reply_failed': {
        const reason = str('error') || 'the mail server refused it';
        return {
          title: `Reply failed to send: ${reason.length > 150 ? `${reason.slice(0, 150)}…` : reason}`,
          description: [
            str('to') ? `The reply “${str('subject')}” to ${str('to')} was not delivered.` : '',
            'The case has not been marked as responded: check the address, then reply again or send the reply by post.',
          ]
            .filter(Boolean)
            .join(' '),
        };
      }
      case 'reply_not_answered':
        return {
          title: 'Reply sent, but the case was not marked as responded',
          description: str('reason'),
        };
      case 'letter_sent':
        return {
          title: 'Letter sent by post',
          description: [
            quoted('subject'),
            data.responds ? 'The case is marked as responded.' : 'It does not answer the case.',
          ]
            .filter(Boolean)
            .join(' '),
        };
      case 'status_changed': {
        const parts = [`From ${status('from')} to ${status('to')}.`];
        if (str('outcome')) parts.push(`Outcome: ${humanise(str('outcome'))}.`);
        if (str('reason')) parts.push(`Reason: ${humanise(str('reason'))}`);
        return { title: `Status changed to ${status('to')}`, description: parts.join(' ') };
      }
      case 'type_changed':
        return {
          title: 'Type changed',
          description: `From ${TYPE_LABELS[str('from') as CaseType] ?? str('from')} to ${TYPE_LABELS[str('to') as CaseType] ?? str('to')}.`,
        };
      case 'assigned':
        return data.toName
          ? {
              title: `Assigned to ${str('toName')}`,
              description: data.fromName ? `Previously ${str('fromName')}.` : 'Was unassigned.',
            }
          : { title: 'Unassigned', description: `Previously ${str('fromName')}.` };
      case 'note_added': {
        const note = notes.get(str('noteId'));
        return {
          title: 'Note added',
          description: !note ? '' : note.redacted ? 'This note was redacted.' : note.body,
        };
      }
      case 'note_redacted':
        return { title: 'Note redacted', description: 'A manager redacted a note.' };
      case 'restriction_changed':
        return data.restricted
          ? {
              title: 'Case restricted',
              description: 'Only the assignee, managers and people given access can see it.',
            }
          : { title: 'Restriction removed', description: 'All caseworkers can see it.' };
      case 'access_granted':
        return { title: 'Access granted', description: `${str('userName')} can see this case.` };
      case 'access_revoked':
        return {
          title: 'Access removed',
          description: `${str('userName')} can no longer see this case unless it is assigned to them.`,
        };
      case 'tagged': {
        const added = Array.isArray(data.added) ? data.added.map(String) : [];
        return {
          title: added.length === 1 ? 'Tag added' : 'Tags added',
          description: added.join(', '),
        };
      }
      case 'email_sent':
        return { title: 'Email sent', description: `“${str('subject')}” to ${str('to')}.` };
      case 'email_failed':
        return {
          title: 'Email not delivered',
          description: `“${str('subject')}” to ${str('to')}. The mail server said: ${str('error')}`,
        };
      case 'attachment_added':
        return {
          title: 'Attachment added',
          description: `${str('filename')} (${formatSize(Number(data.size) || 0)})`,
        };
      default:
        // Other domains (deadlines) write their own title and description.
        return { title: str('title') || humanise(kind), description: str('description') };
    }
  }

  /**
   * The timeline's record of an email about a case (`subject_type = 'case'`) reaching its
   * final state. The mail service may call this again for the same email: recorded once.
   */
  async function recordEmailOutcome(
    kind: 'email_sent' | 'email_failed',
    email: { id: string; subjectRef: string | null },
    extra: Record<string, unknown> = {},
  ): Promise<void> {
    const caseId = email.subjectRef;
    if (!caseId || !isUuid(caseId)) return;
    await db.transaction(async (tx) => {
      const row = await repo.lockVisible(tx, { id: null, role: 'system' }, caseId);
      if (!row || (await repo.hasEmailEvent(tx, row.id, kind, email.id))) return;
      const sent = await repo.email(tx, email.id);
      await repo.insertEvent(tx, {
        caseId: row.id,
        at: clock.now(),
        actorId: null,
        kind,
        data: { emailId: email.id, to: sent?.to ?? '', subject: sent?.subject ?? '', ...extra },
      });
    });
  }

  mail.onOutcome('case', {
    sent: (email) => recordEmailOutcome('email_sent', email),
    failed: (email) =>
      recordEmailOutcome('email_failed', email, { error: email.error.slice(0, 500) }),
  });

  function moveView(move: Move, type: CaseType): MoveView {
    return {
      to: move.to,
      label: move.label,
      managerOnly: move.managerOnly ?? false,
      requires: [...move.requires],
      reasons: [...(move.reasons ?? [])],
      outcomes: [...(move.outcomes?.(type) ?? [])],
    };
  }

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
      const code = stale.length > 0 ? 'correspondence.stale_version' : 'not_found';
      throw new AppError(stale.length > 0 ? 409 : 404, code, message, { cases: message });
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
        throw new AppError(422, 'correspondence.too_many_tags', message, { tags: message });
      }
      const now = clock.now();
      const today = londonDate(now);
      const names = new Map<string, string | undefined>();
      for (const id of new Set(rows.flatMap((row) => (row.assigneeId ? [row.assigneeId] : []))))
        names.set(id, (await repo.user(tx, id))?.name);
      const summary = (row: CaseRow) =>
        toSummary(row, today, row.assigneeId ? names.get(row.assigneeId) : null);
      const results: CaseSummary[] = [];
      let changed = 0;
      for (const row of rows) {
        const added = tags.filter((tag) => !row.tags.includes(tag));
        if (added.length === 0) {
          results.push(summary(row));
          continue; // no change, nothing on the timeline
        }
        const updated = await repo.updateCase(tx, row.id, row.version, {
          tags: [...row.tags, ...added],
          updatedAt: now,
        });
        if (!updated) throw staleVersion();
        await repo.insertEvent(tx, {
          caseId: row.id,
          at: now,
          actorId: actor.id,
          kind: 'tagged',
          data: { added },
        });
        await audit.record(tx, actor, {
          action: 'case.tag',
          subjectType: 'case',
          subjectId: row.id,
          personId: row.contactId,
        });
        changed += 1;
        results.push(summary(updated));
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
        if (refused.length > 0)
          throw new AppError(
            403,
            'correspondence.reassign_forbidden',
            `Only a manager can reassign cases. You can take unassigned cases yourself. Not allowed: ${refused.map((r) => r.reference).join(', ')}`,
            { assigneeId: 'Only a manager can assign cases to someone else' },
          );
      }
      const now = clock.now();
      const today = londonDate(now);
      const names = new Map<string, string>();
      const results: CaseSummary[] = [];
      for (const row of rows) {
        if (row.assigneeId === input.assigneeId) {
          results.push(toSummary(row, today, assignee?.name));
          continue; // no change, nothing on the timeline
        }
        const updated = await repo.updateCase(tx, row.id, row.version, {
          assigneeId: input.assigneeId,
          updatedAt: now,
        });
        if (!updated) throw staleVersion();
        let fromName: string | null = null;
        if (row.assigneeId) {
          fromName =
            names.get(row.assigneeId) ?? (await repo.user(tx, row.assigneeId))?.name ?? null;
          if (fromName) names.set(row.assigneeId, fromName);
        }
        await repo.insertEvent(tx, {
          caseId: row.id,
          at: now,
          actorId: actor.id,
          kind: 'assigned',
          data: {
            from: row.assigneeId,
            fromName,
            to: input.assigneeId,
            toName: assignee?.name ?? null,
          },
        });
        await audit.record(tx, actor, {
          action: input.assigneeId ? 'case.assign' : 'case.unassign',
          subjectType: 'case',
          subjectId: row.id,
          personId: row.contactId,
        });
        results.push(toSummary(updated, today, assignee?.name));
      }
      return { assigned: results.length, cases: results };
    });
  }

  return {
    /** London dates for the queue (today, end of "due soon"). */
    queueDates,

    /** The injected clock's now, for pages that default a date to today. */
    now: () => clock.now(),

    /** The field problems `createCase` would refuse, without creating anything. */
    validateNewCase: newCaseProblems,

    /**
     * Creates a case: reference from the year's counter, requester linked or created, due
     * date, timeline, audit and (given an address) an acknowledgement, all in one
     * transaction: the caller's `tx` if given. With a `source` that already has a case,
     * nothing is created and that case is returned with `duplicate: true`.
     */
    async createCase(
      actor: Actor,
      input: NewCaseInput,
      opts: { tx?: Tx; files?: UploadedFile[] } = {},
    ): Promise<CreatedCase> {
      const { receivedAt } = checkNewCase(input);
      // Scanned letters from staff entry: checked before anything is written, stored with it.
      const files = opts.files?.length ? await checkUploads(opts.files) : [];
      const run = () =>
        inTx(opts.tx, async (tx) => {
          if (input.source) {
            const existing = await existingForSource(tx, input.source);
            if (existing) return existing;
          }
          if (input.assigneeId) await checkAssignee(tx, input.assigneeId);
          const now = clock.now();
          const receivedOn = londonDate(receivedAt);
          const year = Number(receivedOn.slice(0, 4));

          let contact: Awaited<ReturnType<ContactsService['resolve']>>['contact'] | undefined;
          let matchedBy: MatchedBy | null = null;
          if (input.contactId) {
            contact = await repo.contact(tx, input.contactId);
            // Chosen from suggestions shown before a merge: the case goes to the survivor.
            if (contact?.mergedIntoId) contact = await repo.contact(tx, contact.mergedIntoId);
            if (!contact) throw validationError({ contactId: 'Select a contact' });
            matchedBy = 'chosen';
          } else if (input.contact) {
            ({ contact, matchedBy } = await contacts.resolve(tx, actor, input.contact));
          }
          const onBehalfOf = input.onBehalfOf
            ? (await contacts.resolve(tx, actor, input.onBehalfOf)).contact
            : undefined;

          const number = await repo.nextReferenceNumber(tx, year);
          const reference = `OPCC-${year}-${String(number).padStart(5, '0')}`;
          let deadline = await computeDue(input.type, receivedOn);
          const id = randomUUID();

          const emailTo = contact?.email?.trim();
          let acknowledge = input.acknowledge !== false && Boolean(emailTo && contact?.emailNorm);
          if (acknowledge && contact?.emailNorm) {
            const recent = await repo.acknowledgementsSince(
              tx,
              contact.emailNorm,
              new Date(now.getTime() - 24 * 3600_000),
            );
            if (recent >= ACKS_PER_DAY) acknowledge = false;
          }

          const row = await repo.insertCase(tx, {
            id,
            reference,
            type: input.type,
            subtype: input.subtype ?? null,
            channel: input.channel,
            receivedAt,
            receivedOn,
            contactId: contact?.id ?? null,
            onBehalfOfId: onBehalfOf?.id ?? null,
            subject: oneLine(input.subject),
            body: input.body,
            status: 'new',
            assigneeId: input.assigneeId ?? null,
            nextDueOn: deadline.dueDate,
            topics: input.topics ?? [],
            tags: [...new Set((input.tags ?? []).map(normaliseTag).filter(Boolean))],
            acknowledgedAt: acknowledge ? now : null,
            reviewOfCaseId: input.reviewOfCaseId ?? null,
            sourceType: input.source?.type ?? null,
            sourceId: input.source?.id ?? null,
            createdAt: now,
            updatedAt: now,
          });
          if (deps.deadlines) {
            deadline = await deps.deadlines.computeForCase(tx, row.id);
            row.nextDueOn = deadline.effectiveDueDate ?? deadline.dueDate;
          }
          await repo.insertEvent(tx, {
            caseId: row.id,
            at: now,
            actorId: actor.id,
            kind: 'created',
            data: {
              reference,
              type: row.type,
              channel: row.channel,
              receivedOn,
              contactMatchedBy: matchedBy,
              ...(input.assigneeId ? { assigneeId: input.assigneeId } : {}),
              ...(input.source ? { sourceType: input.source.type } : {}),
            },
          });
          await audit.record(tx, actor, {
            action: 'case.create',
            subjectType: 'case',
            subjectId: row.id,
            personId: contact?.id ?? null,
          });
          if (files.length > 0)
            await storeAttachments(
              deps,
              tx,
              actor,
              { id: row.id, contactId: contact?.id ?? null },
              files,
            );

          let acknowledgementEmailId: string | null = null;
          if (acknowledge && contact && emailTo) {
            acknowledgementEmailId = await mail.queue(tx, {
              to: emailTo,
              subject: `We have received your message [${reference}]`,
              text: acknowledgementText({
                name: contact.name,
                reference,
                type: row.type,
                receivedOn,
                dueDate: row.nextDueOn,
              }),
              automatic: true,
              subjectType: 'case',
              subjectRef: row.id,
            });
            await repo.insertEvent(tx, {
              caseId: row.id,
              at: now,
              actorId: actor.id,
              kind: 'email_queued',
              data: { purpose: 'acknowledgement', emailId: acknowledgementEmailId },
            });
          }
          const created: CreatedCase = {
            id: row.id,
            reference,
            status: row.status,
            dueDate: row.nextDueOn,
            deadline,
            contactId: contact?.id ?? null,
            contactMatchedBy: matchedBy,
            acknowledgementEmailId,
            duplicate: false,
          };
          return created;
        });
      try {
        return await run();
      } catch (error) {
        if (!(error instanceof DuplicateSourceError) || !input.source) throw error;
        // Another request created the case for this source first: answer with that one.
        if (opts.tx)
          throw new AppError(
            409,
            'correspondence.duplicate_source',
            'This has already been recorded',
          );
        const existing = await existingForSource(db, input.source);
        if (!existing) throw error;
        return existing;
      }
    },

    /** One case with its contact, deadline, notes and timeline. The read is audited. */
    async get(actor: Actor, id: string): Promise<CaseDetail> {
      const viewer = viewerOf(actor);
      const { today } = queueDates();
      // Reused while no case changes (change stamp): the role decides the moves offered,
      // the viewer what is visible, the date what is overdue.
      const key = `case|${viewer.role}|${viewer.id}|${actor.role}|${today}|${id}`;
      const detail = await reuse(
        key,
        async (): Promise<CaseDetail> => {
          const head = await repo.findVisibleWithParties(db, viewerOf(actor), id);
          if (!head) throw caseNotFound();
          const { case: row, contact, onBehalfOf } = head;
          const assignee = head.assigneeName === null ? undefined : { name: head.assigneeName };
          const [events, noteRows, deadline, files] = await Promise.all([
            repo.events(db, row.id),
            repo.notes(db, row.id),
            deps.deadlines
              ? deps.deadlines.forCase(db, row.id, row)
              : computeDue(row.type, row.receivedOn),
            repo.attachments(db, row.id),
          ]);
          const notes: NoteView[] = noteRows.map((note) => ({
            id: note.id,
            body: note.redactedAt ? '' : note.body,
            createdAt: note.createdAt.toISOString(),
            author: note.authorId
              ? { id: note.authorId, name: note.authorName ?? 'Unknown' }
              : null,
            redacted: note.redactedAt !== null,
          }));
          const noteMap = new Map(notes.map((note) => [note.id, note]));
          return {
            ...toSummary(row, today, assignee?.name),
            contactName: contact?.name ?? null,
            subtype: row.subtype,
            body: row.body,
            tags: row.tags,
            flags: row.flags,
            acknowledgedAt: iso(row.acknowledgedAt),
            respondedAt: iso(row.respondedAt),
            contact: contact ? toContactView(contact) : null,
            onBehalfOf: onBehalfOf ? toContactView(onBehalfOf) : null,
            sourceType: row.sourceType,
            deadline: { ...deadline, dueDate: row.nextDueOn },
            timeline: events.map((event) => ({
              id: event.id,
              at: event.at.toISOString(),
              kind: event.kind,
              actor: event.actorId
                ? { id: event.actorId, name: event.actorName ?? 'Unknown' }
                : null,
              ...describeEvent(event.kind, event.data, noteMap),
              data: event.data,
            })),
            notes,
            attachments: files.map((file) => ({
              id: file.id,
              filename: file.filename,
              contentType: file.contentType,
              size: file.size,
              uploadedAt: file.uploadedAt.toISOString(),
              uploadedBy: file.uploadedById
                ? { id: file.uploadedById, name: file.uploadedByName ?? 'Unknown' }
                : null,
              scanStatus: file.scanStatus,
              downloadable: SCAN_STATES[file.scanStatus].downloadable,
            })),
            allowedMoves: movesFor(row.type, row.status, actor.role).map((move) =>
              moveView(move, row.type),
            ),
          };
        },
        actor,
      );
      await audit.recordRead(actor, {
        action: 'case.view',
        subjectType: 'case',
        subjectId: detail.id,
        personId: detail.contact?.id ?? null,
      });
      return detail;
    },

    /** Moves a case along §5. Invalid moves 422 and stale versions 409, changing nothing. */
    async transition(
      actor: Actor,
      id: string,
      input: TransitionInput,
      opts: { tx?: Tx } = {},
    ): Promise<CaseSummary> {
      return inTx(opts.tx, async (tx) => {
        const row = await repo.lockVisible(tx, viewerOf(actor), id);
        if (!row) throw caseNotFound();
        if (row.version !== input.version) throw staleVersion();
        const type = input.type ?? row.type;
        const move = findMove(type, row.status, input.to);
        if (!move) {
          const to = STATUS_LABELS[input.to as CaseStatus] ?? input.to;
          throw new AppError(
            422,
            'correspondence.invalid_transition',
            `A case that is ${STATUS_LABELS[row.status].toLowerCase()} cannot move to ${to.toLowerCase()}`,
            {
              to: `A ${STATUS_LABELS[row.status].toLowerCase()} case cannot move to ${to.toLowerCase()}`,
            },
          );
        }
        if (move.managerOnly && !isManager(actor))
          throw new AppError(403, 'correspondence.manager_only', 'Only a manager can do this');
        if (input.type && input.type !== row.type && !(row.status === 'new' && input.to === 'open'))
          throw validationError({ type: 'The type can only be changed when the case is opened' });
        const fields: FieldErrors = {};
        const reason = input.reason?.trim() || undefined;
        if (move.requires.includes('outcome')) {
          const outcomes = move.outcomes?.(type) ?? [];
          if (!input.outcome) fields.outcome = 'Select an outcome';
          else if (!outcomes.includes(input.outcome))
            fields.outcome = `Select one of: ${outcomes.map(humanise).join(', ')}`;
        } else if (input.outcome) fields.outcome = 'An outcome is only given when closing';
        if (move.requires.includes('reasonEvent')) {
          if (!reason || !move.reasons?.includes(reason))
            fields.reason = `Select what happened: ${(move.reasons ?? []).map(humanise).join(', ')}`;
        } else if (move.requires.includes('reason') && !reason) fields.reason = 'Give a reason';
        if (reason && reason.length > LIMITS.reason)
          fields.reason = `Reason must be ${LIMITS.reason} characters or fewer`;
        if (Object.keys(fields).length > 0) throw validationError(fields);

        const now = clock.now();
        const values: Partial<CaseRow> = { status: move.to, updatedAt: now };
        if (move.to === 'closed') {
          values.outcome = input.outcome!;
          values.closedAt = now;
        }
        if (move.to === 'responded' && !row.respondedAt) values.respondedAt = now;
        if (move.from === 'closed') {
          values.outcome = null;
          values.closedAt = null;
        }
        if (type !== row.type) {
          values.type = type;
          values.subtype = null;
          values.nextDueOn = (await computeDue(type, row.receivedOn)).dueDate;
        }
        const updated = await repo.updateCase(tx, row.id, row.version, values);
        if (!updated) throw staleVersion();
        if (deps.deadlines) {
          // A reply or closure stops the clock; a new type has new rules.
          const deadline = await deps.deadlines.computeForCase(tx, row.id);
          updated.nextDueOn = deadline.effectiveDueDate ?? deadline.dueDate;
        }
        if (type !== row.type)
          await repo.insertEvent(tx, {
            caseId: row.id,
            at: now,
            actorId: actor.id,
            kind: 'type_changed',
            data: { from: row.type, to: type },
          });
        await repo.insertEvent(tx, {
          caseId: row.id,
          at: now,
          actorId: actor.id,
          kind: 'status_changed',
          data: {
            from: row.status,
            to: move.to,
            ...(input.outcome ? { outcome: input.outcome } : {}),
            ...(reason ? { reason } : {}),
          },
        });
        await audit.record(tx, actor, {
          action: `case.transition.${move.to}`,
          subjectType: 'case',
          subjectId: row.id,
          personId: row.contactId,
          justification: reason ?? null,
        });
        const assignee = updated.assigneeId ? await repo.user(tx, updated.assigneeId) : undefined;
        return toSummary(updated, londonDate(now), assignee?.name);
      });
    },

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
        const row = await repo.lockVisible(tx, viewerOf(actor), id);
        if (!row) throw caseNotFound();
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
      if (!isManager(actor))
        throw new AppError(403, 'correspondence.manager_only', 'Only a manager can scan again');
      await db.transaction(async (tx) => {
        const row = await repo.lockVisible(tx, viewerOf(actor), id);
        if (!row) throw caseNotFound();
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

    /** Adds an internal note (immutable; a correction is a new note). */
    async addNote(actor: Actor, id: string, input: { body: string }): Promise<NoteView> {
      const body = input.body ?? '';
      if (!body.trim()) throw validationError({ body: 'Enter the note' });
      if (body.length > LIMITS.body)
        throw validationError({
          body: `The note must be ${LIMITS.body.toLocaleString('en-GB')} characters or fewer`,
        });
      return db.transaction(async (tx) => {
        const row = await repo.lockVisible(tx, viewerOf(actor), id);
        if (!row) throw caseNotFound();
        const now = clock.now();
        const note = await repo.insertNote(tx, {
          caseId: row.id,
          authorId: actor.id,
          body,
          createdAt: now,
        });
        await repo.insertEvent(tx, {
          caseId: row.id,
          at: now,
          actorId: actor.id,
          kind: 'note_added',
          data: { noteId: note.id },
        });
        await audit.record(tx, actor, {
          action: 'case.note.add',
          subjectType: 'case',
          subjectId: row.id,
          personId: row.contactId,
        });
        return {
          id: note.id,
          body: note.body,
          createdAt: note.createdAt.toISOString(),
          author: actor.id ? { id: actor.id, name: '' } : null,
          redacted: false,
        };
      });
    },

    /** A manager redacts a note: the text goes, a tombstone stays. */
    async redactNote(actor: Actor, id: string, noteId: string): Promise<void> {
      if (!isManager(actor))
        throw new AppError(403, 'correspondence.manager_only', 'Only a manager can redact a note');
      await db.transaction(async (tx) => {
        const row = await repo.lockVisible(tx, viewerOf(actor), id);
        if (!row) throw caseNotFound();
        const now = clock.now();
        const done = await repo.redactNote(tx, row.id, noteId, actor.id, now);
        if (!done) throw notFound('Note not found');
        await repo.insertEvent(tx, {
          caseId: row.id,
          at: now,
          actorId: actor.id,
          kind: 'note_redacted',
          data: { noteId },
        });
        await audit.record(tx, actor, {
          action: 'case.note.redact',
          subjectType: 'case',
          subjectId: row.id,
          personId: row.contactId,
        });
      });
    },

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

    /** A manager restricts a case (or lifts the restriction). */
    async setRestricted(
      actor: Actor,
      id: string,
      input: { restricted: boolean; version: number },
    ): Promise<CaseSummary> {
      if (!isManager(actor))
        throw new AppError(
          403,
          'correspondence.manager_only',
          'Only a manager can restrict a case',
        );
      return db.transaction(async (tx) => {
        const row = await repo.lockVisible(tx, viewerOf(actor), id);
        if (!row) throw caseNotFound();
        if (row.version !== input.version) throw staleVersion();
        if (row.restricted === input.restricted) return toSummary(row, londonDate(clock.now()));
        const now = clock.now();
        const updated = await repo.updateCase(tx, row.id, row.version, {
          restricted: input.restricted,
          updatedAt: now,
        });
        if (!updated) throw staleVersion();
        await repo.insertEvent(tx, {
          caseId: row.id,
          at: now,
          actorId: actor.id,
          kind: 'restriction_changed',
          data: { restricted: input.restricted },
        });
        await audit.record(tx, actor, {
          action: input.restricted ? 'case.restrict' : 'case.unrestrict',
          subjectType: 'case',
          subjectId: row.id,
          personId: row.contactId,
        });
        return toSummary(updated, londonDate(now));
      });
    },

    /**
     * A manager lets a named member of staff see a restricted case. Granting again
     * changes nothing and records nothing.
     */
    async grantAccess(actor: Actor, id: string, userId: string): Promise<void> {
      if (!isManager(actor))
        throw new AppError(403, 'correspondence.manager_only', 'Only a manager can grant access');
      await db.transaction(async (tx) => {
        const row = await repo.lockVisible(tx, viewerOf(actor), id);
        if (!row) throw caseNotFound();
        const user = await checkAssignee(tx, userId, 'userId');
        const now = clock.now();
        const granted = await repo.grantAccess(tx, {
          caseId: row.id,
          userId,
          grantedAt: now,
          grantedById: actor.id,
        });
        if (!granted) return;
        await repo.insertEvent(tx, {
          caseId: row.id,
          at: now,
          actorId: actor.id,
          kind: 'access_granted',
          data: { userId, userName: user.name },
        });
        await audit.record(tx, actor, {
          action: 'case.access.grant',
          subjectType: 'case',
          subjectId: row.id,
          personId: row.contactId,
        });
      });
    },

    /**
     * A manager takes back access granted to a member of staff. They still see the case
     * while it is assigned to them or while it is not restricted.
     */
    async revokeAccess(actor: Actor, id: string, userId: string): Promise<void> {
      if (!isManager(actor))
        throw new AppError(403, 'correspondence.manager_only', 'Only a manager can remove access');
      await db.transaction(async (tx) => {
        const row = await repo.lockVisible(tx, viewerOf(actor), id);
        if (!row) throw caseNotFound();
        const removed = await repo.revokeAccess(tx, row.id, userId);
        if (!removed)
          throw new AppError(
            404,
            'correspondence.access_not_found',
            'That person has not been given access to this case',
            { userId: 'That person has not been given access to this case' },
          );
        const user = await repo.user(tx, userId);
        await repo.insertEvent(tx, {
          caseId: row.id,
          at: clock.now(),
          actorId: actor.id,
          kind: 'access_revoked',
          data: { userId, userName: user?.name ?? 'Unknown' },
        });
        await audit.record(tx, actor, {
          action: 'case.access.revoke',
          subjectType: 'case',
          subjectId: row.id,
          personId: row.contactId,
        });
      });
    },

    /** Who has been granted access to a case (managers only). */
    async accessList(actor: Actor, id: string): Promise<AccessGrant[]> {
      if (!isManager(actor))
        throw new AppError(
          403,
          'correspondence.manager_only',
          'Only a manager can see who has access',
        );
      const row = await repo.findVisible(db, viewerOf(actor), id);
      if (!row) throw caseNotFound();
      const grants = await repo.accessList(db, row.id);
      return grants.map((grant) => ({
        user: { id: grant.userId, name: grant.name, role: grant.role },
        grantedAt: grant.grantedAt.toISOString(),
        grantedBy: grant.grantedById
          ? { id: grant.grantedById, name: grant.grantedByName ?? 'Unknown' }
          : null,
      }));
    },

    /**
     * One keyset page of the filtered queue (restricted cases the actor may not see are
     * filtered in SQL). Search ranks by `ts_rank_cd` unless another sort is asked for.
     */
    async list(
      actor: Actor,
      filters: CaseFilters,
      page: ListPage = {},
    ): Promise<{ items: CaseSummary[]; nextCursor: string | null }> {
      filters = checkFilters(filters);
      const dates = queueDates();
      const sort = page.sort ?? (filters.q?.trim() ? 'relevance' : 'due');
      const limit = Math.min(Math.max(page.limit ?? 50, 1), MAX_PAGE);
      const viewer = viewerOf(actor);
      const key = `list|${viewer.role}|${viewer.id}|${dates.today}|${sort}|${limit}|${page.cursor ?? ''}|${JSON.stringify(filters)}`;
      const answer = await reuse(
        key,
        async () => {
          const { rows, nextCursor } = await repo.list(db, viewer, filters, dates, {
            sort,
            limit,
            cursor: page.cursor,
          });
          return { items: rows.map((row) => toSummary(row, dates.today)), nextCursor };
        },
        actor,
        listReadAudit(filters),
      );
      return answer;
    },

    /**
     * Every case of a filtered list, in order, for export: batches of keyset pages. The
     * export itself is audited once, with the filters as its justification.
     */
    async *exportRows(
      actor: Actor,
      filters: CaseFilters,
      sort?: CaseSort,
    ): AsyncGenerator<CaseSummary & { workingDaysTaken: number | null; onTime: boolean | null }> {
      filters = checkFilters(filters);
      const dates = queueDates();
      await audit.recordRead(actor, {
        action: 'case.export',
        subjectType: 'case',
        justification: JSON.stringify(filters).slice(0, 1000),
      });
      let cursor: string | undefined;
      const chosen = sort ?? (filters.q?.trim() ? 'relevance' : 'due');
      do {
        const page = await repo.list(db, viewerOf(actor), filters, dates, {
          sort: chosen,
          limit: 500,
          cursor,
        });
        for (const row of page.rows) {
          const summary = toSummary(row, dates.today);
          const end =
            summary.respondedOn ?? (OPEN_STATUSES.includes(summary.status) ? dates.today : null);
          yield {
            ...summary,
            workingDaysTaken: end ? workingDaysBetween(summary.receivedOn, end) : null,
            onTime:
              summary.respondedOn && summary.dueDate
                ? summary.respondedOn <= summary.dueDate
                : summary.overdue
                  ? false
                  : null,
          };
        }
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
    },

    /** Counts for each triage view, for the navigation. */
    async counts(actor: Actor): Promise<CaseCounts> {
      const viewer = viewerOf(actor);
      const dates = queueDates();
      return reuse(
        `counts|${viewer.role}|${viewer.id}|${dates.today}`,
        () => repo.counts(db, viewer, dates),
        actor,
      );
    },

    /**
     * The `cases` change stamp, for pages that reuse their HTML while it stands. Given the
     * filters of a queue read, the read is audited with it (as `list` audits its own).
     */
    changeStamp: (actor: Actor, listRead?: CaseFilters) =>
      stampFor(actor, listRead && listReadAudit(listRead)),

    /** Today in London (worked out once an hour). */
    today: () => queueDates().today,

    /** Open cases nobody holds yet, of those this person may see: the navigation badge. */
    async unassignedCount(actor: Actor): Promise<number> {
      const viewer = viewerOf(actor);
      return reuse(
        `unassigned|${viewer.role}|${viewer.id}`,
        () => repo.unassignedOpenCount(db, viewer),
        actor,
      );
    },

    /** A visible case's id by its reference ("typing a reference opens the case"). */
    async findIdByReference(actor: Actor, reference: string): Promise<string | undefined> {
      if (!/^OPCC-\d{4}-\d{5,}$/i.test(reference.trim())) return undefined;
      return (await repo.findVisibleByReference(db, viewerOf(actor), reference))?.id;
    },

    /** Likely duplicate contacts for staff entry (never used on the public form). */
    async suggestContacts(input: ContactInput): Promise<ContactSuggestion[]> {
      return contacts.suggest(input);
    },

    /** Choices for forms: who can hold cases, and the topics active today. */
    async options(): Promise<{
      staff: Array<StaffRef & { role: string }>;
      topics: Array<{ slug: string; label: string }>;
    }> {
      const { today } = queueDates();
      return reuse(`options|${today}`, async () => {
        const [staff, topics] = await Promise.all([
          repo.assignableStaff(db),
          repo.topics(db, today),
        ]);
        return { staff, topics };
      });
    },
  };
}
export type CorrespondenceService = ReturnType<typeof createCorrespondenceService>;
