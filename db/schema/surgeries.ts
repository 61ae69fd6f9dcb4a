/**
 * Surgeries and booking (docs/rules/surgeries.md §1). The place count lives on the slot
 * (`booked`), and every transition that takes or frees a place changes it in the same
 * transaction; the CHECK on `booked` is the backstop against overbooking.
 */
import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgSequence,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { cases } from './correspondence.js';
import { users } from './users.js';

export const SURGERY_KINDS = ['public', 'street'] as const;
export const SURGERY_HOSTS = ['commissioner', 'deputy'] as const;
export const SURGERY_STATUSES = ['draft', 'published', 'cancelled'] as const;
export const BOOKING_STATUSES = ['held', 'confirmed', 'expired', 'cancelled'] as const;
export const ATTENDANCE = ['attended', 'no_show'] as const;
export const WAITLIST_STATUSES = [
  'waiting',
  'offered',
  'accepted',
  'declined',
  'expired',
  'removed',
] as const;

const ts = (name: string) => timestamp(name, { withTimezone: true });

/** Booking references: `SB-2026-00042` (year of booking, then this number). */
export const surgeryBookingRefSeq = pgSequence('surgery_booking_ref_seq', { startWith: 1 });

export const venues = pgTable('venue', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  address: text('address').notNull().default(''),
  postcode: text('postcode').notNull().default(''),
  accessNotes: text('access_notes').notNull().default(''),
  createdAt: ts('created_at').notNull(),
});
export type VenueRow = typeof venues.$inferSelect;
export type NewVenueRow = typeof venues.$inferInsert;

export const surgeries = pgTable(
  'surgery',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    kind: text('kind', { enum: SURGERY_KINDS }).notNull(),
    host: text('host', { enum: SURGERY_HOSTS }).notNull(),
    title: text('title').notNull(),
    venueId: uuid('venue_id').references(() => venues.id),
    streetLocation: text('street_location'),
    area: text('area').notNull(),
    startsAt: ts('starts_at').notNull(),
    endsAt: ts('ends_at').notNull(),
    slotMinutes: integer('slot_minutes').notNull().default(15),
    placesPerSlot: integer('places_per_slot').notNull().default(1),
    bookingOpensAt: ts('booking_opens_at'),
    bookingClosesAt: ts('booking_closes_at'),
    minNoticeMinutes: integer('min_notice_minutes').notNull().default(1440),
    status: text('status', { enum: SURGERY_STATUSES }).notNull().default('draft'),
    /** Street surgeries: how many people stopped to talk, when not logged one by one. */
    notes: text('notes').notNull().default(''),
    createdAt: ts('created_at').notNull(),
    createdById: uuid('created_by_id').references(() => users.id),
    cancelledAt: ts('cancelled_at'),
    cancelReason: text('cancel_reason'),
  },
  (t) => [
    check('surgery_venue_xor_street', sql`(${t.venueId} is null) <> (${t.streetLocation} is null)`),
    check('surgery_ends_after_start', sql`${t.endsAt} > ${t.startsAt}`),
    check(
      'surgery_booking_window',
      sql`${t.bookingOpensAt} is null or ${t.bookingClosesAt} is null or (${t.bookingOpensAt} < ${t.bookingClosesAt} and ${t.bookingClosesAt} <= ${t.startsAt})`,
    ),
    check('surgery_slot_minutes', sql`${t.slotMinutes} between 5 and 240`),
    check('surgery_places', sql`${t.placesPerSlot} between 1 and 50`),
    index('surgery_starts_idx').on(t.startsAt),
  ],
);
export type SurgeryRow = typeof surgeries.$inferSelect;
export type NewSurgeryRow = typeof surgeries.$inferInsert;

export const surgerySlots = pgTable(
  'surgery_slot',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    surgeryId: uuid('surgery_id')
      .notNull()
      .references(() => surgeries.id),
    startsAt: ts('starts_at').notNull(),
    endsAt: ts('ends_at').notNull(),
    capacity: integer('capacity').notNull().default(1),
    booked: integer('booked').notNull().default(0),
    /** Closed by staff: no new bookings; existing ones stand. */
    closedAt: ts('closed_at'),
  },
  (t) => [
    check('surgery_slot_booked_range', sql`${t.booked} between 0 and ${t.capacity}`),
    check('surgery_slot_capacity', sql`${t.capacity} between 1 and 50`),
    index('surgery_slot_start_idx').on(t.surgeryId, t.startsAt),
  ],
);
export type SlotRow = typeof surgerySlots.$inferSelect;
export type NewSlotRow = typeof surgerySlots.$inferInsert;

export const surgeryBookings = pgTable(
  'surgery_booking',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    reference: text('reference').notNull(),
    surgeryId: uuid('surgery_id')
      .notNull()
      .references(() => surgeries.id),
    slotId: uuid('slot_id')
      .notNull()
      .references(() => surgerySlots.id),
    status: text('status', { enum: BOOKING_STATUSES }).notNull(),
    /** `online`, `staff` (phone or letter) or `waitlist` (an accepted offer). */
    channel: text('channel').notNull().default('online'),
    name: text('name').notNull(),
    email: text('email').notNull(),
    phone: text('phone'),
    area: text('area'),
    topic: text('topic'),
    topicDetail: text('topic_detail'),
    adjustments: text('adjustments'),
    idempotencyKey: text('idempotency_key'),
    requestHash: text('request_hash'),
    manageTokenHash: text('manage_token_hash').notNull(),
    tokenVersion: integer('token_version').notNull().default(1),
    icsSequence: integer('ics_sequence').notNull().default(0),
    reminderDueAt: ts('reminder_due_at'),
    reminderAttemptedAt: ts('reminder_attempted_at'),
    reminderSentAt: ts('reminder_sent_at'),
    holdExpiresAt: ts('hold_expires_at'),
    createdAt: ts('created_at').notNull(),
    confirmedAt: ts('confirmed_at'),
    cancelledAt: ts('cancelled_at'),
    /** `person` or `office`. */
    cancelledBy: text('cancelled_by'),
    cancelledLate: boolean('cancelled_late').notNull().default(false),
    attendance: text('attendance', { enum: ATTENDANCE }),
    caseId: uuid('case_id').references(() => cases.id),
  },
  (t) => [
    uniqueIndex('surgery_booking_reference_uq').on(t.reference),
    uniqueIndex('surgery_booking_idempotency_uq').on(t.idempotencyKey),
    uniqueIndex('surgery_booking_token_uq').on(t.manageTokenHash),
    uniqueIndex('surgery_booking_person_uq')
      .on(t.surgeryId, sql`lower(${t.email})`)
      .where(sql`${t.status} in ('held', 'confirmed')`),
    index('surgery_booking_slot_idx').on(t.slotId, t.status),
    index('surgery_booking_reminder_idx')
      .on(t.reminderDueAt)
      .where(sql`${t.status} = 'confirmed' and ${t.reminderSentAt} is null`),
    index('surgery_booking_hold_idx')
      .on(t.holdExpiresAt)
      .where(sql`${t.status} = 'held'`),
  ],
);
export type BookingRow = typeof surgeryBookings.$inferSelect;
export type NewBookingRow = typeof surgeryBookings.$inferInsert;

export const surgeryWaitlist = pgTable(
  'surgery_waitlist',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    surgeryId: uuid('surgery_id')
      .notNull()
      .references(() => surgeries.id),
    name: text('name').notNull(),
    email: text('email').notNull(),
    phone: text('phone'),
    area: text('area'),
    joinedAt: ts('joined_at').notNull(),
    status: text('status', { enum: WAITLIST_STATUSES }).notNull().default('waiting'),
    offerBookingId: uuid('offer_booking_id').references(() => surgeryBookings.id),
    offerTokenHash: text('offer_token_hash'),
    offeredAt: ts('offered_at'),
    closedAt: ts('closed_at'),
  },
  (t) => [
    uniqueIndex('surgery_waitlist_person_uq')
      .on(t.surgeryId, sql`lower(${t.email})`)
      .where(sql`${t.status} in ('waiting', 'offered')`),
    uniqueIndex('surgery_waitlist_token_uq').on(t.offerTokenHash),
    index('surgery_waitlist_queue_idx')
      .on(t.surgeryId, t.joinedAt, t.id)
      .where(sql`${t.status} = 'waiting'`),
  ],
);
export type NewWaitlistRow = typeof surgeryWaitlist.$inferInsert;

export const surgeryNotes = pgTable(
  'surgery_note',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    bookingId: uuid('booking_id')
      .notNull()
      .references(() => surgeryBookings.id),
    body: text('body').notNull(),
    createdAt: ts('created_at').notNull(),
    createdById: uuid('created_by_id').references(() => users.id),
  },
  (t) => [index('surgery_note_booking_idx').on(t.bookingId, t.createdAt)],
);
export type NewSurgeryNoteRow = typeof surgeryNotes.$inferInsert;

export const streetConversations = pgTable(
  'street_conversation',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    surgeryId: uuid('surgery_id')
      .notNull()
      .references(() => surgeries.id),
    area: text('area').notNull(),
    topic: text('topic').notNull(),
    summary: text('summary').notNull().default(''),
    contactName: text('contact_name'),
    contactEmail: text('contact_email'),
    caseId: uuid('case_id').references(() => cases.id),
    createdAt: ts('created_at').notNull(),
    createdById: uuid('created_by_id').references(() => users.id),
  },
  (t) => [index('street_conversation_surgery_idx').on(t.surgeryId, t.createdAt)],
);
export type NewStreetConversationRow = typeof streetConversations.$inferInsert;

/** Answers to the public booking journey, kept server-side for 24 hours (§3). */
export const surgeryJourneys = pgTable(
  'surgery_journey',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    answers: jsonb('answers').$type<Record<string, string>>().notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [index('surgery_journey_updated_idx').on(t.updatedAt)],
);
