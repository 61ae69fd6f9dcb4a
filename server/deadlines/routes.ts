import type { TSchema } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import { DIVISION_NAMES, DIVISIONS } from '../lib/calendar.js';
import { dateFromParts } from '../lib/dates.js';
import { apiRoute } from '../platform/api-route.js';
import { ADMINS, STAFF } from '../platform/auth.js';
import { AppError, type FieldErrors } from '../platform/errors.js';
import { noticePage } from '../platform/views.js';
import {
  CalculatorQuery,
  DeadlineViewSchema,
  HolidayForm,
  PolicyForm,
  RemovalForm,
} from './schemas.js';
import { type DeadlinesService } from './service.js';
import type { CalculateInput } from './types.js';
import { pageRoute, publicPageRoute } from '../platform/page-route.js';
import type { App } from '../platform/app-type.js';

const api = apiRoute('deadlines');

/** What the clock's routes are given by the domains whose regimes they serve (app.ts). */
export interface DeadlinesRoutesOptions {
  deadlines: DeadlinesService;
  /**
   * The regimes the calculator offers, with what people call them (its choices, in this
   * order); the targets page names a policy's regime by it too, else by its id.
   */
  typeLabels: Readonly<Record<string, string>>;
  /** `POST /api/deadlines/calculate`'s body: a `CalculateInput` in those regimes' names. */
  calculateBody: TSchema;
}

/** The calculator (JSON and page) and the holiday and target admin pages. A case's clock
 * events are correspondence's routes (correspondence/clock-routes.ts). */
export async function deadlinesRoutes(app: App, opts: DeadlinesRoutesOptions) {
  const { deadlines, typeLabels: TYPE_LABELS } = opts;
  app.staffNav.push({ href: '/deadlines/calculator', text: 'Deadline calculator', roles: STAFF });
  app.staffNav.push({ href: '/admin/holidays', text: 'Bank holidays', roles: ADMINS });
  app.staffNav.push({ href: '/admin/sla-policies', text: 'Targets', roles: ADMINS });

  // ---- API -------------------------------------------------------------------------------

  app.post(
    '/api/deadlines/calculate',
    api(STAFF, 'Work out a due date without storing anything, with the days skipped and why', {
      body: opts.calculateBody,
      response: { 200: DeadlineViewSchema },
    }),
    // The body's schema (the caller's) has checked it is one.
    async (request) => deadlines.calculate(request.body as CalculateInput),
  );

  // ---- Calculator ---------------------------------------------------------------------------

  app.get(
    '/deadlines/calculator',
    publicPageRoute({ querystring: CalculatorQuery }),
    async (request, reply) => {
      const q = request.query;
      const asked = q.type !== undefined || q['received-day'] !== undefined;
      let result;
      let errors: FieldErrors | undefined;
      if (asked) {
        const fields: FieldErrors = {};
        const type = q.type;
        if (!type || !Object.hasOwn(TYPE_LABELS, type)) fields.type = 'Select the type of request';
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

  noticePage(
    app,
    '/admin/holidays',
    {
      auth: ADMINS,
      notices: {
        added: 'Holiday added: open cases are being recalculated',
        removed: 'Removal confirmed: open cases are being recalculated',
      },
    },
    (reply, notice) => renderHolidays(reply, { notice }),
  );

  app.post('/admin/holidays', pageRoute(ADMINS, { body: HolidayForm }), async (request, reply) => {
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
  });

  app.post(
    '/admin/holidays/remove',
    pageRoute(ADMINS, { body: RemovalForm }),
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
          typeLabel: TYPE_LABELS[p.caseType] ?? p.caseType,
          key: `${p.caseType}-${p.kind}`,
        })),
        errors: extra.errors,
        failed: extra.failed,
        notice: extra.notice,
      },
      extra.status ?? 200,
    );
  }

  noticePage(
    app,
    '/admin/sla-policies',
    { auth: ADMINS, notices: { saved: 'Target saved' } },
    (reply, notice) => renderPolicies(reply, { notice }),
  );

  app.post(
    '/admin/sla-policies',
    pageRoute(ADMINS, { body: PolicyForm }),
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
