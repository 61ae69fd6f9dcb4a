import { describe, expect, it } from 'vitest';
import { claimUnpublished, publishRows } from '../../workers/relay.js';
import { asOwner } from '../helpers/app.js';
import { faultTests } from './harness/env.js';
import { hasRedisServer } from './harness/redis.js';

/** docs/rules/reliability.md §9 rows 2 and 3: the transactional outbox and its relay. */
const faults = faultTests();

describe.skipIf(!hasRedisServer)('§9 faults 2 and 3: outbox and relay', () => {
  it('2. Throw inside the service transaction after the outbox insert: no business row, no outbox row, no job', async () => {
    const e = await faults.start();
    // The failure is raised by PostgreSQL itself once the outbox row is in: the real
    // service path, failing at exactly that point.
    await asOwner(
      e.t.databaseUrl,
      `
      create function fault_after_outbox() returns trigger language plpgsql as
        $$ begin raise exception 'injected fault after the outbox insert'; end $$;
      create trigger fault_after_outbox after insert on outbox
        for each row execute function fault_after_outbox();`,
    );
    const failed = await e.contact(1, { 'idempotency-key': crypto.randomUUID() });
    expect(failed.statusCode).toBeGreaterThanOrEqual(500);
    expect(failed.json().error.code).toEqual(expect.any(String));
    const [counts] = await e.t.db.sql<Record<string, number>[]>`
      select (select count(*)::int from cases) as cases,
             (select count(*)::int from email_messages) as emails,
             (select count(*)::int from outbox) as outbox,
             (select count(*)::int from idempotency_keys) as keys`;
    expect(counts).toEqual({ cases: 0, emails: 0, outbox: 0, keys: 0 });
    expect(await e.t.queues.queue('email').count()).toBe(0);

    await asOwner(e.t.databaseUrl, `drop trigger fault_after_outbox on outbox`);
    expect((await e.contact(2)).statusCode).toBe(201);
    await e.forkWorker();
    await e.drain();
    expect(e.sink.mails.map((m) => m.to)).toEqual(['canary-2@example.org']);
  });

  it('3. Kill the relay between addBulk and published_at, then restart: the row is republished, the jobId deduplicates, one email', async () => {
    const e = await faults.start();
    expect((await e.contact(1)).statusCode).toBe(201);
    // The relay's own transaction, ended after addBulk and before published_at is
    // committed: what a relay killed at that point leaves behind (the job, no stamp).
    await expect(
      e.t.db.db.transaction(async (tx) => {
        const rows = await claimUnpublished(tx);
        expect(rows).toHaveLength(1);
        await publishRows(e.t.queues, rows);
        throw new Error('relay killed');
      }),
    ).rejects.toThrow('relay killed');
    const [row] = await e.t.db.sql<
      { published_at: Date | null }[]
    >`select published_at from outbox`;
    expect(row!.published_at).toBeNull();

    // The restarted relay (the worker's) publishes the row again: the job of the same id
    // still exists and swallows the add.
    await e.forkWorker();
    await e.drain();
    await e.sink.waitFor(() => e.sink.mails.length === 1, 20_000, 'the email');
    await expect
      .poll(
        async () => (await e.t.db.sql`select 1 from outbox where published_at is not null`).length,
      )
      .toBe(1);
    const counts = await e.t.queues.queue('email').getJobCounts('completed', 'waiting', 'delayed');
    expect(counts).toEqual({ completed: 1, waiting: 0, delayed: 0 });
    expect(e.sink.mails).toHaveLength(1);
  });
});
