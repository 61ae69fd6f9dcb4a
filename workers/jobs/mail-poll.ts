import { ImapFlow } from 'imapflow';
import type { IngestOptions, IngestResult } from '../../server/intake/inbound.js';
import type { JobDefinition } from './types.js';

/** Where ingested messages go; they leave INBOX only after their transaction committed. */
export const PROCESSED_FOLDER = 'Processed';

/** The little of IMAP the poll needs; `openImapMailbox` is the real one. */
export interface Mailbox {
  /** UIDs of the unseen messages in the polled folder, oldest first. */
  unseen(): Promise<number[]>;
  /** The raw message (without marking it seen) and when the server received it. */
  fetch(uid: number): Promise<{ source: Buffer; internalDate?: Date } | undefined>;
  /** Moves the message to `Processed`. */
  moveToProcessed(uid: number): Promise<void>;
  close(): Promise<void>;
}

export interface PollSummary {
  fetched: number;
  created: number;
  threaded: number;
  duplicates: number;
  automated: number;
  failed: number;
}

type Ingest = (raw: Buffer, options: IngestOptions) => Promise<IngestResult>;

/**
 * Ingests every unseen message, then moves it. The move comes only after the commit, so
 * a crash in between leaves the message in INBOX: the next poll ingests it again, the
 * unique message key recognises it (`duplicate`), and only then is it moved. A message
 * that fails to ingest stays unseen in INBOX and is retried on the next poll.
 */
export async function drainMailbox(
  mailbox: Mailbox,
  ingest: Ingest,
  log: (message: string) => void = () => undefined,
): Promise<PollSummary> {
  const summary: PollSummary = {
    fetched: 0,
    created: 0,
    threaded: 0,
    duplicates: 0,
    automated: 0,
    failed: 0,
  };
  for (const uid of await mailbox.unseen()) {
    let result: IngestResult;
    try {
      const message = await mailbox.fetch(uid);
      if (!message) continue; // expunged by someone else meanwhile
      summary.fetched += 1;
      result = await ingest(message.source, { receivedAt: message.internalDate, via: 'imap' });
    } catch (error) {
      summary.failed += 1;
      log(`mail-poll: message uid ${uid} not ingested: ${(error as Error).message}`);
      continue;
    }
    if (result.duplicate) summary.duplicates += 1;
    else if (result.created) summary.created += 1;
    else if (result.caseId) summary.threaded += 1;
    if (result.automated) summary.automated += 1;
    // Committed: now it may leave INBOX. A failed move is retried as a duplicate next time.
    try {
      await mailbox.moveToProcessed(uid);
    } catch (error) {
      log(`mail-poll: message uid ${uid} stored but not moved: ${(error as Error).message}`);
    }
  }
  return summary;
}

/** `imaps://user:password@host:993/INBOX` → an open mailbox (the path defaults to INBOX). */
export async function openImapMailbox(url: string): Promise<Mailbox> {
  const parsed = new URL(url);
  const secure = parsed.protocol === 'imaps:';
  const folder = decodeURIComponent(parsed.pathname.replace(/^\//, '')) || 'INBOX';
  const client = new ImapFlow({
    host: parsed.hostname,
    port: parsed.port ? Number(parsed.port) : secure ? 993 : 143,
    secure,
    auth: { user: decodeURIComponent(parsed.username), pass: decodeURIComponent(parsed.password) },
    logger: false,
  });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.mailboxCreate(PROCESSED_FOLDER);
  } catch {
    // Already there (ALREADYEXISTS), or the server refuses: the move will say which.
  }
  const lock = await client.getMailboxLock(folder);
  return {
    async unseen() {
      const uids = await client.search({ seen: false }, { uid: true });
      return (uids || []).sort((a, b) => a - b);
    },
    async fetch(uid) {
      const message = await client.fetchOne(
        String(uid),
        { source: true, internalDate: true },
        { uid: true },
      );
      if (!message || !message.source) return undefined;
      const internalDate =
        message.internalDate instanceof Date
          ? message.internalDate
          : message.internalDate
            ? new Date(message.internalDate)
            : undefined;
      return { source: message.source, internalDate };
    },
    async moveToProcessed(uid) {
      const moved = await client.messageMove(String(uid), PROCESSED_FOLDER, { uid: true });
      if (moved === false) throw new Error(`the server did not move uid ${uid}`);
    },
    async close() {
      lock.release();
      await client.logout().catch(() => client.close());
    },
  };
}

/** Every 60 s when IMAP_URL is set (see workers/jobs/index.ts); a no-op otherwise. */
export const mailPollJob: JobDefinition<'mail-poll'> = {
  name: 'mail-poll',
  async process(_data, ctx) {
    const url = ctx.services.intake.imapUrl;
    if (!url) return { skipped: 'IMAP_URL is not set' };
    const mailbox = await openImapMailbox(url);
    try {
      const summary = await drainMailbox(mailbox, ctx.services.intake.ingestRawEmail, ctx.log);
      if (summary.fetched > 0 || summary.failed > 0)
        ctx.log(`mail-poll: ${JSON.stringify(summary)}`);
      return summary;
    } finally {
      await mailbox.close();
    }
  },
};
