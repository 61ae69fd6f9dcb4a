/**
 * Complaint statistics are reused under the `complaints` change stamp (server/complaints/
 * stats.ts, migration 0027): a repeated request gets the same figures, and any committed
 * write to a table they read (a new complaint, a move, an equality answer, a category
 * label) shows in the next answer. Every read is audited, reused or not.
 */
import { expect, it } from 'vitest';
import { useComplaintsApp } from './fixtures.js';

const { t, u, a } = useComplaintsApp();

const stats = async () => {
  const response = await a.call(
    'GET',
    '/api/stats/complaints?from=2026-11-01&to=2026-11-30&groupBy=category',
    u.mgr,
  );
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
};
const audits = async () => {
  const [row] = await t.db.sql<{ n: number }[]>`
    select count(*)::int as n from audit_events where action = 'complaint.stats.view'`;
  return row!.n;
};

it('a reused answer is never older than a committed change, and every read is audited', async () => {
  t.clock.set('2026-11-23T10:00:00Z');
  const c = await a.create(u.cw);
  const first = await stats();
  expect(first.totals.complaints).toBe(1);
  expect(await stats()).toEqual(first);
  expect(await audits()).toBe(2);

  // A new complaint through the API.
  await a.create(u.cw, {
    allegations: [{ category: 'discreditable_conduct', description: 'Another' }],
  });
  const second = await stats();
  expect(second.totals).toMatchObject({ complaints: 2, allegations: 2 });
  expect(second.rows.map((r: { key: string }) => r.key)).toContain('discreditable_conduct');

  // A move (recording sets the recorded date the timeliness table reads).
  expect((await a.move(u.cw, c.id, { to: 'initial_contact', at: '2026-11-23' })).statusCode).toBe(
    200,
  );
  await a.grant(u.cw, c.id, u.manager.id);
  expect(
    (await a.move(u.mgr, c.id, { to: 'recorded', at: '2026-11-23', reason: 'AA decides' }))
      .statusCode,
  ).toBe(200);
  const third = await stats();
  expect(third.timeliness.find((x: { measure: string }) => x.measure === 'recorded')?.count).toBe(
    1,
  );

  // A write straight to the database (an admin relabelling a category) counts too.
  await t.db
    .sql`update complaint_categories set label = 'Behaviour of individuals' where code = 'individual_behaviours'`;
  const fourth = await stats();
  expect(fourth.rows.find((r: { key: string }) => r.key === 'individual_behaviours')?.label).toBe(
    'Behaviour of individuals',
  );
  expect(await audits()).toBe(5);
});
