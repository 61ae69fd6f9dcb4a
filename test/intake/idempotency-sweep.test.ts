import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { idempotencySweepJob } from '../../workers/jobs/idempotency-sweep.js';
import { jobs, schedules } from '../../workers/jobs/index.js';
import type { JobContext } from '../../workers/jobs/types.js';
import { JOB_NAMES } from '../../workers/queues.js';
import { useTestApp } from '../helpers/fixture.js';
import { nextIp } from './helpers.js';

const HOUR = 60 * 60 * 1000;
const START = '2026-11-23T10:00:00Z';

const t = useTestApp({ now: START });
let ctx: JobContext;
beforeAll(async () => {
  ctx = {
    db: t.db.db,
    services: t.app.services,
    queues: t.queues,
    clock: t.clock,
    log: () => undefined,
  };
});

const body = (subject: string) => ({
  name: 'Sam Repeat',
  email: 'sam.repeat@example.org',
  subject,
  message: 'When is the next police and crime panel meeting?',
});

const post = (payload: object, key: string) =>
  t.app.inject({
    method: 'POST',
    url: '/api/public/contact',
    remoteAddress: nextIp(),
    headers: { 'idempotency-key': key },
    payload,
  });

async function keyRows(key: string) {
  return t.db.sql<{ scope: string; created_at: Date }[]>`
    select scope, created_at from idempotency_keys where key = ${key}`;
}
async function countCases() {
  const [row] = await t.db.sql<{ n: number }[]>`select count(*)::int as n from cases`;
  return row!.n;
}

describe('idempotency keys expire after 24 hours', () => {
  it('a repeat at +23 h gets the first answer; after the sweep at +25 h the key is gone', async () => {
    t.clock.set(START);
    const key = randomUUID();
    const first = await post(body('Panel meetings'), key);
    expect(first.statusCode).toBe(201);
    const cases = await countCases();

    t.clock.set(new Date(Date.parse(START) + 23 * HOUR));
    const laterKey = randomUUID();
    expect((await post(body('A later question'), laterKey)).statusCode).toBe(201);
    const repeat = await post(body('Panel meetings'), key);
    expect(repeat.statusCode).toBe(201);
    expect(repeat.json()).toEqual(first.json());
    expect(repeat.headers['idempotent-replayed']).toBe('true');
    // A sweep now leaves the 23-hour-old key alone.
    expect(await idempotencySweepJob.process({}, ctx)).toMatchObject({ deleted: 0 });
    expect(await keyRows(key)).toHaveLength(1);
    expect(await countCases()).toBe(cases + 1);

    t.clock.set(new Date(Date.parse(START) + 25 * HOUR));
    const swept = (await idempotencySweepJob.process({}, ctx)) as {
      deleted: number;
      cutoff: string;
    };
    expect(swept.deleted).toBe(1);
    expect(swept.cutoff).toBe(new Date(Date.parse(START) + 1 * HOUR).toISOString());
    expect(await keyRows(key)).toHaveLength(0);
    // The key sent at +23 h is only 2 hours old: it stays until its own 24 hours are up.
    expect(await keyRows(laterKey)).toHaveLength(1);
  });

  it('deletes in batches until none are left, and only expired keys', async () => {
    t.clock.set(new Date(Date.parse(START) + 100 * HOUR));
    const now = t.clock.now();
    const old = new Date(now.getTime() - 30 * HOUR);
    const fresh = new Date(now.getTime() - 1 * HOUR);
    await t.db.sql`
      insert into idempotency_keys (scope, key, request_hash, response, created_at)
      select 'contact-api', 'bulk-old-' || g, 'h', '{}'::jsonb, ${old.toISOString()}::timestamptz - g * interval '1 second'
      from generate_series(1, 2500) g`;
    await t.db.sql`
      insert into idempotency_keys (scope, key, request_hash, response, created_at)
      values ('contact-form', 'bulk-fresh', 'h', '{}'::jsonb, ${fresh.toISOString()})`;

    const result = await t.app.services.intake.sweepIdempotencyKeys({ batchSize: 1000 });
    // Whatever the first test left behind is older than 24 h too.
    expect(result.deleted).toBeGreaterThanOrEqual(2500);
    expect(result.batches).toBe(3);
    const [left] = await t.db.sql<{ old: number; fresh: number }[]>`
      select count(*) filter (where created_at < ${new Date(now.getTime() - 24 * HOUR).toISOString()})::int as old,
             count(*) filter (where key = 'bulk-fresh')::int as fresh
      from idempotency_keys`;
    expect(left).toEqual({ old: 0, fresh: 1 });
  });

  it('stops after maxBatches; the next run carries on', async () => {
    const now = t.clock.now();
    await t.db.sql`
      insert into idempotency_keys (scope, key, request_hash, response, created_at)
      select 'contact-api', 'capped-' || g, 'h', '{}'::jsonb, ${new Date(now.getTime() - 48 * HOUR).toISOString()}
      from generate_series(1, 30) g`;
    const sweep = t.app.services.intake.sweepIdempotencyKeys;
    expect(await sweep({ batchSize: 10, maxBatches: 2 })).toMatchObject({
      deleted: 20,
      batches: 2,
    });
    expect(await sweep({ batchSize: 10, maxBatches: 2 })).toMatchObject({ deleted: 10 });
  });

  it('is a registered job, scheduled hourly in London time', () => {
    expect(JOB_NAMES).toContain('idempotency-sweep');
    expect(jobs.map((j) => j.name)).toContain('idempotency-sweep');
    const schedule = schedules.find((s) => s.job === 'idempotency-sweep');
    expect(schedule?.pattern).toMatch(/^\d+ \* \* \* \*$/);
  });
});
