/**
 * A case's clock events (docs/rules/deadlines.md §4) as correspondence offers them: the JSON API to
 * record and void one, and the case page's form. The clock (server/deadlines) does the work
 * for any subject; these routes name the subject type 'case' and show the case.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { DeadlinesService, RecordEventInput } from '../deadlines/service.js';
import {
  CaseEventParams,
  SubjectIdParams,
  DeadlineViewSchema,
  EventForm,
  RecordedEventSchema,
  VoidEventBody,
} from '../deadlines/schemas.js';
import { RecordEventBody } from './clock-schemas.js';
import { CASE_TYPE_LABELS as TYPE_LABELS } from '../lib/deadline-rules.js';
import { dateFromParts } from '../lib/dates.js';
import { apiRoute } from '../platform/api-route.js';
import { CASEWORK } from '../platform/auth.js';
import { AppError, type FieldErrors } from '../platform/errors.js';
import { pageRoute } from '../platform/page-route.js';
import type { App } from '../platform/app-type.js';

// Tagged as before: the OpenAPI document lists these under deadlines.
const api = apiRoute('deadlines');

/** Service field paths (`data.reason`) to the form's field names (`reason`). */
const FORM_FIELDS: Record<string, string> = {
  'data.reason': 'reason',
  'data.amount': 'amount',
  'data.kind': 'extensionKind',
  'data.date': 'date',
  'data.deadline': 'kind',
  'data.outcome': 'kind',
};
const formFields = (fields: FieldErrors): FieldErrors =>
  Object.fromEntries(Object.entries(fields).map(([k, v]) => [FORM_FIELDS[k] ?? k, v]));

export async function caseClockRoutes(app: App, opts: { deadlines: DeadlinesService }) {
  const { deadlines } = opts;

  app.post(
    '/api/cases/:id/events',
    api(CASEWORK, 'Record a clock event; the due date is recomputed (docs/rules/deadlines.md §4)', {
      params: SubjectIdParams,
      body: RecordEventBody,
      response: { 201: RecordedEventSchema },
    }),
    async (request, reply) => {
      const { subjectId, ...result } = await deadlines.recordEvent(
        request.actor(),
        'case',
        request.params.id,
        request.body,
      );
      return reply.code(201).send({ ...result, caseId: subjectId });
    },
  );

  app.post(
    '/api/cases/:id/events/:eventId/void',
    api(CASEWORK, 'Void a clock event with a reason (a correction; nothing is edited)', {
      params: CaseEventParams,
      body: VoidEventBody,
      response: { 200: DeadlineViewSchema },
    }),
    async (request) =>
      deadlines.voidEvent(
        request.actor(),
        'case',
        request.params.id,
        request.params.eventId,
        request.body.reason,
      ),
  );

  // ---- The case page's clock-event form ---------------------------------------------------

  async function renderEventForm(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    extra: { errors?: FieldErrors; values?: Record<string, unknown>; status?: number } = {},
  ) {
    const detail = await request.server.services.correspondence.get(request.actor(), id);
    return reply.page(
      'correspondence/views/clock-event.njk',
      {
        pageTitle: `Record something that changes the deadline: ${detail.reference}`,
        c: {
          id: detail.id,
          reference: detail.reference,
          type: detail.type,
          deadline: detail.deadline,
        },
        typeLabel: TYPE_LABELS[detail.type],
        values: extra.values ?? {},
        errors: extra.errors,
        isManager: request.staff?.role === 'manager',
      },
      extra.status ?? 200,
    );
  }

  app.get(
    '/casework/:id/events/new',
    pageRoute(CASEWORK, { params: SubjectIdParams }),
    async (request, reply) => renderEventForm(request, reply, request.params.id),
  );

  app.post(
    '/casework/:id/events',
    pageRoute(CASEWORK, { params: SubjectIdParams, body: EventForm }),
    async (request, reply) => {
      const { id } = request.params;
      const values = { ...request.body, _csrf: undefined };
      const b = request.body;
      const fields: FieldErrors = {};
      if (!b.kind) fields.kind = 'Select what happened';
      const at = dateFromParts(b, 'at');
      if (!at) fields.at = 'Enter the date it happened, for example 27 3 2026';
      const data: NonNullable<RecordEventInput['data']> = {};
      if (b.reason?.trim()) data.reason = b.reason.trim();
      if (b.amount?.trim()) {
        if (!/^\d{1,3}$/.test(b.amount.trim())) fields.amount = 'Enter a whole number';
        else data.amount = Number(b.amount.trim());
      }
      if (b.extensionKind) data.kind = b.extensionKind as never;
      if (b.kind === 'due_date_override') {
        const date = dateFromParts(b, 'date');
        if (!date) fields.date = 'Enter the new due date, for example 27 3 2026';
        else data.date = date;
      }
      try {
        if (Object.keys(fields).length > 0)
          throw new AppError(400, 'validation', 'Check the highlighted fields', fields);
        await deadlines.recordEvent(request.actor(), 'case', id, {
          kind: b.kind!,
          at: at!,
          data,
          note: b.note,
          confirmLate: b.confirmLate === 'yes',
        });
        return reply.redirect(`/casework/${id}#deadline`, 303);
      } catch (error) {
        if (error instanceof AppError && error.statusCode < 500 && error.statusCode !== 404) {
          return renderEventForm(request, reply, id, {
            errors: formFields(error.fields ?? { kind: error.message }),
            values,
            status: error.statusCode,
          });
        }
        throw error;
      }
    },
  );
}
