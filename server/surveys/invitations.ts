import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import type { Clock } from '../lib/clock.js';
import type { Actor, AuditLog } from '../platform/audit.js';
import { enqueue } from '../platform/outbox.js';
import { statusOf } from './builder.js';
import type { DeliveryRepository } from './delivery-repository.js';
import { surveyErrors } from './errors.js';
import type { SurveysRepository } from './repository.js';
import type { SurveyTokens } from './tokens.js';

/**
 * Launching invitations and reminder waves (docs/rules/surveys.md §5.1, §7): one transaction writes
 * the invitations, the wave, a `queued` delivery per invitation and the outbox row that
 * starts the fan-out. PostgreSQL's UNIQUE constraints make a double press harmless.
 */
export function createSurveyInvitations(deps: {
  db: Db;
  repo: SurveysRepository;
  deliveries: DeliveryRepository;
  clock: Clock;
  audit: AuditLog;
  tokens: SurveyTokens;
}) {
  const { db, repo, deliveries, clock, audit, tokens } = deps;
  // token = base64url(HMAC(key, 'invite:' || id)); stored: hex(SHA-256(token)).
  const tokenHashSql = (id: ReturnType<typeof sql>) => sql`encode(sha256(convert_to(
    translate(rtrim(encode(hmac(convert_to('invite:' || ${id}::text, 'UTF8'), decode(${tokens.key.toString('hex')}, 'hex'), 'sha256'), 'base64'), '='), '+/', '-_'),
    'UTF8')), 'hex')`;

  return {
    async invite(
      actor: Actor,
      surveyId: string,
      recipients: { contactIds?: string[]; listId?: string },
    ) {
      if (!recipients.listId && !recipients.contactIds?.length) throw surveyErrors.noRecipients();
      const survey = await repo.findSurvey(db, surveyId);
      if (!survey) throw surveyErrors.notFound();
      const status = statusOf(survey, clock.now());
      if (status === 'draft') throw surveyErrors.notOpen('Open the survey before inviting people');
      if (status === 'closed' || status === 'archived')
        throw surveyErrors.notOpen('This survey has closed');
      return db.transaction(async (tx) => {
        // Two presses at once queue behind each other here; the second finds nothing new.
        await tx.execute(sql`select id from surveys where id = ${surveyId} for update`);
        const invited = await deliveries.createInvitations(tx, surveyId, recipients, tokenHashSql);
        const wave = await deliveries.ensureWave(tx, surveyId, 0, clock.now());
        const queued = await deliveries.queueInvitationDeliveries(
          tx,
          surveyId,
          wave.id,
          clock.now(),
        );
        if (queued > 0) await enqueue(tx, 'survey-send-wave', { waveId: wave.id });
        await audit.record(tx, actor, {
          action: 'survey.invitations_queued',
          subjectType: 'survey',
          subjectId: surveyId,
        });
        return { queued, invited, waveId: wave.id };
      });
    },

    async progress(surveyId: string) {
      const survey = await repo.findSurvey(db, surveyId);
      if (!survey) throw surveyErrors.notFound();
      return deliveries.progress(db, surveyId);
    },

    /**
     * The daily scheduler (docs/rules/surveys.md §7): for each open survey not in its last 24 hours,
     * creates the next reminder wave once the previous one is `gap` days old; UNIQUE
     * (survey, wave_no) stops a second run doubling it.
     */
    async createReminderWaves(): Promise<number> {
      const now = clock.now();
      let created = 0;
      for (const s of await deliveries.reminderCandidates(db, now)) {
        const next = s.last_wave + 1;
        if (next > s.max_count) continue;
        const gapAgo = new Date(now.getTime() - s.gap_days * 86_400_000);
        if (new Date(s.last_created) > gapAgo) continue;
        await db.transaction(async (tx) => {
          await tx.execute(sql`select id from surveys where id = ${s.id} for update`);
          const wave = await deliveries.ensureWave(tx, s.id, next, now);
          if (!wave.created) return;
          const queued = await deliveries.queueReminderDeliveries(
            tx,
            s.id,
            wave.id,
            next,
            gapAgo,
            now,
          );
          // Nobody due yet (their last email went out less than the gap ago): no wave.
          if (queued === 0) return deliveries.deleteWave(tx, wave.id);
          await enqueue(tx, 'survey-send-wave', { waveId: wave.id });
          created += 1;
        });
      }
      return created;
    },

    /** RFC 8058 one-click: withdraws consent for surveys and suppresses the address. */
    async unsubscribe(token: string): Promise<boolean> {
      const contactId = tokens.readUnsubscribe(token, deliveries.CONSENT_PURPOSE);
      if (!contactId) return false;
      await db.transaction(async (tx) => {
        const contact = await deliveries.withdrawConsent(tx, contactId, clock.now());
        if (contact?.email_norm)
          await deliveries.suppress(
            tx,
            tokens.addressHmac(contact.email_norm),
            'unsubscribed',
            clock.now(),
          );
        await audit.record(
          tx,
          { id: null, role: 'public', requestId: null },
          {
            action: 'survey.unsubscribed',
            subjectType: 'contact',
            subjectId: contactId,
            personId: contactId,
          },
        );
      });
      return true;
    },
  };
}
export type SurveyInvitations = ReturnType<typeof createSurveyInvitations>;
