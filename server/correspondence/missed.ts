/**
 * Missed targets (issue #15 item 2): a case is overdue when its response is past due OR an
 * acknowledgement target (the office's, or the DPA 2018 s164A one of a data protection
 * complaint, `dp_ack`) passed before anyone acknowledged it. One definition, used by
 * the case page, the queue (the Overdue view, its count, each row's tag) and the
 * statistics, so a missed acknowledgement can no longer show in one place only.
 *
 * The dates come from the clock's stored deadlines (worked out with the calendar service);
 * nothing here counts working days. Both acknowledgement targets are met by
 * `acknowledged_at`, as the clock's warnings treat them (`metKinds`, from ACK_KINDS).
 */
import { and, eq, inArray, isNull, sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { caseDeadlines, cases } from '../../db/schema/index.js';

export type MissedKind = 'acknowledge' | 'dp_ack' | 'respond';

/** The clock's deadline kinds that acknowledging a case meets. */
export const ACK_KINDS = ['acknowledge', 'dp_ack'] as const;
export type AckKind = (typeof ACK_KINDS)[number];

/** A case's unmet acknowledgement targets (`YYYY-MM-DD`), null when met or absent. */
export interface UnmetAcks {
  ackDueOn?: string | null;
  dpAckDueOn?: string | null;
}

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
  dp_ack: 'Data protection acknowledgement',
  respond: 'Response',
};

/**
 * The case's acknowledgement target of `kind` while it is unmet (null once acknowledged or
 * when the case has none), as a `YYYY-MM-DD` string: a column of the queue's rows. Columns
 * are written out so the same text serves drizzle queries on `cases` and raw SQL on an alias.
 */
export function ackDueSql(
  kind: AckKind = 'acknowledge',
  c: { id: SQL; acknowledgedAt: SQL } = casesColumns(),
): SQL<string | null> {
  return sql<
    string | null
  >`(select to_char(d.effective_due_on, 'YYYY-MM-DD') from ${caseDeadlines} d
    where d.subject_type = 'case' and d.subject_id = ${c.id} and d.kind = ${kind}
      and d.superseded_at is null and not d.stopped and ${c.acknowledgedAt} is null)`;
}

/**
 * The unmet acknowledgement targets of one case row (summaries returned after an action,
 * which do not come from the queue's query).
 */
export async function unmetAcks(
  db: DbOrTx,
  row: { id: string; acknowledgedAt: Date | null },
): Promise<UnmetAcks> {
  if (row.acknowledgedAt) return {};
  const rows = await db
    .select({
      kind: caseDeadlines.kind,
      due: sql<string | null>`to_char(${caseDeadlines.effectiveDueOn}, 'YYYY-MM-DD')`,
    })
    .from(caseDeadlines)
    .where(
      and(
        eq(caseDeadlines.subjectType, 'case'),
        eq(caseDeadlines.subjectId, row.id),
        inArray(caseDeadlines.kind, [...ACK_KINDS]),
        isNull(caseDeadlines.supersededAt),
        eq(caseDeadlines.stopped, false),
      ),
    );
  const due = (kind: AckKind) => rows.find((r) => r.kind === kind)?.due ?? null;
  return { ackDueOn: due('acknowledge'), dpAckDueOn: due('dp_ack') };
}

/**
 * True for a case (assumed open: callers add that) with any target missed on London date
 * `today`: the response due date (`next_due_on`, the override if a manager set one) or an
 * unmet acknowledgement target (ACK_KINDS).
 */
export function overdueSql(
  today: string,
  c: { id: SQL; acknowledgedAt: SQL; nextDueOn: SQL } = casesColumns(),
): SQL<boolean> {
  return sql<boolean>`(${c.nextDueOn} < ${today}::date or exists (select 1 from ${caseDeadlines} d
    where d.subject_type = 'case' and d.subject_id = ${c.id} and d.kind in ('acknowledge', 'dp_ack')
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
 * targets (unmet, due before today) and the response (due before today).
 */
export function missedTargets(
  open: boolean,
  dates: UnmetAcks & { dueOn: string | null | undefined },
  today: string,
): MissedTarget[] {
  if (!open) return [];
  const candidates: Array<[MissedKind, string | null | undefined]> = [
    ['acknowledge', dates.ackDueOn],
    ['dp_ack', dates.dpAckDueOn],
    ['respond', dates.dueOn],
  ];
  return candidates
    .filter((c): c is [MissedKind, string] => !!c[1] && c[1] < today)
    .map(([kind, dueDate]) => ({ kind, label: MISSED_LABELS[kind], dueDate }))
    .sort((a, b) => a.dueDate.localeCompare(b.dueDate));
}

/** The unmet acknowledgement targets from the clock's deadlines of one case (the case page). */
export function unmetAcknowledgements(
  acknowledgedAt: unknown,
  deadlines: ReadonlyArray<{ kind: string; effectiveDueDate: string | null; stopped: boolean }>,
): UnmetAcks {
  if (acknowledgedAt) return {};
  const due = (kind: AckKind) =>
    deadlines.find((d) => d.kind === kind && !d.stopped)?.effectiveDueDate ?? null;
  return { ackDueOn: due('acknowledge'), dpAckDueOn: due('dp_ack') };
}
