/**
 * The complaints part of the performance data set (docs/rules/performance.md §4): N complaints over
 * five years before an anchor date, written by set-based SQL (generate_series) on one
 * connection in one transaction, then VACUUM ANALYZE. Deterministic: every choice is a hash
 * of the row number (PostgreSQL's hashint8), so two seeds of the same N and anchor are the
 * same rows. Shapes follow the statistics' needs (§5): allegations with categories and
 * outcomes, equality answers, transitions (recording, referral, outcome), contacts with
 * their due dates (updates, outcome letters, 12-month reports) and review applications.
 *
 * The status guard trigger only allows a new complaint to start as `received` (the
 * service then moves it); the bench writes finished histories directly, so it turns that
 * one trigger off inside its own transaction. Every other trigger, index and constraint is on.
 */
import postgres from 'postgres';

export interface ComplaintSeedResult {
  complaints: number;
  allegations: number;
  transitions: number;
  contacts: number;
  reviews: number;
  equality: number;
  seedMs: number;
  analyzeMs: number;
  anchor: string;
}

/** A non-negative pseudo-random integer below m for row i and salt k. */
const h = (k: number, m: number) =>
  `((hashint8(i::bigint * 64 + ${k})::bigint & 2147483647) % ${m})`;

export async function seedComplaints(
  databaseUrl: string,
  n: number,
  anchor: string,
): Promise<ComplaintSeedResult> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => undefined });
  const t0 = performance.now();
  try {
    await sql.begin(async (tx) => {
      await tx.unsafe(`set local statement_timeout = 0`);
      await tx.unsafe(`alter table complaints disable trigger complaints_status_guard`);
      // One row per complaint with every derived value worked out once.
      await tx.unsafe(
        `
        create temp table bench_c on commit drop as
        select i, md5('bench-complaint:' || i)::uuid as id,
          case when ${h(1, 20)} < 15 then 'cc' when ${h(1, 20)} < 19 then 'review' else 'opcc' end as stream,
          r.received_on, r.received_on - ${h(3, 5)}::int as made_on,
          r.received_on + ${h(4, 12)}::int as recorded_on,
          r.received_on + ${h(5, 6)}::int as first_contact_on,
          case when r.received_on + d.d <= $1::date and ${h(7, 25)} <> 0 then r.received_on + d.d end as concluded_on,
          (array['otherwise_than_investigation','investigation','nfa','outside_sch3'])[1 + ${h(8, 4)}] as handling,
          (array['email','letter','web','phone','in_person'])[1 + ${h(9, 5)}] as channel,
          1 + ${h(10, 3)}::int as allegation_count
        from generate_series(1, ${n}) i
        cross join lateral (select $1::date - ${h(2, 1826)}::int as received_on) r
        cross join lateral (select 20 + ${h(6, 220)}::int as d) d`,
        [anchor],
      );
      await tx.unsafe(`
        insert into complaint_reference_counters (prefix, year, last)
        select 'BENCH', 0, ${n} on conflict do nothing`);
      await tx.unsafe(
        `
        insert into complaints (id, reference, stream, regime, made_on, received_at, received_on,
          channel, recorded_on, status, summary, handling, first_contact_on, handling_started_on,
          outcome_on, review_info_given_on, concluded_on, wd_to_record, wd_to_first_contact,
          wd_to_conclude, last_event_on, created_at, updated_at)
        select id, 'BENCH-' || lpad(i::text, 7, '0'), stream,
          case when made_on < '2020-02-01' then '2012' else '2020' end, made_on,
          (received_on + time '10:00') at time zone 'Europe/London', received_on, channel,
          least(recorded_on, $1::date),
          case when concluded_on is not null then 'closed'
               when stream = 'review' then 'in_review' when handling = 'investigation' then 'investigating'
               else 'handling_otherwise' end,
          'Bench complaint ' || i, handling, least(first_contact_on, $1::date), least(recorded_on, $1::date),
          concluded_on - 7, concluded_on - 6, concluded_on,
          ((least(recorded_on, $1::date) - received_on) * 5) / 7,
          ((least(first_contact_on, $1::date) - received_on) * 5) / 7,
          ((concluded_on - received_on) * 5) / 7,
          coalesce(concluded_on, least(recorded_on, $1::date)),
          (received_on + time '10:00') at time zone 'Europe/London',
          (coalesce(concluded_on, received_on) + time '16:00') at time zone 'Europe/London'
        from bench_c`,
        [anchor],
      );
      await tx.unsafe(`
        insert into complainants (complaint_id, name, basis, consent)
        select id, 'Complainant ' || i, 'person_concerned', true from bench_c`);
      await tx.unsafe(`
        insert into complainant_equality (complaint_id, age_band, sex, ethnicity, disability, religion, sexual_orientation)
        select id,
          (array['16-24','25-34','35-44','45-54','55-64','65+', null])[1 + ${h(20, 7)}],
          (array['female','male','not_stated'])[1 + ${h(21, 3)}],
          (array['white','asian','black','mixed','other', null])[1 + ${h(22, 6)}],
          (array['yes','no','not_stated'])[1 + ${h(23, 3)}],
          (array['none','christian','muslim','hindu','sikh','jewish','other'])[1 + ${h(24, 7)}],
          (array['heterosexual','gay_lesbian','bisexual','other', null])[1 + ${h(25, 5)}]
        from bench_c where ${h(19, 10)} < 6`);
      await tx.unsafe(`
        with cats as (select array_agg(id order by code) as ids from complaint_categories where parent_id is null),
             subs as (select array_agg(id order by code) as ids from complaint_categories where parent_id is not null)
        insert into complaint_allegations (complaint_id, position, category_id, subcategory_id, description, outcome)
        select c.id, p, cats.ids[1 + ((hashint8(c.i::bigint * 64 + 30 + p)::bigint & 2147483647) % array_length(cats.ids, 1))],
          case when (hashint8(c.i::bigint * 64 + 40 + p)::bigint & 1) = 0 then subs.ids[1 + (p % 2)] end,
          'Allegation ' || p || ' of bench complaint ' || c.i,
          case when c.concluded_on is not null then (array['service_acceptable','service_not_acceptable',
            'unable_to_determine','looked_into_nfa','case_to_answer','no_case_to_answer'])
            [1 + ((hashint8(c.i::bigint * 64 + 50 + p)::bigint & 2147483647) % 6)] end
        from bench_c c cross join cats cross join subs cross join generate_series(1, c.allegation_count) p`);
      // Decisions: recording for all, a referral for one in ten cc complaints, an outcome when concluded.
      await tx.unsafe(
        `
        insert into complaint_transitions (complaint_id, kind, from_status, to_status, at, occurred_on,
          actor_role, reasons, recorded_at)
        select id, t.kind, t.from_status, t.to_status, (t.on_day + time '11:00') at time zone 'Europe/London',
          t.on_day, 'manager', 'Bench', (t.on_day + time '11:00') at time zone 'Europe/London'
        from bench_c c cross join lateral (values
          ('recording', 'initial_contact', 'recorded', least(c.recorded_on, $1::date), true),
          ('referral', 'recorded', 'referred_to_iopc', least(c.recorded_on, $1::date),
            c.stream = 'cc' and ${h(60, 10)} = 0),
          ('outcome', 'investigating', 'outcome_determined', c.concluded_on - 7, c.concluded_on is not null)
        ) as t(kind, from_status, to_status, on_day, keep)
        where t.keep`,
        [anchor],
      );
      // Contacts: first contact; 4-weekly updates while open (nine in ten on time); the
      // outcome letter; a 12-month report for those open a year.
      await tx.unsafe(
        `
        insert into complaint_contacts (complaint_id, kind, at, occurred_on, channel, due_on, created_at)
        select id, x.kind, (x.on_day + time '12:00') at time zone 'Europe/London', x.on_day,
          x.channel, x.due_on, (x.on_day + time '12:00') at time zone 'Europe/London'
        from (
          select c.id, 'first_contact' as kind, least(c.first_contact_on, $1::date) as on_day,
            'phone' as channel, null::date as due_on from bench_c c
          union all
          select c.id, 'update', u.due + case when (hashint8(c.i::bigint * 64 + 70 + u.k)::bigint & 7) = 0 then 3 else -1 end,
            'email', u.due
          from bench_c c cross join lateral (
            select k, c.received_on + 28 * k as due from generate_series(1, 8) k
          ) u where u.due + 3 <= coalesce(c.concluded_on - 7, $1::date)
          union all
          select c.id, 'outcome', c.concluded_on - 6 + ${h(80, 8)}::int, 'post', c.concluded_on
          from bench_c c where c.concluded_on is not null and c.concluded_on - 6 + ${h(80, 8)}::int <= $1::date
          union all
          select c.id, 'report', (c.made_on + interval '12 months')::date + ${h(81, 10)}::int - 3, 'email',
            (c.made_on + interval '12 months')::date
          from bench_c c where coalesce(c.concluded_on, $1::date) > (c.made_on + interval '12 months')::date + 7
        ) x`,
        [anchor],
      );
      await tx.unsafe(`
        insert into complaint_reviews (complaint_id, force_reference, info_given_on, applied_on, valid, rrb,
          result, decided_on, recommendations, recommendations_accepted, force_responded_on)
        select id, 'PSD-' || i, received_on - 10 - ${h(90, 18)}::int, received_on, ${h(91, 10)} <> 0,
          case when ${h(92, 12)} = 0 then 'iopc' else 'pcc' end,
          case when concluded_on is not null then case when ${h(93, 5)} = 0 then 'upheld' else 'not_upheld' end end,
          concluded_on - 2,
          case when concluded_on is not null and ${h(93, 5)} = 0 then 'Bench recommendation' end,
          case when concluded_on is not null and ${h(93, 5)} = 0 then ${h(94, 4)} <> 0 end,
          case when concluded_on is not null and ${h(93, 5)} = 0 then concluded_on end
        from bench_c where stream = 'review'`);
      await tx.unsafe(`alter table complaints enable trigger complaints_status_guard`);
    });
    const seedMs = performance.now() - t0;
    const t1 = performance.now();
    await sql.unsafe(`vacuum analyze`);
    const analyzeMs = performance.now() - t1;
    const [counts] = await sql<[Omit<ComplaintSeedResult, 'seedMs' | 'analyzeMs' | 'anchor'>]>`
      select (select count(*)::int from complaints) as complaints,
             (select count(*)::int from complaint_allegations) as allegations,
             (select count(*)::int from complaint_transitions) as transitions,
             (select count(*)::int from complaint_contacts) as contacts,
             (select count(*)::int from complaint_reviews) as reviews,
             (select count(*)::int from complainant_equality) as equality`;
    return {
      ...counts,
      seedMs: Math.round(seedMs),
      analyzeMs: Math.round(analyzeMs),
      anchor,
    };
  } finally {
    await sql.end({ timeout: 5 });
  }
}
