import { and, asc, eq, inArray, isNull, lt, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import {
  bankHolidays,
  complaintReminders,
  complaints,
  complaintTimers,
  holidayCalendar,
} from '../../db/schema/index.js';
import type { Holiday } from '../lib/calendar.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type TimerRow = typeof complaintTimers.$inferSelect;
type ReminderRow = typeof complaintReminders.$inferSelect;

/** Timer, reminder and working-day calendar queries (part of the complaints repository). */
export const timerQueries = {
  // ---- Timers and reminders ------------------------------------------------------------

  async liveTimers(tx: DbOrTx, id: string): Promise<TimerRow[]> {
    return tx
      .select()
      .from(complaintTimers)
      .where(and(eq(complaintTimers.complaintId, id), isNull(complaintTimers.supersededAt)))
      .orderBy(asc(complaintTimers.dueOn));
  },
  async supersedeTimer(tx: DbOrTx, timerId: string, now: Date) {
    await tx
      .update(complaintTimers)
      .set({ supersededAt: now })
      .where(eq(complaintTimers.id, timerId));
  },
  async setTimerStopped(
    tx: DbOrTx,
    timerId: string,
    stopped: boolean,
    stoppedOn: string | null,
    explanation: Record<string, unknown>,
    calendarVersion: number,
  ) {
    await tx
      .update(complaintTimers)
      .set({ stopped, stoppedOn, explanation, calendarVersion })
      .where(eq(complaintTimers.id, timerId));
  },
  async insertTimer(tx: DbOrTx, row: typeof complaintTimers.$inferInsert) {
    await tx.insert(complaintTimers).values(row);
  },
  async maxGeneration(tx: DbOrTx, id: string, kind: string): Promise<number> {
    const [row] = await tx
      .select({ g: sql<number>`coalesce(max(${complaintTimers.generation}), 0)`.mapWith(Number) })
      .from(complaintTimers)
      .where(and(eq(complaintTimers.complaintId, id), eq(complaintTimers.kind, kind)));
    return row?.g ?? 0;
  },
  /** Running timers of complaints not disposed of, for the reminder scan. */
  async runningTimers(tx: DbOrTx) {
    return tx
      .select({ timer: complaintTimers, status: complaints.status })
      .from(complaintTimers)
      .innerJoin(complaints, eq(complaints.id, complaintTimers.complaintId))
      .where(
        and(
          isNull(complaintTimers.supersededAt),
          eq(complaintTimers.stopped, false),
          isNull(complaints.disposedAt),
          isNull(complaints.concludedOn),
        ),
      );
  },
  /** Complaints whose live timers were worked out on an older holiday calendar. */
  async staleCalendar(tx: DbOrTx, version: number): Promise<string[]> {
    const rows = await tx
      .selectDistinct({ id: complaintTimers.complaintId })
      .from(complaintTimers)
      .innerJoin(complaints, eq(complaints.id, complaintTimers.complaintId))
      .where(
        and(
          isNull(complaintTimers.supersededAt),
          lt(complaintTimers.calendarVersion, version),
          isNull(complaints.concludedOn),
        ),
      );
    return rows.map((r) => r.id);
  },
  async windowsToClose(tx: DbOrTx, today: string): Promise<string[]> {
    const rows = await tx
      .select({ id: complaints.id })
      .from(complaints)
      .innerJoin(complaintTimers, eq(complaintTimers.complaintId, complaints.id))
      .where(
        and(
          eq(complaints.status, 'review_window'),
          eq(complaints.suspended, false),
          eq(complaintTimers.kind, 'review_window'),
          isNull(complaintTimers.supersededAt),
          lt(complaintTimers.dueOn, today),
        ),
      );
    return rows.map((r) => r.id);
  },
  async insertReminder(
    tx: DbOrTx,
    row: typeof complaintReminders.$inferInsert,
  ): Promise<string | undefined> {
    const [created] = await tx
      .insert(complaintReminders)
      .values(row)
      .onConflictDoNothing()
      .returning({ id: complaintReminders.id });
    return created?.id;
  },
  async skipEarlier(
    tx: DbOrTx,
    key: { complaintId: string; kind: string; generation: number },
    stages: string[],
  ) {
    if (!stages.length) return;
    await tx
      .update(complaintReminders)
      .set({ status: 'skipped', reason: 'a later stage was reached first' })
      .where(
        and(
          eq(complaintReminders.complaintId, key.complaintId),
          eq(complaintReminders.kind, key.kind),
          eq(complaintReminders.generation, key.generation),
          inArray(complaintReminders.stage, stages),
          eq(complaintReminders.status, 'pending'),
        ),
      );
  },
  async pendingReminders(tx: DbOrTx): Promise<string[]> {
    const rows = await tx
      .select({ id: complaintReminders.id })
      .from(complaintReminders)
      .where(eq(complaintReminders.status, 'pending'))
      .orderBy(asc(complaintReminders.createdAt));
    return rows.map((r) => r.id);
  },
  async lockReminder(tx: DbOrTx, id: string): Promise<ReminderRow | undefined> {
    if (!UUID.test(id)) return undefined;
    const [row] = await tx
      .select()
      .from(complaintReminders)
      .where(eq(complaintReminders.id, id))
      .for('update');
    return row;
  },
  async updateReminder(tx: DbOrTx, id: string, patch: Partial<ReminderRow>) {
    await tx.update(complaintReminders).set(patch).where(eq(complaintReminders.id, id));
  },
  async reminders(tx: DbOrTx, complaintId: string) {
    return tx
      .select()
      .from(complaintReminders)
      .where(eq(complaintReminders.complaintId, complaintId))
      .orderBy(asc(complaintReminders.createdAt));
  },

  // ---- The working-day calendar (read-only: the deadlines domain owns the table) -------

  async calendarVersion(tx: DbOrTx): Promise<number> {
    const [row] = await tx.select({ v: holidayCalendar.version }).from(holidayCalendar);
    return row?.v ?? 0;
  },
  async liveHolidays(tx: DbOrTx): Promise<Holiday[]> {
    const rows = await tx
      .select()
      .from(bankHolidays)
      .where(isNull(bankHolidays.removedAt))
      .orderBy(asc(bankHolidays.date));
    return rows.map((r) => ({
      division: r.division,
      date: r.date,
      title: r.title,
      ...(r.notes ? { notes: r.notes } : {}),
    }));
  },
};
