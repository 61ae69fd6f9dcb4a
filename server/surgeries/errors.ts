import { AppError } from '../platform/errors.js';

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

export const alreadyBooked = () =>
  new AppError(409, 'surgeries.already_booked', 'You already have a booking for this surgery');
export const keyReused = () =>
  new AppError(
    422,
    'idempotency.key_reused',
    'This Idempotency-Key was used before with a different booking',
  );
export const bookingNotFound = () =>
  new AppError(404, 'surgeries.booking_not_found', 'Booking not found');
export const surgeryNotFound = () => new AppError(404, 'surgeries.not_found', 'Surgery not found');
export const slotNotFound = () => new AppError(404, 'surgeries.slot_not_found', 'Time not found');
export const alreadyCancelled = () =>
  new AppError(409, 'surgeries.already_cancelled', 'This booking has already been cancelled');
export const tooLateToCancel = () =>
  new AppError(409, 'surgeries.started', 'This appointment has already started');
export const offerExpired = () =>
  new AppError(409, 'surgeries.offer_expired', 'This offer has expired');
export const placesLeftOnList = () =>
  new AppError(
    409,
    'surgeries.places_free',
    'There are still times free at this surgery: book one of those instead',
  );
export const alreadyWaiting = () =>
  new AppError(409, 'surgeries.already_waiting', 'You are already on the waiting list');
