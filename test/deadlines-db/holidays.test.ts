/**
 * Holiday data on a real database (docs/rules/deadlines.md §2, §5, §8 "Holiday added", "Offline and
 * removals", "Coverage"): the gov.uk refresh with a local fixture, removals waiting for an
 * admin, the outbox-driven rebuild through real workers, and coverage.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FetchLike } from '../../server/deadlines/service.js';
import { createHolidayRefreshJob } from '../../workers/jobs/holiday-refresh.js';
import type { JobContext } from '../../workers/jobs/types.js';
import { useTestApp } from '../helpers/fixture.js';
import { bearer, type TestUser } from '../helpers/auth.js';

type Feed = Record<string, { division: string; events: Array<{ date: string; title: string }> }>;
const bundle = JSON.parse(
  readFileSync(new URL('../../db/data/bank-holidays.json', import.meta.url), 'utf8'),
) as Feed;

/** The gov.uk answer, from the committed snapshot, optionally without some days. */
function feedWithout(...drop: Array<[string, string]>): Feed {
  const copy = structuredClone(bundle);
  for (const [division, date] of drop)
    copy[division]!.events = copy[division]!.events.filter((e) => e.date !== date);
  return copy;
}
const serve =
  (feed: unknown): FetchLike =>
  async () => ({ ok: true, status: 200, json: async () => feed });
const offline: FetchLike = async () => {
  throw new TypeError('fetch failed: getaddrinfo ENOTFOUND www.gov.uk');
};

const t = useTestApp({ now: '2026-11-23T06:15:00Z' });
let token: string;
let admin: TestUser;
let ctx: JobContext;

beforeAll(async () => {
  const worker = await t.user('caseworker');
  admin = await t.user('admin');
  token = await t.token(worker);
  ctx = {
    db: t.db.db,
    services: t.app.services,
    queues: t.queues,
    clock: t.clock,
    log: () => undefined,
  };
});

const adminActor = () => ({ id: admin.id, role: 'admin', requestId: null });
const version = async () => t.app.services.deadlines.calendarVersion();

async function createFoi(receivedAt: string) {
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/cases',
    headers: bearer(token),
    payload: {
      type: 'foi',
      channel: 'letter',
      receivedAt,
      subject: 'Speed cameras',
      body: 'How many speed cameras are there?',
      contact: { name: 'Alex Asker' },
    },
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json<{ id: string; dueDate: string }>();
}
const dueOf = async (id: string) =>
  ((await t.db.sql`select next_due_on::text as d from cases where id = ${id}`)[0] as { d: string })
    .d;

describe('holiday-refresh and deadline-rebuild', () => {
  it('loads the bundle once at start: every row computes offline from it', async () => {
    const [n] = await t.db.sql`select count(*)::int as n, min(source) as s from bank_holidays`;
    expect(n!.n).toBeGreaterThan(200);
    expect(n!.s).toBe('bundled');
    const again = await t.app.services.deadlines.loadBundle();
    expect(again.added).toBe(0);
  });

  it('with no network nothing changes; after 3 failed days admins get one email', async () => {
    const before = await version();
    const job = createHolidayRefreshJob(offline);
    for (let day = 0; day < 4; day++) {
      const result = (await job.process({}, ctx)) as { ok: boolean };
      expect(result.ok).toBe(false);
      await job.process({}, ctx); // a retry the same day counts once
      t.clock.advance(24 * 3600_000);
    }
    expect(await version()).toBe(before);
    const alerts = await t.db
      .sql`select "to" from email_messages where subject = 'Bank holiday refresh has failed for 3 days'`;
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.to).toContain(admin.email);
    t.clock.set('2026-11-23T06:15:00Z');
  });

  it('a removal waits for an admin; adding the day back moves open cases only', async () => {
    const job = createHolidayRefreshJob(serve(feedWithout(['scotland', '2026-01-02'])));
    const v0 = await version();
    const dropped = (await job.process({}, ctx)) as { pendingRemovals: number; added: number };
    expect(dropped).toMatchObject({ ok: true, added: 0, pendingRemovals: 1 });
    expect(await version()).toBe(v0);
    // Still a holiday until confirmed: #1 is due Wed 21 Jan.
    const early = await createFoi('2025-12-18T10:00:00Z');
    expect(early.dueDate).toBe('2026-01-21');

    await t.app.services.deadlines.confirmRemoval(adminActor(), {
      division: 'scotland',
      date: '2026-01-02',
    });
    expect(await version()).toBe(v0 + 1);
    const runner = await t.startWorkers();
    await expect.poll(() => dueOf(early.id)).toBe('2026-01-20');

    // Now the day is gone: a new #1 case is due Tue 20 Jan, and one of them is closed.
    const open = await createFoi('2025-12-18T11:00:00Z');
    const closed = await createFoi('2025-12-18T12:00:00Z');
    expect(open.dueDate).toBe('2026-01-20');
    const close = await t.app.inject({
      method: 'POST',
      url: `/api/cases/${closed.id}/transitions`,
      headers: bearer(token),
      payload: { to: 'closed', version: 1, outcome: 'withdrawn' },
    });
    expect(close.statusCode, close.body).toBe(200);

    // gov.uk lists 2 Jan (Scotland) again: an addition applies at once.
    const restored = (await createHolidayRefreshJob(serve(bundle)).process({}, ctx)) as {
      added: number;
    };
    expect(restored.added).toBe(1);
    expect(await version()).toBe(v0 + 2);
    await expect.poll(() => dueOf(open.id)).toBe('2026-01-21');
    await expect
      .poll(async () => {
        const [row] = await t.db.sql`select count(*)::int as n from outbox
          where topic = 'deadline-rebuild' and processed_at is null`;
        return row!.n;
      })
      .toBe(0);
    expect(await dueOf(early.id)).toBe('2026-01-21');
    expect(await dueOf(closed.id)).toBe('2026-01-20');

    const moved = await t.db.sql`select data from case_events
      where case_id = ${open.id} and kind = 'deadline_moved'`;
    expect(moved).toHaveLength(1);
    expect((moved[0]!.data as { description: string }).description).toBe(
      'Due date moved from Tue 20 Jan to Wed 21 Jan 2026: 2 Jan (Scotland) added',
    );
    expect(
      await t.db
        .sql`select 1 from case_events where case_id = ${closed.id} and kind = 'deadline_moved'`,
    ).toHaveLength(0);
    // The moved row is superseded, not edited; holiday changes keep the generation.
    const rows = await t.db.sql`select due_on::text, generation, superseded_at is null as live
      from case_deadlines where subject_id = ${open.id} and kind = 'statutory' order by created_at, live`;
    expect(rows.map((r) => [r.due_on, r.generation, r.live])).toEqual([
      ['2026-01-20', 1, false],
      ['2026-01-21', 1, true],
    ]);
    // The assignee (here the triage mailbox) is told.
    const told = await t.db.sql`select 1 from email_messages
      where subject_ref = ${open.id} and subject like '%Due date moved'`;
    expect(told).toHaveLength(1);

    // A rerun of the rebuild finds nothing left to do.
    expect(await t.app.services.deadlines.rebuild()).toEqual({ cases: 0, moved: 0 });
    await runner.stop(2000);
  });

  it('flags dates beyond the data and raises the coverage alert', async () => {
    const beyond = await t.app.inject({
      method: 'POST',
      url: '/api/deadlines/calculate',
      headers: bearer(token),
      payload: { type: 'foi', receivedAt: '2029-03-01' },
    });
    expect(beyond.json().coverageIncomplete).toBe(true);
    const within = await t.app.inject({
      method: 'POST',
      url: '/api/deadlines/calculate',
      headers: bearer(token),
      payload: { type: 'foi', receivedAt: '2026-03-02' },
    });
    expect(within.json().coverageIncomplete).toBe(false);

    expect((await t.app.services.deadlines.coverage()).alert).toBe(false);
    t.clock.set('2028-06-05T07:00:00Z'); // a Monday: data ends 31 Dec 2028, under 9 months away
    const coverage = await t.app.services.deadlines.coverage();
    expect(coverage.alert).toBe(true);
    expect(coverage.divisions.every((d) => d.coveredUntil === '2028-12-31')).toBe(true);
    expect(await t.app.services.deadlines.coverageAlert()).toBe(true);
    expect(await t.app.services.deadlines.coverageAlert()).toBe(false); // once a week
    t.clock.set('2026-11-23T06:15:00Z');
  });
});
