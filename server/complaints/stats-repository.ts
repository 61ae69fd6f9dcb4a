import { sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { complaintCategories, complaints, complaintStatsDaily } from '../../db/schema/index.js';

export type GroupBy = 'category' | 'subcategory' | 'handling' | 'outcome' | 'month';
export interface StatsFilter {
  from: string;
  to: string;
  stream: string;
}

export const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const s = complaintStatsDaily;
const sums = (stream: string, measure: string, f: StatsFilter): SQL =>
  sql`${s.stream} = ${stream} and ${s.measure} = ${measure} and ${s.day} between ${f.from} and ${f.to}`;

/**
 * The rows of a grouped count (`key`, `label`, `complaints`, `allegations`), counts as
 * numbers: the shape both the daily sums and the definitions answer in.
 */
export async function groupedFigures(db: DbOrTx, query: SQL) {
  const rows = await db.execute<{
    key: string;
    label: string;
    complaints: string;
    allegations: string;
  }>(query);
  return rows.map((r) => ({
    key: r.key,
    label: r.label,
    complaints: Number(r.complaints),
    allegations: Number(r.allegations),
  }));
}

/** The rows of an on-time count (`kind`, `sent`, `on_time`), counts as numbers. */
export async function onTimeFigures(db: DbOrTx, query: SQL) {
  const rows = await db.execute<{ kind: string; sent: string; on_time: string }>(query);
  return rows.map((r) => ({ kind: r.kind, sent: Number(r.sent), onTime: Number(r.on_time) }));
}

/**
 * Open at `to` and made over 12 months earlier: one indexed count over the complaints, the
 * same in the definitions and the daily sums (no roll-up needed).
 */
export async function overTwelveMonths(db: DbOrTx, f: StatsFilter) {
  const [row] = await db.execute<{ open: string }>(sql`
    select count(*) as open from ${complaints}
    where ${complaints.stream} = ${f.stream} and ${complaints.receivedOn} <= ${f.to}
      and (${complaints.concludedOn} is null or ${complaints.concludedOn} > ${f.to})
      and ${complaints.madeOn} < (${f.to}::date - interval '12 months')`);
  return Number(row?.open ?? 0);
}

/**
 * Count, mean and median (PostgreSQL's percentile_cont(0.5)) of a histogram: `[value, n]`
 * pairs, a null value counted but not averaged (as avg and percentile_cont skip nulls).
 */
export function histogramFigures(bins: Array<[number | null, number]>) {
  let count = 0;
  let total = 0;
  let sum = 0;
  const values: Array<[number, number]> = [];
  for (const [v, n] of bins) {
    count += n;
    if (v === null) continue;
    total += n;
    sum += v * n;
    values.push([v, n]);
  }
  if (total === 0) return { count, mean: null, median: null };
  values.sort((a, b) => a[0] - b[0]);
  const at = (index: number) => {
    let seen = 0;
    for (const [v, n] of values) {
      seen += n;
      if (index < seen) return v;
    }
    return values.at(-1)![0];
  };
  const position = (total - 1) / 2;
  const lo = at(Math.floor(position));
  const hi = at(Math.ceil(position));
  return { count, mean: sum / total, median: lo + (hi - lo) * (position - Math.floor(position)) };
}

/**
 * Every statistics query (§5), read from the daily sums in `complaint_stats_daily` (kept by
 * triggers in the transaction of every change, migration 0038): a few thousand narrow rows
 * for five years, whatever the number of complaints. Same answers as the definitions over
 * the complaint tables (stats-definitions.ts; test/complaints/stats-rollup.test.ts).
 * Aggregates only, nothing that names anyone.
 */
export function createStatsRepository() {
  return {
    async grouped(db: DbOrTx, f: StatsFilter, groupBy: GroupBy) {
      let query: SQL;
      if (groupBy === 'category' || groupBy === 'subcategory')
        query = sql`
          select coalesce(c.code, 'none') as key, min(coalesce(c.label, 'No sub-category')) as label,
                 sum(${s.n}) as complaints, sum(${s.allegations}) as allegations
          from ${s} left join ${complaintCategories} c on c.id = nullif(${s.key}, '')::uuid
          where ${sums(f.stream, groupBy, f)}
          group by 1 order by 1`;
      else if (groupBy === 'month')
        query = sql`
          select to_char(${s.day}, 'YYYY-MM') as key, to_char(${s.day}, 'YYYY-MM') as label,
                 sum(${s.n}) as complaints, sum(${s.allegations}) as allegations
          from ${s} where ${sums(f.stream, 'handling', f)}
          group by 1 order by 1`;
      else
        query = sql`
          select ${s.key} as key, ${s.key} as label,
                 sum(${s.n}) as complaints, sum(${s.allegations}) as allegations
          from ${s} where ${sums(f.stream, groupBy, f)}
          group by 1 order by 1`;
      return groupedFigures(db, query);
    },

    async totals(db: DbOrTx, f: StatsFilter) {
      const [row] = await db.execute<{
        complaints: string | null;
        allegations: string | null;
        finalised: string | null;
      }>(sql`
        select
          (select sum(${s.n}) from ${s} where ${sums(f.stream, 'handling', f)}) as complaints,
          (select sum(${s.allegations}) from ${s} where ${sums(f.stream, 'handling', f)}) as allegations,
          (select sum(${s.n}) from ${s} where ${sums(f.stream, 'finalised', f)}) as finalised`);
      return {
        complaints: Number(row?.complaints ?? 0),
        allegations: Number(row?.allegations ?? 0),
        finalised: Number(row?.finalised ?? 0),
      };
    },

    /** Mean and median working and calendar days, received to each milestone. */
    async timeliness(db: DbOrTx, f: StatsFilter) {
      const rows = await db.execute<{ measure: string; grp: string; key: string; n: string }>(sql`
        select ${s.measure} as measure, ${s.grp} as grp, ${s.key} as key, sum(${s.n}) as n
        from ${s}
        where ${s.stream} = ${f.stream} and ${s.day} between ${f.from} and ${f.to}
          and ${s.measure} in ('recorded_wd', 'recorded_days', 'first_contact_wd', 'first_contact_days', 'finalised_wd', 'finalised_days')
        group by 1, 2, 3`);
      const bins = new Map<string, Array<[number | null, number]>>();
      for (const r of rows) {
        const id = `${r.measure}|${r.grp}`;
        const list = bins.get(id) ?? [];
        if (list.length === 0) bins.set(id, list);
        list.push([r.key === '' ? null : Number(r.key), Number(r.n)]);
      }
      const figures = (milestone: string, handling: string | null) => {
        const wd = histogramFigures(bins.get(`${milestone}_wd|${handling ?? ''}`) ?? []);
        const days = histogramFigures(bins.get(`${milestone}_days|${handling ?? ''}`) ?? []);
        return {
          measure: milestone,
          handling,
          count: wd.count,
          meanWorkingDays: wd.mean,
          medianWorkingDays: wd.median,
          meanDays: days.mean,
          medianDays: days.median,
        };
      };
      const handlings = [
        ...new Set(rows.filter((r) => r.measure === 'finalised_wd').map((r) => r.grp)),
      ].sort();
      return [
        figures('recorded', null),
        figures('first_contact', null),
        ...handlings.map((h) => figures('finalised', h)),
      ];
    },

    /** Updates, outcome letters and reports sent in the period, and how many by their due date. */
    async onTime(db: DbOrTx, f: StatsFilter) {
      return onTimeFigures(
        db,
        sql`
        select ${s.key} as kind, sum(${s.n}) as sent, sum(${s.hits}) as on_time
        from ${s} where ${sums(f.stream, 'contact', f)}
        group by 1`,
      );
    },

    overTwelveMonths,

    async reviews(db: DbOrTx, f: StatsFilter) {
      const rows = await db.execute<{ measure: string; key: string; n: string }>(sql`
        select ${s.measure} as measure, ${s.key} as key, sum(${s.n}) as n from ${s}
        where ((${s.stream} = 'review' and ${s.measure} = 'review') or (${s.stream} = 'cc' and ${s.measure} = 'iopc'))
          and ${s.day} between ${f.from} and ${f.to}
        group by 1, 2`);
      const get = (measure: string, key: string) =>
        Number(rows.find((r) => r.measure === measure && r.key === key)?.n ?? 0);
      const decided = get('review', 'decided');
      return {
        received: get('review', 'received'),
        valid: get('review', 'valid'),
        upheld: get('review', 'upheld'),
        notUpheld: get('review', 'not_upheld'),
        meanDays: decided ? num(get('review', 'decided_days') / decided) : null,
        recommendationsMade: get('review', 'recommendations'),
        recommendationsAccepted: get('review', 'accepted'),
        forwardedToIopc: get('review', 'forwarded'),
        iopcReferrals: get('iopc', 'referrals'),
        iopcDecisions: get('iopc', 'decisions'),
      };
    },

    /** Equality answers of complainants whose complaints were received in the period. */
    async equality(db: DbOrTx, f: StatsFilter) {
      const rows = await db.execute<{ dimension: string; value: string; n: string }>(sql`
        select ${s.grp} as dimension, ${s.key} as value, sum(${s.n}) as n
        from ${s} where ${sums(f.stream, 'equality', f)}
        group by 1, 2 order by 1, 2`);
      return rows.map((r) => ({ dimension: r.dimension, value: r.value, count: Number(r.n) }));
    },
  };
}
export type StatsRepository = ReturnType<typeof createStatsRepository>;
