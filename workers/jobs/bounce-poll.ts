import type { BounceOutcome } from '../../server/surveys/bounces.js';
import { openImapMailbox, type Mailbox } from './mail-poll.js';
import type { JobDefinition } from './types.js';

export type BounceSummary = Record<BounceOutcome | 'fetched' | 'failed', number>;

/**
 * Reads every unseen message of the survey bounce mailbox (docs/rules/surveys.md §6). Each is moved to
 * `Processed` only after it was handled; a crash in between handles it again next time,
 * which changes nothing (suppression and the `bounced` state are idempotent). A message
 * that fails stays unseen and is tried again. Forgeries are dropped and counted.
 */
export async function drainBounces(
  mailbox: Mailbox,
  processBounce: (raw: Buffer) => Promise<BounceOutcome>,
  log: (message: string) => void = () => undefined,
): Promise<BounceSummary> {
  const summary: BounceSummary = {
    fetched: 0,
    bounced: 0,
    delayed: 0,
    forged: 0,
    unrelated: 0,
    failed: 0,
  };
  for (const uid of await mailbox.unseen()) {
    try {
      const message = await mailbox.fetch(uid);
      if (!message) continue;
      summary.fetched += 1;
      summary[await processBounce(message.source)] += 1;
    } catch (error) {
      summary.failed += 1;
      log(`bounce-poll: message uid ${uid} not handled: ${(error as Error).message}`);
      continue;
    }
    try {
      await mailbox.moveToProcessed(uid);
    } catch (error) {
      log(`bounce-poll: message uid ${uid} handled but not moved: ${(error as Error).message}`);
    }
  }
  if (summary.forged > 0) log(`bounce-poll: ${summary.forged} forged report(s) dropped`);
  return summary;
}

/** Every 5 minutes when BOUNCE_IMAP_URL is set (see workers/jobs/index.ts). */
export const bouncePollJob: JobDefinition<'bounce-poll'> = {
  name: 'bounce-poll',
  async process(_data, ctx) {
    const { bounceImapUrl, processBounce } = ctx.services.surveys;
    if (!bounceImapUrl) return { skipped: 'BOUNCE_IMAP_URL is not set' };
    const mailbox = await openImapMailbox(bounceImapUrl);
    try {
      const summary = await drainBounces(mailbox, processBounce, ctx.log);
      if (summary.fetched > 0 || summary.failed > 0)
        ctx.log(`bounce-poll: ${JSON.stringify(summary)}`);
      return summary;
    } finally {
      await mailbox.close();
    }
  },
};
