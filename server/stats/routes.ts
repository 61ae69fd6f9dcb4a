import { Type } from '@sinclair/typebox';
import type { DbOrTx } from '../../db/client.js';
import type { CalendarService } from '../deadlines/calendar.js';
import type { Clock } from '../lib/clock.js';
import { csvStream, fieldColumns, type CsvColumn } from '../lib/csv.js';
import { channelLabel, TYPE_LABELS, typeLabel } from '../lib/labels.js';
import { formatDate } from '../lib/format.js';
import { apiRoute } from '../platform/api-route.js';
import { MANAGERS } from '../platform/auth.js';
import { sendCsv } from '../platform/csv-download.js';
import { dateFieldValues, readDateFields } from '../platform/forms.js';
import { invalidPeriod, tableNotFound } from './errors.js';
import {
  createStatsService,
  PRESETS,
  resolvePeriod,
  type AssigneeRow,
  type CorrespondenceStats,
  type OnTimeRow,
  type VolumeRow,
} from './service.js';
import { pageRoute } from '../platform/page-route.js';
import type { App } from '../platform/app-type.js';

type PeriodQuery = {
  from?: string;
  to?: string;
  preset?: string;
} & { [part in `${'from' | 'to'}-${'day' | 'month' | 'year'}`]?: string };

// Type.Unsafe gives this JSON Schema (its keys built from the date parts) the static type
// PeriodQuery; the schema itself, and so the OpenAPI document, is unchanged.
/** `/stats/<table>.csv`: a CSV download is named by its table (TABLES) in lower case. */
const TABLE_FILE = /^([a-z-]+)\.csv$/;
const TableParams = Type.Object({ table: Type.String({ pattern: TABLE_FILE.source }) });

const periodQuerySchema = Type.Unsafe<PeriodQuery>({
  type: 'object',
  properties: {
    from: { type: 'string', maxLength: 20 },
    to: { type: 'string', maxLength: 20 },
    preset: { type: 'string', maxLength: 40 },
    ...Object.fromEntries(
      ['from', 'to'].flatMap((end) =>
        ['day', 'month', 'year'].map((part) => [
          `${end}-${part}`,
          { type: 'string', maxLength: 10 },
        ]),
      ),
    ),
  },
  additionalProperties: false,
});

const api = apiRoute('stats');

const END_NAMES = { from: 'start', to: 'end' } as const;

/**
 * The page's GOV.UK date inputs (`from-day`, `from-month`, `from-year`) as the `from`/`to`
 * the period reads, keeping what was typed; a date that is not real is a field error.
 */
function pageQuery(query: PeriodQuery) {
  const errors: Record<string, string> = {};
  const typed: Record<string, string> = {};
  const resolved: PeriodQuery = { preset: query.preset, from: query.from, to: query.to };
  for (const end of ['from', 'to'] as const) {
    const fields = readDateFields(query, end);
    if (fields.empty) continue;
    for (const part of ['day', 'month', 'year'] as const)
      typed[`${end}-${part}`] = query[`${end}-${part}`] ?? '';
    if (fields.date) resolved[end] = fields.date;
    else {
      errors[end] = `The ${END_NAMES[end]} date must be a real date, for example 1 10 2026`;
      resolved[end] = undefined;
    }
  }
  return { resolved, errors, typed };
}

// The CSVs say what the page says: "Freedom of information request", "MP's office", not
// the codes "foi" and "mp" (#15 item 6). Months stay YYYY-MM so a spreadsheet sorts them.
const volumeColumns = (header: string, words: (code: string) => string): CsvColumn<VolumeRow>[] => [
  { header: 'Month', value: (r) => r.month },
  { header, value: (r) => words(r.key) },
  { header: 'Cases', value: (r) => r.count },
];

const onTimeColumns: CsvColumn<OnTimeRow>[] = [
  { header: 'Type', value: (r) => label(r.type) },
  ...fieldColumns<OnTimeRow>(
    ['Replies', 'replies'],
    ['On time', 'onTime'],
    ['On time (%)', 'onTimePercent'],
    ['On time against the base limit', 'onTimeBase'],
    ['Acknowledged', 'acknowledged'],
    ['Acknowledged on time', 'acknowledgedOnTime'],
    ['Median calendar days to respond', 'medianCalendarDays'],
    ['Median working days to respond', 'medianWorkingDays'],
  ),
];

const assigneeColumns = fieldColumns<AssigneeRow>(
  ['Assignee', 'assignee'],
  ['Open', 'open'],
  ['Overdue', 'overdue'],
  ['Due in 5 working days', 'dueSoon'],
  ['Oldest received', 'oldestReceivedOn'],
);

const TABLES = {
  'volume-by-type': (s: CorrespondenceStats) =>
    csvStream(s.volumeByType, volumeColumns('Type', typeLabel)),
  'volume-by-channel': (s: CorrespondenceStats) =>
    csvStream(s.volumeByChannel, volumeColumns('Channel', channelLabel)),
  'on-time': (s: CorrespondenceStats) => csvStream(s.onTime, onTimeColumns),
  'by-assignee': (s: CorrespondenceStats) => csvStream(s.byAssignee, assigneeColumns),
} as const;
type TableName = keyof typeof TABLES;

/** The words people use for a type or channel ("Freedom of information request", "MP's office"). */
const label = (value: string) =>
  value === 'all'
    ? 'All types'
    : Object.hasOwn(TYPE_LABELS, value)
      ? typeLabel(value)
      : channelLabel(value);
/** `2026-10` as "October 2026". */
const monthLabel = (month: string) => formatDate(`${month}-01`).replace(/^\d+ /, '');

export async function statsRoutes(
  app: App,
  opts: { db: DbOrTx; clock: Clock; calendar: CalendarService },
) {
  const stats = createStatsService(opts);
  app.staffNav.push({ href: '/stats', text: 'Statistics', roles: ['manager'] });

  const load = async (query: PeriodQuery) => {
    const { period, errors } = resolvePeriod(query, stats.today());
    return { errors, data: await stats.correspondence(period) };
  };

  app.get(
    '/api/stats/correspondence',
    api(MANAGERS, 'Correspondence statistics for a period', {
      querystring: periodQuerySchema,
    }),
    async (request) => {
      const { errors, data } = await load(request.query);
      if (Object.keys(errors).length > 0) throw invalidPeriod(errors);
      return data;
    },
  );

  app.get(
    '/stats',
    pageRoute(MANAGERS, { querystring: periodQuerySchema }),
    async (request, reply) => {
      const typedQuery = pageQuery(request.query);
      const loaded = await load(typedQuery.resolved);
      const { data } = loaded;
      const errors = { ...loaded.errors, ...typedQuery.errors };
      const values = {
        ...dateFieldValues(data.period.from, 'from'),
        ...dateFieldValues(data.period.to, 'to'),
        ...typedQuery.typed,
      };
      const months = [...new Set(data.volumeByType.map((r) => r.month))];
      const qs = new URLSearchParams({ from: data.period.from, to: data.period.to }).toString();
      return reply.page('stats/views/stats.njk', {
        pageTitle: 'Statistics',
        stats: data,
        months,
        qs,
        errors,
        values,
        presets: PRESETS.map((p) => ({
          ...p,
          href: `/stats?${new URLSearchParams({ preset: p.value }).toString()}`,
        })),
        onTime: data.onTime.map((r) => ({ ...r, label: label(r.type) })),
        volumeByType: data.volumeByType.map((r) => ({
          ...r,
          label: label(r.key),
          monthLabel: monthLabel(r.month),
        })),
        volumeByChannel: data.volumeByChannel.map((r) => ({
          ...r,
          label: label(r.key),
          monthLabel: monthLabel(r.month),
        })),
      });
    },
  );

  app.get(
    '/stats/:table',
    {
      ...pageRoute(MANAGERS, { params: TableParams, querystring: periodQuerySchema }),
      attachValidation: true,
    },
    async (request, reply) => {
      // A name TableParams refuses is a table there is not: 404, as it was before the schema.
      // A refused period is the schema's 400 as ever (params are checked first, so it is
      // only a period when the name passed).
      const refused = request.validationError;
      if (refused) throw refused.validationContext === 'params' ? tableNotFound() : refused;
      const name = TABLE_FILE.exec(request.params.table)?.[1];
      if (!name || !Object.hasOwn(TABLES, name)) throw tableNotFound();
      const { data } = await load(request.query);
      return sendCsv(
        reply,
        `${name}-${data.period.from}-to-${data.period.to}`,
        TABLES[name as TableName](data),
      );
    },
  );
}
