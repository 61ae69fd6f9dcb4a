import type { CaseContext } from './context.js';
import { appendToTimeline, timelineHasEmailEntry } from '../timeline/timeline.js';
import { isUuid } from '../lib/uuid.js';

/**
 * Puts emails about a case (`subject_type = 'case'`) on its timeline when the mail service
 * reports their final state. Registered once, by the one correspondence service.
 */
export function registerEmailOutcomes(ctx: CaseContext): void {
  const { db, repo, clock, mail } = ctx;
  /**
   * The timeline's record of an email about a case (`subject_type = 'case'`) reaching its
   * final state. The mail service may call this again for the same email: recorded once.
   */
  async function recordEmailOutcome(
    kind: 'email_sent' | 'email_failed',
    email: { id: string; subjectRef: string | null },
    extra: Record<string, unknown> = {},
  ): Promise<void> {
    const caseId = email.subjectRef;
    if (!caseId || !isUuid(caseId)) return;
    await db.transaction(async (tx) => {
      const row = await repo.lockVisible(tx, { id: null, role: 'system' }, caseId);
      if (!row || (await timelineHasEmailEntry(tx, row.id, kind, email.id))) return;
      const sent = await repo.email(tx, email.id);
      await appendToTimeline(tx, {
        caseId: row.id,
        at: clock.now(),
        actorId: null,
        kind,
        data: { emailId: email.id, to: sent?.to ?? '', subject: sent?.subject ?? '', ...extra },
      });
    });
  }

  mail.onOutcome('case', {
    sent: (email) => recordEmailOutcome('email_sent', email),
    failed: (email) =>
      recordEmailOutcome('email_failed', email, { error: email.error.slice(0, 500) }),
  });
}
