/**
 * The emails of a booking (docs/rules/surgeries.md §4), queued in the caller's transaction
 * through the shared email ledger. Links carry bearer tokens, so the stored text holds a
 * placeholder and the token is derived again when the email is sent.
 */
import type { DbOrTx } from '../../db/client.js';
import type { BookingRow, SlotRow, SurgeryRow, VenueRow } from '../../db/schema/index.js';
import { calendarContentType, calendarFile } from '../lib/ics.js';
import type { Clock } from '../lib/clock.js';
import type { MailService } from '../mail/service.js';
import { jobIds } from '../../workers/queues.js';
import type { SurgeriesRepository } from './repository.js';
import { hashToken, type SurgeryTokens } from './tokens.js';
import { govukDay, govukTime } from './time.js';

export const MANAGE_LINK = '{manage-link}';
export const OFFER_LINK = '{offer-link}';
export const BOOKING_MAIL = 'surgery-booking';
export const OFFER_MAIL = 'surgery-offer';

export const HOST_LABELS: Record<SurgeryRow['host'], string> = {
  commissioner: 'the Police and Crime Commissioner',
  deputy: 'the Deputy Police and Crime Commissioner',
};

export interface EmailDeps {
  db: DbOrTx;
  clock: Clock;
  mail: MailService;
  repo: SurgeriesRepository;
  tokens: SurgeryTokens;
  mailDomain: string;
  mailFrom: string;
  publicUrl: string;
  officeName: string;
  officePhone: string;
}

export interface Place {
  surgery: SurgeryRow;
  slot: SlotRow;
  venue: VenueRow | undefined;
}

export const placeName = (place: Pick<Place, 'surgery' | 'venue'>) =>
  place.venue
    ? [place.venue.name, place.venue.address, place.venue.postcode].filter(Boolean).join(', ')
    : (place.surgery.streetLocation ?? '');

/** The address in a From header (`Name <a@b>` or a bare address). */
const addressOf = (from: string) => /<([^>]+)>/.exec(from)?.[1] ?? from.trim();

export function createSurgeryEmails(deps: EmailDeps) {
  const { mail, tokens } = deps;

  function calendarText(
    booking: BookingRow,
    place: Place,
    method: 'REQUEST' | 'CANCEL',
    sequence: number,
  ) {
    return calendarFile({
      uid: `booking-${booking.id}@${deps.mailDomain}`,
      sequence,
      method,
      start: place.slot.startsAt,
      end: place.slot.endsAt,
      stamp: deps.clock.now(),
      summary: `Surgery with ${HOST_LABELS[place.surgery.host]}`,
      location: placeName(place),
      description: `Booking reference ${booking.reference}. To change or cancel, call ${deps.officePhone}.`,
      organizer: { name: deps.officeName, email: addressOf(deps.mailFrom) },
      attendee: { name: booking.name, email: booking.email },
    });
  }

  function ics(booking: BookingRow, place: Place, method: 'REQUEST' | 'CANCEL', sequence: number) {
    const text = calendarText(booking, place, method, sequence);
    return {
      filename: method === 'CANCEL' ? 'cancelled.ics' : 'appointment.ics',
      contentType: calendarContentType(method),
      content: Buffer.from(text).toString('base64'),
    };
  }

  const when = (slot: SlotRow) => `${govukDay(slot.startsAt)} at ${govukTime(slot.startsAt)}`;

  function details(booking: BookingRow, place: Place) {
    return [
      `Reference: ${booking.reference}`,
      `When: ${when(place.slot)} (${govukTime(place.slot.startsAt)} to ${govukTime(place.slot.endsAt)})`,
      `Where: ${placeName(place)}`,
      ...(place.venue?.accessNotes ? [`Access: ${place.venue.accessNotes}`] : []),
    ].join('\n');
  }

  const footer = () =>
    `\n\nTo report a crime call 101. In an emergency call 999.\n\n${deps.officeName}\n${deps.officePhone}`;

  return {
    /** The booking's current calendar entry (the confirmation page's download). */
    calendarText: (booking: BookingRow, place: Place) =>
      calendarText(booking, place, 'REQUEST', booking.icsSequence),

    /** Booking confirmed (or moved): METHOD:REQUEST at the booking's current sequence. */
    async confirmation(tx: DbOrTx, booking: BookingRow, place: Place, kind: 'booked' | 'moved') {
      const subject =
        kind === 'booked'
          ? `Your surgery appointment is booked: ${booking.reference}`
          : `Your surgery appointment has changed: ${booking.reference}`;
      return mail.queue(tx, {
        to: booking.email,
        subject,
        text:
          `Dear ${booking.name},\n\n` +
          (kind === 'booked'
            ? `Your appointment with ${HOST_LABELS[place.surgery.host]} is booked.\n\n`
            : `Your appointment with ${HOST_LABELS[place.surgery.host]} has moved. The new time is below.\n\n`) +
          `${details(booking, place)}\n\n` +
          `The attached calendar file adds it to your calendar.\n\n` +
          `To change or cancel your appointment, use this link (keep it to yourself):\n${MANAGE_LINK}` +
          footer(),
        attachments: [ics(booking, place, 'REQUEST', booking.icsSequence)],
        messageId: `booking-${booking.id}-${kind}-s${booking.icsSequence}@${deps.mailDomain}`,
        jobId: jobIds.bookingEmail(booking.id, kind, booking.icsSequence),
        subjectType: BOOKING_MAIL,
        subjectRef: booking.id,
      });
    },

    /** Cancelled (by the person or the office): METHOD:CANCEL, sequence already raised. */
    async cancellation(tx: DbOrTx, booking: BookingRow, place: Place, byOffice: boolean) {
      return mail.queue(tx, {
        to: booking.email,
        subject: `Your surgery appointment is cancelled: ${booking.reference}`,
        text:
          `Dear ${booking.name},\n\n` +
          (byOffice
            ? `We are sorry: we have had to cancel your appointment with ${HOST_LABELS[place.surgery.host]}.\n\n`
            : `Your appointment with ${HOST_LABELS[place.surgery.host]} is cancelled, as you asked.\n\n`) +
          `${details(booking, place)}\n\n` +
          `The attached calendar file removes it from your calendar. To book another time, visit ${deps.publicUrl}/surgeries` +
          footer(),
        attachments: [ics(booking, place, 'CANCEL', booking.icsSequence)],
        messageId: `booking-${booking.id}-cancel-s${booking.icsSequence}@${deps.mailDomain}`,
        jobId: jobIds.bookingEmail(booking.id, 'cancel', booking.icsSequence),
        subjectType: BOOKING_MAIL,
        subjectRef: booking.id,
      });
    },

    /** The day-before reminder: queued for the caller to send under the booking's lock. */
    async reminder(tx: DbOrTx, booking: BookingRow, place: Place) {
      return mail.queue(tx, {
        to: booking.email,
        subject: `Reminder: your surgery appointment tomorrow at ${govukTime(place.slot.startsAt)}`,
        text:
          `Dear ${booking.name},\n\nThis is a reminder of your appointment with ${HOST_LABELS[place.surgery.host]}.\n\n` +
          `${details(booking, place)}\n\nIf you can no longer come, please cancel so someone else can have the time:\n${MANAGE_LINK}` +
          footer(),
        messageId: `reminder-${booking.id}@${deps.mailDomain}`,
        subjectType: BOOKING_MAIL,
        subjectRef: booking.id,
        delivery: 'caller',
      });
    },

    /** A freed place held for someone on the waiting list. */
    async offer(
      tx: DbOrTx,
      entry: { id: string; name: string; email: string },
      booking: BookingRow,
      place: Place,
    ) {
      return mail.queue(tx, {
        to: entry.email,
        subject: `A surgery appointment is free: reply by ${govukTime(booking.holdExpiresAt!)} on ${govukDay(booking.holdExpiresAt!)}`,
        text:
          `Dear ${entry.name},\n\nA place has come free at the surgery you are waiting for.\n\n` +
          `${details(booking, place)}\n\n` +
          `We are keeping it for you until ${govukTime(booking.holdExpiresAt!)} on ${govukDay(booking.holdExpiresAt!)}. ` +
          `To accept or decline it, use this link:\n${OFFER_LINK}\n\nIf you do nothing, we will offer it to the next person.` +
          footer(),
        messageId: `waitlist-${entry.id}-offer-${booking.id}@${deps.mailDomain}`,
        subjectType: OFFER_MAIL,
        subjectRef: entry.id,
      });
    },

    /** Fills in the links when an email is sent (registered with the mail service). */
    register() {
      mail.onRender(BOOKING_MAIL, async (email) => {
        if (!email.subjectRef || !email.text.includes(MANAGE_LINK)) return email.text;
        const booking = await deps.repo.booking(deps.db, email.subjectRef);
        if (!booking) return email.text.replace(MANAGE_LINK, `${deps.publicUrl}/surgeries`);
        const token = tokens.manage(booking.id, booking.tokenVersion);
        // Only a token that matches the stored hash is ever sent.
        const link =
          hashToken(token) === booking.manageTokenHash
            ? `${deps.publicUrl}/surgeries/manage/${token}`
            : `${deps.publicUrl}/surgeries`;
        return email.text.replace(MANAGE_LINK, link);
      });
      mail.onRender(OFFER_MAIL, async (email) => {
        if (!email.subjectRef || !email.text.includes(OFFER_LINK)) return email.text;
        const entry = await deps.repo.waitingById(deps.db, email.subjectRef);
        const token = entry?.offerBookingId ? tokens.offer(entry.id, entry.offerBookingId) : null;
        const link =
          token && entry && hashToken(token) === entry.offerTokenHash
            ? `${deps.publicUrl}/surgeries/offer/${token}`
            : `${deps.publicUrl}/surgeries`;
        return email.text.replace(OFFER_LINK, link);
      });
    },
  };
}
export type SurgeryEmails = ReturnType<typeof createSurgeryEmails>;
