import { Type } from '@sinclair/typebox';
import { PERSON_LIMITS, TOPICS } from './people.js';

/** `POST /api/surgeries` (docs/rules/api.md): instants in, slots generated in London wall time. */
export const NewSurgeryBody = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 200 }),
    venue: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    streetLocation: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
    kind: Type.Optional(Type.Union([Type.Literal('public'), Type.Literal('street')])),
    host: Type.Optional(Type.Union([Type.Literal('commissioner'), Type.Literal('deputy')])),
    area: Type.Optional(Type.String({ maxLength: 40 })),
    startsAt: Type.String({ format: 'date-time' }),
    endsAt: Type.String({ format: 'date-time' }),
    slotMinutes: Type.Integer({ minimum: 5, maximum: 240 }),
    placesPerSlot: Type.Integer({ minimum: 1, maximum: 50 }),
    bookingOpensAt: Type.Optional(Type.String({ format: 'date-time' })),
    bookingClosesAt: Type.Optional(Type.String({ format: 'date-time' })),
    minNoticeMinutes: Type.Optional(Type.Integer({ minimum: 0, maximum: 43_200 })),
    publish: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export const CreatedSurgery = Type.Object({
  id: Type.String(),
  slots: Type.Array(
    Type.Object({ id: Type.String(), startsAt: Type.String(), places: Type.Integer() }),
  ),
});

const Slot = Type.Object({
  id: Type.String(),
  startsAt: Type.String(),
  endsAt: Type.String(),
  time: Type.String(),
  places: Type.Integer(),
  placesLeft: Type.Integer(),
});

export const PublicSurgeries = Type.Array(
  Type.Object({
    id: Type.String(),
    title: Type.String(),
    host: Type.String(),
    area: Type.String(),
    startsAt: Type.String(),
    endsAt: Type.String(),
    when: Type.String(),
    where: Type.String(),
    accessNotes: Type.String(),
    open: Type.Boolean(),
    full: Type.Boolean(),
    slots: Type.Array(Slot),
  }),
);

/** `POST /api/public/bookings`. Lengths bound the request; the friendly checks follow. */
export const PublicBookingBody = Type.Object(
  {
    slotId: Type.String({ format: 'uuid' }),
    name: Type.String({ maxLength: 2000 }),
    email: Type.String({ maxLength: 2000 }),
    phone: Type.Optional(Type.String({ maxLength: 2000 })),
    area: Type.Optional(Type.String({ maxLength: 100 })),
    topic: Type.Optional(Type.Unsafe<string>({ type: 'string', enum: [...TOPICS] })),
    topicDetail: Type.Optional(Type.String({ maxLength: PERSON_LIMITS.topicDetail * 4 })),
    adjustments: Type.Optional(Type.String({ maxLength: PERSON_LIMITS.adjustments * 4 })),
  },
  { additionalProperties: false },
);

export const BookingResult = Type.Object({
  reference: Type.String(),
  startsAt: Type.String(),
});

export const CancelBody = Type.Object(
  { token: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);

export const SurgeryDetail = Type.Object({
  id: Type.String(),
  title: Type.String(),
  status: Type.String(),
  startsAt: Type.String(),
  endsAt: Type.String(),
  slots: Type.Array(
    Type.Object({
      id: Type.String(),
      startsAt: Type.String(),
      places: Type.Integer(),
      placesLeft: Type.Integer(),
      closed: Type.Boolean(),
      bookings: Type.Array(
        Type.Object({ id: Type.String(), reference: Type.String(), status: Type.String() }),
      ),
    }),
  ),
});
