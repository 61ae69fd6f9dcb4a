/**
 * Missed targets (issue #15 item 2): a case is overdue when its response is past due OR its
 * acknowledgement target passed before anyone acknowledged it. One definition, used by
 * the case page, the queue (the Overdue view, its count, each row's tag) and the
 * statistics, so a missed acknowledgement can no longer show in one place only.
 *
 * The dates come from the clock's stored deadlines (worked out with the calendar service);
 * nothing here counts working days. The acknowledgement is met by `acknowledged_at`, as
 * the clock's warnings treat it (`metKinds`).
 */
import { sql, type SQL } from 'drizzle-orm';
import { caseDeadlines, cases } from '../../db/schema/index.js';

export type MissedKind = 'acknowledge' | 'respond';

export interface MissedTarget {
  kind: MissedKind;
  /** What a caseworker calls it. */
  label: string;
  /** The date it was due (London), now past. */
  dueDate: string;
  /** Working days from the due date to today (the case page; the calendar service counts). */
  workingDaysLate?: number;
}

export const MISSED_LABELS: Record<MissedKind, string> = {
  acknowledge: 'Acknowledgement',
  respond: 'Response',
};

/**
 * The case's acknowledgement target while it is unmet (null once acknowledged or when the
 * case type has none), as a `YYYY-MM-DD` string: a column of the queue's rows. Columns are
 * written out so the same text serves drizzle queries on `cases` and raw SQL on an alias.
 */
export function ackDueSql(
  c: { id: SQL; acknowledgedAt: SQL } = casesColumns(),
): SQL<string | null> {
  return sql<
    string | null
  >`(select to_char(d.effective_due_on, 'YYYY-MM-DD') from ${caseDeadlines} d
    where d.subject_type = 'case' and d.subject_id = ${c.id} and d.kind = 'acknowledge'
      and d.superseded_at is null and not d.stopped and ${c.acknowledgedAt} is null)`;
}

/**
 * True for a case (assumed open: callers add that) with any target missed on London date
 * `today`: the response due date (`next_due_on`, the override if a manager set one) or an
 * unmet acknowledgement target.
 */
export function overdueSql(
  today: string,
  c: { id: SQL; acknowledgedAt: SQL; nextDueOn: SQL } = casesColumns(),
): SQL<boolean> {
  return sql<boolean>`(${c.nextDueOn} < ${today}::date or exists (select 1 from ${caseDeadlines} d
    where d.subject_type = 'case' and d.subject_id = ${c.id} and d.kind = 'acknowledge'
      and d.superseded_at is null and not d.stopped and d.effective_due_on < ${today}::date
      and ${c.acknowledgedAt} is null))`;
}

/** The same columns on a raw alias (the statistics query `from cases c`). */
export const aliasColumns = (alias: string) => {
  const a = sql.identifier(alias);
  return {
    id: sql`${a}.id`,
    acknowledgedAt: sql`${a}.acknowledged_at`,
    nextDueOn: sql`${a}.next_due_on`,
  };
};

function casesColumns() {
  return {
    id: sql`${cases.id}`,
    acknowledgedAt: sql`${cases.acknowledgedAt}`,
    nextDueOn: sql`${cases.nextDueOn}`,
  };
}

/**
 * The targets an open case has missed on `today`, earliest first: the acknowledgement
 * (unmet, due before today) and the response (due before today).
 */
export function missedTargets(
  open: boolean,
  dates: { ackDueOn: string | null | undefined; dueOn: string | null | undefined },
  today: string,
): MissedTarget[] {
  if (!open) return [];
  const missed: MissedTarget[] = [];
  if (dates.ackDueOn && dates.ackDueOn < today)
    missed.push({ kind: 'acknowledge', label: MISSED_LABELS.acknowledge, dueDate: dates.ackDueOn });
  if (dates.dueOn && dates.dueOn < today)
    missed.push({ kind: 'respond', label: MISSED_LABELS.respond, dueDate: dates.dueOn });
  return missed;
}

/**
 * An unmet acknowledgement target from the clock's deadlines of one case (the case page),
 * or null.
 */
export function unmetAcknowledgement(
  acknowledgedAt: unknown,
  deadlines: ReadonlyArray<{ kind: string; effectiveDueDate: string | null; stopped: boolean }>,
): string | null {
  if (acknowledgedAt) return null;
  const ack = deadlines.find((d) => d.kind === 'acknowledge' && !d.stopped);
  return ack?.effectiveDueDate ?? null;
}
