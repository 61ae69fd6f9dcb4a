/** /stats/surgeries: the §10 figures for managers, on a page and as CSV. */
import { Type } from '@sinclair/typebox';
import { csvStream, fieldColumns, type CsvColumn } from '../lib/csv.js';
import { MANAGERS } from '../platform/auth.js';
import { sendCsv } from '../platform/csv-download.js';
import { AREA_LABELS, TOPIC_LABELS } from './people.js';
import type { SurgeriesService } from './service.js';
import {
  currentFinancialYear,
  financialYear,
  type FigureGroup,
  type SurgeryFigures,
} from './stats.js';
import { pageRoute } from '../platform/page-route.js';
import type { App } from '../platform/app-type.js';

const GROUPS: Record<FigureGroup, string> = { month: 'Month', host: 'Host', area: 'Area' };
const rate = (value: number | null) => (value === null ? '' : `${value}%`);
const label = (group: FigureGroup, key: string) =>
  group === 'area'
    ? (AREA_LABELS[key] ?? key)
    : group === 'host'
      ? key === 'commissioner'
        ? 'Commissioner'
        : 'Deputy Commissioner'
      : key;

const columns = (group: FigureGroup): CsvColumn<SurgeryFigures>[] => [
  { header: GROUPS[group], value: (r) => label(group, r.key) },
  ...fieldColumns<SurgeryFigures>(
    ['Surgeries held', 'held'],
    ['Surgeries cancelled', 'cancelled'],
    ['Places', 'places'],
    ['Bookings', 'bookings'],
    ['Fill rate (%)', 'fillRate'],
    ['Cancelled by the person', 'cancelledByPerson'],
    ['Cancelled by the office', 'cancelledByOffice'],
    ['Cancelled late (under 24 hours)', 'cancelledLate'],
    ['Attended', 'attended'],
    ['No-shows', 'noShows'],
    ['Not marked', 'unmarked'],
    ['No-show rate (%)', 'noShowRate'],
    ['Waiting list joined', 'waitlistJoined'],
    ['Offered', 'waitlistOffered'],
    ['Accepted', 'waitlistAccepted'],
    ['Expired', 'waitlistExpired'],
    ['Cases created', 'casesCreated'],
  ),
];

type Query = { year?: number; by?: FigureGroup };
// Type.Unsafe gives this JSON Schema its static type, Query; the schema itself is unchanged.
const query = Type.Unsafe<Query>({
  type: 'object',
  properties: {
    year: { type: 'integer', minimum: 2000, maximum: 2100 },
    by: { type: 'string', enum: ['month', 'host', 'area'] },
  },
});
/** The page and its CSV take the same query and the same managers. */
const route = pageRoute(MANAGERS, { querystring: query });

export async function surgeryStatsPages(app: App, opts: { surgeries: SurgeriesService }) {
  const { surgeries } = opts;
  /** The financial year asked for (this one by default) and the grouping (month by default). */
  const chosen = (q: Query) => ({
    year: q.year ?? currentFinancialYear(surgeries.clock.now()),
    by: q.by ?? 'month',
  });

  app.get('/stats/surgeries', route, async (request, reply) => {
    const { year, by } = chosen(request.query);
    const [rows, topics] = await Promise.all([
      surgeries.stats.figures(year, by),
      surgeries.stats.topics(year),
    ]);
    return reply.page('surgeries/views/stats.njk', {
      pageTitle: 'Surgery figures',
      period: financialYear(year).label,
      year,
      by,
      groups: Object.entries(GROUPS).map(([value, text]) => ({
        value,
        text,
        current: value === by,
      })),
      headers: columns(by).map((c) => c.header),
      rows: rows.map((r) =>
        columns(by).map((c, i) => {
          const v = c.value(r);
          return i === 5 || i === 12 ? rate(v as number | null) : String(v ?? '');
        }),
      ),
      topics: topics.map((t) => ({ ...t, label: TOPIC_LABELS[t.topic] ?? t.topic })),
    });
  });

  app.get('/stats/surgeries.csv', route, async (request, reply) => {
    const { year, by } = chosen(request.query);
    const rows = await surgeries.stats.figures(year, by);
    return sendCsv(reply, `surgeries-${year}-by-${by}`, csvStream(rows, columns(by)));
  });
}
