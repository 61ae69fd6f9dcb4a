/**
 * The waiting list (docs/rules/surgeries.md §7): FIFO by `joined_at, id`; a freed place is held
 * for the next person for a limited time, then offered to the one after.
 */
import { randomUUID } from 'node:crypto';
import { londonDateOf } from '../lib/dates.js';
import type { Actor } from '../platform/audit.js';
import { systemActor } from '../platform/audit.js';
import { enqueue } from '../platform/outbox.js';
import { validationError } from '../platform/errors.js';
import { surgeryAudit } from './audit.js';
import { reminderDue, type BookingDeps, type BookingService } from './booking.js';
import {
  alreadyWaiting,
  bookingNotFound,
  offerExpired,
  placesLeftOnList,
  surgeryNotFound,
} from './errors.js';
import { normalisePerson, personProblems, type PersonInput } from './people.js';
import { pgErrorCode } from '../../db/errors.js';
import { hashToken, TOKEN_RE } from './tokens.js';

/** How long a freed place is held for the person offered it. */
export const DEFAULT_HOLD_MS = 4 * 60 * 60_000;
/** Journey answers are kept this long (§3). */
export const JOURNEY_TTL_MS = 24 * 60 * 60_000;

export function createWaitlistService(
  deps: BookingDeps & { booking: BookingService; holdMs?: number },
) {
  const { db, clock, repo, emails, tokens, booking } = deps;
  const audited = surgeryAudit(deps.audit);
  const holdMs = deps.holdMs ?? DEFAULT_HOLD_MS;

  async function offerByToken(token: string) {
    if (!TOKEN_RE.test(token)) throw bookingNotFound();
    const entry = await repo.waitingByOfferHash(db, hashToken(token));
    if (!entry?.offerBookingId) throw bookingNotFound();
    const held = await repo.booking(db, entry.offerBookingId);
    if (!held) throw bookingNotFound();
    return { entry, booking: held };
  }

  return {
    offerByToken,

    /** Joins the list; only when no time at the surgery can be booked. */
    async join(actor: Actor, surgeryId: string, input: PersonInput) {
      const problems = personProblems(input, { requireArea: false });
      if (Object.keys(problems).length > 0) throw validationError(problems);
      const surgery = await repo.surgery(db, surgeryId);
      if (!surgery || surgery.status !== 'published' || surgery.kind !== 'public')
        throw surgeryNotFound();
      const now = clock.now();
      if ((await booking.freeTimes(surgery, now)).length > 0) throw placesLeftOnList();
      const person = normalisePerson(input);
      try {
        return await db.transaction(async (tx) => {
          const entry = await repo.insertWaiting(tx, {
            surgeryId,
            name: person.name,
            email: person.email,
            phone: person.phone,
            area: person.area,
            joinedAt: now,
          });
          await audited.waiting(tx, actor, 'surgeries.waitlist.join', entry.id);
          return entry;
        });
      } catch (error) {
        if (pgErrorCode(error) === '23505') throw alreadyWaiting();
        throw error;
      }
    },

    /**
     * `waitlist-offer`: holds the freed place for the oldest waiting person, in one
     * transaction. Nothing when nobody waits, the place has gone again, or the hold would
     * end inside the surgery's minimum notice.
     */
    async offer(surgeryId: string, slotId: string): Promise<string> {
      return db.transaction(async (tx) => {
        const now = clock.now();
        const surgery = await repo.surgery(tx, surgeryId);
        const slot = await repo.slot(tx, slotId);
        if (!surgery || !slot || surgery.status !== 'published') return 'no-surgery';
        const holdEnds = new Date(now.getTime() + holdMs);
        if (holdEnds.getTime() > slot.startsAt.getTime() - surgery.minNoticeMinutes * 60_000)
          return 'too-late';
        if (slot.closedAt) return 'slot-closed';
        const entry = await repo.nextWaiting(tx, surgeryId);
        if (!entry) return 'nobody-waiting';
        if (!(await repo.takePlace(tx, slotId))) return 'place-gone';
        const id = randomUUID();
        const held = await repo.insertBooking(
          tx,
          {
            id,
            surgeryId,
            slotId,
            status: 'held',
            channel: 'waitlist',
            name: entry.name,
            email: entry.email,
            phone: entry.phone,
            area: entry.area,
            manageTokenHash: hashToken(tokens.manage(id, 1)),
            holdExpiresAt: holdEnds,
            createdAt: now,
          },
          Number(londonDateOf(now).slice(0, 4)),
        );
        const offered = (await repo.updateWaiting(tx, entry.id, {
          status: 'offered',
          offerBookingId: id,
          offerTokenHash: hashToken(tokens.offer(entry.id, id)),
          offeredAt: now,
        }))!;
        const venue = surgery.venueId ? await repo.venue(tx, surgery.venueId) : undefined;
        await emails.offer(tx, offered, held, { surgery, slot, venue });
        await audited.waiting(tx, systemActor(), 'surgeries.waitlist.offer', entry.id);
        return 'offered';
      });
    },

    /** Accepts a held place while the hold lasts; afterwards "This offer has expired". */
    async accept(actor: Actor, token: string) {
      const { entry } = await offerByToken(token);
      return db.transaction(async (tx) => {
        const now = clock.now();
        const held = await repo.booking(tx, entry.offerBookingId!, { lock: true });
        if (!held || held.status !== 'held' || !held.holdExpiresAt || held.holdExpiresAt <= now)
          throw offerExpired();
        const place = (await booking.placeOfIn(tx, held.slotId))!;
        const confirmed = (await repo.updateBooking(tx, held.id, {
          status: 'confirmed',
          confirmedAt: now,
          holdExpiresAt: null,
          reminderDueAt: reminderDue(place.slot.startsAt, now),
        }))!;
        await repo.updateWaiting(tx, entry.id, { status: 'accepted', closedAt: now });
        await emails.confirmation(tx, confirmed, place, 'booked');
        await audited.booking(tx, actor, 'surgeries.waitlist.accept', held.id);
        return confirmed;
      });
    },

    async decline(actor: Actor, token: string) {
      const { entry } = await offerByToken(token);
      return db.transaction(async (tx) => {
        const now = clock.now();
        const held = await repo.booking(tx, entry.offerBookingId!, { lock: true });
        if (!held || held.status !== 'held') throw offerExpired();
        await repo.updateBooking(tx, held.id, {
          status: 'expired',
          holdExpiresAt: null,
          cancelledAt: now,
          cancelledBy: 'person',
        });
        await repo.freePlace(tx, held.slotId);
        await repo.updateWaiting(tx, entry.id, { status: 'declined', closedAt: now });
        await enqueue(tx, 'waitlist-offer', { surgeryId: held.surgeryId, slotId: held.slotId });
        await audited.waiting(tx, actor, 'surgeries.waitlist.decline', entry.id);
      });
    },

    /** `surgery-hold-sweep`: lapsed holds expire and their places are offered again. */
    async sweepHolds(): Promise<{ expired: number; journeysDeleted: number }> {
      const now = clock.now();
      const expired = await db.transaction(async (tx) => {
        const lapsed = await repo.lapsedHolds(tx, now);
        for (const held of lapsed) {
          await repo.updateBooking(tx, held.id, { status: 'expired', holdExpiresAt: null });
          await repo.freePlace(tx, held.slotId);
          const entry = await repo.waitingByBooking(tx, held.id);
          if (entry) await repo.updateWaiting(tx, entry.id, { status: 'expired', closedAt: now });
          await enqueue(tx, 'waitlist-offer', { surgeryId: held.surgeryId, slotId: held.slotId });
        }
        return lapsed.length;
      });
      const journeysDeleted = await repo.deleteJourneysBefore(
        db,
        new Date(now.getTime() - JOURNEY_TTL_MS),
      );
      return { expired, journeysDeleted };
    },
  };
}
export type WaitlistService = ReturnType<typeof createWaitlistService>;
