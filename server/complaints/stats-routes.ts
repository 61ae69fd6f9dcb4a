/**
 * Complaint statistics for managers (§5): the page under /stats and the same figures as JSON,
 * a CSV of each table (RFC 4180, formula-guarded, suppressed as on the page, audited), and the
 * force monitoring figures entered or imported from CSV.
 */
import { Type } from '@sinclair/typebox';
import { opccFigures } from './opcc-figures.js';
import type { FastifyRequest } from 'fastify';
import { csvStream, fieldColumns, type CsvColumn } from '../lib/csv.js';
import { apiRoute } from '../platform/api-route.js';
import { MANAGERS } from '../platform/auth.js';
import { sendCsv } from '../platform/csv-download.js';
import { AppError, type FieldErrors } from '../platform/errors.js';
import { MONITORING_MEASURES } from './monitoring.js';
import { FigureBody, StatsQuery } from './schemas.js';
import type { ComplaintsService } from './service.js';
import { GROUP_BYS, type StatsQuery as Query } from './stats.js';
import { pageRoute } from '../platform/page-route.js';
import type { App } from '../platform/app-type.js';

type Stats = Awaited<ReturnType<ComplaintsService['stats']['complaints']>>;
type Figure = Awaited<ReturnType<ComplaintsService['monitoring']['list']>>[number];
type Row = Record<string, string | number | null | undefined>;

const flat = (s: Stats): Record<string, { columns: CsvColumn<Row>[]; rows: Row[] }> => {
  return {
    rows: {
      columns: fieldColumns<Row>(
        ['Key', 'key'],
        ['Label', 'label'],
        ['Complaints', 'complaints'],
        ['Allegations', 'allegations'],
      ),
      rows: s.rows,
    },
    timeliness: {
      columns: fieldColumns<Row>(
        ['Measure', 'measure'],
        ['Handling', 'handling'],
        ['Count', 'count'],
        ['Mean working days', 'meanWorkingDays'],
        ['Median working days', 'medianWorkingDays'],
        ['Mean days', 'meanDays'],
        ['Median days', 'medianDays'],
      ),
      rows: s.timeliness,
    },
    'on-time': {
      columns: fieldColumns<Row>(
        ['Measure', 'measure'],
        ['Sent', 'sent'],
        ['On time', 'onTime'],
        ['On time (%)', 'percent'],
      ),
      rows: [
        { measure: 'Updates by their due date', ...s.onTime.updates },
        { measure: 'Outcome letters within 5 working days', ...s.onTime.outcomeLetters },
        { measure: '12-month reports by their due date', ...s.overTwelveMonths.reports },
      ],
    },
    reviews: {
      columns: fieldColumns<Row>(['Measure', 'measure'], ['Value', 'value']),
      rows: Object.entries(s.reviews).map(([measure, value]) => ({ measure, value })),
    },
    equality: {
      columns: fieldColumns<Row>(
        ['Question', 'dimension'],
        ['Answer', 'key'],
        ['Complainants', 'display'],
      ),
      rows: s.equality.flatMap((d) => [
        ...d.cells.map((c) => ({ dimension: d.dimension, key: c.key, display: c.display })),
        { dimension: d.dimension, key: 'Total', display: d.total.display },
      ]),
    },
  };
};

const figureColumns = fieldColumns<Figure>(
  ['period', 'period'],
  ['measure', 'measure'],
  ['force', 'force'],
  ['msf', 'msf'],
  ['national', 'national'],
);

const api = apiRoute('stats');
const FormBody = Type.Record(Type.String({ maxLength: 40 }), Type.String({ maxLength: 200_000 }));

export async function statsRoutes(app: App, opts: { complaints: ComplaintsService }) {
  const { stats, monitoring } = opts.complaints;

  async function page(
    request: FastifyRequest & { query: Query },
    extra: { errors?: FieldErrors; values?: Record<string, string> } = {},
  ) {
    const query = request.query ?? {};
    const { errors } = stats.period(query);
    const data = Object.keys(errors).length
      ? undefined
      : await stats.complaints(request.actor(), query, 'page');
    const qs = data
      ? new URLSearchParams({
          from: data.period.from,
          to: data.period.to,
          groupBy: data.groupBy,
          stream: data.stream,
        }).toString()
      : '';
    return {
      pageTitle: 'Complaint statistics',
      s: data,
      query,
      qs,
      groupBys: GROUP_BYS,
      measures: MONITORING_MEASURES,
      figures: await monitoring.list(),
      // The office's own figure for each measure, for the period shown (§5: beside the force's).
      opcc: data ? opccFigures(data) : {},
      errors: { ...errors, ...extra.errors },
      values: extra.values ?? {},
    };
  }

  app.get(
    '/stats/complaints',
    pageRoute(MANAGERS, { querystring: StatsQuery }),
    async (request, reply) => {
      const context = await page(request);
      return reply.page(
        'complaints/views/stats.njk',
        context,
        Object.keys(context.errors).length ? 400 : 200,
      );
    },
  );

  app.get(
    '/stats/complaints/:table',
    pageRoute(MANAGERS, {
      querystring: StatsQuery,
      params: Type.Object({ table: Type.String({ maxLength: 40 }) }),
    }),
    async (request, reply) => {
      const name = /^([a-z-]+)\.csv$/.exec(request.params.table)?.[1];
      if (name === 'force-figures')
        return sendCsv(
          reply,
          'complaints-force-figures',
          csvStream(await monitoring.list(), figureColumns),
        );
      const data = await stats.complaints(request.actor(), request.query, 'csv');
      const tables = flat(data);
      if (!name || !Object.hasOwn(tables, name)) throw new AppError(404, 'not_found', 'Not found');
      const table = tables[name]!;
      return sendCsv(
        reply,
        `complaints-${name}-${data.period.from}-to-${data.period.to}`,
        csvStream(table.rows, table.columns),
      );
    },
  );

  const figureFromForm = (body: Record<string, string>) => {
    const num = (v: string | undefined) =>
      v === undefined || v.trim() === '' ? null : Number(v.replace(/,/g, ''));
    return {
      period: body.period ?? '',
      measure: body.measure ?? '',
      force: num(body.force),
      msf: num(body.msf),
      national: num(body.national),
    };
  };

  app.post(
    '/stats/complaints/force-figures',
    pageRoute(MANAGERS, { body: FormBody }),
    async (request, reply) => {
      const body = request.body ?? {};
      try {
        if (body.csv !== undefined) await monitoring.importCsv(request.actor(), body.csv);
        else await monitoring.enter(request.actor(), figureFromForm(body));
      } catch (error) {
        if (!(error instanceof AppError) || error.statusCode !== 400) throw error;
        const errors: FieldErrors = {};
        for (const [key, message] of Object.entries(error.fields ?? {}))
          errors[body.csv !== undefined ? 'csv' : key.replace(/\s+/g, '-')] ??=
            body.csv !== undefined ? `${key}: ${message}` : message;
        return reply.page(
          'complaints/views/stats.njk',
          await page(request as never, { errors, values: body }),
          400,
        );
      }
      return reply.redirect('/stats/complaints#force-figures', 303);
    },
  );

  app.get(
    '/api/stats/complaints',
    api(MANAGERS, 'Complaint statistics (domain §5)', { querystring: StatsQuery }),
    async (request) => stats.complaints(request.actor(), request.query),
  );
  app.get(
    '/api/stats/complaints/force-figures',
    api(MANAGERS, 'Force monitoring figures (complaints)'),
    async () => ({ items: await monitoring.list() }),
  );
  app.post(
    '/api/stats/complaints/force-figures',
    api(MANAGERS, 'Enter one force monitoring figure', { body: FigureBody }),
    async (request, reply) =>
      reply.code(201).send(await monitoring.enter(request.actor(), request.body)),
  );
  app.post(
    '/api/stats/complaints/force-figures/import',
    api(
      MANAGERS,
      'Import force monitoring figures from CSV (period,measure,force,msf,national): all or nothing',
      {
        body: Type.Object(
          { csv: Type.String({ minLength: 1, maxLength: 200_000 }) },
          { additionalProperties: false },
        ),
      },
    ),
    async (request, reply) =>
      reply.code(201).send(await monitoring.importCsv(request.actor(), request.body.csv)),
  );
}
