/**
 * iCalendar files for emailed appointments (docs/rules/surgeries.md §4), written by
 * ical-generator (CRLF line ends, 75-octet folding, escaping). Times are UTC (`…Z`) with no
 * VTIMEZONE, so every client places them right on either side of a clock change.
 */
import ical, {
  ICalAttendeeRole,
  ICalAttendeeStatus,
  ICalCalendarMethod,
  ICalEventStatus,
} from 'ical-generator';

export interface CalendarEvent {
  /** Never changes for one appointment: `booking-{uuid}@{mail domain}`. */
  uid: string;
  /** 0 when booked; one more with every change and with the cancellation. */
  sequence: number;
  method: 'REQUEST' | 'CANCEL';
  start: Date;
  end: Date;
  /** DTSTAMP: when this version was written (the injected clock). */
  stamp: Date;
  summary: string;
  location: string;
  description: string;
  organizer: { name: string; email: string };
  attendee: { name: string; email: string };
}

export function calendarFile(event: CalendarEvent): string {
  const calendar = ical({
    prodId: { company: 'OPCC', product: 'surgeries', language: 'EN' },
    method: event.method === 'CANCEL' ? ICalCalendarMethod.CANCEL : ICalCalendarMethod.REQUEST,
  });
  calendar.createEvent({
    id: event.uid,
    sequence: event.sequence,
    stamp: event.stamp,
    start: event.start,
    end: event.end,
    summary: event.summary,
    location: event.location,
    description: event.description,
    status: event.method === 'CANCEL' ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
    organizer: event.organizer,
    attendees: [
      {
        name: event.attendee.name,
        email: event.attendee.email,
        rsvp: false,
        role: ICalAttendeeRole.REQ,
        status: ICalAttendeeStatus.ACCEPTED,
      },
    ],
  });
  return calendar.toString();
}

/** The MIME type of the attachment, naming the METHOD as RFC 6047 asks. */
export const calendarContentType = (method: 'REQUEST' | 'CANCEL') =>
  `text/calendar; charset=utf-8; method=${method}`;
