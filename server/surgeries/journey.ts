/**
 * The public booking journey (docs/rules/surgeries.md §3): one question a page, no JavaScript
 * needed. Answers are kept server-side (24 h) under a signed cookie holding only their id.
 */
import { randomUUID } from 'node:crypto';
import { formField as field } from './form.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError, notFound, type FieldErrors } from '../platform/errors.js';
import { NotBookableError, SlotFullError, type FreeTime } from './errors.js';
import { AREA_LABELS, areaItems, personProblems, TOPIC_LABELS, topicItems } from './people.js';
import { publicActor } from '../platform/auth.js';
import { BOOKING_RATE_LIMIT } from './public-request.js';
import type { SurgeriesService } from './service.js';
import { govukDay, govukTime } from './time.js';
import { JOURNEY_TTL_MS } from './waitlist.js';
import { publicPageRoute } from '../platform/page-route.js';
import type { App } from '../platform/app-type.js';

export const JOURNEY_COOKIE = 'surgery_journey';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const FIELDS = [
  'name',
  'email',
  'phone',
  'area',
  'topic',
  'topicDetail',
  'adjustments',
  'needsAdjustments',
] as const;

type Answers = Record<string, string>;

export const placesText = (n: number) => (n === 1 ? '1 place left' : `${n} places left`);

/** Renders one of the booking journey's pages (book and manage share the views and title). */
export const bookingPage = (
  reply: FastifyReply,
  template: string,
  context: Record<string, unknown>,
  status = 200,
) =>
  reply.page(
    `surgeries/views/book/${template}.njk`,
    { serviceName: 'Book a surgery appointment', ...context },
    status,
  );

export async function journeyRoutes(
  app: App,
  opts: { surgeries: SurgeriesService; cookieSecure: boolean },
) {
  const { surgeries } = opts;
  const repo = surgeries.repo;
  const clock = surgeries.clock;
  const db = surgeries.db;

  async function load(request: FastifyRequest): Promise<{ id?: string; answers: Answers }> {
    const raw = request.cookies[JOURNEY_COOKIE];
    const unsigned = raw ? request.unsignCookie(raw) : undefined;
    const id = unsigned?.valid ? unsigned.value : undefined;
    if (!id || !UUID.test(id)) return { answers: {} };
    const row = await repo.journey(db, id, new Date(clock.now().getTime() - JOURNEY_TTL_MS));
    return row ? { id, answers: row.answers } : { answers: {} };
  }

  async function save(reply: FastifyReply, journey: { id?: string }, answers: Answers) {
    const id = await repo.saveJourney(db, journey.id, answers, clock.now());
    reply.setCookie(JOURNEY_COOKIE, id, {
      path: '/surgeries',
      httpOnly: true,
      sameSite: 'lax',
      secure: opts.cookieSecure,
      signed: true,
      maxAge: JOURNEY_TTL_MS / 1000,
    });
  }

  const next = (request: FastifyRequest, path: string) =>
    (request.query as { change?: string }).change ? '/surgeries/book/check' : path;
  const changeSuffix = (request: FastifyRequest) =>
    (request.query as { change?: string }).change ? '?change=1' : '';

  // 1. The start page: what surgeries are, when the next ones are.
  app.get('/surgeries', publicPageRoute(), async (_request, reply) => {
    const upcoming = await surgeries.public.upcoming();
    return bookingPage(reply, 'start', {
      pageTitle: 'Meet the Police and Crime Commissioner',
      upcoming,
    });
  });

  // 2. Choose a surgery.
  async function renderSurgery(
    reply: FastifyReply,
    answers: Answers,
    errors?: FieldErrors,
    status = 200,
  ) {
    const upcoming = await surgeries.public.upcoming();
    const bookable = upcoming.filter((s) => s.slots.length > 0);
    const full = upcoming.filter((s) => s.slots.length === 0 && (s.full || s.open));
    return bookingPage(
      reply,
      'surgery',
      {
        pageTitle: 'Which surgery would you like to go to?',
        errors,
        bookable,
        full,
        items: bookable.map((s) => ({
          value: s.id,
          text: `${s.when}, ${s.where} (${s.hostLabel})`,
          checked: answers.surgeryId === s.id,
        })),
      },
      status,
    );
  }
  app.get('/surgeries/book/surgery', publicPageRoute(), async (request, reply) =>
    renderSurgery(reply, (await load(request)).answers),
  );
  app.post('/surgeries/book/surgery', publicPageRoute(), async (request, reply) => {
    const journey = await load(request);
    const surgeryId = field(request.body, 'surgeryId', 100);
    const chosen = UUID.test(surgeryId) ? await surgeries.public.one(surgeryId) : undefined;
    if (!chosen || chosen.slots.length === 0)
      return renderSurgery(reply, journey.answers, { surgeryId: 'Select a surgery' }, 400);
    const answers: Answers = { ...journey.answers, surgeryId };
    if (journey.answers.surgeryId !== surgeryId) delete answers.slotId;
    await save(reply, journey, answers);
    return reply.redirect('/surgeries/book/time', 303);
  });

  // 3. Choose a time.
  async function renderTime(
    request: FastifyRequest,
    reply: FastifyReply,
    answers: Answers,
    errors?: FieldErrors,
    status = 200,
  ) {
    const surgery = answers.surgeryId ? await surgeries.public.one(answers.surgeryId) : undefined;
    if (!surgery) return reply.redirect('/surgeries/book/surgery', 303);
    return bookingPage(
      reply,
      'time',
      {
        pageTitle: 'What time would you like?',
        errors,
        surgery,
        action: `/surgeries/book/time${changeSuffix(request)}`,
        items: surgery.slots.map((slot) => ({
          value: slot.id,
          text: `${slot.time} (${placesText(slot.placesLeft)})`,
          checked: answers.slotId === slot.id,
        })),
      },
      status,
    );
  }
  app.get('/surgeries/book/time', publicPageRoute(), async (request, reply) =>
    renderTime(request, reply, (await load(request)).answers),
  );
  app.post('/surgeries/book/time', publicPageRoute(), async (request, reply) => {
    const journey = await load(request);
    const slotId = field(request.body, 'slotId', 100);
    const surgery = journey.answers.surgeryId
      ? await surgeries.public.one(journey.answers.surgeryId)
      : undefined;
    if (!surgery) return reply.redirect('/surgeries/book/surgery', 303);
    if (!surgery.slots.some((s) => s.id === slotId))
      return renderTime(request, reply, journey.answers, { slotId: 'Select a time' }, 400);
    await save(reply, journey, { ...journey.answers, slotId });
    return reply.redirect(next(request, '/surgeries/book/details'), 303);
  });

  // 4-6. Details, topic, adjustments: one set of fields each.
  const steps = {
    details: {
      fields: ['name', 'email', 'phone', 'area'],
      title: 'Your details',
      next: '/surgeries/book/topic',
    },
    topic: {
      fields: ['topic', 'topicDetail'],
      title: 'What would you like to talk about?',
      next: '/surgeries/book/adjustments',
    },
    adjustments: {
      fields: ['needsAdjustments', 'adjustments'],
      title: 'Do you need any adjustments?',
      next: '/surgeries/book/check',
    },
  } as const;

  function stepProblems(step: keyof typeof steps, values: Answers): FieldErrors {
    if (step === 'details') {
      const all = personProblems(values, { requireArea: true });
      return Object.fromEntries(
        Object.entries(all).filter(([k]) => ['name', 'email', 'phone', 'area'].includes(k)),
      );
    }
    if (step === 'topic') {
      const errors: FieldErrors = {};
      if (!values.topic) errors.topic = 'Select what you would like to talk about';
      Object.assign(
        errors,
        Object.fromEntries(
          Object.entries(
            personProblems({ ...values, name: 'x', email: 'a@b.cd' }, { requireArea: false }),
          ).filter(([k]) => ['topic', 'topicDetail'].includes(k)),
        ),
      );
      return errors;
    }
    const errors: FieldErrors = {};
    if (values.needsAdjustments !== 'yes' && values.needsAdjustments !== 'no')
      errors.needsAdjustments = 'Select yes if you need any adjustments';
    else if (values.needsAdjustments === 'yes' && !values.adjustments?.trim())
      errors.adjustments = 'Tell us what adjustments you need';
    else {
      const more = personProblems(
        { name: 'x', email: 'a@b.cd', adjustments: values.adjustments },
        { requireArea: false },
      );
      if (more.adjustments) errors.adjustments = more.adjustments;
    }
    return errors;
  }

  for (const step of Object.keys(steps) as Array<keyof typeof steps>) {
    const spec = steps[step];
    const render = (
      request: FastifyRequest,
      reply: FastifyReply,
      values: Answers,
      errors?: FieldErrors,
      status = 200,
    ) =>
      bookingPage(
        reply,
        step,
        {
          pageTitle: spec.title,
          errors,
          values,
          action: `/surgeries/book/${step}${changeSuffix(request)}`,
          areaItems: areaItems(values.area),
          topicItems: topicItems(values.topic),
        },
        status,
      );
    app.get(`/surgeries/book/${step}`, publicPageRoute(), async (request, reply) => {
      const journey = await load(request);
      if (!journey.answers.slotId) return reply.redirect('/surgeries/book/surgery', 303);
      return render(request, reply, journey.answers);
    });
    app.post(`/surgeries/book/${step}`, publicPageRoute(), async (request, reply) => {
      const journey = await load(request);
      if (!journey.answers.slotId) return reply.redirect('/surgeries/book/surgery', 303);
      const values: Answers = { ...journey.answers };
      for (const name of spec.fields) values[name] = field(request.body, name);
      if (step === 'adjustments' && values.needsAdjustments === 'no') values.adjustments = '';
      const errors = stepProblems(step, values);
      if (Object.keys(errors).length) return render(request, reply, values, errors, 400);
      await save(reply, journey, values);
      return reply.redirect(next(request, spec.next), 303);
    });
  }

  // 7. Check your answers, and the booking itself.
  async function renderCheck(
    reply: FastifyReply,
    answers: Answers,
    extra: Record<string, unknown> = {},
    status = 200,
  ) {
    const place = answers.slotId ? await surgeries.booking.placeOf(answers.slotId) : undefined;
    if (!place) return reply.redirect('/surgeries/book/surgery', 303);
    const surgery = await surgeries.public.one(place.surgery.id);
    return bookingPage(
      reply,
      'check',
      {
        pageTitle: 'Check your answers before booking',
        answers,
        surgery,
        time: `${govukTime(place.slot.startsAt)} to ${govukTime(place.slot.endsAt)}`,
        areaLabel: AREA_LABELS[answers.area ?? ''] ?? '',
        topicLabel: TOPIC_LABELS[answers.topic ?? ''] ?? '',
        idempotencyKey: randomUUID(),
        ...extra,
      },
      status,
    );
  }
  app.get('/surgeries/book/check', publicPageRoute(), async (request, reply) => {
    const { answers } = await load(request);
    if (!answers.slotId || !answers.name || !answers.topic || !answers.needsAdjustments)
      return reply.redirect('/surgeries/book/surgery', 303);
    return renderCheck(reply, answers);
  });

  function renderGone(
    reply: FastifyReply,
    answers: Answers,
    error: SlotFullError | NotBookableError,
    times: FreeTime[],
  ) {
    return bookingPage(
      reply,
      'gone',
      {
        pageTitle: error instanceof SlotFullError ? 'That time has just been taken' : error.message,
        heading: error instanceof SlotFullError ? 'That time has just been taken' : error.message,
        items: times.map((t) => ({
          value: t.slotId,
          text: `${govukTime(new Date(t.startsAt))} on ${govukDay(new Date(t.startsAt))} (${placesText(t.placesLeft)})`,
        })),
        answers,
      },
      409,
    );
  }

  app.post(
    '/surgeries/book/check',
    publicPageRoute({}, { rateLimit: BOOKING_RATE_LIMIT }),
    async (request, reply) => {
      const journey = await load(request);
      const { answers } = journey;
      if (!answers.slotId || !answers.name) return reply.redirect('/surgeries/book/surgery', 303);
      if (field(request.body, 'website') !== '') return reply.redirect('/surgeries', 303);
      const posted = field(request.body, 'idempotencyKey', 100);
      const key = UUID.test(posted) ? `form:${posted.toLowerCase()}` : null;
      try {
        const person = Object.fromEntries(
          FIELDS.filter((f) => f !== 'needsAdjustments').map((f) => [f, answers[f] ?? '']),
        );
        const booking = await surgeries.booking.book(publicActor(request), answers.slotId, person, {
          key,
        });
        await save(reply, journey, { surgeryId: answers.surgeryId ?? '', bookingId: booking.id });
        return reply.redirect('/surgeries/book/confirmation', 303);
      } catch (error) {
        if (error instanceof SlotFullError || error instanceof NotBookableError)
          return renderGone(reply, answers, error, error.nextFreeTimes);
        if (error instanceof AppError && error.code === 'surgeries.already_booked')
          return reply.errorPage!(
            409,
            'You already have a booking for this surgery',
            'Use the link in your confirmation email to change or cancel it.',
          );
        if (error instanceof AppError && error.statusCode === 400 && error.fields)
          return bookingPage(
            reply,
            'details',
            {
              pageTitle: 'Your details',
              errors: error.fields,
              values: answers,
              action: '/surgeries/book/details?change=1',
            },
            400,
          );
        throw error;
      }
    },
  );

  // 8. Confirmation, and its calendar file.
  async function confirmed(request: FastifyRequest) {
    const { answers } = await load(request);
    const bookingId = answers.bookingId;
    if (!bookingId || !UUID.test(bookingId)) return undefined;
    const booking = await repo.booking(db, bookingId);
    if (!booking || booking.status !== 'confirmed') return undefined;
    const place = (await surgeries.booking.placeOf(booking.slotId))!;
    return { booking, place };
  }
  app.get('/surgeries/book/confirmation', publicPageRoute(), async (request, reply) => {
    const found = await confirmed(request);
    if (!found) return reply.redirect('/surgeries', 303);
    const { booking, place } = found;
    return bookingPage(reply, 'confirmation', {
      pageTitle: 'Booking confirmed',
      reference: booking.reference,
      day: govukDay(place.slot.startsAt),
      time: `${govukTime(place.slot.startsAt)} to ${govukTime(place.slot.endsAt)}`,
      where: (await surgeries.public.one(place.surgery.id))?.where ?? '',
      email: booking.email,
    });
  });
  app.get('/surgeries/book/appointment.ics', publicPageRoute(), async (request, reply) => {
    const found = await confirmed(request);
    if (!found) throw notFound();
    const text = surgeries.calendar(found.booking, found.place);
    return reply
      .header('content-type', 'text/calendar; charset=utf-8; method=REQUEST')
      .header('content-disposition', `attachment; filename="${found.booking.reference}.ics"`)
      .send(text);
  });
}
