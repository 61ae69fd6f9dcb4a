/**
 * Complaint statistics from the daily sums (complaint_stats_daily, kept by triggers in the
 * transaction of every change) equal the §5 definitions over the complaint tables
 * (stats-definitions.ts), on seeded data and after changes made through the API and
 * directly in the tables.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { seedComplaints } from '../../bench/complaint-seed.js';
import { measures } from '../../server/complaints/measures.js';
import { createStatsDefinitions } from '../../server/complaints/stats-definitions.js';
import {
  createStatsRepository,
  histogramFigures,
  type GroupBy,
  type StatsFilter,
} from '../../server/complaints/stats-repository.js';
import { useTestApp } from '../helpers/fixture.js';
import { api, team, type Team } from './fixtures.js';

const t = useTestApp({ now: '2026-12-01T10:00:00Z' });
let u: Team;
let a: ReturnType<typeof api>;
beforeAll(async () => {
  u = await team(t);
  a = api(t);
  await seedComplaints(t.databaseUrl, 3_000, '2026-12-01');
}, 300_000);

const GROUP_BYS: GroupBy[] = ['category', 'subcategory', 'handling', 'outcome', 'month'];
const FILTERS: StatsFilter[] = ['cc', 'review', 'opcc'].flatMap((stream) => [
  { from: '2025-12-01', to: '2026-12-01', stream },
  { from: '2021-12-01', to: '2026-12-01', stream },
  { from: '2023-02-15', to: '2024-07-09', stream },
]);

/** Everything one answer holds, worked out by a repository (finalised rows in handling order). */
async function answer(repo: ReturnType<typeof createStatsRepository>, f: StatsFilter) {
  const db = t.db.db;
  const grouped = Object.fromEntries(
    await Promise.all(GROUP_BYS.map(async (g) => [g, await repo.grouped(db, f, g)] as const)),
  );
  const figures = await measures(db, repo, f);
  figures.timeliness.sort((x, y) =>
    `${x.measure}|${x.handling ?? ''}`.localeCompare(`${y.measure}|${y.handling ?? ''}`),
  );
  return { grouped, totals: await repo.totals(db, f), ...figures };
}

async function compare() {
  const definitions = createStatsDefinitions();
  const sums = createStatsRepository();
  for (const f of FILTERS)
    expect(await answer(sums, f), JSON.stringify(f)).toEqual(await answer(definitions, f));
}

describe('complaint statistics from daily sums', () => {
  it('medians and means of a histogram are PostgreSQL’s avg and percentile_cont', () => {
    expect(histogramFigures([])).toEqual({ count: 0, mean: null, median: null });
    expect(
      histogramFigures([
        [5, 1],
        [null, 2],
      ]),
    ).toEqual({ count: 3, mean: 5, median: 5 });
    expect(
      histogramFigures([
        [1, 1],
        [4, 1],
        [2, 2],
      ]),
    ).toEqual({ count: 4, mean: 2.25, median: 2 });
    expect(
      histogramFigures([
        [3, 1],
        [10, 1],
      ]),
    ).toEqual({ count: 2, mean: 6.5, median: 6.5 });
  });

  it('equal the definitions on seeded data, and after changes through the API and in the tables', async () => {
    const [row] = await t.db.sql<
      { n: number }[]
    >`select count(*)::int as n from complaint_stats_daily`;
    expect(row!.n).toBeGreaterThan(0);
    await compare();

    // Through the API: a complaint received, recorded, handled and concluded today.
    const c = await a.create(u.cw, { receivedAt: '2026-12-01' });
    await a.grant(u.cw, c.id, u.manager.id);
    const ok = async (r: { statusCode: number; body: string }) =>
      expect(r.statusCode, r.body).toBeLessThan(300);
    await ok(await a.move(u.cw, c.id, { to: 'initial_contact', at: '2026-12-01' }));
    await ok(
      await a.contact(u.cw, c.id, { kind: 'first_contact', channel: 'phone', at: '2026-12-01' }),
    );
    await ok(await a.move(u.mgr, c.id, { to: 'recorded', at: '2026-12-01', reason: 'AA decides' }));
    await ok(
      await a.move(u.mgr, c.id, {
        to: 'referred_to_iopc',
        at: '2026-12-01',
        reason: 'Serious allegation',
      }),
    );
    const detail = await a.get(u.cw, c.id);
    await ok(
      await a.move(u.mgr, c.id, {
        to: 'outcome_determined',
        at: '2026-12-01',
        reason: 'IOPC: local handling',
        outcome: {
          allegations: detail.allegations.map((x: { id: string }) => ({
            id: x.id,
            outcome: 'service_acceptable',
          })),
        },
      }),
    );
    await compare();

    // In the tables: a category moved, an equality answer withdrawn, a complaint re-dated,
    // a contact's due date changed, a review decided.
    await t.db.sql`update complaint_allegations set category_id = (
        select id from complaint_categories where code = 'discreditable_conduct')
      where id in (select id from complaint_allegations order by id limit 40)`;
    await t.db.sql`delete from complainant_equality where complaint_id in (
        select complaint_id from complainant_equality order by complaint_id limit 25)`;
    await t.db.sql`update complaints set received_on = received_on - 400, concluded_on = null
      where id in (select id from complaints where stream = 'cc' order by id limit 30)`;
    await t.db.sql`update complaint_contacts set due_on = occurred_on - 1
      where id in (select id from complaint_contacts where due_on is not null order by id limit 60)`;
    await t.db.sql`update complaint_reviews set result = 'upheld', decided_on = applied_on + 20
      where complaint_id in (select complaint_id from complaint_reviews where result is null order by complaint_id limit 20)`;
    await compare();
  }, 300_000);
});
