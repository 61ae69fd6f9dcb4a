/**
 * The bench data set (bench/seed.ts) stores each case's deadlines as the clock would have
 * (issue #11): a sample of seeded cases, covering every type, complaint subtype and status
 * and every case with a clock event, is recomputed by the clock itself
 * (`deadlines.recompute`, in a transaction rolled back). Recomputing a case whose stored
 * timers are what the clock works out changes nothing: no row superseded or added, no
 * column rewritten to another value, the same `next_due_on`. A rule, holiday or policy
 * that drifts between the bench seed and the clock fails here.
 */
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { seed } from '../../bench/seed.js';
import type { DbOrTx } from '../../db/client.js';
import { TEST_NOW } from '../helpers/app.js';
import { useTestApp } from '../helpers/fixture.js';

const t = useTestApp();

beforeAll(async () => {
  await seed(t.databaseUrl, {
    cases: 20_000,
    contacts: 2_000,
    events: 0,
    staff: 10,
    seed: 42,
    anchor: TEST_NOW.slice(0, 10),
  });
}, 300_000);

class RolledBack extends Error {}

/** Everything stored about a case's deadlines: its timer rows and its due date. */
async function stored(db: DbOrTx, id: string) {
  const timers = await db.execute(sql`
    select * from case_deadlines where subject_type = 'case' and subject_id = ${id}
    order by kind, created_at, id`);
  const [row] = await db.execute(sql`select next_due_on from cases where id = ${id}`);
  return { timers: [...timers], nextDueOn: row?.next_due_on };
}

describe('the bench seed on the clock', () => {
  it('gives every case live timers and records the clock events that stopped a clock', async () => {
    const [counts] = await t.db.sql<[{ without: number; stops: number; stopped: number }]>`
      select
        (select count(*)::int from cases c where not exists (
          select 1 from case_deadlines d
          where d.subject_type = 'case' and d.subject_id = c.id and d.superseded_at is null
        )) as without,
        (select count(*)::int from clock_events where subject_type = 'case') as stops,
        (select count(distinct subject_id)::int from case_deadlines
          where subject_type = 'case' and stopped and superseded_at is null) as stopped`;
    expect(counts.without).toBe(0);
    expect(counts.stops).toBeGreaterThan(0);
    expect(counts.stopped).toBe(counts.stops);
  });

  it('stores for a sample of cases exactly what the clock recomputes for them', async () => {
    const sample = await t.db.sql<Array<{ id: string; what: string }>>`
      (select distinct on (type, subtype, status) id, type || '/' || coalesce(subtype, '-') || '/' || status as what
         from cases order by type, subtype, status, received_at desc)
      union
      (select subject_id, 'clock event' from clock_events where subject_type = 'case')
      union
      (select id, 'sample' from cases tablesample bernoulli (0.5) repeatable (7))`;
    expect(sample.length).toBeGreaterThan(100);
    const { deadlines } = t.app.services;
    const drifted: Array<{ id: string; what: string; before: unknown; after: unknown }> = [];
    for (const { id, what } of sample) {
      const before = await stored(t.db.db, id);
      let after: Awaited<ReturnType<typeof stored>> | undefined;
      await t.db.db
        .transaction(async (tx) => {
          await deadlines.recompute(tx, 'case', id);
          after = await stored(tx, id);
          throw new RolledBack();
        })
        .catch((error: unknown) => {
          if (!(error instanceof RolledBack)) throw error;
        });
      if (JSON.stringify(after) !== JSON.stringify(before))
        drifted.push({ id, what, before, after });
    }
    expect(drifted.slice(0, 3)).toEqual([]);
  }, 300_000);
});
