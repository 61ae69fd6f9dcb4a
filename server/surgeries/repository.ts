/**
 * Every surgeries query. Time always arrives as a parameter (`$now` from the injected
 * clock): no `now()` in these statements (docs/rules/surgeries.md §2.4).
 */
import { and, asc, desc, eq, gt, inArray, isNull, lt, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { insertRow, rowWhere, updateRow } from '../../db/rows.js';
import {
  streetConversations,
  surgeries,
  surgeryBookings,
  surgeryJourneys,
  surgeryNotes,
  surgerySlots,
  surgeryWaitlist,
  venues,
  type NewBookingRow,
  type NewSlotRow,
  type NewStreetConversationRow,
  type NewSurgeryNoteRow,
  type NewSurgeryRow,
  type NewVenueRow,
  type NewWaitlistRow,
  type SurgeryRow,
} from '../../db/schema/index.js';
import type { FreeTime } from './errors.js';

// The booking and waiting-list services read constraint failures through the repository.

export function createSurgeriesRepository() {
  return {
    async insertVenue(tx: DbOrTx, row: NewVenueRow) {
      return insertRow(tx, venues, row);
    },
    async venues(tx: DbOrTx) {
      return tx.select().from(venues).orderBy(asc(venues.name));
    },
    async venue(tx: DbOrTx, id: string) {
      return rowWhere(tx, venues, eq(venues.id, id));
    },
    async insertSurgery(tx: DbOrTx, row: NewSurgeryRow) {
      return insertRow(tx, surgeries, row);
    },
    async insertSlots(tx: DbOrTx, rows: NewSlotRow[]) {
      if (rows.length === 0) return [];
      return tx.insert(surgerySlots).values(rows).returning();
    },
    async surgery(tx: DbOrTx, id: string, opts: { lock?: boolean } = {}) {
      const query = tx.select().from(surgeries).where(eq(surgeries.id, id));
      const [row] = opts.lock ? await query.for('update') : await query;
      return row;
    },
    async updateSurgery(tx: DbOrTx, id: string, set: Partial<NewSurgeryRow>) {
      return updateRow(tx, surgeries, set, eq(surgeries.id, id));
    },
    async listSurgeries(tx: DbOrTx, filter: { from?: Date; to?: Date; host?: string }) {
      const where = [];
      if (filter.from) where.push(sql`${surgeries.startsAt} >= ${filter.from.toISOString()}`);
      if (filter.to) where.push(sql`${surgeries.startsAt} < ${filter.to.toISOString()}`);
      if (filter.host) where.push(eq(surgeries.host, filter.host as SurgeryRow['host']));
      return tx
        .select({
          surgery: surgeries,
          venueName: venues.name,
          places: sql<number>`coalesce((select sum(capacity) from surgery_slot s where s.surgery_id = ${surgeries.id}), 0)::int`,
          booked: sql<number>`coalesce((select sum(booked) from surgery_slot s where s.surgery_id = ${surgeries.id}), 0)::int`,
        })
        .from(surgeries)
        .leftJoin(venues, eq(venues.id, surgeries.venueId))
        .where(where.length ? and(...where) : undefined)
        .orderBy(asc(surgeries.startsAt));
    },
    async slots(tx: DbOrTx, surgeryId: string) {
      return tx
        .select()
        .from(surgerySlots)
        .where(eq(surgerySlots.surgeryId, surgeryId))
        .orderBy(asc(surgerySlots.startsAt));
    },
    /** A slot with its surgery and venue in one round trip (the booking path reads it first). */
    async place(tx: DbOrTx, slotId: string) {
      const [row] = await tx
        .select({ slot: surgerySlots, surgery: surgeries, venue: venues })
        .from(surgerySlots)
        .innerJoin(surgeries, eq(surgeries.id, surgerySlots.surgeryId))
        .leftJoin(venues, eq(venues.id, surgeries.venueId))
        .where(eq(surgerySlots.id, slotId));
      return row
        ? { slot: row.slot, surgery: row.surgery, venue: row.venue ?? undefined }
        : undefined;
    },

    async slot(tx: DbOrTx, slotId: string) {
      return rowWhere(tx, surgerySlots, eq(surgerySlots.id, slotId));
    },
    /** Published public surgeries that have not started, soonest first. */
    async upcomingPublic(tx: DbOrTx, now: Date) {
      return tx
        .select({ surgery: surgeries, venue: venues })
        .from(surgeries)
        .leftJoin(venues, eq(venues.id, surgeries.venueId))
        .where(
          and(
            eq(surgeries.kind, 'public'),
            eq(surgeries.status, 'published'),
            gt(surgeries.startsAt, now),
          ),
        )
        .orderBy(asc(surgeries.startsAt));
    },
    async slotsOf(tx: DbOrTx, surgeryIds: string[]) {
      if (surgeryIds.length === 0) return [];
      return tx
        .select()
        .from(surgerySlots)
        .where(inArray(surgerySlots.surgeryId, surgeryIds))
        .orderBy(asc(surgerySlots.startsAt));
    },

    /**
     * Takes one place: the conditional UPDATE of §2.1. Concurrent callers queue on the row
     * lock and re-check `booked < capacity` after the winner commits; no row = full.
     */
    async takePlace(tx: DbOrTx, slotId: string) {
      const rows = await tx
        .update(surgerySlots)
        .set({ booked: sql`${surgerySlots.booked} + 1` })
        .where(
          and(
            eq(surgerySlots.id, slotId),
            lt(surgerySlots.booked, surgerySlots.capacity),
            isNull(surgerySlots.closedAt),
          ),
        )
        .returning({ id: surgerySlots.id });
      return rows.length === 1;
    },
    async freePlace(tx: DbOrTx, slotId: string) {
      await tx
        .update(surgerySlots)
        .set({ booked: sql`${surgerySlots.booked} - 1` })
        .where(eq(surgerySlots.id, slotId));
    },
    async closeSlot(tx: DbOrTx, slotId: string, now: Date) {
      return updateRow(
        tx,
        surgerySlots,
        { closedAt: now },
        and(eq(surgerySlots.id, slotId), isNull(surgerySlots.closedAt)),
      );
    },
    async moveSlot(tx: DbOrTx, slotId: string, startsAt: Date, endsAt: Date) {
      await tx.update(surgerySlots).set({ startsAt, endsAt }).where(eq(surgerySlots.id, slotId));
    },
    async reopenSlot(tx: DbOrTx, slotId: string) {
      return updateRow(tx, surgerySlots, { closedAt: null }, eq(surgerySlots.id, slotId));
    },

    /** Up to `limit` bookable times at a surgery from `earliest` on, soonest first. */
    async freeTimes(tx: DbOrTx, surgeryId: string, earliest: Date, limit = 5): Promise<FreeTime[]> {
      const rows = await tx
        .select()
        .from(surgerySlots)
        .where(
          and(
            eq(surgerySlots.surgeryId, surgeryId),
            lt(surgerySlots.booked, surgerySlots.capacity),
            isNull(surgerySlots.closedAt),
            sql`${surgerySlots.startsAt} >= ${earliest.toISOString()}`,
          ),
        )
        .orderBy(asc(surgerySlots.startsAt))
        .limit(limit);
      return rows.map((r) => ({
        slotId: r.id,
        startsAt: r.startsAt.toISOString(),
        placesLeft: r.capacity - r.booked,
      }));
    },

    async insertBooking(tx: DbOrTx, row: Omit<NewBookingRow, 'reference'>, year: number) {
      const [booking] = await tx
        .insert(surgeryBookings)
        .values({
          ...row,
          reference: sql`'SB-' || ${String(year)} || '-' || lpad(nextval('surgery_booking_ref_seq')::text, 5, '0')`,
        })
        .returning();
      return booking!;
    },
    async bookingByKey(tx: DbOrTx, key: string) {
      return rowWhere(tx, surgeryBookings, eq(surgeryBookings.idempotencyKey, key));
    },
    async booking(tx: DbOrTx, id: string, opts: { lock?: boolean } = {}) {
      const query = tx.select().from(surgeryBookings).where(eq(surgeryBookings.id, id));
      const [row] = opts.lock ? await query.for('update') : await query;
      return row;
    },
    async bookingByTokenHash(tx: DbOrTx, hash: string) {
      return rowWhere(tx, surgeryBookings, eq(surgeryBookings.manageTokenHash, hash));
    },
    async updateBooking(tx: DbOrTx, id: string, set: Partial<NewBookingRow>) {
      return updateRow(tx, surgeryBookings, set, eq(surgeryBookings.id, id));
    },
    async bookingsOfSurgery(tx: DbOrTx, surgeryId: string) {
      return tx
        .select({
          booking: surgeryBookings,
          slotStartsAt: surgerySlots.startsAt,
          notes: sql<number>`(select count(*) from surgery_note n where n.booking_id = ${surgeryBookings.id})::int`,
        })
        .from(surgeryBookings)
        .innerJoin(surgerySlots, eq(surgerySlots.id, surgeryBookings.slotId))
        .where(eq(surgeryBookings.surgeryId, surgeryId))
        .orderBy(asc(surgerySlots.startsAt), asc(surgeryBookings.createdAt));
    },
    async activeBookingsOfSurgery(tx: DbOrTx, surgeryId: string) {
      return tx
        .select()
        .from(surgeryBookings)
        .where(
          and(
            eq(surgeryBookings.surgeryId, surgeryId),
            inArray(surgeryBookings.status, ['held', 'confirmed']),
          ),
        )
        .for('update');
    },

    // ---- Notes and street conversations ------------------------------------------------
    async insertNote(tx: DbOrTx, row: NewSurgeryNoteRow) {
      return insertRow(tx, surgeryNotes, row);
    },
    async notes(tx: DbOrTx, bookingId: string) {
      return tx
        .select()
        .from(surgeryNotes)
        .where(eq(surgeryNotes.bookingId, bookingId))
        .orderBy(asc(surgeryNotes.createdAt));
    },
    async insertConversation(tx: DbOrTx, row: NewStreetConversationRow) {
      return insertRow(tx, streetConversations, row);
    },
    async conversations(tx: DbOrTx, surgeryId: string) {
      return tx
        .select()
        .from(streetConversations)
        .where(eq(streetConversations.surgeryId, surgeryId))
        .orderBy(desc(streetConversations.createdAt));
    },

    // ---- Waiting list --------------------------------------------------------------------
    async insertWaiting(tx: DbOrTx, row: NewWaitlistRow) {
      return insertRow(tx, surgeryWaitlist, row);
    },
    /** The oldest waiting entry, locked; one another offer holds is skipped, not waited for. */
    async nextWaiting(tx: DbOrTx, surgeryId: string) {
      const [row] = await tx
        .select()
        .from(surgeryWaitlist)
        .where(and(eq(surgeryWaitlist.surgeryId, surgeryId), eq(surgeryWaitlist.status, 'waiting')))
        .orderBy(asc(surgeryWaitlist.joinedAt), asc(surgeryWaitlist.id))
        .limit(1)
        .for('update', { skipLocked: true });
      return row;
    },
    async updateWaiting(tx: DbOrTx, id: string, set: Partial<NewWaitlistRow>) {
      return updateRow(tx, surgeryWaitlist, set, eq(surgeryWaitlist.id, id));
    },
    async waitingByOfferHash(tx: DbOrTx, hash: string) {
      return rowWhere(tx, surgeryWaitlist, eq(surgeryWaitlist.offerTokenHash, hash));
    },
    async closeWaitlist(tx: DbOrTx, surgeryId: string, now: Date) {
      await tx
        .update(surgeryWaitlist)
        .set({ status: 'removed', closedAt: now })
        .where(
          and(
            eq(surgeryWaitlist.surgeryId, surgeryId),
            inArray(surgeryWaitlist.status, ['waiting', 'offered']),
          ),
        );
    },
    async waitingById(tx: DbOrTx, id: string) {
      return rowWhere(tx, surgeryWaitlist, eq(surgeryWaitlist.id, id));
    },
    async waitingByBooking(tx: DbOrTx, bookingId: string) {
      return rowWhere(tx, surgeryWaitlist, eq(surgeryWaitlist.offerBookingId, bookingId));
    },
    async waitlist(tx: DbOrTx, surgeryId: string) {
      return tx
        .select()
        .from(surgeryWaitlist)
        .where(eq(surgeryWaitlist.surgeryId, surgeryId))
        .orderBy(asc(surgeryWaitlist.joinedAt), asc(surgeryWaitlist.id));
    },
    /** Held offers whose time ran out, locked for the sweep. */
    async lapsedHolds(tx: DbOrTx, now: Date, limit = 100) {
      return tx
        .select()
        .from(surgeryBookings)
        .where(and(eq(surgeryBookings.status, 'held'), lt(surgeryBookings.holdExpiresAt, now)))
        .limit(limit)
        .for('update', { skipLocked: true });
    },

    // ---- Reminders -------------------------------------------------------------------------
    async dueReminders(tx: DbOrTx, now: Date, limit = 500) {
      return tx
        .select({ id: surgeryBookings.id })
        .from(surgeryBookings)
        .innerJoin(surgerySlots, eq(surgerySlots.id, surgeryBookings.slotId))
        .where(
          and(
            eq(surgeryBookings.status, 'confirmed'),
            isNull(surgeryBookings.reminderSentAt),
            sql`${surgeryBookings.reminderDueAt} <= ${now.toISOString()}`,
            gt(surgerySlots.startsAt, now),
          ),
        )
        .limit(limit);
    },
    /** Claims the reminder: unsent and unclaimed, or claimed longer ago than the lease. */
    async claimReminder(tx: DbOrTx, id: string, now: Date, leaseStart: Date) {
      const rows = await tx
        .update(surgeryBookings)
        .set({ reminderAttemptedAt: now })
        .where(
          and(
            eq(surgeryBookings.id, id),
            eq(surgeryBookings.status, 'confirmed'),
            isNull(surgeryBookings.reminderSentAt),
            sql`(${surgeryBookings.reminderAttemptedAt} is null or ${surgeryBookings.reminderAttemptedAt} < ${leaseStart.toISOString()})`,
          ),
        )
        .returning({ id: surgeryBookings.id });
      return rows.length === 1;
    },

    // ---- Journey answers -------------------------------------------------------------------
    async journey(tx: DbOrTx, id: string, since: Date) {
      return rowWhere(
        tx,
        surgeryJourneys,
        and(eq(surgeryJourneys.id, id), gt(surgeryJourneys.updatedAt, since)),
      );
    },
    async saveJourney(
      tx: DbOrTx,
      id: string | undefined,
      answers: Record<string, string>,
      now: Date,
    ) {
      if (id) {
        const [row] = await tx
          .update(surgeryJourneys)
          .set({ answers, updatedAt: now })
          .where(eq(surgeryJourneys.id, id))
          .returning({ id: surgeryJourneys.id });
        if (row) return row.id;
      }
      const [row] = await tx
        .insert(surgeryJourneys)
        .values({ answers, updatedAt: now })
        .returning({ id: surgeryJourneys.id });
      return row!.id;
    },
    async deleteJourneysBefore(tx: DbOrTx, cutoff: Date) {
      const rows = await tx
        .delete(surgeryJourneys)
        .where(lt(surgeryJourneys.updatedAt, cutoff))
        .returning({ id: surgeryJourneys.id });
      return rows.length;
    },
  };
}
export type SurgeriesRepository = ReturnType<typeof createSurgeriesRepository>;
