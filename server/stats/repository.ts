/**
 * Every query of the statistics: one SQL statement per measure over `cases` and the live
 * `case_deadlines` rows. Dates are London calendar dates (`YYYY-MM-DD`).
 */
import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { OPEN_STATUSES } from '../correspondence/workflow.js';
import { aliasColumns, overdueSql } from '../correspondence/missed.js';
import type { AssigneeRow, OnTimeRow, Period, VolumeRow } from './types.js';

const num = (value: unknown): number => Number(value ?? 0);
const numOrNull = (value: unknown): number | null =>
  value === null || value === undefined ? null : Number(value);
const OPEN = sql`(${sql.join(
  OPEN_STATUSES.map((status) => sql`${status}`),
  sql`, `,
)})`;
const EXCLUDED = sql`('duplicate', 'spam')`;

export function createStatsRepository(db: DbOrTx) {
  async function volume(period: Period, by: 'type' | 'channel'): Promise<VolumeRow[]> {
    const key = by === 'type' ? sql`c.type` : sql`c.channel`;
    const rows = await db.execute<{ month: string; key: string; count: string }>(
      sql`select to_char(c.received_on, 'YYYY-MM') as month, ${key} as key, count(*) as count
          from cases c
          where c.received_on between ${period.from}::date and ${period.to}::date
            and (c.outcome is null or c.outcome not in ${EXCLUDED})
          group by 1, 2
          order by 1, 2`,
    );
    return rows.map((r) => ({ month: r.month, key: r.key, count: num(r.count) }));
  }

  async function onTime(period: Period): Promise<OnTimeRow[]> {
    const rows = await db.execute<Record<string, unknown>>(
      sql`with replies as (
            select c.type,
                   c.received_on,
                   (c.responded_at at time zone 'Europe/London')::date as responded_on,
                   d.due_on, d.base_due_on
            from cases c
            left join case_deadlines d
              on d.subject_type = 'case' and d.subject_id = c.id and d.superseded_at is null
                and d.kind in ('statutory', 'respond')
            where c.responded_at is not null
              and (c.responded_at at time zone 'Europe/London')::date
                  between ${period.from}::date and ${period.to}::date
              and (c.outcome is null or c.outcome not in ${EXCLUDED})
          ), measured as (
            select r.*,
                   r.responded_on - r.received_on as calendar_days
            from replies r
          ), acks as (
            select case when grouping(c.type) = 1 then 'all' else c.type end as type,
                   count(*) as acknowledged,
                   count(*) filter (where (c.acknowledged_at at time zone 'Europe/London')::date <= a.due_on) as ack_on_time
            from cases c
            join case_deadlines a
              on a.subject_type = 'case' and a.subject_id = c.id and a.superseded_at is null
                and a.kind = 'acknowledge'
            where c.acknowledged_at is not null
              and (c.acknowledged_at at time zone 'Europe/London')::date
                  between ${period.from}::date and ${period.to}::date
              and (c.outcome is null or c.outcome not in ${EXCLUDED})
            group by grouping sets ((c.type), ())
          ), measures as (
            select case when grouping(m.type) = 1 then 'all' else m.type end as type,
                   count(*) as replies,
                   count(*) filter (where m.responded_on <= m.due_on) as on_time,
                   count(*) filter (where m.responded_on <= coalesce(m.base_due_on, m.due_on)) as on_time_base,
                   percentile_cont(0.5) within group (order by m.calendar_days) as median_calendar
            from measured m
            group by grouping sets ((m.type), ())
          )
          select coalesce(x.type, a.type) as type,
                 x.replies, x.on_time, x.on_time_base, x.median_calendar,
                 a.acknowledged, a.ack_on_time
          from measures x
          full join acks a on a.type = x.type
          order by (coalesce(x.type, a.type) = 'all'), 1`,
    );
    return rows.map((r) => {
      const replies = num(r.replies);
      const onTimeCount = num(r.on_time);
      return {
        type: String(r.type),
        replies,
        onTime: onTimeCount,
        onTimePercent: replies > 0 ? Math.round((onTimeCount * 1000) / replies) / 10 : null,
        onTimeBase: num(r.on_time_base),
        acknowledged: num(r.acknowledged),
        acknowledgedOnTime: num(r.ack_on_time),
        medianCalendarDays: numOrNull(r.median_calendar),
        // Worked out by the service on the one calendar (replyDates below).
        medianWorkingDays: null,
      };
    });
  }

  /** Each reply's type and its dates of receipt and response, for the working days taken. */
  async function replyDates(
    period: Period,
  ): Promise<Array<{ type: string; receivedOn: string; respondedOn: string }>> {
    const rows = await db.execute<{ type: string; received_on: string; responded_on: string }>(
      sql`select c.type, to_char(c.received_on, 'YYYY-MM-DD') as received_on,
                 to_char((c.responded_at at time zone 'Europe/London')::date, 'YYYY-MM-DD') as responded_on
          from cases c
          where c.responded_at is not null
            and (c.responded_at at time zone 'Europe/London')::date
                between ${period.from}::date and ${period.to}::date
            and (c.outcome is null or c.outcome not in ${EXCLUDED})`,
    );
    return rows.map((r) => ({
      type: r.type,
      receivedOn: r.received_on,
      respondedOn: r.responded_on,
    }));
  }

  async function byAssignee(today: string, soon: string): Promise<AssigneeRow[]> {
    const rows = await db.execute<Record<string, unknown>>(
      sql`select c.assignee_id, coalesce(u.name, 'Unassigned') as assignee,
                 count(*) as open,
                 count(*) filter (where ${overdueSql(today, aliasColumns('c'))}) as overdue,
                 count(*) filter (where c.next_due_on between ${today}::date and ${soon}::date) as due_soon,
                 to_char(min(c.received_on), 'YYYY-MM-DD') as oldest
          from cases c
          left join users u on u.id = c.assignee_id
          where c.status in ${OPEN}
          group by c.assignee_id, u.name
          order by (c.assignee_id is null), u.name`,
    );
    return rows.map((r) => ({
      assigneeId: (r.assignee_id as string | null) ?? null,
      assignee: String(r.assignee),
      open: num(r.open),
      overdue: num(r.overdue),
      dueSoon: num(r.due_soon),
      oldestReceivedOn: (r.oldest as string | null) ?? null,
    }));
  }

  return { volume, onTime, replyDates, byAssignee };
}
export type StatsRepository = ReturnType<typeof createStatsRepository>;
