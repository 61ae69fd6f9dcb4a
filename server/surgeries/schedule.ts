/**
 * Staff side of a surgery's life (docs/rules/surgeries.md §8): create (slots generated from
 * London wall times), publish, close a slot, move, cancel. Street surgeries have no slots.
 */
import type { Db } from '../../db/client.js';
import type { SurgeryRow } from '../../db/schema/index.js';
import type { Clock } from '../lib/clock.js';
import { isIsoDate, londonDateOf, londonHourMinute, type IsoDate } from '../lib/dates.js';
import type { Actor, AuditLog } from '../platform/audit.js';
import { validationError, type FieldErrors } from '../platform/errors.js';
import { movedBooking, type BookingService } from './booking.js';
import type { SurgeryEmails } from './emails.js';
import {
  notDraft,
  slotNotFound,
  surgeryAlreadyCancelled,
  surgeryCancelled,
  surgeryNotFound,
} from './errors.js';
import { AREA_LABELS } from './people.js';
import type { SurgeriesRepository } from './repository.js';
import { londonLocal, parseClockTime } from './time.js';

export interface NewSurgeryInput {
  kind?: 'public' | 'street';
  host?: 'commissioner' | 'deputy';
  title?: string;
  venueId?: string;
  venue?: { name: string; address?: string; postcode?: string; accessNotes?: string };
  streetLocation?: string;
  area?: string;
  /** A London date and wall times (pages), or instants (the API). */
  date?: string;
  startTime?: string;
  endTime?: string;
  startsAt?: string;
  endsAt?: string;
  slotMinutes?: number;
  placesPerSlot?: number;
  bookingOpensAt?: string;
  bookingClosesAt?: string;
  minNoticeMinutes?: number;
  publish?: boolean;
}

const LIMITS = { title: 200, venue: 200, address: 500, location: 300, notes: 2000 };

/** A London date and minutes since midnight, from the date and HH:MM the page sends. */
function wallTimes(input: NewSurgeryInput, fields: FieldErrors) {
  if (input.startsAt || input.endsAt) {
    const start = new Date(input.startsAt ?? '');
    const end = new Date(input.endsAt ?? '');
    if (Number.isNaN(start.getTime())) fields.startsAt = 'Enter when the surgery starts';
    if (Number.isNaN(end.getTime())) fields.endsAt = 'Enter when the surgery ends';
    if (fields.startsAt || fields.endsAt) return null;
    const date = londonDateOf(start);
    const s = londonHourMinute(start);
    const e = londonHourMinute(end);
    if (londonDateOf(end) !== date || end <= start) {
      fields.endsAt = 'The surgery must end after it starts, on the same day';
      return null;
    }
    return { date, from: s.hour * 60 + s.minute, to: e.hour * 60 + e.minute, start, end };
  }
  const date = (input.date ?? '').trim();
  if (!isIsoDate(date)) fields.date = 'Enter a real date for the surgery';
  const s = parseClockTime(input.startTime ?? '');
  const e = parseClockTime(input.endTime ?? '');
  if (!s) fields.startTime = 'Enter a start time, like 14:00';
  if (!e) fields.endTime = 'Enter an end time, like 17:00';
  if (!s || !e || fields.date) return null;
  const from = s.hour * 60 + s.minute;
  const to = e.hour * 60 + e.minute;
  const start = londonLocal(date, s.hour, s.minute);
  const end = londonLocal(date, e.hour, e.minute);
  if (!start) fields.startTime = 'The clocks go forward at that time: choose another start time';
  if (!end) fields.endTime = 'The clocks go forward at that time: choose another end time';
  if (start && end && to <= from) fields.endTime = 'The end time must be after the start time';
  if (!start || !end || to <= from) return null;
  return { date, from, to, start, end };
}

/**
 * Slots every `minutes` of London wall time from `from` to `to`. Wall times the clocks skip
 * produce no slot; a repeated hour is offered once (its BST occurrence).
 */
export function generateSlots(date: IsoDate, from: number, to: number, minutes: number) {
  const slots: Array<{ startsAt: Date; endsAt: Date }> = [];
  for (let at = from; at + minutes <= to; at += minutes) {
    const startsAt = londonLocal(date, Math.floor(at / 60), at % 60);
    if (!startsAt) continue;
    const endWall = at + minutes;
    const endsAt =
      londonLocal(date, Math.floor(endWall / 60), endWall % 60) ??
      new Date(startsAt.getTime() + minutes * 60_000);
    slots.push({ startsAt, endsAt });
  }
  return slots;
}

export function createScheduleService(deps: {
  db: Db;
  clock: Clock;
  audit: AuditLog;
  repo: SurgeriesRepository;
  emails: SurgeryEmails;
  booking: BookingService;
}) {
  const { db, clock, audit, repo, emails, booking } = deps;

  async function load(id: string) {
    const surgery = await repo.surgery(db, id);
    if (!surgery) throw surgeryNotFound();
    return surgery;
  }

  return {
    async create(actor: Actor, input: NewSurgeryInput) {
      const fields: FieldErrors = {};
      const kind = input.kind ?? 'public';
      const host = input.host ?? 'commissioner';
      if (!['public', 'street'].includes(kind)) fields.kind = 'Select the kind of surgery';
      if (!['commissioner', 'deputy'].includes(host)) fields.host = 'Select who holds the surgery';
      const title = (input.title ?? '').trim();
      if (!title) fields.title = 'Enter a title';
      else if (title.length > LIMITS.title)
        fields.title = `Title must be ${LIMITS.title} characters or fewer`;
      const area = (input.area ?? '').trim() || 'elsewhere';
      if (!Object.hasOwn(AREA_LABELS, area)) fields.area = 'Select the area';
      const venueName = input.venue?.name?.trim() ?? '';
      const street = (input.streetLocation ?? '').trim();
      if (kind === 'public' && !input.venueId && !venueName) fields.venue = 'Enter the venue';
      if (venueName.length > LIMITS.venue)
        fields.venue = `Venue must be ${LIMITS.venue} characters or fewer`;
      if (kind === 'street' && !street) fields.streetLocation = 'Enter where the street surgery is';
      if (street.length > LIMITS.location)
        fields.streetLocation = `Location must be ${LIMITS.location} characters or fewer`;
      const slotMinutes = Number(input.slotMinutes ?? 15);
      const places = Number(input.placesPerSlot ?? 1);
      if (!Number.isInteger(slotMinutes) || slotMinutes < 5 || slotMinutes > 240)
        fields.slotMinutes = 'Slot length must be a whole number of minutes from 5 to 240';
      if (!Number.isInteger(places) || places < 1 || places > 50)
        fields.placesPerSlot = 'Places per slot must be a whole number from 1 to 50';
      const minNotice = Number(input.minNoticeMinutes ?? 1440);
      if (!Number.isInteger(minNotice) || minNotice < 0 || minNotice > 60 * 24 * 30)
        fields.minNoticeMinutes = 'Minimum notice must be a whole number of minutes, up to 30 days';
      const times = wallTimes(input, fields);
      const now = clock.now();
      const opens = input.bookingOpensAt ? new Date(input.bookingOpensAt) : now;
      const closes = input.bookingClosesAt ? new Date(input.bookingClosesAt) : times?.start;
      if (Number.isNaN(opens.getTime())) fields.bookingOpensAt = 'Enter when booking opens';
      if (closes && Number.isNaN(closes.getTime()))
        fields.bookingClosesAt = 'Enter when booking closes';
      if (times && closes && !fields.bookingOpensAt && !fields.bookingClosesAt) {
        if (closes > times.start)
          fields.bookingClosesAt = 'Booking must close before the surgery starts';
        else if (opens >= closes) fields.bookingOpensAt = 'Booking must open before it closes';
      }
      if (times && times.start <= now) fields.date = 'The surgery must be in the future';
      if (Object.keys(fields).length > 0 || !times) throw validationError(fields);

      const slots =
        kind === 'public' ? generateSlots(times.date, times.from, times.to, slotMinutes) : [];
      if (kind === 'public' && slots.length === 0)
        throw validationError({ endTime: 'The surgery is too short for one slot' });
      return db.transaction(async (tx) => {
        const venueId =
          kind === 'street'
            ? null
            : (input.venueId ??
              (
                await repo.insertVenue(tx, {
                  name: venueName,
                  address: input.venue?.address?.trim() ?? '',
                  postcode: input.venue?.postcode?.trim() ?? '',
                  accessNotes: input.venue?.accessNotes?.trim() ?? '',
                  createdAt: now,
                })
              ).id);
        const surgery = await repo.insertSurgery(tx, {
          kind,
          host,
          title,
          venueId,
          streetLocation: kind === 'street' ? street : null,
          area,
          startsAt: times.start,
          endsAt: times.end,
          slotMinutes,
          placesPerSlot: places,
          bookingOpensAt: kind === 'public' ? opens : null,
          bookingClosesAt: kind === 'public' ? closes : null,
          minNoticeMinutes: minNotice,
          status: input.publish === false ? 'draft' : 'published',
          createdAt: now,
          createdById: actor.id,
        });
        const created = await repo.insertSlots(
          tx,
          slots.map((s) => ({ surgeryId: surgery.id, ...s, capacity: places })),
        );
        await audit.record(tx, actor, {
          action: 'surgeries.create',
          subjectType: 'surgery',
          subjectId: surgery.id,
        });
        return { surgery, slots: created };
      });
    },

    async publish(actor: Actor, id: string) {
      return db.transaction(async (tx) => {
        const surgery = await repo.surgery(tx, id, { lock: true });
        if (!surgery) throw surgeryNotFound();
        if (surgery.status !== 'draft') throw notDraft();
        await audit.record(tx, actor, {
          action: 'surgeries.publish',
          subjectType: 'surgery',
          subjectId: id,
        });
        return repo.updateSurgery(tx, id, { status: 'published' });
      });
    },

    /** No new bookings for this time; bookings already made stand. */
    async closeSlot(actor: Actor, surgeryId: string, slotId: string) {
      return db.transaction(async (tx) => {
        const slot = await repo.slot(tx, slotId);
        if (!slot || slot.surgeryId !== surgeryId) throw slotNotFound();
        await repo.closeSlot(tx, slotId, clock.now());
        await audit.record(tx, actor, {
          action: 'surgeries.slot.close',
          subjectType: 'surgery_slot',
          subjectId: slotId,
        });
      });
    },

    /**
     * Moves the whole surgery to another date and start time: every slot keeps its place in
     * the running order (London wall time), every booking gets a REQUEST with SEQUENCE + 1.
     */
    async move(actor: Actor, id: string, input: { date?: string; startTime?: string }) {
      const fields: FieldErrors = {};
      const date = (input.date ?? '').trim();
      const start = parseClockTime(input.startTime ?? '');
      if (!isIsoDate(date)) fields.date = 'Enter a real date';
      if (!start) fields.startTime = 'Enter a start time, like 14:00';
      if (Object.keys(fields).length) throw validationError(fields);
      const surgery = await load(id);
      const oldStart = londonHourMinute(surgery.startsAt);
      const shift = start!.hour * 60 + start!.minute - (oldStart.hour * 60 + oldStart.minute);
      const oldDate = londonDateOf(surgery.startsAt);
      const at = (instant: Date) => {
        const wall = londonHourMinute(instant);
        const minutes = wall.hour * 60 + wall.minute + shift;
        const dayOffset = londonDateOf(instant) === oldDate ? 0 : 1;
        if (dayOffset || minutes < 0 || minutes >= 24 * 60) return null;
        return londonLocal(date, Math.floor(minutes / 60), minutes % 60);
      };
      const newStart = at(surgery.startsAt);
      const newEnd = at(surgery.endsAt);
      if (!newStart || !newEnd)
        throw validationError({ startTime: 'The surgery must fit in one day' });
      const now = clock.now();
      if (newStart <= now) throw validationError({ date: 'The surgery must be in the future' });
      return db.transaction(async (tx) => {
        const locked = await repo.surgery(tx, id, { lock: true });
        if (!locked || locked.status === 'cancelled') throw surgeryCancelled();
        const slots = await repo.slots(tx, id);
        for (const slot of slots) {
          const s = at(slot.startsAt);
          const e =
            at(slot.endsAt) ??
            (s && new Date(s.getTime() + (slot.endsAt.getTime() - slot.startsAt.getTime())));
          if (!s || !e)
            throw validationError({ startTime: 'A slot would fall in the hour the clocks skip' });
          await repo.moveSlot(tx, slot.id, s, e);
        }
        const closes =
          locked.bookingClosesAt && locked.bookingClosesAt > newStart
            ? newStart
            : locked.bookingClosesAt;
        const opens =
          locked.bookingOpensAt && closes && locked.bookingOpensAt >= closes
            ? new Date(closes.getTime() - 60_000)
            : locked.bookingOpensAt;
        const updated = (await repo.updateSurgery(tx, id, {
          startsAt: newStart,
          endsAt: newEnd,
          bookingClosesAt: closes,
          bookingOpensAt: opens,
        }))!;
        for (const b of await repo.activeBookingsOfSurgery(tx, id)) {
          if (b.status !== 'confirmed') continue;
          const place = (await booking.placeOfIn(tx, b.slotId))!;
          const moved = (await repo.updateBooking(
            tx,
            b.id,
            movedBooking(b, place.slot.startsAt, now),
          ))!;
          await emails.confirmation(tx, moved, place, 'moved');
        }
        await audit.record(tx, actor, {
          action: 'surgeries.move',
          subjectType: 'surgery',
          subjectId: id,
        });
        return updated;
      });
    },

    /** Cancels the surgery: everyone booked gets a CANCEL; the waiting list is closed. */
    async cancel(actor: Actor, id: string, reason: string) {
      if (reason.length > LIMITS.notes)
        throw validationError({ reason: 'Reason must be 2,000 characters or fewer' });
      return db.transaction(async (tx) => {
        const surgery = await repo.surgery(tx, id, { lock: true });
        if (!surgery) throw surgeryNotFound();
        if (surgery.status === 'cancelled') throw surgeryAlreadyCancelled();
        const now = clock.now();
        const updated = await repo.updateSurgery(tx, id, {
          status: 'cancelled',
          cancelledAt: now,
          cancelReason: reason.trim() || null,
        });
        for (const b of await repo.activeBookingsOfSurgery(tx, id))
          await booking.cancelIn(tx, actor, b.id, 'office', { allowStarted: true });
        await repo.closeWaitlist(tx, id, now);
        await audit.record(tx, actor, {
          action: 'surgeries.cancel',
          subjectType: 'surgery',
          subjectId: id,
        });
        return updated as SurgeryRow;
      });
    },
  };
}
export type ScheduleService = ReturnType<typeof createScheduleService>;
