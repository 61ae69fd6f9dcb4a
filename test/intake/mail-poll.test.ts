import { describe, expect, it } from 'vitest';
import type { IngestOptions } from '../../server/intake/inbound.js';
import { schedules } from '../../workers/jobs/index.js';
import {
  drainMailbox,
  mailPollJob,
  openImapMailbox,
  type Mailbox,
} from '../../workers/jobs/mail-poll.js';
import type { JobContext } from '../../workers/jobs/types.js';
import { useTestApp } from '../helpers/fixture.js';
import { rawEmail } from './helpers.js';
import { FakeImapServer } from './imap-fake.js';

/**
 * An in-memory IMAP folder pair (INBOX and Processed): the external system, faked at the
 * `Mailbox` boundary. The ingest behind it is the real one, on the real database.
 */
class MemoryMailbox implements Mailbox {
  inbox = new Map<number, { source: Buffer; internalDate: Date; seen: boolean }>();
  processed: Buffer[] = [];
  failMoves = 0;
  private next = 1;

  deliver(raw: string, internalDate = new Date('2026-11-23T09:59:00Z')) {
    this.inbox.set(this.next++, { source: Buffer.from(raw), internalDate, seen: false });
  }
  async unseen() {
    return [...this.inbox].filter(([, m]) => !m.seen).map(([uid]) => uid);
  }
  async fetch(uid: number) {
    const message = this.inbox.get(uid);
    return message && { source: message.source, internalDate: message.internalDate };
  }
  async moveToProcessed(uid: number) {
    if (this.failMoves > 0) {
      this.failMoves -= 1;
      throw new Error('connection reset');
    }
    const message = this.inbox.get(uid);
    if (!message) throw new Error('no such message');
    this.inbox.delete(uid);
    this.processed.push(message.source);
  }
  async close() {}
}

const t = useTestApp();

const ingest = (raw: Buffer, options: IngestOptions) =>
  t.app.services.intake.ingestRawEmail(raw, options);

async function casesFrom(address: string) {
  const [row] = await t.db.sql<{ n: number }[]>`
    select count(*)::int as n from cases c join contacts k on k.id = c.contact_id
    where k.email_norm = ${address}`;
  return row!.n;
}

describe('draining the mailbox', () => {
  it('ingests every unseen message and moves each to Processed', async () => {
    const mailbox = new MemoryMailbox();
    mailbox.deliver(rawEmail({ from: 'poll.a@example.org' }));
    mailbox.deliver(rawEmail({ from: 'poll.b@example.org' }));
    mailbox.deliver(
      rawEmail({ from: 'poll.c@example.org', headers: { 'Auto-Submitted': 'auto-replied' } }),
    );
    const summary = await drainMailbox(mailbox, ingest);
    expect(summary).toEqual({
      fetched: 3,
      created: 2,
      threaded: 0,
      duplicates: 0,
      automated: 1,
      failed: 0,
    });
    expect(mailbox.inbox.size).toBe(0);
    expect(mailbox.processed).toHaveLength(3);
    expect(await casesFrom('poll.a@example.org')).toBe(1);
    expect(await casesFrom('poll.c@example.org')).toBe(0);
    const [row] = await t.db.sql<{ via: string; received_at: string }[]>`
      select via, received_at::text from inbound_messages where from_address = 'poll.a@example.org'`;
    expect(row!.via).toBe('imap');
    // The server's INTERNALDATE is when it arrived, not when we polled.
    expect(new Date(row!.received_at).toISOString()).toBe('2026-11-23T09:59:00.000Z');
  });

  it('creates no second case after a crash between the commit and the move', async () => {
    const mailbox = new MemoryMailbox();
    mailbox.deliver(rawEmail({ from: 'crash@example.org' }));
    // First poll: the transaction commits, then the process dies before the move.
    const dying = async (raw: Buffer, options: IngestOptions) => {
      await ingest(raw, options);
      throw new Error('SIGKILL after commit');
    };
    const first = await drainMailbox(mailbox, dying);
    expect(first.failed).toBe(1);
    expect(mailbox.inbox.size).toBe(1); // never moved
    expect(await casesFrom('crash@example.org')).toBe(1);
    // The restarted poller fetches it again: recognised, not re-created, and now moved.
    const second = await drainMailbox(mailbox, ingest);
    expect(second).toMatchObject({ fetched: 1, duplicates: 1, created: 0 });
    expect(mailbox.inbox.size).toBe(0);
    expect(await casesFrom('crash@example.org')).toBe(1);
  });

  it('retries a failed move on the next poll as a duplicate', async () => {
    const mailbox = new MemoryMailbox();
    mailbox.deliver(rawEmail({ from: 'move@example.org', messageId: null }));
    mailbox.failMoves = 1;
    const logs: string[] = [];
    await drainMailbox(mailbox, ingest, (line) => logs.push(line));
    expect(logs.join('\n')).toContain('stored but not moved');
    expect(mailbox.inbox.size).toBe(1);
    const again = await drainMailbox(mailbox, ingest);
    expect(again).toMatchObject({ duplicates: 1, created: 0 });
    expect(mailbox.inbox.size).toBe(0);
    expect(await casesFrom('move@example.org')).toBe(1);
  });

  it('leaves a message that cannot be ingested in INBOX and carries on', async () => {
    const mailbox = new MemoryMailbox();
    mailbox.deliver(rawEmail({ from: 'first@example.org' }));
    mailbox.deliver(rawEmail({ from: 'second@example.org' }));
    let calls = 0;
    const flaky = async (raw: Buffer, options: IngestOptions) => {
      calls += 1;
      if (calls === 1) throw new Error('database unavailable');
      return ingest(raw, options);
    };
    const summary = await drainMailbox(mailbox, flaky);
    expect(summary).toMatchObject({ fetched: 2, failed: 1, created: 1 });
    expect([...mailbox.inbox.keys()]).toEqual([1]);
    expect(await casesFrom('first@example.org')).toBe(0);
    expect(await casesFrom('second@example.org')).toBe(1);
  });
});

describe('the job and its schedule', () => {
  it('does nothing without IMAP_URL', async () => {
    const ctx = { services: t.app.services, log: () => undefined } as unknown as JobContext;
    await expect(mailPollJob.process({}, ctx)).resolves.toEqual({
      skipped: 'IMAP_URL is not set',
    });
  });

  it('is scheduled every 60 s only where IMAP_URL is set', () => {
    const entry = schedules.find((s) => s.job === 'mail-poll')!;
    expect(entry.every).toBe(60_000);
    expect(entry.enabled!(t.app.services)).toBe(false);
    const configured = {
      ...t.app.services,
      intake: { ...t.app.services.intake, imapUrl: 'imaps://u:p@imap.example.org' },
    };
    expect(entry.enabled!(configured)).toBe(true);
  });
});

describe('over IMAP (imapflow against an in-process IMAP server)', () => {
  it('logs in, fetches unseen INBOX mail, ingests it and moves it to Processed', async () => {
    const server = await new FakeImapServer().start();
    try {
      server.deliver(rawEmail({ from: 'imap.one@example.org' }));
      server.deliver(rawEmail({ from: 'imap.two@example.org', messageId: null }));
      const mailbox = await openImapMailbox(server.url);
      let summary;
      try {
        summary = await drainMailbox(mailbox, ingest);
      } finally {
        await mailbox.close();
      }
      expect(summary).toMatchObject({ fetched: 2, created: 2, failed: 0 });
      expect(server.folders.get('INBOX')).toHaveLength(0);
      expect(server.folders.get('Processed')).toHaveLength(2);
      expect(await casesFrom('imap.one@example.org')).toBe(1);
      expect(await casesFrom('imap.two@example.org')).toBe(1);
      // The body is fetched with PEEK, so a failed ingest leaves the message unseen.
      expect(server.commands.some((c) => /UID FETCH .*BODY\.PEEK\[\]/i.test(c))).toBe(true);
      const [row] = await t.db.sql<{ received_at: string }[]>`
        select received_at::text from inbound_messages where from_address = 'imap.one@example.org'`;
      expect(new Date(row!.received_at).toISOString()).toBe('2026-11-23T09:59:00.000Z');
    } finally {
      await server.stop();
    }
  });

  it('runs as the mail-poll job where IMAP_URL is set; a refetched message makes no second case', async () => {
    const server = await new FakeImapServer().start();
    try {
      const raw = rawEmail({ from: 'job@example.org', messageId: '<job-1@example.org>' });
      server.deliver(raw);
      const services = {
        ...t.app.services,
        intake: { ...t.app.services.intake, imapUrl: server.url },
      };
      const ctx = { services, log: () => undefined } as unknown as JobContext;
      expect(await mailPollJob.process({}, ctx)).toMatchObject({ fetched: 1, created: 1 });
      // The same message lands in INBOX again (a crash before the move, or a redelivery).
      server.deliver(raw);
      expect(await mailPollJob.process({}, ctx)).toMatchObject({ fetched: 1, duplicates: 1 });
      expect(server.folders.get('INBOX')).toHaveLength(0);
      expect(await casesFrom('job@example.org')).toBe(1);
      // Wrong credentials fail the job (BullMQ retries it), touching nothing.
      server.deliver(rawEmail({ from: 'never@example.org' }));
      const wrong = {
        ...services,
        intake: { ...services.intake, imapUrl: server.url.replace(':secret@', ':wrong@') },
      };
      await expect(mailPollJob.process({}, { ...ctx, services: wrong })).rejects.toThrow();
      expect(server.folders.get('INBOX')).toHaveLength(1);
    } finally {
      await server.stop();
    }
  });
});
