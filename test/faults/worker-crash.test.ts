import { describe, expect, it } from 'vitest';
import { TcpProxy } from '../helpers/tcp-proxy.js';
import { faultTests } from './harness/env.js';
import { hasRedisServer } from './harness/redis.js';

/** docs/rules/reliability.md §9 row 1: a worker dies between the SMTP 250 and writing `sent`. */
const faults = faultTests();

describe.skipIf(!hasRedisServer)('§9 fault 1: worker killed after the SMTP 250', () => {
  it('1. SIGKILL a worker after the SMTP 250, before it marks sent: another worker resends with the same Message-ID (attempts 2)', async () => {
    const e = await faults.start();
    // The first worker reaches PostgreSQL through a proxy, paused as the 250 goes out: the
    // message is accepted but `sent` can never be written before the kill.
    const p = await new TcpProxy(Number(new URL(e.t.databaseUrl).port)).start();
    faults.onCleanup(() => p.stop());
    const doomed = await e.forkWorker({ databaseUrl: p.url(e.t.databaseUrl) });
    let firstSeen: () => void = () => undefined;
    const accepted = new Promise<void>((resolve) => (firstSeen = resolve));
    e.sink.beforeAccept = () => {
      p.pause();
      firstSeen();
    };
    expect((await e.contact(1)).statusCode).toBe(201);
    await accepted;
    e.sink.beforeAccept = undefined;
    // Let the 250 reach the worker, whose `sent` update now waits on the paused proxy. Real
    // time on purpose: that read is inside the child, with nothing to observe from here (its
    // other queries are held at the proxy too); killed before or after it, the row stays
    // `sending` and is resent, so the assertions below hold either way.
    await new Promise((r) => setTimeout(r, 300));
    doomed.child.kill('SIGKILL');
    await doomed.exited();
    p.reset();
    const [row] = await e.t.db.sql<{ status: string }[]>`select status from email_messages`;
    expect(row!.status).toBe('sending');

    await e.forkWorker();
    await e.drain(30_000);
    const [sent] = await e.t.db.sql<{ status: string; attempts: number; message_id: string }[]>`
      select status, attempts, message_id from email_messages`;
    expect(sent).toMatchObject({ status: 'sent', attempts: 2 });
    // The one accepted raw duplicate: two deliveries, one distinct Message-ID.
    expect(e.sink.mails).toHaveLength(2);
    expect(e.sink.distinctMessageIds()).toBe(1);
    expect(e.sink.mails[0]!.messageId).toBe(`<${sent!.message_id}>`);
  }, 60_000);
});
