/**
 * The triage queue's reads: the filters, sorts and keyset cursors of the case list, its
 * totals and the navigation counts. Part of the correspondence repository.
 */
import { and, arrayOverlaps, eq, gte, inArray, isNull, lte, sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { caseNotes, cases, contacts, users } from '../../db/schema/index.js';
import { AppError } from '../platform/errors.js';
import { ackDueSql, overdueSql } from './missed.js';
import { type CaseChannel, type CaseStatus, type CaseType } from './workflow.js';
import { isOpen, visibleTo, type Viewer } from './visibility.js';
import { isUuid } from '../lib/uuid.js';

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
    case 'due':
    case '-due':
      return byDue(sort === 'due' ? 'asc' : 'desc');
    case 'received':
    case '-received':
      return {
        keys: [sql`${cases.receivedAt}`, sql`${cases.id}`],
        casts: ['timestamptz', 'uuid'],
        direction: sort === 'received' ? 'asc' : 'desc',
      };
  }
}

/**
 * Next due date with none last either way round, then date received (domain §3). The
 * ascending key is the one cases_open_due_order_idx indexes, so it stays a literal.
 */
function byDue(direction: 'asc' | 'desc'): SortSpec {
  const none = direction === 'asc' ? sql`'9999-12-31'::date` : sql`'0001-01-01'::date`;
  return {
    keys: [sql`coalesce(${cases.nextDueOn}, ${none})`, sql`${cases.receivedAt}`, sql`${cases.id}`],
    casts: ['date', 'timestamptz', 'uuid'],
    direction,
  };
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
  /** The unmet acknowledgement targets (missed.ts), null once acknowledged. */
  ackDueOn?: string | null;
  dpAckDueOn?: string | null;
};

export function createQueueRepository() {
  return {
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
        .select({
          ...listColumns,
          ackDueOn: ackDueSql(),
          dpAckDueOn: ackDueSql('dp_ack'),
          ...keyColumns,
        })
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
