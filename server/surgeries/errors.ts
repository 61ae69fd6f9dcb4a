import { AppError, fixedErrors } from '../platform/errors.js';

/** A free time offered when the chosen one has gone. */
export interface FreeTime {
  slotId: string;
  startsAt: string;
  placesLeft: number;
}

/** 409 with the next free times at the same surgery (docs/rules/surgeries.md §3). */
export class SlotFullError extends AppError {
  constructor(readonly nextFreeTimes: FreeTime[]) {
    super(409, 'surgeries.slot_full', 'That time has just been taken');
  }
}

export type Unbookable =
  'not_published' | 'not_open_yet' | 'closed' | 'too_late' | 'slot_closed' | 'past';

const UNBOOKABLE_MESSAGES: Record<Unbookable, string> = {
  not_published: 'This surgery is not open for booking',
  not_open_yet: 'Booking for this surgery has not opened yet',
  closed: 'Booking for this surgery has closed',
  too_late: 'This time is too soon to book online. Call the office to book',
  slot_closed: 'This time is no longer available',
  past: 'This time has passed',
};

export class NotBookableError extends AppError {
  constructor(
    readonly reason: Unbookable,
    readonly nextFreeTimes: FreeTime[] = [],
  ) {
    super(409, `surgeries.${reason}`, UNBOOKABLE_MESSAGES[reason]);
  }
}

/** The surgeries domain's fixed errors: [status, stable code, message]. */
export const {
  alreadyBooked,
  keyReused,
  bookingNotFound,
  surgeryNotFound,
  slotNotFound,
  alreadyCancelled,
  tooLateToCancel,
  offerExpired,
  placesLeftOnList,
  alreadyWaiting,
  notConfirmed,
  notDraft,
  surgeryCancelled,
  surgeryAlreadyCancelled,
} = fixedErrors({
  alreadyBooked: [409, 'surgeries.already_booked', 'You already have a booking for this surgery'],
  keyReused: [
    422,
    'idempotency.key_reused',
    'This Idempotency-Key was used before with a different booking',
  ],
  bookingNotFound: [404, 'surgeries.booking_not_found', 'Booking not found'],
  surgeryNotFound: [404, 'surgeries.not_found', 'Surgery not found'],
  slotNotFound: [404, 'surgeries.slot_not_found', 'Time not found'],
  alreadyCancelled: [409, 'surgeries.already_cancelled', 'This booking has already been cancelled'],
  tooLateToCancel: [409, 'surgeries.started', 'This appointment has already started'],
  offerExpired: [409, 'surgeries.offer_expired', 'This offer has expired'],
  placesLeftOnList: [
    409,
    'surgeries.places_free',
    'There are still times free at this surgery: book one of those instead',
  ],
  alreadyWaiting: [409, 'surgeries.already_waiting', 'You are already on the waiting list'],
  notConfirmed: [409, 'surgeries.not_confirmed', 'Only a confirmed booking can be marked'],
  notDraft: [409, 'surgeries.not_draft', 'Only a draft surgery can be published'],
  surgeryCancelled: [409, 'surgeries.cancelled', 'This surgery has been cancelled'],
  surgeryAlreadyCancelled: [409, 'surgeries.cancelled', 'This surgery is already cancelled'],
});
