import type { Db, DbOrTx, Tx } from '../../db/client.js';
import type { CaseRow } from '../../db/schema/index.js';
import type { AttachmentScanService } from '../attachments/scan.js';
import type { ContactBook } from '../contacts/gateway.js';
import type { Clock } from '../lib/clock.js';
import type { MailService } from '../mail/service.js';
import type { Actor, AuditEntry, AuditLog } from '../platform/audit.js';
import { createStampReader, createStampedCache } from '../platform/change-stamps.js';
import { validationError } from '../platform/errors.js';
import type { CalendarService } from '../deadlines/calendar.js';
import type { TimelineWording } from '../timeline/wording.js';
import { DUE_SOON_WORKING_DAYS, londonDate, type CaseDeadlineHook } from './due.js';
import { caseNotFound, managerOnly } from './errors.js';
import type { CaseListRow, CorrespondenceRepository, QueueDates, Viewer } from './repository.js';
import { missedTargets, unmetAcks, type UnmetAcks } from './missed.js';
import type { CaseSummary } from './types.js';
import { OPEN_STATUSES, type CaseChannel } from './workflow.js';

/** What the correspondence service is built from (app.ts passes these). */
export interface CorrespondenceDeps {
  db: Db;
  /** The one-connection handle for grouped read audits (DbClient.serial); defaults to db. */
  serialDb?: Db;
  repo: CorrespondenceRepository;
  audit: AuditLog;
  clock: Clock;
  mail: MailService;
  contacts: ContactBook;
  officeName?: string;
  /** The clock: stores a case's deadlines (docs/rules/deadlines.md §5); cases plug in as subjects. */
  deadlines: CaseDeadlineHook;
  /** The one source of working days ("due soon", the export's working days taken). */
  calendar: CalendarService;
  /** How the entries other domains append to a case's timeline read (replies, intake). */
  timelineWording?: TimelineWording;
  /** Virus scanning of uploads; absent, files are stored as not virus-checked. */
  attachmentScan?: AttachmentScanService;
}

export const iso = (value: Date | null | undefined) => (value ? value.toISOString() : null);
export const viewerOf = (actor: Actor): Viewer => ({ id: actor.id, role: actor.role });
export const isManager = (actor: Actor) => actor.role === 'manager' || actor.role === 'system';
/**
 * Who may change a case's assignee at all: a manager; anyone else only on an unassigned case
 * (to take it) or their own (to release it). bulk.ts refuses the rest.
 */
export const mayChangeAssignee = (actor: Actor, assigneeId: string | null) =>
  isManager(actor) || assigneeId === null || assigneeId === actor.id;

/**
 * The shared parts every correspondence file works with: the deps, the read cache under the
 * `cases` change stamp, London dates for the queue, the summary of a case row.
 */
export function createCaseContext(deps: CorrespondenceDeps) {
  const { db, repo, audit, clock, mail, contacts } = deps;
  const officeName = deps.officeName ?? 'the Office of the Police and Crime Commissioner';

  const inTx = <T>(tx: Tx | undefined, fn: (tx: Tx) => Promise<T>): Promise<T> =>
    tx ? fn(tx) : db.transaction(fn);

  /**
   * Answers about cases (a case view, a queue page, counts) reused while nothing under the
   * `cases` change stamp moves: one single-row read instead of the queries behind them.
   */
  const readCasesStamp = createStampReader(deps.serialDb ?? db, 'cases');
  // Bounded: a case view is a few KB; any committed change empties it anyway.
  const answers = createStampedCache<unknown>({ maxEntries: 5_000, admitOnSecondAsk: true });
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
  let datesMemo: { hour: number; version: number; dates: QueueDates } | undefined;
  async function queueDates(): Promise<QueueDates> {
    const hour = Math.floor(clock.now().getTime() / 3_600_000);
    const { version, cals } = await deps.calendar.current();
    if (datesMemo?.hour !== hour || datesMemo.version !== version) {
      const today = londonDate(clock.now());
      datesMemo = {
        hour,
        version,
        dates: {
          today,
          dueSoonBy: cals.england_wales.addWorkingDays(today, DUE_SOON_WORKING_DAYS),
        },
      };
    }
    return datesMemo.dates;
  }

  /** Today in London. */
  const today = () => londonDate(clock.now());

  /**
   * A row's summary. Queue rows carry their unmet acknowledgement targets (`ackDueOn`,
   * `dpAckDueOn`); a case row is given them (the case page reads them from the clock's
   * deadlines, summaries after an action through `summaryOf`).
   */
  function toSummary(
    row: CaseListRow | CaseRow,
    today: string,
    assigneeName?: string | null,
    acks?: UnmetAcks,
  ) {
    const name = 'assigneeName' in row ? row.assigneeName : assigneeName;
    const fromRow: UnmetAcks = 'ackDueOn' in row || 'dpAckDueOn' in row ? row : {};
    const missed = missedTargets(
      OPEN_STATUSES.includes(row.status),
      { ...(acks ?? fromRow), dueOn: row.nextDueOn },
      today,
    );
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
      overdue: missed.length > 0,
      missed,
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

  /**
   * The summary of a case row returned after an action (status change, assign, restrict,
   * tag): its unmet acknowledgement targets are read so `overdue` means what it means in
   * the queue and on the case page (missed.ts), not the response date only.
   */
  async function summaryOf(
    tx: DbOrTx,
    row: CaseRow,
    today: string,
    assigneeName?: string | null,
  ): Promise<CaseSummary> {
    return toSummary(row, today, assigneeName, await unmetAcks(tx, row));
  }

  async function checkAssignee(tx: DbOrTx, assigneeId: string, field = 'assigneeId') {
    const user = await repo.user(tx, assigneeId);
    if (!user || user.disabledAt || (user.role !== 'caseworker' && user.role !== 'manager'))
      throw validationError({ [field]: 'Select a caseworker or manager' });
    return user;
  }

  /** Case `id` locked in `tx` for a change by `actor`; one they may not see is a 404. */
  async function lockCase(tx: Tx, actor: Actor, id: string): Promise<CaseRow> {
    const row = await repo.lockVisible(tx, viewerOf(actor), id);
    if (!row) throw caseNotFound();
    return row;
  }

  /**
   * A change only a manager may make (anyone else: 403 with `refusal`), run in one
   * transaction on the case locked.
   */
  async function managerChange<T>(
    actor: Actor,
    id: string,
    refusal: string,
    change: (tx: Tx, row: CaseRow) => Promise<T>,
  ): Promise<T> {
    if (!isManager(actor)) throw managerOnly(refusal);
    return db.transaction(async (tx) => change(tx, await lockCase(tx, actor, id)));
  }

  return {
    deps,
    db,
    repo,
    audit,
    clock,
    mail,
    contacts,
    officeName,
    inTx,
    stampFor,
    reuse,
    queueDates,
    today,
    toSummary,
    summaryOf,
    checkAssignee,
    lockCase,
    managerChange,
  };
}
export type CaseContext = ReturnType<typeof createCaseContext>;
