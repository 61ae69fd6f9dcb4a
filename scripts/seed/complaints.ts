/**
 * Demo complaints (docs/rules/complaints.md): a year of complaints about the Chief Constable (about
 * two a month, as a small OPCC sees) and review applications (about five a month), each
 * walked through the real services on a moving clock: acknowledgement, recording or
 * handling outside Schedule 3, investigation or other handling with 4-weekly updates,
 * outcome letters, review windows, some review decisions. Idempotent: nothing if any exist.
 */
import { sql } from 'drizzle-orm';
import { addDays, londonDateOf } from '../../server/lib/dates.js';
import type { Actor } from '../../server/platform/audit.js';
import type { SeedContext } from './context.js';
import { prng } from './random.js';

const FIRST = [
  'Alex',
  'Sam',
  'Jo',
  'Chris',
  'Pat',
  'Robin',
  'Kim',
  'Lee',
  'Jamie',
  'Morgan',
  'Ash',
  'Dev',
];
const LAST = [
  'Patel',
  'Smith',
  'Jones',
  'Khan',
  'Taylor',
  'Brown',
  'Wilson',
  'Evans',
  'Okafor',
  'Nowak',
];
const ALLEGATIONS: Array<[string, string]> = [
  ['individual_behaviours', 'Spoke dismissively about residents at a public meeting'],
  ['delivery_of_duties', 'Did not act on a letter about local policing priorities'],
  ['police_powers', 'Approved a policy on stop and search without consultation'],
  ['discreditable_conduct', 'Comments reported in the local press'],
  ['discriminatory_behaviour', 'Remarks at a community event felt to be discriminatory'],
];
const EQUALITY = {
  ageBand: ['25_34', '35_44', '45_54', '55_64', '65_plus', 'not_stated'],
  sex: ['female', 'male', 'not_stated'],
  ethnicity: [
    'white_british',
    'white_other',
    'asian_british',
    'black_british',
    'mixed',
    'not_stated',
  ],
};

export async function seedComplaints(ctx: SeedContext) {
  const { db, services, clock, managerId, staffIds } = ctx;
  const [existing] = await db.execute<{ n: number }>(
    sql`select count(*)::int as n from complaints`,
  );
  if (Number(existing?.n ?? 0) > 0) {
    console.log('complaints: already seeded');
    return;
  }
  const started = Date.now();
  const random = prng(2002);
  const c = services.complaints;
  const end = clock.now();
  const today = londonDateOf(end);
  const caseworker: Actor = { id: staffIds[0]!, role: 'caseworker', requestId: 'seed' };
  const manager: Actor = { id: managerId, role: 'manager', requestId: 'seed' };
  const at = (date: string) => {
    clock.set(new Date(`${date}T11:00:00Z`));
    return date;
  };
  const step = async (date: string, fn: (on: string) => Promise<unknown>) => {
    if (date > today) return false;
    await fn(at(date));
    return true;
  };
  let complaints = 0;
  let reviews = 0;
  for (let d = addDays(today, -365); d <= addDays(today, -3); d = addDays(d, 1)) {
    if (random.next() < 2 / 30) {
      complaints += 1;
      at(d);
      const [category, description] = random.pick(ALLEGATIONS);
      const name = `${random.pick(FIRST)} ${random.pick(LAST)}`;
      const created = await c.records.create(caseworker, {
        receivedAt: d,
        channel: random.pick(['letter', 'email', 'web'] as const),
        complainant: { name, email: `${name.toLowerCase().replace(' ', '.')}@example.org` },
        summary: description,
        allegations: [{ category, description }],
        assigneeId: caseworker.id!,
        equality:
          random.next() < 0.7
            ? {
                ageBand: random.pick(EQUALITY.ageBand),
                sex: random.pick(EQUALITY.sex),
                ethnicity: random.pick(EQUALITY.ethnicity),
              }
            : undefined,
      });
      await c.records.grant(caseworker, created.id, managerId, 'decision_maker');
      const id = created.id;
      await c.letters.send(caseworker, id, { template: 'acknowledgement', channel: 'email' });
      const move = (who: Actor, on: string, body: Record<string, unknown>) =>
        c.transitions.transition(who, id, { at: on, ...body } as never);
      if (!(await step(addDays(d, 1), (on) => move(caseworker, on, { to: 'initial_contact' }))))
        continue;
      await c.letters.logContact(caseworker, id, {
        kind: 'first_contact',
        channel: 'phone',
        at: addDays(d, 1),
      });
      if (random.next() < 0.3) {
        await step(addDays(d, 2), (on) =>
          move(manager, on, { to: 'outside_sch3', reason: 'Dealt with by explanation' }),
        );
        await step(addDays(d, 9), async () =>
          c.letters.send(caseworker, id, {
            template: 'outcome_with_review_rights',
            channel: 'post',
          }),
        );
        await step(addDays(d, 10), (on) => move(caseworker, on, { to: 'resolved' }));
        continue;
      }
      if (
        !(await step(addDays(d, 6), (on) =>
          move(manager, on, {
            to: 'recorded',
            reason: 'Complainant wishes the complaint be recorded',
          }),
        ))
      )
        continue;
      await c.letters.send(caseworker, id, { template: 'recording_decision', channel: 'email' });
      const investigate = random.next() < 0.4;
      if (
        !(await step(addDays(d, 7), (on) =>
          move(manager, on, {
            to: investigate ? 'investigating' : 'handling_otherwise',
            referral: 'not_referable',
            reason: 'None of the referral criteria applies',
            ...(investigate ? { investigator: 'Chief Officer, another force' } : {}),
          }),
        ))
      )
        continue;
      const length = investigate
        ? 60 + Math.floor(random.next() * 120)
        : 20 + Math.floor(random.next() * 40);
      let last = addDays(d, 7);
      for (
        let u = addDays(d, 27);
        u < addDays(d, 7 + length);
        u = addDays(u, 26 + Math.floor(random.next() * 6))
      ) {
        if (
          !(await step(u, () =>
            c.letters.send(caseworker, id, { template: 'update_4_weekly', channel: 'email' }),
          ))
        )
          break;
        last = u;
      }
      const outcomeOn = addDays(d, 7 + length);
      if (outcomeOn > today || outcomeOn <= last) continue;
      const detail = await c.detail.build(
        db,
        await c.records.load(db, { id: null, role: 'system', requestId: 'seed' }, id),
      );
      await step(outcomeOn, (on) =>
        move(manager, on, {
          to: 'outcome_determined',
          outcome: {
            allegations: detail.allegations.map((a) => ({
              id: a.id,
              outcome: investigate
                ? random.pick(['no_case_to_answer', 'practice_requiring_improvement'])
                : random.pick(['service_acceptable', 'service_not_acceptable']),
              actions: ['explanation'],
            })),
          },
        }),
      );
      const letterOn = addDays(outcomeOn, 2 + Math.floor(random.next() * 6));
      if (
        !(await step(letterOn, () =>
          c.letters.send(caseworker, id, {
            template: 'outcome_with_review_rights',
            channel: 'email',
          }),
        ))
      )
        continue;
      await step(letterOn, (on) => move(caseworker, on, { to: 'review_window' }));
      if (addDays(letterOn, 29) <= today) {
        at(addDays(letterOn, 29));
        await c.reminders.closeWindows();
      }
    }
    if (random.next() < 5 / 30) {
      reviews += 1;
      at(d);
      const name = `${random.pick(FIRST)} ${random.pick(LAST)}`;
      const created = await c.records.create(caseworker, {
        stream: 'review',
        receivedAt: d,
        complainant: { name },
        summary: 'Review of the outcome of a complaint the force handled',
        allegations: [],
        review: {
          forceReference: `PSD-${d.slice(0, 4)}-${String(reviews).padStart(4, '0')}`,
          infoGivenOn: addDays(d, -20),
          appliedOn: addDays(d, -2),
        },
      });
      await c.records.grant(caseworker, created.id, managerId, 'decision_maker');
      const move = (who: Actor, on: string, body: Record<string, unknown>) =>
        c.transitions.transition(who, created.id, { at: on, ...body } as never);
      if (!(await step(addDays(d, 2), (on) => move(caseworker, on, { to: 'validity_check' }))))
        continue;
      if (!(await step(addDays(d, 3), (on) => move(caseworker, on, { to: 'in_review' })))) continue;
      const upheld = random.next() < 0.2;
      if (
        !(await step(addDays(d, 20 + Math.floor(random.next() * 20)), (on) =>
          move(manager, on, {
            to: 'decided',
            review: {
              result: upheld ? 'upheld' : 'not_upheld',
              ...(upheld ? { recommendations: 'Reconsider the outcome of allegation 1' } : {}),
            },
          }),
        ))
      )
        continue;
      if (upheld)
        await step(addDays(d, 45), (on) => move(caseworker, on, { to: 'awaiting_force_response' }));
      await step(addDays(d, upheld ? 70 : 45), (on) =>
        move(caseworker, on, {
          to: 'closed',
          ...(upheld ? { review: { accepted: random.next() < 0.8 } } : {}),
        }),
      );
    }
  }
  clock.set(end);
  await c.monitoring.importCsv(
    manager,
    [
      'period,measure,force,msf,national',
      '2025-26,Complaint cases logged,1120,1045,',
      '2025-26,Working days to log,3,4,4',
      '2025-26,Working days to contact,5,6,6',
      '2025-26,"Allegations per 1,000 employees",310,295,301',
      '2025-26,Percentage handled under Schedule 3,58,61,63',
      '2025-26,Days to finalise,132,140,151',
      '2025-26,PCC reviews,64,58,',
    ].join('\n'),
  );
  console.log(
    `complaints: ${complaints} complaints and ${reviews} review applications over the past year in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
}
