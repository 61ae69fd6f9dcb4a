/**
 * On the day (docs/rules/surgeries.md §8): attendance, notes, street conversations and "open a
 * case", which goes through the correspondence domain's own entry point (an adapter given
 * at composition), never its tables.
 */
import type { Db } from '../../db/client.js';
import type { NewCaseInput } from '../correspondence/types.js';
import type { Clock } from '../lib/clock.js';
import type { Actor, AuditLog } from '../platform/audit.js';
import { validationError } from '../platform/errors.js';
import { surgeryAudit } from './audit.js';
import { bookingNotFound, notConfirmed, surgeryNotFound } from './errors.js';
import { AREA_LABELS, TOPIC_LABELS, TOPICS } from './people.js';
import type { SurgeriesRepository } from './repository.js';
import { govukDay, govukTime } from './time.js';

/**
 * What surgeries need from correspondence: a case for a source, idempotent by that source
 * (correspondence's gateway `createCase`, given at composition).
 */
export type OpenCase = (
  actor: Actor,
  input: Pick<
    NewCaseInput,
    'type' | 'channel' | 'receivedAt' | 'acknowledge' | 'subject' | 'body' | 'source'
  > & { contact: { name: string; email: string | null; phone: string | null } },
) => Promise<{ id: string; reference: string }>;

const NOTE_LIMIT = 5_000;

export function createDayService(deps: {
  db: Db;
  clock: Clock;
  audit: AuditLog;
  repo: SurgeriesRepository;
  openCase: OpenCase;
}) {
  const { db, clock, audit, repo } = deps;
  const audited = surgeryAudit(audit);

  return {
    /** The surgery with its slots and bookings (personal data: the read is audited). */
    async view(actor: Actor, surgeryId: string) {
      const surgery = await repo.surgery(db, surgeryId);
      if (!surgery) throw surgeryNotFound();
      const [slots, bookings, conversations, waitlist, venue] = await Promise.all([
        repo.slots(db, surgeryId),
        repo.bookingsOfSurgery(db, surgeryId),
        repo.conversations(db, surgeryId),
        repo.waitlist(db, surgeryId),
        surgery.venueId ? repo.venue(db, surgery.venueId) : Promise.resolve(undefined),
      ]);
      await audit.recordRead(actor, {
        action: 'surgeries.view',
        subjectType: 'surgery',
        subjectId: surgeryId,
      });
      return { surgery, venue, slots, bookings, conversations, waitlist };
    },

    async booking(actor: Actor, bookingId: string) {
      const booking = await repo.booking(db, bookingId);
      if (!booking) throw bookingNotFound();
      const notes = await repo.notes(db, bookingId);
      await audit.recordRead(actor, {
        action: 'surgeries.booking.view',
        subjectType: 'surgery_booking',
        subjectId: bookingId,
      });
      return { booking, notes };
    },

    async setAttendance(
      actor: Actor,
      bookingId: string,
      attendance: 'attended' | 'no_show' | null,
    ) {
      return db.transaction(async (tx) => {
        const booking = await repo.booking(tx, bookingId, { lock: true });
        if (!booking) throw bookingNotFound();
        if (booking.status !== 'confirmed') throw notConfirmed();
        await repo.updateBooking(tx, bookingId, { attendance });
        await audited.booking(
          tx,
          actor,
          'surgeries.booking.attendance',
          bookingId,
          attendance ?? 'unmarked',
        );
      });
    },

    async addNote(actor: Actor, bookingId: string, body: string) {
      const text = body.replace(/\r\n?/g, '\n').trim();
      if (!text) throw validationError({ note: 'Enter a note' });
      if (text.length > NOTE_LIMIT)
        throw validationError({ note: 'Note must be 5,000 characters or fewer' });
      return db.transaction(async (tx) => {
        const booking = await repo.booking(tx, bookingId);
        if (!booking) throw bookingNotFound();
        const note = await repo.insertNote(tx, {
          bookingId,
          body: text,
          createdAt: clock.now(),
          createdById: actor.id,
        });
        await audited.booking(tx, actor, 'surgeries.booking.note', bookingId);
        return note;
      });
    },

    /** A correspondence case from this conversation; asking twice gives the same case. */
    async openCase(actor: Actor, bookingId: string) {
      const booking = await repo.booking(db, bookingId);
      if (!booking) throw bookingNotFound();
      const slot = (await repo.slot(db, booking.slotId))!;
      const notes = await repo.notes(db, bookingId);
      const topic = booking.topic
        ? (TOPIC_LABELS[booking.topic] ?? booking.topic)
        : 'Surgery conversation';
      // A conversation at a surgery is a general enquiry made in person, opened now; the
      // person was there, so no acknowledgement email is sent.
      const created = await deps.openCase(actor, {
        type: 'general',
        channel: 'in_person',
        receivedAt: clock.now(),
        acknowledge: false,
        subject: `Surgery ${govukDay(slot.startsAt)} ${govukTime(slot.startsAt)}: ${topic}`.slice(
          0,
          200,
        ),
        body: [
          `Raised at a surgery (booking ${booking.reference}).`,
          booking.topicDetail ? `What they wanted to talk about: ${booking.topicDetail}` : '',
          ...notes.map((n) => `Note: ${n.body}`),
        ]
          .filter(Boolean)
          .join('\n\n')
          .slice(0, 20_000),
        contact: { name: booking.name, email: booking.email, phone: booking.phone },
        source: { type: 'surgery_booking', id: booking.id },
      });
      await db.transaction(async (tx) => {
        await repo.updateBooking(tx, bookingId, { caseId: created.id });
        await audited.booking(
          tx,
          actor,
          'surgeries.booking.open_case',
          bookingId,
          created.reference,
        );
      });
      return created;
    },

    /** A walk-in at a street surgery: where, what about, and (if they gave one) a contact. */
    async logConversation(
      actor: Actor,
      surgeryId: string,
      input: {
        area?: string;
        topic?: string;
        summary?: string;
        contactName?: string;
        contactEmail?: string;
      },
    ) {
      const fields: Record<string, string> = {};
      const area = (input.area ?? '').trim();
      const topic = (input.topic ?? '').trim();
      if (!Object.hasOwn(AREA_LABELS, area)) fields.area = 'Select the area';
      if (!(TOPICS as readonly string[]).includes(topic)) fields.topic = 'Select what was raised';
      if ((input.summary ?? '').length > NOTE_LIMIT)
        fields.summary = 'Summary must be 5,000 characters or fewer';
      if (/[\r\n]/.test(input.contactName ?? '')) fields.contactName = 'Name must be on one line';
      if ((input.contactName ?? '').length > 200)
        fields.contactName = 'Name must be 200 characters or fewer';
      if ((input.contactEmail ?? '').length > 254)
        fields.contactEmail = 'Email must be 254 characters or fewer';
      if (Object.keys(fields).length) throw validationError(fields);
      return db.transaction(async (tx) => {
        const surgery = await repo.surgery(tx, surgeryId);
        if (!surgery) throw surgeryNotFound();
        const row = await repo.insertConversation(tx, {
          surgeryId,
          area,
          topic,
          summary: (input.summary ?? '').trim(),
          contactName: input.contactName?.trim() || null,
          contactEmail: input.contactEmail?.trim() || null,
          createdAt: clock.now(),
          createdById: actor.id,
        });
        await audited.conversation(tx, actor, 'surgeries.street.log', row.id);
        return row;
      });
    },
  };
}
export type DayService = ReturnType<typeof createDayService>;
