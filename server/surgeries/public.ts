/** What the public sees: upcoming published surgeries, their bookable times and places left. */
import type { Db } from '../../db/client.js';
import type { SurgeryRow, VenueRow } from '../../db/schema/index.js';
import type { Clock } from '../lib/clock.js';
import { unbookableReason } from './booking.js';
import { HOST_LABELS, placeName } from './emails.js';
import type { SurgeriesRepository } from './repository.js';
import { govukSpan, govukTime } from './time.js';

export interface PublicSlot {
  id: string;
  startsAt: string;
  endsAt: string;
  time: string;
  places: number;
  placesLeft: number;
}

export interface PublicSurgery {
  id: string;
  title: string;
  host: SurgeryRow['host'];
  hostLabel: string;
  area: string;
  startsAt: string;
  endsAt: string;
  when: string;
  where: string;
  accessNotes: string;
  /** Open for online booking now (window and notice). */
  open: boolean;
  /** Times that can be booked now, with places left. */
  slots: PublicSlot[];
  full: boolean;
}

export function createPublicSurgeriesQuery(deps: {
  db: Db;
  clock: Clock;
  repo: SurgeriesRepository;
}) {
  const { db, clock, repo } = deps;

  function describe(
    surgery: SurgeryRow,
    venue: VenueRow | undefined | null,
    slots: Awaited<ReturnType<SurgeriesRepository['slotsOf']>>,
    now: Date,
  ): PublicSurgery {
    const bookable = slots.filter((slot) => unbookableReason(surgery, slot, now) === null);
    const withRoom = bookable.filter((slot) => slot.booked < slot.capacity);
    return {
      id: surgery.id,
      title: surgery.title,
      host: surgery.host,
      hostLabel: surgery.host === 'commissioner' ? 'Commissioner' : 'Deputy Commissioner',
      area: surgery.area,
      startsAt: surgery.startsAt.toISOString(),
      endsAt: surgery.endsAt.toISOString(),
      when: govukSpan(surgery.startsAt, surgery.endsAt),
      where: placeName({ surgery, venue: venue ?? undefined }),
      accessNotes: venue?.accessNotes ?? '',
      open: bookable.length > 0,
      slots: withRoom.map((slot) => ({
        id: slot.id,
        startsAt: slot.startsAt.toISOString(),
        endsAt: slot.endsAt.toISOString(),
        time: govukTime(slot.startsAt),
        places: slot.capacity,
        placesLeft: slot.capacity - slot.booked,
      })),
      full: bookable.length > 0 && withRoom.length === 0,
    };
  }

  return {
    hostLabel: (host: SurgeryRow['host']) => HOST_LABELS[host],
    async upcoming(): Promise<PublicSurgery[]> {
      const now = clock.now();
      const rows = await repo.upcomingPublic(db, now);
      const slots = await repo.slotsOf(
        db,
        rows.map((r) => r.surgery.id),
      );
      return rows.map((r) =>
        describe(
          r.surgery,
          r.venue,
          slots.filter((s) => s.surgeryId === r.surgery.id),
          now,
        ),
      );
    },
    async one(surgeryId: string): Promise<PublicSurgery | undefined> {
      if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(surgeryId))
        return undefined;
      const now = clock.now();
      const surgery = await repo.surgery(db, surgeryId);
      if (!surgery || surgery.kind !== 'public' || surgery.status !== 'published') return undefined;
      const venue = surgery.venueId ? await repo.venue(db, surgery.venueId) : undefined;
      return describe(surgery, venue, await repo.slots(db, surgeryId), now);
    },
  };
}
