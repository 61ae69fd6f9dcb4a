import type { Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CASE_TYPE_LABELS as TYPE_LABELS, type CaseType } from '../lib/deadline-rules.js';
import { DIVISION_NAMES, DIVISIONS } from '../lib/calendar.js';
import { dateFromParts } from '../lib/dates.js';
import { NoticeQuery } from '../platform/schemas.js';
import { ADMINS, CASEWORK, STAFF } from '../platform/auth.js';
import { AppError, type FieldErrors } from '../platform/errors.js';
import {
  CalculateBody,
  CalculatorQuery,
  CaseEventParams,
  CaseIdParams,
  DeadlineViewSchema,
  EventForm,
  HolidayForm,
  PolicyForm,
  RecordedEventSchema,
  RecordEventBody,
  RemovalForm,
  VoidEventBody,
} from './schemas.js';
import { EVENT_LABELS, type DeadlinesService, type RecordEventInput } from './service.js';

const api = { tags: ['deadlines'], security: [{ bearer: [] }] };

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

export const EVENT_CHOICES: Array<{ value: string; text: string; types?: CaseType[] }> = [
  {
    value: 'clarification_requested',
    text: EVENT_LABELS.clarification_requested,
    types: ['foi', 'eir', 'sar'],
  },
  {
    value: 'clarification_received',
    text: EVENT_LABELS.clarification_received,
    types: ['foi', 'eir', 'sar'],
  },
  { value: 'fee_notice_sent', text: EVENT_LABELS.fee_notice_sent, types: ['foi', 'eir', 'sar'] },
  { value: 'fee_received', text: EVENT_LABELS.fee_received, types: ['foi', 'eir', 'sar'] },
  { value: 'id_requested', text: EVENT_LABELS.id_requested, types: ['sar'] },
  { value: 'id_received', text: EVENT_LABELS.id_received, types: ['sar'] },
  { value: 'extended', text: EVENT_LABELS.extended },
  { value: 'due_date_override', text: `${EVENT_LABELS.due_date_override} (managers)` },
  { value: 'review_requested', text: EVENT_LABELS.review_requested, types: ['foi', 'eir'] },
  { value: 'responded', text: EVENT_LABELS.responded },
];

/** JSON API (API.md), the case page's clock-event form, the calculator and admin pages. */
export async function deadlinesRoutes(app: FastifyInstance, opts: { deadlines: DeadlinesService }) {
  const { deadlines } = opts;
  app.staffNav.push({ href: '/deadlines/calculator', text: 'Deadline calculator', roles: STAFF });
  app.staffNav.push({ href: '/admin/holidays', text: 'Bank holidays', roles: ADMINS });
  app.staffNav.push({ href: '/admin/sla-policies', text: 'Targets', roles: ADMINS });

  // ---- API -------------------------------------------------------------------------------

  app.post<{ Params: Static<typeof CaseIdParams>; Body: Static<typeof RecordEventBody> }>(
    '/api/cases/:id/events',
    {
      schema: {
        ...api,
        summary: 'Record a clock event; the due date is recomputed (deadlines.md §4)',
        params: CaseIdParams,
        body: RecordEventBody,
        response: { 201: RecordedEventSchema },
      },
      config: { auth: CASEWORK },
    },
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

  app.post<{ Params: Static<typeof CaseEventParams>; Body: Static<typeof VoidEventBody> }>(
    '/api/cases/:id/events/:eventId/void',
    {
      schema: {
        ...api,
        summary: 'Void a clock event with a reason (a correction; nothing is edited)',
        params: CaseEventParams,
        body: VoidEventBody,
        response: { 200: DeadlineViewSchema },
      },
      config: { auth: CASEWORK },
    },
    async (request) =>
      deadlines.voidEvent(
        request.actor(),
        'case',
        request.params.id,
        request.params.eventId,
        request.body.reason,
      ),
  );

  app.post<{ Body: Static<typeof CalculateBody> }>(
    '/api/deadlines/calculate',
    {
      schema: {
        ...api,
        summary: 'Work out a due date without storing anything, with the days skipped and why',
        body: CalculateBody,
        response: { 200: DeadlineViewSchema },
      },
      config: { auth: STAFF },
    },
    async (request) => deadlines.calculate(request.body),
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
      'deadlines/views/event.njk',
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

  app.get<{ Params: Static<typeof CaseIdParams> }>(
    '/casework/:id/events/new',
    { schema: { params: CaseIdParams, hide: true }, config: { auth: CASEWORK } },
    async (request, reply) => renderEventForm(request, reply, request.params.id),
  );

  app.post<{ Params: Static<typeof CaseIdParams>; Body: Static<typeof EventForm> }>(
    '/casework/:id/events',
    { schema: { params: CaseIdParams, body: EventForm, hide: true }, config: { auth: CASEWORK } },
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

  // ---- Calculator ---------------------------------------------------------------------------

  app.get<{ Querystring: Static<typeof CalculatorQuery> }>(
    '/deadlines/calculator',
    { schema: { querystring: CalculatorQuery, hide: true }, config: { public: true } },
    async (request, reply) => {
      const q = request.query;
      const asked = q.type !== undefined || q['received-day'] !== undefined;
      let result;
      let errors: FieldErrors | undefined;
      if (asked) {
        const fields: FieldErrors = {};
        const type = q.type as CaseType | undefined;
        if (!type || !(type in TYPE_LABELS)) fields.type = 'Select the type of request';
        const received = dateFromParts(q, 'received');
        if (!received) fields.received = 'Enter the date it was received, for example 18 12 2025';
        if (Object.keys(fields).length === 0) {
          try {
            result = await deadlines.calculate({
              type: type!,
              receivedAt: received!,
              calendar: q.calendar === 'england_wales' ? 'england_wales' : 'statutory',
            });
          } catch (error) {
            if (!(error instanceof AppError) || !error.fields) throw error;
            Object.assign(fields, { received: Object.values(error.fields)[0] });
          }
        }
        if (Object.keys(fields).length > 0) errors = fields;
      }
      return reply.page(
        'deadlines/views/calculator.njk',
        {
          pageTitle: 'Deadline calculator',
          values: q,
          errors,
          result,
          typeItems: Object.entries(TYPE_LABELS).map(([value, text]) => ({
            value,
            text,
            checked: q.type === value,
          })),
        },
        errors ? 400 : 200,
      );
    },
  );

  // ---- Admin: bank holidays -------------------------------------------------------------------

  async function renderHolidays(
    reply: FastifyReply,
    extra: {
      errors?: FieldErrors;
      values?: Record<string, unknown>;
      status?: number;
      notice?: string;
    } = {},
  ) {
    const data = await deadlines.holidays();
    return reply.page(
      'deadlines/views/holidays.njk',
      {
        pageTitle: 'Bank holidays',
        ...data,
        coverageShort: data.coverage.some((c) => c.short),
        values: extra.values ?? {},
        errors: extra.errors,
        notice: extra.notice,
        divisionItems: [
          ...DIVISIONS.map((d) => ({
            value: d,
            text: DIVISION_NAMES[d],
            checked: extra.values?.division === d,
          })),
          { value: 'all', text: 'All of the UK', checked: extra.values?.division === 'all' },
        ],
      },
      extra.status ?? 200,
    );
  }

  app.get<{ Querystring: { notice?: string } }>(
    '/admin/holidays',
    {
      schema: {
        querystring: NoticeQuery,
        hide: true,
      },
      config: { auth: ADMINS },
    },
    async (request, reply) =>
      renderHolidays(reply, {
        notice:
          request.query.notice === 'added'
            ? 'Holiday added: open cases are being recalculated'
            : request.query.notice === 'removed'
              ? 'Removal confirmed: open cases are being recalculated'
              : undefined,
      }),
  );

  app.post<{ Body: Static<typeof HolidayForm> }>(
    '/admin/holidays',
    { schema: { body: HolidayForm, hide: true }, config: { auth: ADMINS } },
    async (request, reply) => {
      const b = request.body;
      const values = { ...b, _csrf: undefined };
      try {
        const date = dateFromParts(b, 'date');
        if (!date)
          throw new AppError(400, 'validation', 'Check the date', {
            date: 'Enter a real date, for example 15 6 2026',
          });
        await deadlines.addHoliday(request.actor(), {
          division: b.division ?? '',
          date,
          title: b.title ?? '',
        });
        return reply.redirect('/admin/holidays?notice=added', 303);
      } catch (error) {
        if (error instanceof AppError && error.statusCode < 500 && error.fields)
          return renderHolidays(reply, { errors: error.fields, values, status: error.statusCode });
        throw error;
      }
    },
  );

  app.post<{ Body: Static<typeof RemovalForm> }>(
    '/admin/holidays/remove',
    { schema: { body: RemovalForm, hide: true }, config: { auth: ADMINS } },
    async (request, reply) => {
      try {
        await deadlines.confirmRemoval(request.actor(), request.body);
        return reply.redirect('/admin/holidays?notice=removed', 303);
      } catch (error) {
        if (error instanceof AppError && error.statusCode < 500)
          return renderHolidays(reply, {
            errors: { removal: error.message },
            status: error.statusCode,
          });
        throw error;
      }
    },
  );

  // ---- Admin: SLA policies ----------------------------------------------------------------------

  async function renderPolicies(
    reply: FastifyReply,
    extra: { errors?: FieldErrors; status?: number; notice?: string; failed?: string } = {},
  ) {
    const policies = await deadlines.policies();
    return reply.page(
      'deadlines/views/policies.njk',
      {
        pageTitle: 'Targets and warnings',
        policies: policies.map((p) => ({
          ...p,
          typeLabel: TYPE_LABELS[p.caseType as CaseType] ?? p.caseType,
          key: `${p.caseType}-${p.kind}`,
        })),
        errors: extra.errors,
        failed: extra.failed,
        notice: extra.notice,
      },
      extra.status ?? 200,
    );
  }

  app.get<{ Querystring: { notice?: string } }>(
    '/admin/sla-policies',
    {
      schema: {
        querystring: NoticeQuery,
        hide: true,
      },
      config: { auth: ADMINS },
    },
    async (request, reply) =>
      renderPolicies(reply, {
        notice: request.query.notice === 'saved' ? 'Target saved' : undefined,
      }),
  );

  app.post<{ Body: Static<typeof PolicyForm> }>(
    '/admin/sla-policies',
    { schema: { body: PolicyForm, hide: true }, config: { auth: ADMINS } },
    async (request, reply) => {
      const b = request.body;
      const num = (v: string | undefined) => (v && /^\d{1,3}$/.test(v.trim()) ? Number(v) : NaN);
      try {
        await deadlines.updatePolicy(request.actor(), {
          caseType: b.caseType,
          kind: b.kind,
          ...(b.amount !== undefined ? { amount: num(b.amount) } : {}),
          warnWdBefore: num(b.warnWdBefore),
          escalateWdAfter: num(b.escalateWdAfter),
        });
        return reply.redirect('/admin/sla-policies?notice=saved', 303);
      } catch (error) {
        if (error instanceof AppError && error.statusCode < 500) {
          const key = `${b.caseType}-${b.kind}`;
          const errors = Object.fromEntries(
            Object.entries(error.fields ?? { amount: error.message }).map(([f, m]) => [
              `${key}-${f}`,
              m,
            ]),
          );
          return renderPolicies(reply, { errors, status: error.statusCode, failed: key });
        }
        throw error;
      }
    },
  );
}
