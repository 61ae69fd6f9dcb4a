/**
 * Taking, moving and freeing places (docs/rules/surgeries.md §2, §5). The place is taken by
 * the conditional UPDATE in the repository; every change to a booking's status changes the
 * slot's `booked` in the same transaction, with its email and jobs in the outbox.
 */
import { randomUUID } from 'node:crypto';
import type { Db, DbOrTx } from '../../db/client.js';
import type { BookingRow, SlotRow, SurgeryRow } from '../../db/schema/index.js';
import type { Clock } from '../lib/clock.js';
import { londonDateOf } from '../lib/dates.js';
import type { Actor, AuditLog } from '../platform/audit.js';
import { enqueue } from '../platform/outbox.js';
import { validationError } from '../platform/errors.js';
import { surgeryAudit } from './audit.js';
import {
  alreadyBooked,
  alreadyCancelled,
  bookingNotFound,
  keyReused,
  NotBookableError,
  slotNotFound,
  SlotFullError,
  tooLateToCancel,
  type Unbookable,
} from './errors.js';
import type { Place, SurgeryEmails } from './emails.js';
import { normalisePerson, personProblems, requestHash, type PersonInput } from './people.js';
import { pgConstraint, pgErrorCode } from '../../db/errors.js';
import type { SurgeriesRepository } from './repository.js';
import { hashToken, TOKEN_RE, type SurgeryTokens } from './tokens.js';
import { sameTimeDayBefore } from './time.js';

const DAY_MS = 24 * 60 * 60_000;
/** Cancelling with less than this left is counted as late (§5). */
export const LATE_CANCEL_MS = DAY_MS;

export interface BookingReceipt {
  id: string;
  reference: string;
  status: BookingRow['status'];
  slotId: string;
  surgeryId: string;
  startsAt: string;
  replayed: boolean;
}

export interface BookingDeps {
  db: Db;
  clock: Clock;
  audit: AuditLog;
  repo: SurgeriesRepository;
  emails: SurgeryEmails;
  tokens: SurgeryTokens;
}

class PlaceGone extends Error {}

const receipt = (booking: BookingRow, startsAt: Date, replayed: boolean): BookingReceipt => ({
  id: booking.id,
  reference: booking.reference,
  status: booking.status,
  slotId: booking.slotId,
  surgeryId: booking.surgeryId,
  startsAt: startsAt.toISOString(),
  replayed,
});

/** Why a slot cannot be booked online now, or null (§2.3). Staff skip the window only. */
export function unbookableReason(
  surgery: SurgeryRow,
  slot: SlotRow,
  now: Date,
  opts: { staff?: boolean } = {},
): Unbookable | null {
  if (slot.startsAt.getTime() <= now.getTime()) return 'past';
  if (surgery.status !== 'published' || surgery.kind !== 'public') return 'not_published';
  if (slot.closedAt) return 'slot_closed';
  if (opts.staff) return null;
  if (surgery.bookingOpensAt && now < surgery.bookingOpensAt) return 'not_open_yet';
  if (surgery.bookingClosesAt && now >= surgery.bookingClosesAt) return 'closed';
  if (now.getTime() > slot.startsAt.getTime() - surgery.minNoticeMinutes * 60_000)
    return 'too_late';
  return null;
}

/** Earliest start still bookable online: after the minimum notice. */
export const earliestBookable = (surgery: SurgeryRow, now: Date) =>
  new Date(now.getTime() + surgery.minNoticeMinutes * 60_000);

/** The reminder instant: same London time the day before, unless that is already past (§6). */
export function reminderDue(startsAt: Date, now: Date): Date | null {
  if (startsAt.getTime() - now.getTime() < DAY_MS) return null;
  const due = sameTimeDayBefore(startsAt);
  return due.getTime() > now.getTime() ? due : null;
}

/**
 * What changes on a booking whose time has moved: the calendar entry's sequence goes up (so
 * the new .ics replaces the old, docs/rules/surgeries.md §4) and the reminder is due again
 * for the new time (§6).
 */
export const movedBooking = (booking: BookingRow, startsAt: Date, now: Date) => ({
  icsSequence: booking.icsSequence + 1,
  reminderDueAt: reminderDue(startsAt, now),
  reminderAttemptedAt: null,
  reminderSentAt: null,
});

export function createBookingService(deps: BookingDeps) {
  const { db, clock, repo, emails, tokens } = deps;
  const audited = surgeryAudit(deps.audit);

  async function placeOf(tx: DbOrTx, slotId: string): Promise<Place | undefined> {
    return repo.place(tx, slotId);
  }

  async function freeTimes(surgery: SurgeryRow, now: Date, staff = false) {
    const open =
      surgery.status === 'published' &&
      (staff ||
        ((!surgery.bookingOpensAt || surgery.bookingOpensAt <= now) &&
          (!surgery.bookingClosesAt || now < surgery.bookingClosesAt)));
    if (!open) return [];
    return repo.freeTimes(db, surgery.id, staff ? now : earliestBookable(surgery, now));
  }

  async function replay(key: string, hash: string): Promise<BookingReceipt | undefined> {
    const first = await repo.bookingByKey(db, key);
    if (!first) return undefined;
    if (first.requestHash !== hash) throw keyReused();
    const slot = (await repo.slot(db, first.slotId))!;
    return receipt(first, slot.startsAt, true);
  }

  /**
   * Books a place (§2.5). With a key: a repeat returns the first booking (no new email); the
   * same key with other answers gets 422. A full slot gives 409 with the next free times.
   */
  async function book(
    actor: Actor,
    slotId: string,
    input: PersonInput,
    opts: { key?: string | null; channel?: 'online' | 'staff' } = {},
  ): Promise<BookingReceipt> {
    const problems = personProblems(input, { requireArea: false });
    if (Object.keys(problems).length > 0) throw validationError(problems);
    const person = normalisePerson(input);
    const hash = requestHash(slotId, person);
    const key = opts.key ?? null;
    if (key) {
      const first = await replay(key, hash);
      if (first) return first;
    }
    const place = await placeOf(db, slotId);
    if (!place) throw slotNotFound();
    const now = clock.now();
    const staff = opts.channel === 'staff';
    const reason = unbookableReason(place.surgery, place.slot, now, { staff });
    if (reason) throw new NotBookableError(reason, await freeTimes(place.surgery, now, staff));
    if (place.slot.booked >= place.slot.capacity) {
      // Already full when read: most losers of a rush end here, without a transaction (the
      // bench's 409s cost half as many round trips). Only a shortcut: a place freed since
      // the read is simply missed, and the conditional UPDATE below stays the guard.
      if (key) {
        const first = await replay(key, hash);
        if (first) return first;
      }
      throw new SlotFullError(await freeTimes(place.surgery, now, staff));
    }

    const id = randomUUID();
    try {
      const booking = await db.transaction(async (tx) => {
        if (!(await repo.takePlace(tx, slotId))) throw new PlaceGone();
        const row = await repo.insertBooking(
          tx,
          {
            id,
            surgeryId: place.surgery.id,
            slotId,
            status: 'confirmed',
            channel: opts.channel ?? 'online',
            ...person,
            idempotencyKey: key,
            requestHash: key ? hash : null,
            manageTokenHash: hashToken(tokens.manage(id, 1)),
            tokenVersion: 1,
            icsSequence: 0,
            reminderDueAt: reminderDue(place.slot.startsAt, now),
            createdAt: now,
            confirmedAt: now,
          },
          Number(londonDateOf(now).slice(0, 4)),
        );
        await emails.confirmation(tx, row, place, 'booked');
        await audited.booking(tx, actor, 'surgeries.booking.create', row.id);
        return row;
      });
      return receipt(booking, place.slot.startsAt, false);
    } catch (error) {
      if (error instanceof PlaceGone || pgErrorCode(error) === '23514') {
        // The lock holder has committed: it may have been this same request, retried.
        if (key) {
          const first = await replay(key, hash);
          if (first) return first;
        }
        throw new SlotFullError(await freeTimes(place.surgery, now, staff));
      }
      if (pgErrorCode(error) === '23505') {
        const constraint = pgConstraint(error);
        if (constraint === 'surgery_booking_idempotency_uq' && key) {
          const first = await replay(key, hash);
          if (first) return first;
        }
        if (constraint === 'surgery_booking_person_uq') throw alreadyBooked();
      }
      throw error;
    }
  }

  /** The booking a manage link names, or 404 (a wrong or old token finds nothing). */
  async function byToken(token: string) {
    if (!TOKEN_RE.test(token)) throw bookingNotFound();
    const booking = await repo.bookingByTokenHash(db, hashToken(token));
    if (!booking) throw bookingNotFound();
    return booking;
  }

  /** Frees the place: cancelled, `booked − 1`, SEQUENCE + 1, CANCEL email, waiting list told. */
  async function cancelIn(
    tx: DbOrTx,
    actor: Actor,
    bookingId: string,
    by: 'person' | 'office',
    opts: { allowStarted?: boolean } = {},
  ) {
    const booking = await repo.booking(tx, bookingId, { lock: true });
    if (!booking) throw bookingNotFound();
    if (booking.status !== 'confirmed' && booking.status !== 'held') throw alreadyCancelled();
    const place = (await placeOf(tx, booking.slotId))!;
    const now = clock.now();
    if (!opts.allowStarted && place.slot.startsAt.getTime() <= now.getTime())
      throw tooLateToCancel();
    const wasConfirmed = booking.status === 'confirmed';
    const updated = (await repo.updateBooking(tx, booking.id, {
      status: wasConfirmed ? 'cancelled' : 'expired',
      cancelledAt: now,
      cancelledBy: by,
      cancelledLate: place.slot.startsAt.getTime() - now.getTime() < LATE_CANCEL_MS,
      icsSequence: booking.icsSequence + 1,
      holdExpiresAt: null,
    }))!;
    await repo.freePlace(tx, booking.slotId);
    if (wasConfirmed) await emails.cancellation(tx, updated, place, by === 'office');
    await enqueue(tx, 'waitlist-offer', { surgeryId: booking.surgeryId, slotId: booking.slotId });
    await audited.booking(
      tx,
      actor,
      'surgeries.booking.cancel',
      booking.id,
      by === 'office' ? 'cancelled by the office' : null,
    );
    return updated;
  }

  /** Moves a booking to another slot of the same surgery: same UID, SEQUENCE + 1. */
  async function move(actor: Actor, bookingId: string, toSlotId: string, opts: { staff: boolean }) {
    const now = clock.now();
    const target = await placeOf(db, toSlotId);
    if (!target) throw slotNotFound();
    const reason = unbookableReason(target.surgery, target.slot, now, { staff: opts.staff });
    if (reason)
      throw new NotBookableError(reason, await freeTimes(target.surgery, now, opts.staff));
    try {
      return await db.transaction(async (tx) => {
        const booking = await repo.booking(tx, bookingId, { lock: true });
        if (!booking) throw bookingNotFound();
        if (booking.status !== 'confirmed') throw alreadyCancelled();
        if (booking.surgeryId !== target.surgery.id) throw slotNotFound();
        if (booking.slotId === toSlotId) return booking;
        if (!(await repo.takePlace(tx, toSlotId))) throw new PlaceGone();
        await repo.freePlace(tx, booking.slotId);
        const updated = (await repo.updateBooking(tx, booking.id, {
          slotId: toSlotId,
          ...movedBooking(booking, target.slot.startsAt, now),
        }))!;
        await emails.confirmation(tx, updated, target, 'moved');
        await enqueue(tx, 'waitlist-offer', {
          surgeryId: booking.surgeryId,
          slotId: booking.slotId,
        });
        await audited.booking(tx, actor, 'surgeries.booking.move', booking.id);
        return updated;
      });
    } catch (error) {
      if (error instanceof PlaceGone || pgErrorCode(error) === '23514')
        throw new SlotFullError(await freeTimes(target.surgery, now, opts.staff));
      throw error;
    }
  }

  return {
    book,
    byToken,
    placeOf: (slotId: string) => placeOf(db, slotId),
    placeOfIn: placeOf,
    freeTimes,
    move,
    cancelIn,
    /** Cancel from a manage link (a POST; the link itself changes nothing). */
    async cancelByToken(actor: Actor, token: string) {
      const booking = await byToken(token);
      return db.transaction((tx) => cancelIn(tx, actor, booking.id, 'person'));
    },
    async cancelById(actor: Actor, bookingId: string, by: 'person' | 'office') {
      return db.transaction((tx) => cancelIn(tx, actor, bookingId, by));
    },
    /** A new manage link: the old one stops working (§5). */
    async newLink(actor: Actor, bookingId: string) {
      return db.transaction(async (tx) => {
        const booking = await repo.booking(tx, bookingId, { lock: true });
        if (!booking) throw bookingNotFound();
        const version = booking.tokenVersion + 1;
        const updated = (await repo.updateBooking(tx, booking.id, {
          tokenVersion: version,
          manageTokenHash: hashToken(tokens.manage(booking.id, version)),
        }))!;
        await audited.booking(tx, actor, 'surgeries.booking.new_link', booking.id);
        return updated;
      });
    },
  };
}
export type BookingService = ReturnType<typeof createBookingService>;
