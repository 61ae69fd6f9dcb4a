import { sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import {
  complainantEquality,
  complaintAllegations,
  complaintCategories,
  complaintContacts,
  complaintReviews,
  complaints,
  complaintTransitions,
} from '../../db/schema/index.js';

import {
  groupedFigures,
  num,
  onTimeFigures,
  overTwelveMonths,
  type GroupBy,
  type StatsFilter,
  type StatsRepository,
} from './stats-repository.js';

const received = (f: StatsFilter) =>
  sql`${complaints.stream} = ${f.stream} and ${complaints.receivedOn} between ${f.from} and ${f.to}`;
const concluded = (f: StatsFilter) =>
  sql`${complaints.stream} = ${f.stream} and ${complaints.concludedOn} between ${f.from} and ${f.to}`;

/**
 * The §5 measures written straight over the complaint tables: their definition. The
 * statistics read the daily sums instead (stats-repository.ts, kept by triggers); tests
 * and the bench compare the two on the same data.
 */
export function createStatsDefinitions(): StatsRepository {
  return {
    async grouped(db: DbOrTx, f: StatsFilter, groupBy: GroupBy) {
      let key: SQL;
      let label: SQL;
      let where = received(f);
      let join = sql``;
      switch (groupBy) {
        case 'category':
        case 'subcategory': {
          const col =
            groupBy === 'category'
              ? complaintAllegations.categoryId
              : complaintAllegations.subcategoryId;
          key = sql`coalesce(c.code, 'none')`;
          label = sql`coalesce(c.label, 'No sub-category')`;
          join = sql`left join ${complaintCategories} c on c.id = ${col}`;
          break;
        }
        case 'handling':
          key = sql`coalesce(${complaints.handling}, 'undecided')`;
          label = key;
          break;
        case 'outcome':
          key = sql`coalesce(${complaintAllegations.outcome}, 'none')`;
          label = key;
          where = concluded(f);
          break;
        case 'month':
          key = sql`to_char(${complaints.receivedOn}, 'YYYY-MM')`;
          label = key;
          break;
      }
      return groupedFigures(
        db,
        sql`
        select ${key} as key, min(${label}) as label,
               count(distinct ${complaints.id}) as complaints, count(${complaintAllegations.id}) as allegations
        from ${complaints}
        left join ${complaintAllegations} on ${complaintAllegations.complaintId} = ${complaints.id}
        ${join}
        where ${where}
        group by 1 order by 1`,
      );
    },

    async totals(db: DbOrTx, f: StatsFilter) {
      const [row] = await db.execute<{
        complaints: string;
        allegations: string;
        finalised: string;
      }>(sql`
        select
          (select count(*) from ${complaints} where ${received(f)}) as complaints,
          (select count(*) from ${complaintAllegations} join ${complaints} on ${complaints.id} = ${complaintAllegations.complaintId} where ${received(f)}) as allegations,
          (select count(*) from ${complaints} where ${concluded(f)}) as finalised`);
      return {
        complaints: Number(row?.complaints ?? 0),
        allegations: Number(row?.allegations ?? 0),
        finalised: Number(row?.finalised ?? 0),
      };
    },

    /** Mean and median working and calendar days, received to each milestone. */
    async timeliness(db: DbOrTx, f: StatsFilter) {
      const rows = await db.execute<Record<string, string | null>>(sql`
        select 'recorded' as measure, null as handling, count(*) as n,
          avg(${complaints.wdToRecord}) as mean_wd, percentile_cont(0.5) within group (order by ${complaints.wdToRecord}) as median_wd,
          avg(${complaints.recordedOn} - ${complaints.receivedOn}) as mean_days,
          percentile_cont(0.5) within group (order by ${complaints.recordedOn} - ${complaints.receivedOn}) as median_days
        from ${complaints} where ${received(f)} and ${complaints.recordedOn} is not null
        union all
        select 'first_contact', null, count(*),
          avg(${complaints.wdToFirstContact}), percentile_cont(0.5) within group (order by ${complaints.wdToFirstContact}),
          avg(${complaints.firstContactOn} - ${complaints.receivedOn}),
          percentile_cont(0.5) within group (order by ${complaints.firstContactOn} - ${complaints.receivedOn})
        from ${complaints} where ${received(f)} and ${complaints.firstContactOn} is not null
        union all
        select 'finalised', coalesce(${complaints.handling}, 'undecided'), count(*),
          avg(${complaints.wdToConclude}), percentile_cont(0.5) within group (order by ${complaints.wdToConclude}),
          avg(${complaints.concludedOn} - ${complaints.receivedOn}),
          percentile_cont(0.5) within group (order by ${complaints.concludedOn} - ${complaints.receivedOn})
        from ${complaints} where ${concluded(f)}
        group by 2`);
      return rows.map((r) => ({
        measure: String(r.measure),
        handling: r.handling ?? null,
        count: Number(r.n),
        meanWorkingDays: num(r.mean_wd),
        medianWorkingDays: num(r.median_wd),
        meanDays: num(r.mean_days),
        medianDays: num(r.median_days),
      }));
    },

    /** Updates, outcome letters and reports sent in the period, and how many by their due date. */
    async onTime(db: DbOrTx, f: StatsFilter) {
      return onTimeFigures(
        db,
        sql`
        select ${complaintContacts.kind} as kind, count(*) as sent,
               count(*) filter (where ${complaintContacts.occurredOn} <= ${complaintContacts.dueOn}) as on_time
        from ${complaintContacts} join ${complaints} on ${complaints.id} = ${complaintContacts.complaintId}
        where ${complaints.stream} = ${f.stream} and ${complaintContacts.occurredOn} between ${f.from} and ${f.to}
          and ${complaintContacts.kind} in ('update', 'outcome', 'report') and ${complaintContacts.dueOn} is not null
        group by 1`,
      );
    },

    overTwelveMonths,

    async reviews(db: DbOrTx, f: StatsFilter) {
      const [row] = await db.execute<Record<string, string | null>>(sql`
        select count(*) as received,
          count(*) filter (where r.valid) as valid,
          count(*) filter (where r.result = 'upheld') as upheld,
          count(*) filter (where r.result = 'not_upheld') as not_upheld,
          avg(r.decided_on - ${complaints.receivedOn}) filter (where r.decided_on is not null) as mean_days,
          count(*) filter (where r.recommendations is not null) as recommendations,
          count(*) filter (where r.recommendations_accepted) as accepted,
          count(*) filter (where r.rrb = 'iopc') as forwarded
        from ${complaints} join ${complaintReviews} r on r.complaint_id = ${complaints.id}
        where ${complaints.stream} = 'review' and ${complaints.receivedOn} between ${f.from} and ${f.to}`);
      const [iopc] = await db.execute<{ referrals: string; decisions: string }>(sql`
        select count(*) filter (where ${complaintTransitions.kind} = 'referral') as referrals,
               count(*) filter (where ${complaintTransitions.kind} in ('iopc_decision')
                 or (${complaintTransitions.fromStatus} = 'referred_to_iopc' and ${complaintTransitions.toStatus} <> 'referred_to_iopc')) as decisions
        from ${complaintTransitions} join ${complaints} on ${complaints.id} = ${complaintTransitions.complaintId}
        where ${complaints.stream} = 'cc' and ${complaintTransitions.occurredOn} between ${f.from} and ${f.to}`);
      return {
        received: Number(row?.received ?? 0),
        valid: Number(row?.valid ?? 0),
        upheld: Number(row?.upheld ?? 0),
        notUpheld: Number(row?.not_upheld ?? 0),
        meanDays: num(row?.mean_days),
        recommendationsMade: Number(row?.recommendations ?? 0),
        recommendationsAccepted: Number(row?.accepted ?? 0),
        forwardedToIopc: Number(row?.forwarded ?? 0),
        iopcReferrals: Number(iopc?.referrals ?? 0),
        iopcDecisions: Number(iopc?.decisions ?? 0),
      };
    },

    /** Equality answers of complainants whose complaints were received in the period. */
    async equality(db: DbOrTx, f: StatsFilter) {
      const rows = await db.execute<{ dimension: string; value: string; n: string }>(sql`
        select d.dimension, coalesce(d.value, 'not_stated') as value, count(*) as n
        from ${complaints} join ${complainantEquality} e on e.complaint_id = ${complaints.id}
        cross join lateral (values ('ageBand', e.age_band), ('sex', e.sex), ('ethnicity', e.ethnicity),
          ('disability', e.disability), ('religion', e.religion), ('sexualOrientation', e.sexual_orientation)) as d(dimension, value)
        where ${received(f)}
        group by 1, 2 order by 1, 2`);
      return rows.map((r) => ({ dimension: r.dimension, value: r.value, count: Number(r.n) }));
    },
  };
}
