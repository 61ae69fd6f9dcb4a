/**
 * Links from emails (docs/rules/surgeries.md §5, §7). Opening a link never changes anything
 * (link scanners open them): the manage link binds the booking to a signed cookie and
 * redirects, keeping the token out of history; cancelling is a POST from the page.
 */
import { formField as str } from './form.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError, notFound, type FieldErrors } from '../platform/errors.js';
import { NotBookableError, SlotFullError } from './errors.js';
import { bookingPage, placesText } from './journey.js';
import { personProblems } from './people.js';
import { publicActor } from '../platform/auth.js';
import { CANCEL_RATE_LIMIT, MANAGE_RATE_LIMIT } from './public-request.js';
import type { SurgeriesService } from './service.js';
import { govukDay, govukTime } from './time.js';
import { publicPageRoute } from '../platform/page-route.js';
import { LenientParams } from '../platform/schemas.js';
import type { App } from '../platform/app-type.js';

export const MANAGE_COOKIE = 'surgery_manage';

// A token or surgery id the service does not know is its 404, whatever its shape, so the
// params schemas only type them; the forms are read leniently (form.ts), as `unknown`.
const TokenParams = LenientParams('token');
const SurgeryParams = LenientParams('id');

export async function manageRoutes(
  app: App,
  opts: { surgeries: SurgeriesService; cookieSecure: boolean },
) {
  const { surgeries } = opts;

  const tokenOf = (request: FastifyRequest) => {
    const raw = request.cookies[MANAGE_COOKIE];
    const unsigned = raw ? request.unsignCookie(raw) : undefined;
    return unsigned?.valid ? (unsigned.value ?? '') : '';
  };

  async function current(request: FastifyRequest) {
    const booking = await surgeries.booking.byToken(tokenOf(request));
    const place = (await surgeries.booking.placeOf(booking.slotId))!;
    return { booking, place };
  }

  app.get(
    '/surgeries/manage/:token',
    publicPageRoute({ params: TokenParams }),
    async (request, reply) => {
      // Checked, not used: an unknown token is a 404 here, and nothing changes either way.
      await surgeries.booking.byToken(request.params.token);
      reply.setCookie(MANAGE_COOKIE, request.params.token, {
        path: '/surgeries/manage',
        httpOnly: true,
        sameSite: 'lax',
        secure: opts.cookieSecure,
        signed: true,
        maxAge: 24 * 3600,
      });
      reply.header('referrer-policy', 'no-referrer');
      return reply.redirect('/surgeries/manage', 303);
    },
  );

  async function renderManage(
    request: FastifyRequest,
    reply: FastifyReply,
    notice?: string,
    errors?: FieldErrors,
    status = 200,
  ) {
    const { booking, place } = await current(request);
    const surgery = await surgeries.public.one(place.surgery.id);
    const now = surgeries.clock.now();
    return bookingPage(
      reply,
      'manage',
      {
        pageTitle: 'Your surgery appointment',
        booking,
        notice,
        errors,
        day: govukDay(place.slot.startsAt),
        time: `${govukTime(place.slot.startsAt)} to ${govukTime(place.slot.endsAt)}`,
        where: surgery?.where ?? '',
        active: booking.status === 'confirmed' && place.slot.startsAt > now,
        late: place.slot.startsAt.getTime() - now.getTime() < 24 * 3600_000,
        items: (surgery?.slots ?? [])
          .filter((s) => s.id !== booking.slotId)
          .map((s) => ({ value: s.id, text: `${s.time} (${placesText(s.placesLeft)})` })),
      },
      status,
    );
  }

  app.get('/surgeries/manage', publicPageRoute(), async (request, reply) =>
    renderManage(request, reply),
  );

  app.post(
    '/surgeries/manage/cancel',
    publicPageRoute({}, { rateLimit: CANCEL_RATE_LIMIT }),
    async (request, reply) => {
      const { booking } = await current(request);
      await surgeries.booking.cancelById(publicActor(request), booking.id, 'person');
      return bookingPage(reply, 'cancelled', {
        pageTitle: 'Appointment cancelled',
        reference: booking.reference,
      });
    },
  );

  app.post(
    '/surgeries/manage/change',
    publicPageRoute({}, { rateLimit: MANAGE_RATE_LIMIT }),
    async (request, reply) => {
      const { booking } = await current(request);
      const slotId = str(request.body, 'slotId', 100);
      if (!slotId)
        return renderManage(request, reply, undefined, { slotId: 'Select a new time' }, 400);
      try {
        await surgeries.booking.move(publicActor(request), booking.id, slotId, { staff: false });
      } catch (error) {
        if (
          error instanceof SlotFullError ||
          error instanceof NotBookableError ||
          (error instanceof AppError && error.statusCode === 404)
        )
          return renderManage(
            request,
            reply,
            undefined,
            { slotId: 'That time has just been taken. Select another time' },
            409,
          );
        throw error;
      }
      return renderManage(
        request,
        reply,
        'Your appointment has been changed. We have emailed you the new time.',
      );
    },
  );

  // Waiting-list offers: the page offers Accept and Decline; only a POST acts.
  app.get(
    '/surgeries/offer/:token',
    publicPageRoute({ params: TokenParams }),
    async (request, reply) => {
      const { booking } = await surgeries.waitlist.offerByToken(request.params.token);
      const place = (await surgeries.booking.placeOf(booking.slotId))!;
      const live =
        booking.status === 'held' &&
        booking.holdExpiresAt !== null &&
        booking.holdExpiresAt > surgeries.clock.now();
      reply.header('referrer-policy', 'no-referrer');
      return bookingPage(reply, 'offer', {
        pageTitle: live ? 'A place has come free' : 'This offer has expired',
        live,
        accepted: booking.status === 'confirmed',
        token: request.params.token,
        reference: booking.reference,
        day: govukDay(place.slot.startsAt),
        time: govukTime(place.slot.startsAt),
        until: booking.holdExpiresAt
          ? `${govukTime(booking.holdExpiresAt)} on ${govukDay(booking.holdExpiresAt)}`
          : '',
      });
    },
  );
  app.post(
    '/surgeries/offer',
    publicPageRoute({}, { rateLimit: MANAGE_RATE_LIMIT }),
    async (request, reply) => {
      const token = str(request.body, 'token', 100);
      const decision = str(request.body, 'decision', 20);
      try {
        if (decision === 'accept') {
          const booking = await surgeries.waitlist.accept(publicActor(request), token);
          return bookingPage(reply, 'offer-done', {
            pageTitle: 'Booking confirmed',
            accepted: true,
            reference: booking.reference,
          });
        }
        await surgeries.waitlist.decline(publicActor(request), token);
        return bookingPage(reply, 'offer-done', { pageTitle: 'Place declined', accepted: false });
      } catch (error) {
        if (error instanceof AppError && error.code === 'surgeries.offer_expired')
          return reply.errorPage!(
            409,
            'This offer has expired',
            'The place has been offered to the next person on the waiting list.',
          );
        throw error;
      }
    },
  );

  // Joining the waiting list for a full surgery.
  async function renderJoin(
    reply: FastifyReply,
    surgeryId: string,
    values: Record<string, string>,
    errors?: FieldErrors,
    status = 200,
  ) {
    const surgery = await surgeries.public.one(surgeryId);
    if (!surgery) throw notFound('Surgery not found');
    return bookingPage(
      reply,
      'waitlist',
      { pageTitle: 'Join the waiting list', surgery, values, errors },
      status,
    );
  }
  app.get(
    '/surgeries/waiting-list/:id',
    publicPageRoute({ params: SurgeryParams }),
    async (request, reply) => renderJoin(reply, request.params.id, {}),
  );
  app.post(
    '/surgeries/waiting-list/:id',
    publicPageRoute({ params: SurgeryParams }, { rateLimit: MANAGE_RATE_LIMIT }),
    async (request, reply) => {
      const values = {
        name: str(request.body, 'name'),
        email: str(request.body, 'email'),
        phone: str(request.body, 'phone'),
      };
      const problems = personProblems(values, { requireArea: false });
      if (Object.keys(problems).length)
        return renderJoin(reply, request.params.id, values, problems, 400);
      try {
        await surgeries.waitlist.join(publicActor(request), request.params.id, values);
      } catch (error) {
        if (
          error instanceof AppError &&
          (error.code === 'surgeries.already_waiting' || error.code === 'surgeries.places_free')
        )
          return renderJoin(reply, request.params.id, values, { name: error.message }, 409);
        throw error;
      }
      return bookingPage(reply, 'waitlist-done', { pageTitle: 'You are on the waiting list' });
    },
  );
}
