import { describe, expect, it } from 'vitest';
import { apiToken, bearer, createUser, reauthenticate } from '../helpers/auth.js';
import { CANARY_NAME, canaryEmail, faultTests } from './harness/env.js';
import { hasRedisServer } from './harness/redis.js';

/** docs/rules/reliability.md §9 row 12: an erasure (UK GDPR Art 17) between queueing and sending. */
const faults = faultTests();

describe.skipIf(!hasRedisServer)('§9 fault 12: erased after queueing', () => {
  it('12. The person is erased (Art 17) after the job is queued: no-op or UnrecoverableError, no crash, no personal data in logs', async () => {
    const logLines: string[] = [];
    const e = await faults.start({ app: { logLines } });
    expect((await e.contact(12)).statusCode).toBe(201);
    // The acknowledgement's job is in Redis before anyone erases the person.
    expect(await e.t.relay()).toBe(1);
    expect(await e.t.queues.queue('email').getJobCounts('waiting')).toMatchObject({ waiting: 1 });
    const [person] = await e.t.db.sql<{ id: string }[]>`
      select id from contacts where email_norm = ${canaryEmail(12)}`;

    const manager = await createUser(e.t.app, 'manager');
    const token = await apiToken(e.t.app, manager);
    await reauthenticate(e.t.app, token, manager, 'Erasure request (fault 12)');
    const erased = await e.t.app.inject({
      method: 'POST',
      url: `/api/contacts/${person!.id}/erase`,
      headers: bearer(token),
      payload: { justification: 'Erasure request (fault 12)' },
    });
    expect(erased.statusCode).toBe(200);
    expect(erased.json()).toMatchObject({ cancelledEmails: 1 });

    const worker = await e.forkWorker();
    await e.drain(30_000);
    // The job ran and did nothing: completed, not failed, nothing at the mail server.
    await expect
      .poll(async () => (await e.t.queues.queue('email').getJobCounts('completed')).completed)
      .toBe(1);
    expect(await e.t.queues.queue('email').getJobCounts('failed')).toMatchObject({ failed: 0 });
    expect(e.sink.mails).toEqual([]);
    const [email] = await e.t.db.sql<{ status: string; to: string }[]>`
      select status, "to" from email_messages`;
    expect(email).toMatchObject({ status: 'cancelled' });
    expect(email!.to).toMatch(/@invalid$/);
    // No crash, and no personal data in the worker's or the server's log.
    expect(worker.child.exitCode).toBeNull();
    expect(worker.output()).not.toMatch(/Unhandled|TypeError|Error:/);
    for (const text of [worker.output(), logLines.join('\n')]) {
      expect(text).not.toContain(CANARY_NAME);
      expect(text).not.toContain('Canarywharf');
      expect(text).not.toContain(canaryEmail(12));
    }
    // The invariant (after each test) also checks Redis holds no canary data.
  });
});
