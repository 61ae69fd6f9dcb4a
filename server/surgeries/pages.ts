/** Staff pages: the surgeries list, creating one, and running the day (domain §8). */
import { formField as str } from './form.js';
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CASEWORK } from '../platform/auth.js';
import { AppError, notFound, type FieldErrors } from '../platform/errors.js';
import { readDateFields } from '../platform/forms.js';
import { SlotFullError } from './errors.js';
import { AREA_LABELS, areaItems, TOPIC_LABELS, topicItems } from './people.js';
import type { SurgeriesService } from './service.js';
import { govukDay, govukSpan, govukTime } from './time.js';
import { pageRoute } from '../platform/page-route.js';
import type { App } from '../platform/app-type.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// JSON Schema as written before; Type.Unsafe only gives it its static type (the schema's
// own keys are unchanged), so the handler's `request.params` is typed from it.
const idParams = Type.Unsafe<{ id: string }>({
  type: 'object',
  properties: { id: { type: 'string', pattern: UUID.source } },
  required: ['id'],
});

// The path parameters of the day page's actions (`:slotId` or `:bookingId` on some), any
// string: the handlers answer 404 to one that is not a UUID, as they did without a schema.
const ActionParams = Type.Object({
  id: Type.String(),
  slotId: Type.Optional(Type.String()),
  bookingId: Type.Optional(Type.String()),
});
/** An action's request as its route types it (checked where the route passes it on). */
type ActionRequest = FastifyRequest & { params: Static<typeof ActionParams> };

const FORM_FIELDS = [
  'kind',
  'host',
  'title',
  'venueName',
  'venueAddress',
  'venuePostcode',
  'accessNotes',
  'streetLocation',
  'area',
  'date-day',
  'date-month',
  'date-year',
  'startTime',
  'endTime',
  'slotMinutes',
  'placesPerSlot',
  'minNoticeMinutes',
] as const;

/**
 * The surgery's GOV.UK date input (`date-day`, `-month`, `-year`) as `YYYY-MM-DD`, or '' when
 * it is not a real date (the service refuses it with its own message).
 */
const dateField = (body: unknown): string =>
  readDateFields(
    Object.fromEntries(['day', 'month', 'year'].map((p) => [`date-${p}`, str(body, `date-${p}`)])),
    'date',
  ).date ?? '';

export async function staffPages(app: App, opts: { surgeries: SurgeriesService }) {
  const { surgeries } = opts;
  app.staffNav.push({ href: '/staff/surgeries', text: 'Surgeries', roles: CASEWORK });

  app.get('/staff/surgeries', pageRoute(CASEWORK), async (_request, reply) => {
    const rows = await surgeries.repo.listSurgeries(surgeries.db, {});
    return reply.page('surgeries/views/list.njk', {
      pageTitle: 'Surgeries',
      rows: rows.map((r) => ({
        id: r.surgery.id,
        title: r.surgery.title,
        when: govukSpan(r.surgery.startsAt, r.surgery.endsAt),
        sortWhen: r.surgery.startsAt.toISOString(),
        kind: r.surgery.kind,
        host: r.surgery.host === 'commissioner' ? 'Commissioner' : 'Deputy',
        where: r.venueName ?? r.surgery.streetLocation ?? '',
        area: AREA_LABELS[r.surgery.area] ?? r.surgery.area,
        status: r.surgery.status,
        places: r.places,
        booked: r.booked,
      })),
    });
  });

  function renderNew(
    reply: FastifyReply,
    values: Record<string, string>,
    errors?: FieldErrors,
    status = 200,
  ) {
    return reply.page(
      'surgeries/views/new.njk',
      { pageTitle: 'Create a surgery', values, errors, areaItems: areaItems(values.area) },
      status,
    );
  }
  app.get('/staff/surgeries/new', pageRoute(CASEWORK), async (_request, reply) =>
    renderNew(reply, {
      kind: 'public',
      host: 'commissioner',
      slotMinutes: '15',
      placesPerSlot: '1',
      minNoticeMinutes: '1440',
    }),
  );
  app.post('/staff/surgeries/new', pageRoute(CASEWORK), async (request, reply) => {
    const values: Record<string, string> = {};
    for (const f of FORM_FIELDS) values[f] = str(request.body, f, 2000).trim();
    const date = dateField(values);
    try {
      const { surgery } = await surgeries.schedule.create(request.actor(), {
        kind: values.kind === 'street' ? 'street' : 'public',
        host: values.host === 'deputy' ? 'deputy' : 'commissioner',
        title: values.title,
        venue: values.venueName
          ? {
              name: values.venueName,
              address: values.venueAddress,
              postcode: values.venuePostcode,
              accessNotes: values.accessNotes,
            }
          : undefined,
        streetLocation: values.streetLocation,
        area: values.area,
        date,
        startTime: values.startTime,
        endTime: values.endTime,
        slotMinutes: Number(values.slotMinutes || 15),
        placesPerSlot: Number(values.placesPerSlot || 1),
        minNoticeMinutes: Number(values.minNoticeMinutes || 1440),
      });
      return reply.redirect(`/staff/surgeries/${surgery.id}`, 303);
    } catch (error) {
      if (error instanceof AppError && error.statusCode === 400 && error.fields) {
        const fields = { ...error.fields };
        if (fields.venue) fields.venueName = fields.venue;
        delete fields.venue;
        return renderNew(reply, values, fields, 400);
      }
      throw error;
    }
  });

  async function renderDay(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    errors?: FieldErrors,
    status = 200,
  ) {
    const view = await surgeries.day.view(request.actor(), id);
    const { surgery } = view;
    const slotTime = new Map(view.slots.map((s) => [s.id, s.startsAt]));
    return reply.page(
      'surgeries/views/day.njk',
      {
        pageTitle: surgery.title,
        errors,
        surgery,
        when: govukSpan(surgery.startsAt, surgery.endsAt),
        where: view.venue ? view.venue.name : (surgery.streetLocation ?? ''),
        slots: view.slots.map((s) => ({
          id: s.id,
          time: govukTime(s.startsAt),
          sort: s.startsAt.toISOString(),
          capacity: s.capacity,
          booked: s.booked,
          closed: s.closedAt !== null,
        })),
        bookings: view.bookings.map(({ booking: b, notes }) => ({
          id: b.id,
          reference: b.reference,
          time: govukTime(slotTime.get(b.slotId) ?? b.createdAt),
          sort: (slotTime.get(b.slotId) ?? b.createdAt).toISOString(),
          name: b.name,
          status: b.status,
          topic: b.topic ? (TOPIC_LABELS[b.topic] ?? b.topic) : '',
          topicDetail: b.topicDetail ?? '',
          adjustments: b.adjustments ?? '',
          attendance: b.attendance,
          caseId: b.caseId,
          notes,
        })),
        conversations: view.conversations.map((c) => ({
          ...c,
          areaLabel: AREA_LABELS[c.area] ?? c.area,
          topicLabel: TOPIC_LABELS[c.topic] ?? c.topic,
          time: govukTime(c.createdAt),
        })),
        waitlist: view.waitlist.map((w) => ({
          ...w,
          joined: `${govukDay(w.joinedAt)} ${govukTime(w.joinedAt)}`,
        })),
        areaItems: areaItems(),
        topicItems: topicItems(),
      },
      status,
    );
  }

  app.get(
    '/staff/surgeries/:id',
    pageRoute(CASEWORK, { params: idParams }),
    async (request, reply) => renderDay(request, reply, request.params.id),
  );

  // Actions on the surgery: each a POST that comes back to the day page. The UUID test below
  // checks `:id` (ActionParams only types it); forms are read through str(), as `unknown`.
  const surgeryAction = (path: string, run: (request: ActionRequest) => Promise<unknown>) =>
    app.post(
      `/staff/surgeries/:id${path}`,
      pageRoute(CASEWORK, { params: ActionParams }),
      async (request, reply) => {
        if (!UUID.test(request.params.id)) throw notFound('Surgery not found');
        try {
          await run(request);
        } catch (error) {
          if (error instanceof AppError && error.statusCode === 400 && error.fields)
            return renderDay(request, reply, request.params.id, error.fields, 400);
          if (error instanceof SlotFullError)
            return renderDay(request, reply, request.params.id, { slotId: error.message }, 409);
          throw error;
        }
        return reply.redirect(`/staff/surgeries/${request.params.id}`, 303);
      },
    );

  surgeryAction('/publish', (r) => surgeries.schedule.publish(r.actor(), r.params.id));
  surgeryAction('/slots/:slotId/close', (r) =>
    surgeries.schedule.closeSlot(
      r.actor(),
      r.params.id,
      UUID.test(r.params.slotId ?? '') ? r.params.slotId! : '00000000-0000-0000-0000-000000000000',
    ),
  );
  surgeryAction('/move', (r) =>
    surgeries.schedule.move(r.actor(), r.params.id, {
      date: dateField(r.body),
      startTime: str(r.body, 'startTime'),
    }),
  );
  surgeryAction('/cancel', (r) =>
    surgeries.schedule.cancel(r.actor(), r.params.id, str(r.body, 'reason')),
  );
  surgeryAction('/conversations', (r) =>
    surgeries.day.logConversation(r.actor(), r.params.id, {
      area: str(r.body, 'area'),
      topic: str(r.body, 'topic'),
      summary: str(r.body, 'summary'),
      contactName: str(r.body, 'contactName'),
      contactEmail: str(r.body, 'contactEmail'),
    }),
  );

  // Actions on one booking (the surgery id in the path brings staff back to the day).
  const bookingAction = (
    path: string,
    run: (request: ActionRequest, bookingId: string) => Promise<unknown>,
  ) =>
    surgeryAction(`/bookings/:bookingId${path}`, async (r) => {
      // Always in this path; `?? ''` only for ActionParams, which the other actions share.
      const bookingId = r.params.bookingId ?? '';
      if (!UUID.test(bookingId)) throw notFound('Booking not found');
      const booking = await surgeries.repo.booking(surgeries.db, bookingId);
      if (!booking || booking.surgeryId !== r.params.id) throw notFound('Booking not found');
      return run(r, bookingId);
    });
  bookingAction('/attendance', (r, bookingId) => {
    const value = str(r.body, 'attendance');
    return surgeries.day.setAttendance(
      r.actor(),
      bookingId,
      value === 'attended' || value === 'no_show' ? value : null,
    );
  });
  bookingAction('/notes', (r, bookingId) =>
    surgeries.day.addNote(r.actor(), bookingId, str(r.body, 'note')),
  );
  bookingAction('/case', (r, bookingId) => surgeries.day.openCase(r.actor(), bookingId));
  bookingAction('/cancel', (r, bookingId) =>
    surgeries.booking.cancelById(r.actor(), bookingId, 'office'),
  );
  bookingAction('/move', (r, bookingId) =>
    surgeries.booking.move(r.actor(), bookingId, str(r.body, 'slotId', 100), {
      staff: true,
    }),
  );
}
