/**
 * The case timeline (`case_events`): the one place that writes and reads it. Every domain that
 * touches a case (correspondence, replies, disclosure, intake, contacts, the clock through
 * correspondence's adapter, virus scanning) appends its own entries here with its own `kind`
 * and `data`; the wording people read is the owning domain's, supplied through wording.ts
 * (correspondence's case view turns each entry into a title and description when the case
 * is shown). It imports no domain, so any domain may use it.
 */
import { and, asc, eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { preparedOn } from '../../db/prepared.js';
import { caseEvents, users } from '../../db/schema/index.js';

/** One entry: what happened to which case, when, by whom (null: the system), and its facts. */
export type TimelineEntry = typeof caseEvents.$inferInsert;
export type TimelineRow = typeof caseEvents.$inferSelect;

/** Appends one entry, or several at once (none is a no-op), in the caller's transaction. */
export async function appendToTimeline(
  tx: DbOrTx,
  entries: TimelineEntry | readonly TimelineEntry[],
): Promise<void> {
  const values = isList(entries) ? [...entries] : [entries];
  if (values.length > 0) await tx.insert(caseEvents).values(values);
}

const isList = (
  entries: TimelineEntry | readonly TimelineEntry[],
): entries is readonly TimelineEntry[] => Array.isArray(entries);

const timelineQuery = (db: DbOrTx, name: string) =>
  db
    .select({
      id: caseEvents.id,
      at: caseEvents.at,
      kind: caseEvents.kind,
      data: caseEvents.data,
      actorId: caseEvents.actorId,
      actorName: users.name,
    })
    .from(caseEvents)
    .leftJoin(users, eq(users.id, caseEvents.actorId))
    .where(eq(caseEvents.caseId, sql.placeholder('caseId')))
    .orderBy(asc(caseEvents.at), asc(caseEvents.id))
    .prepare(name);

/** A case's timeline, oldest first, with the name of whoever made each entry (prepared). */
export function readTimeline(db: DbOrTx, caseId: string) {
  return preparedOn(db, 'case_timeline', timelineQuery).execute({ caseId });
}

/** Whether the timeline already records this email's outcome (handlers may run again). */
export async function timelineHasEmailEntry(
  tx: DbOrTx,
  caseId: string,
  kind: string,
  emailId: string,
): Promise<boolean> {
  const [row] = await tx
    .select({ id: caseEvents.id })
    .from(caseEvents)
    .where(
      and(
        eq(caseEvents.caseId, caseId),
        eq(caseEvents.kind, kind),
        sql`${caseEvents.data}->>'emailId' = ${emailId}`,
      ),
    )
    .limit(1);
  return Boolean(row);
}
