import { and, asc, desc, eq, inArray, isNotNull, isNull, lt, or, sql } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import type { DbOrTx } from '../../db/client.js';
import { preparedOn } from '../../db/prepared.js';
import {
  bankHolidays,
  caseDeadlines,
  clockEvents,
  deadlineNotifications,
  emailMessages,
  holidayCalendar,
  slaPolicies,
  users,
  type CalendarRow,
  type DeadlineRow,
  type HolidayRow,
  type NewDeadlineRow,
  type NotificationRow,
  type PolicyRow,
} from '../../db/schema/index.js';
import type { Division, Holiday } from '../lib/calendar.js';
import { staffMember } from '../platform/staff.js';

/** A subject of the clock: any domain's record, by type and id. */
export interface SubjectKey {
  type: string;
  id: string;
}

/** The clock's tables key their rows by subject: these rows are `subject`'s. */
const ofSubject = (table: { subjectType: PgColumn; subjectId: PgColumn }, subject: SubjectKey) =>
  and(eq(table.subjectType, subject.type), eq(table.subjectId, subject.id));

/** One generation of one subject's timer of a kind: what a warning notification belongs to. */
interface GenerationKey {
  subjectType: string;
  subjectId: string;
  kind: string;
  generation: number;
}

const notificationsOf = (key: GenerationKey) =>
  and(
    ofSubject(deadlineNotifications, { type: key.subjectType, id: key.subjectId }),
    eq(deadlineNotifications.kind, key.kind),
    eq(deadlineNotifications.generation, key.generation),
  );

/** A bank holiday is keyed by its division and date. */
const holidayIs = (division: string, date: string) =>
  and(eq(bankHolidays.division, division as Division), eq(bankHolidays.date, date));

const toHoliday = (row: HolidayRow): Holiday => ({
  division: row.division,
  date: row.date,
  title: row.title,
  ...(row.notes ? { notes: row.notes } : {}),
});

const liveTimersQuery = (db: DbOrTx, name: string) =>
  db
    .select()
    .from(caseDeadlines)
    .where(
      and(
        eq(caseDeadlines.subjectType, sql.placeholder('type')),
        eq(caseDeadlines.subjectId, sql.placeholder('id')),
        isNull(caseDeadlines.supersededAt),
      ),
    )
    .prepare(name);

/** Every Drizzle query of the deadlines domain; each takes a db or a transaction. */
export function createDeadlinesRepository() {
  return {
    async calendar(db: DbOrTx): Promise<CalendarRow> {
      const [row] = await db.select().from(holidayCalendar).where(eq(holidayCalendar.id, 1));
      if (row) return row;
      // The migration seeds the row; a database restored without it gets it back here.
      await db.insert(holidayCalendar).values({ id: 1, version: 0 }).onConflictDoNothing();
      const [again] = await db.select().from(holidayCalendar).where(eq(holidayCalendar.id, 1));
      return again!;
    },

    async lockCalendar(tx: DbOrTx): Promise<CalendarRow> {
      await this.calendar(tx);
      const [row] = await tx
        .select()
        .from(holidayCalendar)
        .where(eq(holidayCalendar.id, 1))
        .for('update');
      return row!;
    },

    async bumpVersion(tx: DbOrTx, now: Date): Promise<number> {
      const [row] = await tx
        .update(holidayCalendar)
        .set({ version: sql`${holidayCalendar.version} + 1`, updatedAt: now })
        .where(eq(holidayCalendar.id, 1))
        .returning({ version: holidayCalendar.version });
      return row!.version;
    },

    async updateCalendar(tx: DbOrTx, values: Partial<CalendarRow>): Promise<void> {
      await tx.update(holidayCalendar).set(values).where(eq(holidayCalendar.id, 1));
    },

    async liveHolidays(db: DbOrTx): Promise<Holiday[]> {
      const rows = await db
        .select()
        .from(bankHolidays)
        .where(isNull(bankHolidays.removedAt))
        .orderBy(asc(bankHolidays.date), asc(bankHolidays.division));
      return rows.map(toHoliday);
    },

    async allHolidayRows(db: DbOrTx): Promise<HolidayRow[]> {
      return db
        .select()
        .from(bankHolidays)
        .orderBy(asc(bankHolidays.division), asc(bankHolidays.date));
    },

    async insertHolidays(
      tx: DbOrTx,
      rows: Array<typeof bankHolidays.$inferInsert>,
    ): Promise<number> {
      if (rows.length === 0) return 0;
      const inserted = await tx
        .insert(bankHolidays)
        .values(rows)
        .onConflictDoNothing()
        .returning({ date: bankHolidays.date });
      return inserted.length;
    },

    async updateHoliday(
      tx: DbOrTx,
      division: string,
      date: string,
      values: Partial<typeof bankHolidays.$inferInsert>,
    ): Promise<HolidayRow | undefined> {
      const [row] = await tx
        .update(bankHolidays)
        .set(values)
        .where(holidayIs(division, date))
        .returning();
      return row;
    },

    async holidayRow(db: DbOrTx, division: string, date: string) {
      const [row] = await db.select().from(bankHolidays).where(holidayIs(division, date));
      return row;
    },

    async policies(db: DbOrTx, caseType?: string): Promise<PolicyRow[]> {
      return db
        .select()
        .from(slaPolicies)
        .where(caseType ? eq(slaPolicies.caseType, caseType) : undefined)
        .orderBy(asc(slaPolicies.caseType), asc(slaPolicies.kind));
    },

    async updatePolicy(
      tx: DbOrTx,
      caseType: string,
      kind: string,
      values: Partial<typeof slaPolicies.$inferInsert>,
    ): Promise<PolicyRow | undefined> {
      const [row] = await tx
        .update(slaPolicies)
        .set(values)
        .where(and(eq(slaPolicies.caseType, caseType), eq(slaPolicies.kind, kind)))
        .returning();
      return row;
    },

    async clockEvents(db: DbOrTx, subject: SubjectKey, includeVoided = false) {
      return db
        .select()
        .from(clockEvents)
        .where(
          and(
            ofSubject(clockEvents, subject),
            includeVoided ? undefined : isNull(clockEvents.voidedAt),
          ),
        )
        .orderBy(asc(clockEvents.id));
    },

    async insertClockEvent(tx: DbOrTx, values: typeof clockEvents.$inferInsert) {
      const [row] = await tx.insert(clockEvents).values(values).returning();
      return row!;
    },

    async voidClockEvent(
      tx: DbOrTx,
      subject: SubjectKey,
      id: number,
      values: { voidedAt: Date; voidReason: string; voidedById: string | null },
    ) {
      const [row] = await tx
        .update(clockEvents)
        .set(values)
        .where(
          and(
            eq(clockEvents.id, id),
            ofSubject(clockEvents, subject),
            isNull(clockEvents.voidedAt),
          ),
        )
        .returning();
      return row;
    },

    /** A subject's live timers (prepared: every case view reads them). */
    async liveDeadlines(db: DbOrTx, subject: SubjectKey): Promise<DeadlineRow[]> {
      return preparedOn(db, 'live_timers', liveTimersQuery).execute({
        type: subject.type,
        id: subject.id,
      });
    },

    async maxGeneration(db: DbOrTx, subject: SubjectKey, kind: string): Promise<number> {
      const [row] = await db
        .select({ g: sql<number>`coalesce(max(${caseDeadlines.generation}), 0)::int` })
        .from(caseDeadlines)
        .where(and(ofSubject(caseDeadlines, subject), eq(caseDeadlines.kind, kind)));
      return row?.g ?? 0;
    },

    async insertDeadline(tx: DbOrTx, values: NewDeadlineRow): Promise<void> {
      await tx.insert(caseDeadlines).values(values);
    },

    async updateDeadline(tx: DbOrTx, id: string, values: Partial<NewDeadlineRow>): Promise<void> {
      await tx.update(caseDeadlines).set(values).where(eq(caseDeadlines.id, id));
    },

    /**
     * Subjects with a live timer computed on an older calendar, keyset by (type, id). Their
     * adapters say which are still open: closed subjects are never recomputed.
     */
    async subjectsToRebuild(
      db: DbOrTx,
      version: number,
      after: SubjectKey | null,
      limit = 100,
    ): Promise<SubjectKey[]> {
      const rows = await db
        .selectDistinct({ type: caseDeadlines.subjectType, id: caseDeadlines.subjectId })
        .from(caseDeadlines)
        .where(
          and(
            isNull(caseDeadlines.supersededAt),
            lt(caseDeadlines.calendarVersion, version),
            after
              ? sql`(${caseDeadlines.subjectType}, ${caseDeadlines.subjectId}) > (${after.type}, ${after.id}::uuid)`
              : undefined,
          ),
        )
        .orderBy(asc(caseDeadlines.subjectType), asc(caseDeadlines.subjectId))
        .limit(limit);
      return rows;
    },

    /** Live, running timers (due date known, clock not stopped, not met), soonest first. */
    async running(db: DbOrTx, filter: { type: string; ids?: readonly string[] }) {
      if (filter.ids?.length === 0) return [];
      return db
        .select()
        .from(caseDeadlines)
        .where(
          and(
            isNull(caseDeadlines.supersededAt),
            eq(caseDeadlines.stopped, false),
            isNull(caseDeadlines.completedOn),
            isNotNull(caseDeadlines.effectiveDueOn),
            eq(caseDeadlines.subjectType, filter.type),
            filter.ids ? inArray(caseDeadlines.subjectId, [...filter.ids]) : undefined,
          ),
        )
        .orderBy(asc(caseDeadlines.effectiveDueOn));
    },

    async insertNotification(tx: DbOrTx, values: typeof deadlineNotifications.$inferInsert) {
      const rows = await tx
        .insert(deadlineNotifications)
        .values(values)
        .onConflictDoNothing()
        .returning({ id: deadlineNotifications.id });
      return rows[0]?.id;
    },

    /** Unsent earlier stages of the same generation are skipped: only the latest is sent. */
    async skipEarlier(tx: DbOrTx, key: GenerationKey, earlier: string[]): Promise<number> {
      if (earlier.length === 0) return 0;
      const rows = await tx
        .update(deadlineNotifications)
        .set({ status: 'skipped', reason: 'a later stage was reached first' })
        .where(
          and(
            notificationsOf(key),
            eq(deadlineNotifications.status, 'pending'),
            inArray(deadlineNotifications.stage, earlier as never),
          ),
        )
        .returning({ id: deadlineNotifications.id });
      return rows.length;
    },

    /**
     * Pending rows whose timer generation is no longer live and running (moved, stopped,
     * met, or its subject closed: closing stops the clock).
     */
    async cancelStale(tx: DbOrTx): Promise<number> {
      const rows = await tx
        .update(deadlineNotifications)
        .set({ status: 'cancelled', reason: 'the deadline changed or the case is no longer open' })
        .where(
          and(
            eq(deadlineNotifications.status, 'pending'),
            sql`not exists (select 1 from ${caseDeadlines} d
              where d.subject_type = ${deadlineNotifications.subjectType}
              and d.subject_id = ${deadlineNotifications.subjectId}
              and d.kind = ${deadlineNotifications.kind}
              and d.generation = ${deadlineNotifications.generation} and d.superseded_at is null
              and not d.stopped and d.completed_on is null)`,
          ),
        )
        .returning({ id: deadlineNotifications.id });
      return rows.length;
    },

    async pendingFor(
      db: DbOrTx,
      keys: Array<GenerationKey & { stage: string }>,
    ): Promise<NotificationRow[]> {
      if (keys.length === 0) return [];
      return db
        .select()
        .from(deadlineNotifications)
        .where(
          and(
            eq(deadlineNotifications.status, 'pending'),
            or(
              ...keys.map((k) =>
                and(notificationsOf(k), eq(deadlineNotifications.stage, k.stage as never)),
              ),
            ),
          ),
        );
    },

    async lockNotification(tx: DbOrTx, id: string): Promise<NotificationRow | undefined> {
      const [row] = await tx
        .select()
        .from(deadlineNotifications)
        .where(eq(deadlineNotifications.id, id))
        .for('update');
      return row;
    },

    async updateNotification(
      tx: DbOrTx,
      id: string,
      values: Partial<typeof deadlineNotifications.$inferInsert>,
    ): Promise<void> {
      await tx.update(deadlineNotifications).set(values).where(eq(deadlineNotifications.id, id));
    },

    async notifications(db: DbOrTx, subject: SubjectKey): Promise<NotificationRow[]> {
      return db
        .select()
        .from(deadlineNotifications)
        .where(ofSubject(deadlineNotifications, subject))
        .orderBy(desc(deadlineNotifications.createdAt));
    },

    user: staffMember,

    async activeUsers(db: DbOrTx, roles: Array<'caseworker' | 'manager' | 'admin'>) {
      return db
        .select({ id: users.id, email: users.email, name: users.name, role: users.role })
        .from(users)
        .where(and(inArray(users.role, roles), isNull(users.disabledAt)))
        .orderBy(asc(users.email));
    },
  };
}
export type DeadlinesRepository = ReturnType<typeof createDeadlinesRepository>;

/** True when an email with this Message-ID was already written (the digest's ledger). */
export async function emailExists(db: DbOrTx, messageId: string): Promise<boolean> {
  const rows = await db
    .select({ id: emailMessages.id })
    .from(emailMessages)
    .where(eq(emailMessages.messageId, messageId));
  return rows.length > 0;
}
