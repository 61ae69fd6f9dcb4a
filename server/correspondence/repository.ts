import {
  and,
  arrayOverlaps,
  asc,
  desc,
  eq,
  gte,
  inArray,
  isNull,
  lte,
  sql,
  type SQL,
} from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { DbOrTx } from '../../db/client.js';
import {
  caseAccess,
  caseAttachments,
  caseNotes,
  cases,
  contacts,
  emailMessages,
  topics,
  users,
} from '../../db/schema/index.js';
import { AppError } from '../platform/errors.js';
import { ackDueSql, overdueSql } from './missed.js';
import { OPEN_STATUSES, type CaseChannel, type CaseStatus, type CaseType } from './workflow.js';

export type CaseRow = typeof cases.$inferSelect;
export type NewCaseRow = typeof cases.$inferInsert;
export type CaseNoteRow = typeof caseNotes.$inferSelect;

/** Who is looking: managers (and system jobs) see restricted cases; others only their own. */
export interface Viewer {
  id: string | null;
  role: string | null;
}

export const QUEUE_VIEWS = [
  'unassigned',
  'mine',
  'due-5wd',
  'overdue',
  'awaiting-requester',
  'awaiting-approval',
  'needs-attention',
  'all-open',
  'all',
] as const;
export type QueueView = (typeof QUEUE_VIEWS)[number];

export const CASE_SORTS = ['due', '-due', 'received', '-received', 'relevance'] as const;
export type CaseSort = (typeof CASE_SORTS)[number];

export interface CaseFilters {
  view?: QueueView;
  status?: CaseStatus[];
  type?: CaseType[];
  channel?: CaseChannel[];
  /** A user id, `none` (unassigned) or `me`. */
  assignee?: string;
  topic?: string[];
  overdue?: boolean;
  q?: string;
  receivedFrom?: string;
  receivedTo?: string;
  /** Cases carrying any of these tags. */
  tag?: string[];
  /** Only restricted (true) or only unrestricted (false) cases, among those the viewer sees. */
  restricted?: boolean;
}

/** London dates the views need: today, and the last day that is "due soon". */
export interface QueueDates {
  today: string;
  dueSoonBy: string;
}

/** Thrown when `(source_type, source_id)` already has a case. */
export class DuplicateSourceError extends Error {}

const onBehalfOfContacts = alias(contacts, 'on_behalf_of');
const assignees = alias(users, 'assignee');

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: string) => UUID.test(value);

/**
 * Open statuses as literals, not parameters: the planner can then match the partial index
 * `cases_open_due_order_idx` even in a generic (prepared) plan. Kept equal to OPEN_STATUSES.
 */
const isOpen = () =>
  sql`${cases.status} in ('new', 'open', 'awaiting_requester', 'awaiting_approval')`;
if (OPEN_STATUSES.join() !== 'new,open,awaiting_requester,awaiting_approval') {
  throw new Error(
    'OPEN_STATUSES changed: update isOpen() and the cases_open_due_order_idx predicate',
  );
}

/** Restricted cases: the assignee, users granted access, managers and system jobs. Filtered in SQL. */
export function visibleTo(viewer: Viewer): SQL | undefined {
  if (viewer.role === 'manager' || viewer.role === 'system') return undefined;
  if (!viewer.id) return sql`not ${cases.restricted}`;
  return sql`(not ${cases.restricted} or ${cases.assigneeId} = ${viewer.id} or exists (select 1 from ${caseAccess} where ${caseAccess.caseId} = ${cases.id} and ${caseAccess.userId} = ${viewer.id}))`;
}

const tsQuery = (q: string) => sql`websearch_to_tsquery('english', ${q})`;

function noteMatches(query: SQL): SQL {
  return sql`exists (select 1 from ${caseNotes} where ${caseNotes.caseId} = ${cases.id} and ${caseNotes.redactedAt} is null and ${caseNotes.search} @@ ${query})`;
}

function rankOf(query: SQL): SQL {
  return sql`(ts_rank_cd(${cases.search}, ${query}) + coalesce((select max(ts_rank_cd(${caseNotes.search}, ${query})) from ${caseNotes} where ${caseNotes.caseId} = ${cases.id} and ${caseNotes.redactedAt} is null and ${caseNotes.search} @@ ${query}), 0))`;
}

export function filterConditions(viewer: Viewer, filters: CaseFilters, dates: QueueDates): SQL[] {
  const conditions: SQL[] = [];
  const visible = visibleTo(viewer);
  if (visible) conditions.push(visible);
  switch (filters.view) {
    case 'unassigned':
      conditions.push(isOpen(), isNull(cases.assigneeId));
      break;
    case 'mine':
      conditions.push(isOpen(), viewer.id ? eq(cases.assigneeId, viewer.id) : sql`false`);
      break;
    case 'due-5wd':
      conditions.push(
        isOpen(),
        gte(cases.nextDueOn, dates.today),
        lte(cases.nextDueOn, dates.dueSoonBy),
      );
      break;
    case 'overdue':
      conditions.push(isOpen(), overdueSql(dates.today));
      break;
    case 'awaiting-requester':
      conditions.push(eq(cases.status, 'awaiting_requester'));
      break;
    case 'awaiting-approval':
      conditions.push(eq(cases.status, 'awaiting_approval'));
      break;
    case 'needs-attention':
      conditions.push(sql`cardinality(${cases.flags}) > 0`);
      break;
    case 'all-open':
      conditions.push(isOpen());
      break;
    case 'all':
    case undefined:
      break;
  }
  if (filters.status?.length) conditions.push(inArray(cases.status, filters.status));
  if (filters.type?.length) conditions.push(inArray(cases.type, filters.type));
  if (filters.channel?.length) conditions.push(inArray(cases.channel, filters.channel));
  if (filters.assignee === 'none') conditions.push(isNull(cases.assigneeId));
  else if (filters.assignee === 'me')
    conditions.push(viewer.id ? eq(cases.assigneeId, viewer.id) : sql`false`);
  else if (filters.assignee)
    conditions.push(isUuid(filters.assignee) ? eq(cases.assigneeId, filters.assignee) : sql`false`);
  if (filters.topic?.length) conditions.push(arrayOverlaps(cases.topics, filters.topic));
  if (filters.tag?.length) conditions.push(arrayOverlaps(cases.tags, filters.tag));
  if (filters.restricted !== undefined) conditions.push(eq(cases.restricted, filters.restricted));
  if (filters.overdue === true) conditions.push(isOpen(), overdueSql(dates.today));
  if (filters.overdue === false)
    conditions.push(sql`not (${isOpen()} and coalesce(${overdueSql(dates.today)}, false))`);
  if (filters.receivedFrom) conditions.push(gte(cases.receivedOn, filters.receivedFrom));
  if (filters.receivedTo) conditions.push(lte(cases.receivedOn, filters.receivedTo));
  const q = filters.q?.trim();
  if (q) {
    const query = tsQuery(q);
    conditions.push(
      sql`(${cases.search} @@ ${query} or ${noteMatches(query)} or upper(${cases.reference}) = ${q.toUpperCase()})`,
    );
  }
  return conditions;
}

interface SortSpec {
  keys: SQL[];
  casts: string[];
  direction: 'asc' | 'desc';
}

function sortSpec(sort: CaseSort, q: string | undefined): SortSpec {
  switch (sort) {
    case 'relevance':
      if (q)
        return {
          keys: [rankOf(tsQuery(q)), sql`${cases.id}`],
          casts: ['real', 'uuid'],
          direction: 'desc',
        };
      return sortSpec('due', q);
    case '-due':
      return {
        keys: [
          sql`coalesce(${cases.nextDueOn}, '0001-01-01'::date)`,
          sql`${cases.receivedAt}`,
          sql`${cases.id}`,
        ],
        casts: ['date', 'timestamptz', 'uuid'],
        direction: 'desc',
      };
    case 'received':
    case '-received':
      return {
        keys: [sql`${cases.receivedAt}`, sql`${cases.id}`],
        casts: ['timestamptz', 'uuid'],
        direction: sort === 'received' ? 'asc' : 'desc',
      };
    case 'due':
      // Next due date with none last, then date received (domain §3).
      return {
        keys: [
          sql`coalesce(${cases.nextDueOn}, '9999-12-31'::date)`,
          sql`${cases.receivedAt}`,
          sql`${cases.id}`,
        ],
        casts: ['date', 'timestamptz', 'uuid'],
        direction: 'asc',
      };
  }
}

const castValue = (value: string, cast: string): SQL => {
  switch (cast) {
    case 'real':
      return sql`${value}::real`;
    case 'date':
      return sql`${value}::date`;
    case 'timestamptz':
      return sql`${value}::timestamptz`;
    default:
      return sql`${value}::uuid`;
  }
};

export function encodeCursor(values: string[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

function decodeCursor(cursor: string, length: number): string[] {
  try {
    const values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (
      Array.isArray(values) &&
      values.length === length &&
      values.every((v) => typeof v === 'string' && v.length <= 64)
    )
      return values as string[];
  } catch {
    // fall through
  }
  throw new AppError(400, 'validation', 'The request is not valid', {
    cursor: 'is not a cursor from this list',
  });
}

const listColumns = {
  id: cases.id,
  reference: cases.reference,
  type: cases.type,
  channel: cases.channel,
  status: cases.status,
  outcome: cases.outcome,
  subject: cases.subject,
  receivedAt: cases.receivedAt,
  receivedOn: cases.receivedOn,
  nextDueOn: cases.nextDueOn,
  respondedAt: cases.respondedAt,
  closedAt: cases.closedAt,
  version: cases.version,
  restricted: cases.restricted,
  topics: cases.topics,
  tags: cases.tags,
  flags: cases.flags,
  assigneeId: cases.assigneeId,
  assigneeName: users.name,
  contactName: contacts.name,
};

export type CaseListRow = {
  [K in keyof typeof listColumns]: (typeof listColumns)[K]['_']['data'] | null;
} & {
  id: string;
  reference: string;
  type: CaseType;
  status: CaseStatus;
  /** The unmet acknowledgement target (missed.ts), null once acknowledged. */
  ackDueOn?: string | null;
};

export function createCorrespondenceRepository() {
  return {
    /**
     * The next reference number of a London year, in the caller's transaction: the row lock
     * serialises concurrent creations and a rollback gives the number back (no gaps).
     */
    async nextReferenceNumber(tx: DbOrTx, year: number): Promise<number> {
      const rows = await tx.execute<{ last: number }>(
        sql`insert into case_reference_counters (year, last) values (${year}, 1)
            on conflict (year) do update set last = case_reference_counters.last + 1
            returning last`,
      );
      return Number(rows[0]!.last);
    },

    async insertCase(tx: DbOrTx, values: NewCaseRow): Promise<CaseRow> {
      try {
        const [row] = await tx.insert(cases).values(values).returning();
        return row!;
      } catch (error) {
        const pg = error as { code?: string; constraint_name?: string };
        if (pg.code === '23505' && pg.constraint_name === 'cases_source_uq')
          throw new DuplicateSourceError('A case already exists for this source');
        if (pg.code === '23505' && pg.constraint_name === 'cases_reference_uq')
          throw new AppError(409, 'correspondence.reference_taken', 'That reference is taken');
        throw error;
      }
    },

    async findBySource(db: DbOrTx, sourceType: string, sourceId: string) {
      const [row] = await db
        .select()
        .from(cases)
        .where(and(eq(cases.sourceType, sourceType), eq(cases.sourceId, sourceId)));
      return row;
    },

    /** The case if `viewer` may see it, else undefined (a hidden case is a missing case). */
    async findVisible(db: DbOrTx, viewer: Viewer, id: string): Promise<CaseRow | undefined> {
      if (!isUuid(id)) return undefined;
      const [row] = await db
        .select()
        .from(cases)
        .where(and(eq(cases.id, id), visibleTo(viewer)));
      return row;
    },

    /**
     * A visible case with its contact, the person it is on behalf of and the assignee's
     * name, in one query (the case view's first read).
     */
    async findVisibleWithParties(db: DbOrTx, viewer: Viewer, id: string) {
      if (!isUuid(id)) return undefined;
      const [row] = await db
        .select({
          case: cases,
          contact: contacts,
          onBehalfOf: onBehalfOfContacts,
          assigneeName: assignees.name,
        })
        .from(cases)
        .leftJoin(contacts, eq(contacts.id, cases.contactId))
        .leftJoin(onBehalfOfContacts, eq(onBehalfOfContacts.id, cases.onBehalfOfId))
        .leftJoin(assignees, eq(assignees.id, cases.assigneeId))
        .where(and(eq(cases.id, id), visibleTo(viewer)));
      return row;
    },

    /** As findVisible, locking the row for the rest of the transaction. */
    async lockVisible(tx: DbOrTx, viewer: Viewer, id: string): Promise<CaseRow | undefined> {
      if (!isUuid(id)) return undefined;
      const [row] = await tx
        .select()
        .from(cases)
        .where(and(eq(cases.id, id), visibleTo(viewer)))
        .for('update');
      return row;
    },

    /** Of these ids, the cases still open (the clock's rebuild and warnings). */
    async openCasesAmong(db: DbOrTx, ids: readonly string[]): Promise<CaseRow[]> {
      const valid = ids.filter(isUuid);
      if (valid.length === 0) return [];
      return db
        .select()
        .from(cases)
        .where(and(inArray(cases.id, valid), isOpen()));
    },

    /** Open cases assigned to a person (their warnings panel). */
    async openCaseIdsAssignedTo(db: DbOrTx, userId: string): Promise<string[]> {
      const rows = await db
        .select({ id: cases.id })
        .from(cases)
        .where(and(eq(cases.assigneeId, userId), isOpen()));
      return rows.map((row) => row.id);
    },

    /** The clock's effective due date, kept where the queue reads it (no version bump). */
    async setNextDue(tx: DbOrTx, id: string, nextDueOn: string | null): Promise<void> {
      await tx
        .update(cases)
        .set({ nextDueOn })
        .where(and(eq(cases.id, id), sql`${cases.nextDueOn} is distinct from ${nextDueOn}`));
    },

    async lockManyVisible(tx: DbOrTx, viewer: Viewer, ids: string[]): Promise<CaseRow[]> {
      const valid = ids.filter(isUuid);
      if (valid.length === 0) return [];
      return tx
        .select()
        .from(cases)
        .where(and(inArray(cases.id, valid), visibleTo(viewer)))
        .orderBy(asc(cases.id))
        .for('update');
    },

    async findVisibleByReference(db: DbOrTx, viewer: Viewer, reference: string) {
      const [row] = await db
        .select({ id: cases.id })
        .from(cases)
        .where(and(eq(cases.reference, reference.trim().toUpperCase()), visibleTo(viewer)));
      return row;
    },

    /** Compare-and-set on `version`: undefined when someone else changed the case first. */
    async updateCase(
      tx: DbOrTx,
      id: string,
      expectedVersion: number,
      values: Partial<NewCaseRow>,
    ): Promise<CaseRow | undefined> {
      const [row] = await tx
        .update(cases)
        .set({ ...values, version: sql`${cases.version} + 1` })
        .where(and(eq(cases.id, id), eq(cases.version, expectedVersion)))
        .returning();
      return row;
    },

    async email(tx: DbOrTx, id: string) {
      const [row] = await tx
        .select({ to: emailMessages.to, subject: emailMessages.subject })
        .from(emailMessages)
        .where(eq(emailMessages.id, id));
      return row;
    },

    async insertNote(tx: DbOrTx, values: typeof caseNotes.$inferInsert): Promise<CaseNoteRow> {
      const [row] = await tx.insert(caseNotes).values(values).returning();
      return row!;
    },

    async notes(db: DbOrTx, caseId: string) {
      return db
        .select({
          id: caseNotes.id,
          body: caseNotes.body,
          createdAt: caseNotes.createdAt,
          redactedAt: caseNotes.redactedAt,
          authorId: caseNotes.authorId,
          authorName: users.name,
        })
        .from(caseNotes)
        .leftJoin(users, eq(users.id, caseNotes.authorId))
        .where(eq(caseNotes.caseId, caseId))
        .orderBy(desc(caseNotes.createdAt), desc(caseNotes.id));
    },

    async redactNote(tx: DbOrTx, caseId: string, noteId: string, by: string | null, at: Date) {
      if (!isUuid(noteId)) return undefined;
      const [row] = await tx
        .update(caseNotes)
        .set({ body: '', redactedAt: at, redactedById: by })
        .where(
          and(eq(caseNotes.id, noteId), eq(caseNotes.caseId, caseId), isNull(caseNotes.redactedAt)),
        )
        .returning({ id: caseNotes.id });
      return row;
    },

    async insertAttachment(
      tx: DbOrTx,
      values: typeof caseAttachments.$inferInsert,
    ): Promise<{ id: string }> {
      const [row] = await tx
        .insert(caseAttachments)
        .values(values)
        .returning({ id: caseAttachments.id });
      return row!;
    },

    /** A case's attachments without their bytes, oldest first. */
    async attachments(db: DbOrTx, caseId: string) {
      return db
        .select({
          id: caseAttachments.id,
          filename: caseAttachments.filename,
          contentType: caseAttachments.contentType,
          size: caseAttachments.size,
          uploadedAt: caseAttachments.uploadedAt,
          uploadedById: caseAttachments.uploadedById,
          uploadedByName: users.name,
          scanStatus: caseAttachments.scanStatus,
        })
        .from(caseAttachments)
        .leftJoin(users, eq(users.id, caseAttachments.uploadedById))
        .where(eq(caseAttachments.caseId, caseId))
        .orderBy(asc(caseAttachments.uploadedAt), asc(caseAttachments.id));
    },

    /** One attachment with its bytes, only if it belongs to `caseId`. */
    async attachment(db: DbOrTx, caseId: string, attachmentId: string) {
      if (!isUuid(attachmentId)) return undefined;
      const [row] = await db
        .select()
        .from(caseAttachments)
        .where(and(eq(caseAttachments.id, attachmentId), eq(caseAttachments.caseId, caseId)));
      return row;
    },

    /** True when the grant is new (a repeat changes nothing). */
    async grantAccess(tx: DbOrTx, values: typeof caseAccess.$inferInsert): Promise<boolean> {
      const rows = await tx
        .insert(caseAccess)
        .values(values)
        .onConflictDoNothing()
        .returning({ userId: caseAccess.userId });
      return rows.length > 0;
    },

    /** True when there was a grant to remove. */
    async revokeAccess(tx: DbOrTx, caseId: string, userId: string): Promise<boolean> {
      if (!isUuid(userId)) return false;
      const rows = await tx
        .delete(caseAccess)
        .where(and(eq(caseAccess.caseId, caseId), eq(caseAccess.userId, userId)))
        .returning({ userId: caseAccess.userId });
      return rows.length > 0;
    },

    /** The people granted access to a case, by name, with who granted it. */
    async accessList(db: DbOrTx, caseId: string) {
      const grantedBy = alias(users, 'granted_by');
      return db
        .select({
          userId: caseAccess.userId,
          name: users.name,
          role: users.role,
          disabledAt: users.disabledAt,
          grantedAt: caseAccess.grantedAt,
          grantedById: caseAccess.grantedById,
          grantedByName: grantedBy.name,
        })
        .from(caseAccess)
        .innerJoin(users, eq(users.id, caseAccess.userId))
        .leftJoin(grantedBy, eq(grantedBy.id, caseAccess.grantedById))
        .where(eq(caseAccess.caseId, caseId))
        .orderBy(asc(users.name), asc(caseAccess.userId));
    },

    async contact(db: DbOrTx, id: string | null) {
      if (!id) return undefined;
      const [row] = await db.select().from(contacts).where(eq(contacts.id, id));
      return row;
    },

    async user(db: DbOrTx, id: string) {
      if (!isUuid(id)) return undefined;
      const [row] = await db
        .select({ id: users.id, name: users.name, role: users.role, disabledAt: users.disabledAt })
        .from(users)
        .where(eq(users.id, id));
      return row;
    },

    /** People who can hold cases: active caseworkers and managers. */
    async assignableStaff(db: DbOrTx) {
      return db
        .select({ id: users.id, name: users.name, role: users.role })
        .from(users)
        .where(and(inArray(users.role, ['caseworker', 'manager']), isNull(users.disabledAt)))
        .orderBy(asc(users.name));
    },

    async topics(db: DbOrTx, onDate: string) {
      return db
        .select({ slug: topics.slug, label: topics.label })
        .from(topics)
        .where(
          and(
            lte(topics.activeFrom, onDate),
            sql`(${topics.activeTo} is null or ${topics.activeTo} >= ${onDate})`,
          ),
        )
        .orderBy(asc(topics.label));
    },

    /** Acknowledgements to an address since `since` (no address gets more than 3 a day). */
    async acknowledgementsSince(db: DbOrTx, emailNorm: string, since: Date): Promise<number> {
      const [row] = await db
        .select({ n: sql<number>`count(*)::int` })
        .from(cases)
        .innerJoin(contacts, eq(contacts.id, cases.contactId))
        .where(and(eq(contacts.emailNorm, emailNorm), gte(cases.acknowledgedAt, since)));
      return row?.n ?? 0;
    },

    /** One keyset page of a filtered list: `limit` rows and the cursor of the next page. */
    async list(
      db: DbOrTx,
      viewer: Viewer,
      filters: CaseFilters,
      dates: QueueDates,
      page: { sort: CaseSort; limit: number; cursor?: string; offset?: number },
    ): Promise<{ rows: CaseListRow[]; nextCursor: string | null }> {
      const spec = sortSpec(page.sort, filters.q?.trim() || undefined);
      const conditions = filterConditions(viewer, filters, dates);
      if (page.cursor) {
        const values = decodeCursor(page.cursor, spec.keys.length);
        const op = spec.direction === 'asc' ? sql`>` : sql`<`;
        conditions.push(
          sql`(${sql.join(spec.keys, sql`, `)}) ${op} (${sql.join(
            values.map((v, i) => castValue(v, spec.casts[i]!)),
            sql`, `,
          )})`,
        );
      }
      const keyColumns = Object.fromEntries(
        spec.keys.map((key, i) => [`k${i}`, sql<string>`(${key})::text`]),
      ) as Record<string, SQL<string>>;
      const rows = await db
        .select({ ...listColumns, ackDueOn: ackDueSql(), ...keyColumns })
        .from(cases)
        .leftJoin(users, eq(users.id, cases.assigneeId))
        .leftJoin(contacts, eq(contacts.id, cases.contactId))
        .where(and(...conditions))
        .orderBy(
          ...spec.keys.map((key) =>
            spec.direction === 'asc' ? sql`${key} asc` : sql`${key} desc`,
          ),
        )
        .limit(page.limit + 1)
        .offset(page.offset ?? 0);
      const more = rows.length > page.limit;
      const pageRows = more ? rows.slice(0, page.limit) : rows;
      const last = pageRows.at(-1) as Record<string, unknown> | undefined;
      const nextCursor =
        more && last ? encodeCursor(spec.keys.map((_, i) => String(last[`k${i}`]))) : null;
      return { rows: pageRows as unknown as CaseListRow[], nextCursor };
    },

    /** How many cases the filtered list holds (for "Showing 1 to 50 of 63" and page numbers). */
    async listTotal(
      db: DbOrTx,
      viewer: Viewer,
      filters: CaseFilters,
      dates: QueueDates,
    ): Promise<number> {
      const [row] = await db
        .select({ n: sql<number>`count(*)::int` })
        .from(cases)
        .where(and(...filterConditions(viewer, filters, dates)));
      return row?.n ?? 0;
    },

    /** Open, unassigned cases the viewer may see (`cases_assignee_idx`): the navigation badge. */
    async unassignedOpenCount(db: DbOrTx, viewer: Viewer): Promise<number> {
      const [row] = await db
        .select({ n: sql<number>`count(*)::int` })
        .from(cases)
        .where(and(isNull(cases.assigneeId), isOpen(), visibleTo(viewer)));
      return row?.n ?? 0;
    },

    /** The triage views' counts for the navigation, in one pass. */
    async counts(db: DbOrTx, viewer: Viewer, dates: QueueDates) {
      const open = isOpen();
      const [row] = await db
        .select({
          unassigned: sql<number>`count(*) filter (where ${open} and ${cases.assigneeId} is null)::int`,
          mine: viewer.id
            ? sql<number>`count(*) filter (where ${open} and ${cases.assigneeId} = ${viewer.id})::int`
            : sql<number>`0`,
          due5wd: sql<number>`count(*) filter (where ${open} and ${cases.nextDueOn} >= ${dates.today} and ${cases.nextDueOn} <= ${dates.dueSoonBy})::int`,
          overdue: sql<number>`count(*) filter (where ${open} and ${overdueSql(dates.today)})::int`,
          awaitingRequester: sql<number>`count(*) filter (where ${cases.status} = 'awaiting_requester')::int`,
          awaitingApproval: sql<number>`count(*) filter (where ${cases.status} = 'awaiting_approval')::int`,
          needsAttention: sql<number>`count(*) filter (where cardinality(${cases.flags}) > 0)::int`,
          allOpen: sql<number>`count(*) filter (where ${open})::int`,
        })
        .from(cases)
        // Only open or flagged cases can count: both are small, indexed slices of the table.
        .where(and(visibleTo(viewer), sql`(${open} or cardinality(${cases.flags}) > 0)`));
      return row!;
    },
  };
}
export type CorrespondenceRepository = ReturnType<typeof createCorrespondenceRepository>;
