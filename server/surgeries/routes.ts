/** The surgeries JSON API (docs/rules/api.md) and the registration of the pages. */
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { apiRoute, publicApiRoute } from '../platform/api-route.js';
import { CASEWORK, publicActor } from '../platform/auth.js';
import { IdempotencyHeaders } from '../intake/schemas.js';
import { NotBookableError, SlotFullError } from './errors.js';
import { journeyRoutes } from './journey.js';
import { manageRoutes } from './manage.js';
import { staffPages } from './pages.js';
import { surgeryStatsPages } from './stats-pages.js';
import {
  BookingResult,
  CancelBody,
  CreatedSurgery,
  NewSurgeryBody,
  PublicBookingBody,
  PublicSurgeries,
  SurgeryDetail,
} from './schemas.js';
import { BOOKING_RATE_LIMIT, CANCEL_RATE_LIMIT, MANAGE_RATE_LIMIT } from './public-request.js';
import type { SurgeriesService } from './service.js';
import type { App } from '../platform/app-type.js';

// The buckets are also read here by the tests (test/surgeries/rate-limit.test.ts).
export { BOOKING_RATE_LIMIT, CANCEL_RATE_LIMIT, MANAGE_RATE_LIMIT };

/** A lost race or a closed time: 409 with the reason and the next free times. */
export function sendConflict(request: FastifyRequest, reply: FastifyReply, error: unknown) {
  if (error instanceof SlotFullError || error instanceof NotBookableError) {
    return reply.code(409).send({
      error: {
        code: error.code,
        message: error.message,
        requestId: request.id,
        nextFreeTimes: error.nextFreeTimes,
      },
    });
  }
  throw error;
}

const api = apiRoute('surgeries');

export async function surgeriesRoutes(
  app: App,
  opts: { surgeries: SurgeriesService; cookieSecure: boolean },
) {
  const { surgeries } = opts;

  app.post(
    '/api/surgeries',
    api(CASEWORK, 'Create a surgery; slots are generated in Europe/London wall time', {
      body: NewSurgeryBody,
      response: { 201: CreatedSurgery },
    }),
    async (request, reply) => {
      const body = request.body;
      const { surgery, slots } = await surgeries.schedule.create(request.actor(), {
        ...body,
        venue: body.venue ? { name: body.venue } : undefined,
      });
      return reply.code(201).send({
        id: surgery.id,
        slots: slots.map((s) => ({
          id: s.id,
          startsAt: s.startsAt.toISOString(),
          places: s.capacity,
        })),
      });
    },
  );

  app.get(
    '/api/surgeries/:id',
    api(CASEWORK, 'A surgery with its slots and bookings', {
      // Type.Unsafe gives this JSON Schema its static type; the schema itself is unchanged.
      params: Type.Unsafe<{ id: string }>({
        type: 'object',
        properties: { id: { type: 'string', format: 'uuid' } },
        required: ['id'],
      }),
      response: { 200: SurgeryDetail },
    }),
    async (request) => {
      const { surgery, slots, bookings } = await surgeries.day.view(
        request.actor(),
        request.params.id,
      );
      return {
        id: surgery.id,
        title: surgery.title,
        status: surgery.status,
        startsAt: surgery.startsAt.toISOString(),
        endsAt: surgery.endsAt.toISOString(),
        slots: slots.map((slot) => ({
          id: slot.id,
          startsAt: slot.startsAt.toISOString(),
          places: slot.capacity,
          placesLeft: slot.closedAt ? 0 : slot.capacity - slot.booked,
          closed: slot.closedAt !== null,
          bookings: bookings
            .filter((b) => b.booking.slotId === slot.id)
            .map((b) => ({
              id: b.booking.id,
              reference: b.booking.reference,
              status: b.booking.status,
            })),
        })),
      };
    },
  );

  app.get(
    '/api/public/surgeries',
    // A read, not a form: the general per-IP limit only.
    publicApiRoute(undefined, 'Upcoming surgeries with their bookable times and places left', {
      response: { 200: PublicSurgeries },
    }),
    async () => surgeries.public.upcoming(),
  );

  app.post(
    '/api/public/bookings',
    publicApiRoute(BOOKING_RATE_LIMIT, 'Book a place at a surgery', {
      description:
        'One place per person per surgery. 409 `surgeries.slot_full` (with `nextFreeTimes`) when the time has gone. An `Idempotency-Key` makes a repeat return the first booking; the same key with a different body gets 422.',
      headers: IdempotencyHeaders,
      body: PublicBookingBody,
      response: { 201: BookingResult },
    }),
    async (request, reply) => {
      const { slotId, ...person } = request.body;
      const key = request.headers['idempotency-key'];
      try {
        const booking = await surgeries.booking.book(publicActor(request), slotId, person, {
          key: key ? `api:${key}` : null,
        });
        if (booking.replayed) reply.header('idempotent-replayed', 'true');
        return reply.code(201).send({ reference: booking.reference, startsAt: booking.startsAt });
      } catch (error) {
        return sendConflict(request, reply, error);
      }
    },
  );

  app.post(
    '/api/public/bookings/cancel',
    publicApiRoute(
      CANCEL_RATE_LIMIT,
      'Cancel a booking with the token from its manage link; the place is free again',
      { body: CancelBody },
    ),
    async (request) => {
      const booking = await surgeries.booking.cancelByToken(
        publicActor(request),
        request.body.token,
      );
      return { reference: booking.reference, status: booking.status };
    },
  );

  await app.register(journeyRoutes, { surgeries, cookieSecure: opts.cookieSecure });
  await app.register(manageRoutes, { surgeries, cookieSecure: opts.cookieSecure });
  await app.register(staffPages, { surgeries });
  await app.register(surgeryStatsPages, { surgeries });
}
