/**
 * The complaints demo data module (scripts/seed/complaints.ts, run by `npm run db:seed`):
 * a year of complaints and review applications made through the services on a moving
 * clock, once. Checks the records are what the app itself would make: references, every
 * move a transition row, letters on the timeline, figures on the statistics page.
 */
import { expect, it } from 'vitest';
import { seedComplaints } from '../../scripts/seed/complaints.js';
import { useTestApp } from '../helpers/fixture.js';
import { apiToken, bearer, createUser } from '../helpers/auth.js';

const t = useTestApp();

const count = async (table: string, where = 'true') => {
  const [row] = await t.db.sql.unsafe<{ n: number }[]>(
    `select count(*)::int as n from ${table} where ${where}`,
  );
  return row!.n;
};

it('makes a year of complaints and reviews through the services, and only once', async () => {
  const caseworker = await createUser(t.app, 'caseworker');
  const manager = await createUser(t.app, 'manager');
  const before = t.clock.now().toISOString();
  const ctx = {
    db: t.db.db,
    services: t.app.services,
    clock: t.clock,
    system: { id: null, role: 'system', requestId: 'seed' },
    staffIds: [caseworker.id],
    managerId: manager.id,
  };
  await seedComplaints(ctx);
  expect(t.clock.now().toISOString()).toBe(before);

  const cc = await count('complaints', `stream = 'cc'`);
  const reviews = await count('complaints', `stream = 'review'`);
  expect(cc).toBeGreaterThanOrEqual(12);
  expect(reviews).toBeGreaterThanOrEqual(30);
  expect(await count('complaints', `stream = 'cc' and reference !~ '^CC-\\d{4}-\\d{4}$'`)).toBe(0);
  // Complaints at every stage: some resolved outside Schedule 3, some closed after the
  // review window, some still being handled; reviews decided and closed.
  for (const status of ['resolved', 'closed'])
    expect(await count('complaints', `stream = 'cc' and status = '${status}'`)).toBeGreaterThan(0);
  expect(
    await count(
      'complaints',
      `stream = 'cc' and status in ('investigating', 'handling_otherwise', 'review_window', 'outcome_determined')`,
    ),
  ).toBeGreaterThan(0);
  expect(await count('complaint_reviews', `result is not null`)).toBeGreaterThan(0);
  // Every status is the last transition's; every complaint has its acknowledgement.
  expect(
    await count(
      'complaints c',
      `status <> (select to_status from complaint_transitions t where t.complaint_id = c.id and t.to_status is not null order by t.id desc limit 1)`,
    ),
  ).toBe(0);
  expect(
    await count(
      'complaints c',
      `stream = 'cc' and not exists (select 1 from complaint_contacts k where k.complaint_id = c.id and k.template_key = 'acknowledgement')`,
    ),
  ).toBe(0);
  expect(await count('force_complaint_figures')).toBe(7);

  // The statistics a manager sees cover them.
  const token = await apiToken(t.app, manager);
  const today = t.clock.now().toISOString().slice(0, 10);
  const stats = await t.app.inject({
    url: `/api/stats/complaints?to=${today}`,
    headers: bearer(token),
  });
  expect(stats.statusCode, stats.body).toBe(200);
  expect(stats.json().totals.complaints).toBe(cc);

  // A second run adds nothing.
  const transitions = await count('complaint_transitions');
  await seedComplaints(ctx);
  expect(await count('complaints')).toBe(cc + reviews);
  expect(await count('complaint_transitions')).toBe(transitions);
}, 180_000);
