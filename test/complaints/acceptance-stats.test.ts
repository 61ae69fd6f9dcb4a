/** §6 acceptance lines 12, 13 and 15 (statistics and retention), and the review stream (§3.4). */
import { describe, expect, it } from 'vitest';
import { useComplaintsApp } from './fixtures.js';

const { t, u, a } = useComplaintsApp();

const ok = async (r: { statusCode: number; body: string }) => {
  expect(r.statusCode, r.body).toBeLessThan(300);
  return r.body ? JSON.parse(r.body) : undefined;
};
const stats = (query: string, token = u.mgr) =>
  a.call('GET', `/api/stats/complaints?${query}`, token);

describe('§6 acceptance: statistics and retention', () => {
  it('12. 3 complaints in a category show <5 in the equality table and no total reveals it; a caseworker gets 403', async () => {
    t.clock.set('2026-11-23T10:00:00Z');
    const ethnicity = [
      'white_british',
      'white_british',
      'white_british',
      ...Array(9).fill('asian_british'),
    ];
    for (const value of ethnicity)
      await a.create(u.cw, {
        receivedAt: '2026-08-03',
        equality: { ethnicity: value, sex: 'female' },
      });
    const answer = await ok(await stats('from=2026-08-01&to=2026-08-31'));
    const table = answer.equality.find((d: { dimension: string }) => d.dimension === 'ethnicity');
    const cell = (key: string) => table.cells.find((c: { key: string }) => c.key === key);
    expect(cell('white_british')).toMatchObject({ display: '<5', count: null });
    expect(cell('asian_british')).toMatchObject({ count: null, display: 'hidden' });
    expect(table.total).toMatchObject({ display: '12', count: 12 });
    // No shown number gives the 3 away: the only other cell is hidden as well.
    expect(table.cells.filter((c: { count: number | null }) => c.count !== null)).toEqual([]);
    expect(JSON.stringify(answer.equality)).not.toMatch(/"count":3\b/);
    const sex = answer.equality.find((d: { dimension: string }) => d.dimension === 'sex');
    expect(sex.total.count).toBe(12);
    expect((await stats('from=2026-08-01&to=2026-08-31', u.cw)).statusCode).toBe(403);
    const audited = await t.db
      .sql`select count(*)::int as n from audit_events where action = 'complaint.stats.view' and actor_id = ${u.manager.id}`;
    expect(audited[0]!.n).toBe(1);
  });

  it('13. received Mon 2026-01-05, recorded Mon 2026-01-12: 5 WD, 7 days; mean and median match hand-worked values', async () => {
    t.clock.set('2026-01-15T10:00:00Z');
    const record = async (on: string) => {
      const c = await a.create(u.cw, { receivedAt: '2026-01-05' });
      await ok(await a.grant(u.cw, c.id, u.manager.id));
      await ok(await a.move(u.cw, c.id, { to: 'initial_contact', at: '2026-01-05' }));
      await ok(await a.move(u.mgr, c.id, { to: 'recorded', at: on, reason: 'AA decides' }));
    };
    await record('2026-01-12'); // 5 WD, 7 days
    await record('2026-01-07'); // 2 WD, 2 days
    await record('2026-01-14'); // 7 WD, 9 days
    t.clock.set('2026-11-23T10:00:00Z');
    const answer = await ok(await stats('from=2026-01-01&to=2026-01-31'));
    const recorded = answer.timeliness.find((r: { measure: string }) => r.measure === 'recorded');
    // Mean WD (5+2+7)/3 = 4.7, median 5; mean days (7+2+9)/3 = 6, median 7.
    expect(recorded).toMatchObject({
      count: 3,
      meanWorkingDays: 4.7,
      medianWorkingDays: 5,
      meanDays: 6,
      medianDays: 7,
    });
    expect(answer.totals.complaints).toBe(3);
    const rows = await ok(await stats('from=2026-01-01&to=2026-01-31&groupBy=category'));
    expect(rows.rows).toEqual([
      {
        key: 'individual_behaviours',
        label: 'Individual behaviours',
        complaints: 3,
        allegations: 3,
      },
    ]);
  });

  it('15. after 6 years the sweep leaves a stub with statistics unchanged; a legal hold blocks it', async () => {
    t.clock.set('2020-06-10T10:00:00Z');
    const gone = await a.create(u.cw, {
      receivedAt: '2020-06-01',
      complainant: { name: 'Old Complainant', email: 'old@example.org' },
    });
    const held = await a.create(u.cw, { receivedAt: '2020-06-01' });
    for (const c of [gone, held])
      await ok(
        await a.move(u.cw, c.id, {
          to: 'not_a_complaint',
          at: '2020-06-10',
          reason: 'A question about policy',
        }),
      );
    t.clock.set('2026-11-23T10:00:00Z');
    await ok(await a.grant(u.cw, held.id, u.manager.id));
    await ok(
      await a.call('POST', `/api/complaints/${held.id}/legal-hold`, u.mgr, {
        hold: true,
        reason: 'ICO appeal',
      }),
    );
    const before = await ok(await stats('from=2020-01-01&to=2020-12-31'));
    expect(await t.app.services.complaints.retention.sweep()).toEqual({ disposed: 1, held: 1 });
    const after = await ok(await stats('from=2020-01-01&to=2020-12-31'));
    expect({ ...after.totals, rows: after.rows, t: after.timeliness }).toEqual({
      ...before.totals,
      rows: before.rows,
      t: before.timeliness,
    });
    expect((await a.call('GET', `/api/complaints/${gone.id}`, u.cw)).statusCode).toBe(404);
    const [stub] = await t.db
      .sql`select summary, status, disposed_at, received_on::text from complaints where id = ${gone.id}`;
    expect(stub).toMatchObject({
      summary: null,
      status: 'not_a_complaint',
      received_on: '2020-06-01',
    });
    expect(await t.db.sql`select * from complainants where complaint_id = ${gone.id}`).toHaveLength(
      0,
    );
    const reasons = await t.db
      .sql`select reasons from complaint_transitions where complaint_id = ${gone.id}`;
    expect(reasons.every((r) => r.reasons === null)).toBe(true);
    const log = await t.db.sql`select reference from complaint_disposals`;
    expect(log.map((r) => r.reference)).toEqual([gone.reference]);
    expect((await a.get(u.cw, held.id)).complainant).not.toBeNull();
    expect(await t.app.services.complaints.retention.sweep()).toEqual({ disposed: 0, held: 1 });
  });

  it('§3.4 a review application: validity check, review, decision with recommendations, the force’s response', async () => {
    t.clock.set('2026-11-02T10:00:00Z');
    const r = await a.create(u.cw, {
      stream: 'review',
      receivedAt: '2026-11-02',
      allegations: [],
      summary: 'Review of force complaint outcome',
      review: {
        forceReference: 'PSD-2026-123',
        infoGivenOn: '2026-10-10',
        appliedOn: '2026-10-30',
      },
    });
    const late = await a.create(u.cw, {
      stream: 'review',
      receivedAt: '2026-11-02',
      allegations: [],
      summary: 'A late application',
      review: {
        forceReference: 'PSD-2026-124',
        infoGivenOn: '2026-09-01',
        appliedOn: '2026-10-30',
      },
    });
    await ok(await a.move(u.cw, late.id, { to: 'validity_check', at: '2026-11-02' }));
    const outOfTime = await a.move(u.cw, late.id, { to: 'in_review', at: '2026-11-02' });
    expect(outOfTime.json().error.code).toBe('complaints.out_of_time');
    expect(r.reference).toMatch(/^RV-2026-/);
    await ok(await a.grant(u.cw, r.id, u.manager.id));
    expect(
      (await a.get(u.cw, r.id)).timers.map((x: { kind: string; dueOn: string }) => [
        x.kind,
        x.dueOn,
      ]),
    ).toEqual([
      ['review_acknowledge', '2026-11-09'],
      ['review_decide', '2026-12-10'],
    ]);
    await ok(await a.move(u.cw, r.id, { to: 'validity_check', at: '2026-11-02' }));
    t.clock.set('2026-11-03T10:00:00Z');
    await ok(await a.move(u.cw, r.id, { to: 'in_review', at: '2026-11-03' }));
    const noResult = await a.move(u.mgr, r.id, { to: 'decided', at: '2026-11-03' });
    expect(noResult.statusCode).toBe(400);
    await ok(
      await a.move(u.mgr, r.id, {
        to: 'decided',
        at: '2026-11-03',
        review: { result: 'upheld', recommendations: 'Re-investigate allegation 2' },
      }),
    );
    await ok(await a.move(u.cw, r.id, { to: 'awaiting_force_response', at: '2026-11-03' }));
    await ok(
      await a.move(u.cw, r.id, { to: 'closed', at: '2026-11-03', review: { accepted: true } }),
    );
    const detail = await a.get(u.cw, r.id);
    expect(detail.review).toMatchObject({
      valid: true,
      result: 'upheld',
      recommendationsAccepted: true,
      decidedOn: '2026-11-03',
    });
    const s = await ok(await stats('from=2026-11-01&to=2026-11-30&stream=review'));
    expect(s.reviews).toMatchObject({
      received: 2,
      valid: 1,
      upheld: 1,
      percentUpheld: 100,
      recommendationsMade: 1,
      recommendationsAccepted: 1,
    });
  });
});
