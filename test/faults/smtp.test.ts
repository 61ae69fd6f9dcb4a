import { describe, expect, it } from 'vitest';
import { createSurveyTokens } from '../../server/surveys/tokens.js';
import { createUser, signInPage } from '../helpers/auth.js';
import { canaryEmail, faultTests } from './harness/env.js';
import { hasRedisServer } from './harness/redis.js';

/** docs/rules/reliability.md §9 row 9: the mail server refuses, for a while or for good. */
const faults = faultTests();

describe.skipIf(!hasRedisServer)('§9 fault 9: SMTP refusals', () => {
  it('9. The sink answers 421 and then 450: backoff, then exactly one delivery', async () => {
    const e = await faults.start();
    e.sink.failNext(1, 421, '4.3.2 Service shutting down');
    e.sink.failNext(1, 450, '4.2.1 Mailbox busy');
    await e.forkWorker();
    expect((await e.contact(1)).statusCode).toBe(201);
    await e.drain(30_000);
    expect(e.sink.refused.get(421)).toBe(1);
    expect(e.sink.refused.get(450)).toBe(1);
    expect(e.sink.mails).toHaveLength(1);
    const [row] = await e.t.db.sql<{ status: string; attempts: number }[]>`
      select status, attempts from email_messages`;
    expect(row).toEqual({ status: 'sent', attempts: 3 });
  });

  it('9. A 550 gives UnrecoverableError, no retry, and the address is suppressed', async () => {
    const e = await faults.start();
    const refused = canaryEmail('refused');
    e.sink.failAddress(refused, 550, '5.1.1 No such user');
    faults.refused(refused);
    await e.forkWorker();
    expect((await e.contact('refused')).statusCode).toBe(201);
    expect((await e.contact(2)).statusCode).toBe(201);
    await e.drain(30_000);
    expect(e.sink.refused.get(550)).toBe(1);
    const rows = await e.t.db.sql<{ to: string; status: string; attempts: number }[]>`
      select "to", status, attempts from email_messages order by "to"`;
    expect(rows).toEqual([
      { to: canaryEmail(2), status: 'sent', attempts: 1 },
      { to: refused, status: 'failed', attempts: 1 },
    ]);
    const [failed] = await e.t.queues.queue('email').getFailed();
    expect(failed!.attemptsMade).toBe(1);
    // One list for all mail: the key is the one surveys check before inviting.
    const tokens = createSurveyTokens(e.t.config.jwtSecret);
    const listed = await e.t.db.sql<{ address_hmac: string; reason: string }[]>`
      select address_hmac, reason from email_suppressions`;
    expect(listed).toEqual([{ address_hmac: tokens.addressHmac(refused), reason: 'hard_bounce' }]);

    // The next email to that address is not offered to the mail server at all.
    expect((await e.contact('refused')).statusCode).toBe(201);
    await e.drain(30_000);
    expect(e.sink.refused.get(550)).toBe(1);
    const [later] = await e.t.db.sql<{ status: string }[]>`
      select status from email_messages where "to" = ${refused} order by created_at desc limit 1`;
    expect(later!.status).toBe('suppressed');
    // Staff see both on the outgoing email page.
    const admin = await createUser(e.t.app, 'admin');
    const page = await (await signInPage(e.t.app, admin)).get('/admin/emails');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('550 5.1.1 No such user');
    expect(page.body).toContain('not sent: the address refused mail before and is suppressed');
  });
});
