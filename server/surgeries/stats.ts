/**
 * Surgery figures for managers (docs/rules/surgeries.md §10): a financial year (April to
 * March) by month, host or area, and the topics raised. Computed in SQL from the rows.
 */
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import type { Clock } from '../lib/clock.js';
import { londonDateOf } from '../lib/dates.js';
import { londonLocal } from './time.js';

export type FigureGroup = 'month' | 'host' | 'area';

export interface SurgeryFigures {
  key: string;
  held: number;
  cancelled: number;
  places: number;
  bookings: number;
  /** Confirmed places ÷ places offered at surgeries that went ahead, in per cent. */
  fillRate: number | null;
  cancelledByPerson: number;
  cancelledByOffice: number;
  cancelledLate: number;
  attended: number;
  noShows: number;
  unmarked: number;
  /** No-shows ÷ (attended + no-shows), in per cent; unmarked bookings are left out. */
  noShowRate: number | null;
  waitlistJoined: number;
  waitlistOffered: number;
  waitlistAccepted: number;
  waitlistExpired: number;
  casesCreated: number;
}

export interface TopicFigures {
  topic: string;
  bookings: number;
  streetTalks: number;
}

/** The financial year holding `date`: 1 April to 1 April, as London instants. */
export function financialYear(startYear: number) {
  return {
    label: `April ${startYear} to March ${startYear + 1}`,
    from: londonLocal(`${startYear}-04-01`, 0, 0)!,
    to: londonLocal(`${startYear + 1}-04-01`, 0, 0)!,
  };
}
export const currentFinancialYear = (now: Date) => {
  const date = londonDateOf(now);
  const year = Number(date.slice(0, 4));
  return Number(date.slice(5, 7)) >= 4 ? year : year - 1;
};

const pct = (part: number, whole: number) =>
  whole === 0 ? null : Math.round((part / whole) * 1000) / 10;

export function createSurgeryStats(deps: { db: Db; clock: Clock }) {
  const { db } = deps;

  return {
    async figures(startYear: number, group: FigureGroup): Promise<SurgeryFigures[]> {
      const { from, to } = financialYear(startYear);
      const now = deps.clock.now().toISOString();
      const key =
        group === 'month'
          ? sql`to_char(s.starts_at at time zone 'Europe/London', 'YYYY-MM')`
          : group === 'host'
            ? sql`s.host`
            : sql`s.area`;
      const rows = await db.execute<Record<string, string | number>>(sql`
        with s as (
          select * from surgery
          where starts_at >= ${from.toISOString()} and starts_at < ${to.toISOString()} and kind = 'public'
        ), per as (
          select ${key} as key, s.id, s.status, s.starts_at,
            (select coalesce(sum(capacity), 0) from surgery_slot where surgery_id = s.id) as places
          from s
        )
        select per.key,
          count(*) filter (where per.status <> 'cancelled' and per.starts_at <= ${now})::int as held,
          count(*) filter (where per.status = 'cancelled')::int as cancelled,
          coalesce(sum(per.places) filter (where per.status <> 'cancelled'), 0)::int as places,
          coalesce(sum(b.bookings), 0)::int as bookings,
          coalesce(sum(b.standing) filter (where per.status <> 'cancelled'), 0)::int as standing,
          coalesce(sum(b.by_person), 0)::int as by_person,
          coalesce(sum(b.by_office), 0)::int as by_office,
          coalesce(sum(b.late), 0)::int as late,
          coalesce(sum(b.attended), 0)::int as attended,
          coalesce(sum(b.no_shows), 0)::int as no_shows,
          coalesce(sum(b.unmarked) filter (where per.status <> 'cancelled' and per.starts_at <= ${now}), 0)::int as unmarked,
          coalesce(sum(b.cases), 0)::int as cases,
          coalesce(sum(w.joined), 0)::int as joined,
          coalesce(sum(w.offered), 0)::int as offered,
          coalesce(sum(w.accepted), 0)::int as accepted,
          coalesce(sum(w.expired), 0)::int as expired
        from per
        left join lateral (
          select
            count(*) filter (where confirmed_at is not null) as bookings,
            count(*) filter (where status = 'confirmed') as standing,
            count(*) filter (where status = 'cancelled' and cancelled_by = 'person') as by_person,
            count(*) filter (where status = 'cancelled' and cancelled_by = 'office') as by_office,
            count(*) filter (where status = 'cancelled' and cancelled_late) as late,
            count(*) filter (where status = 'confirmed' and attendance = 'attended') as attended,
            count(*) filter (where status = 'confirmed' and attendance = 'no_show') as no_shows,
            count(*) filter (where status = 'confirmed' and attendance is null) as unmarked,
            count(*) filter (where case_id is not null) as cases
          from surgery_booking where surgery_id = per.id
        ) b on true
        left join lateral (
          select count(*) as joined,
            count(*) filter (where offered_at is not null) as offered,
            count(*) filter (where status = 'accepted') as accepted,
            count(*) filter (where status = 'expired') as expired
          from surgery_waitlist where surgery_id = per.id
        ) w on true
        group by per.key
        order by per.key`);
      return rows.map((r) => {
        const n = (k: string) => Number(r[k] ?? 0);
        return {
          key: String(r.key),
          held: n('held'),
          cancelled: n('cancelled'),
          places: n('places'),
          bookings: n('bookings'),
          fillRate: pct(n('standing'), n('places')),
          cancelledByPerson: n('by_person'),
          cancelledByOffice: n('by_office'),
          cancelledLate: n('late'),
          attended: n('attended'),
          noShows: n('no_shows'),
          unmarked: n('unmarked'),
          noShowRate: pct(n('no_shows'), n('attended') + n('no_shows')),
          waitlistJoined: n('joined'),
          waitlistOffered: n('offered'),
          waitlistAccepted: n('accepted'),
          waitlistExpired: n('expired'),
          casesCreated: n('cases'),
        };
      });
    },

    async topics(startYear: number): Promise<TopicFigures[]> {
      const { from, to } = financialYear(startYear);
      const rows = await db.execute<{ topic: string; bookings: number; street: number }>(sql`
        with s as (
          select id from surgery where starts_at >= ${from.toISOString()} and starts_at < ${to.toISOString()}
        ), topics as (
          select coalesce(topic, 'other') as topic, 1 as b, 0 as st from surgery_booking
            where surgery_id in (select id from s) and confirmed_at is not null
          union all
          select topic, 0, 1 from street_conversation where surgery_id in (select id from s)
        )
        select topic, sum(b)::int as bookings, sum(st)::int as street from topics group by topic order by topic`);
      return rows.map((r) => ({
        topic: r.topic,
        bookings: Number(r.bookings),
        streetTalks: Number(r.street),
      }));
    },
  };
}
export type SurgeryStats = ReturnType<typeof createSurgeryStats>;
