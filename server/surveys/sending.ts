import type { Db } from '../../db/client.js';
import type { Clock } from '../lib/clock.js';
import { formatDateTime } from '../lib/format.js';
import type { MailTransport } from '../mail/transport.js';
import type { DeliveryRepository } from './delivery-repository.js';
import type { SurveyTokens } from './tokens.js';

/** A 421, a 454, or a 450/451 with 4.7.x: the relay asks us to slow down (no attempt used). */
export class SmtpThrottled extends Error {}
/** Another 4xx, a reset or a timeout: try again later with backoff. */
export class SmtpTemporary extends Error {}
/** A 5xx: never retried. `suppressed` when the mailbox does not exist (5.1.x, 5.2.1). */
export class SmtpPermanent extends Error {
  constructor(
    message: string,
    readonly suppressed: boolean,
  ) {
    super(message);
  }
}
/** Another sender holds the delivery's lease: try again after it expires. */
export class DeliveryBusy extends Error {}

export function classifySmtpError(error: unknown): Error {
  const e = error as { responseCode?: number; response?: string; message?: string };
  const code = e.responseCode;
  const text = `${e.response ?? ''} ${e.message ?? ''}`;
  const enhanced = /\b([245])\.(\d{1,3})\.(\d{1,3})\b/.exec(text);
  if (code === 421 || code === 454 || ((code === 450 || code === 451) && /\b4\.7\.\d+/.test(text)))
    return new SmtpThrottled(text.trim());
  if (typeof code === 'number' && code >= 500 && code < 600) {
    const mailbox = enhanced
      ? enhanced[2] === '1' || (enhanced[2] === '2' && enhanced[3] === '1')
      : code === 550 || code === 551 || code === 553;
    return new SmtpPermanent(text.trim(), mailbox);
  }
  return new SmtpTemporary(text.trim() || 'SMTP failure');
}

/** States no sender may leave: the mail went, or never will. */
const FINAL = ['sent', 'failed', 'skipped', 'bounced'];

export type DeliveryOutcome = 'sent' | 'skipped' | 'already-final' | 'missing';

/**
 * Sending one wave (surveys.md §5): the fan-out walks `queued` deliveries from the wave's
 * saved cursor in chunks; each delivery is claimed, sent and committed on its own.
 */
export function createSurveySending(deps: {
  db: Db;
  deliveries: DeliveryRepository;
  clock: Clock;
  tokens: SurveyTokens;
  transport: MailTransport;
  from: string;
  mailDomain: string;
  publicUrl: string;
  leaseMs: number;
}) {
  const { db, deliveries, clock, tokens } = deps;

  function message(ctx: NonNullable<Awaited<ReturnType<DeliveryRepository['context']>>>) {
    const token = tokens.invitation(ctx.invitationId);
    const unsubscribeUrl = `${deps.publicUrl}/u/${tokens.unsubscribe(ctx.contactId, deliveries.CONSENT_PURPOSE)}`;
    const link = `${deps.publicUrl}/consultations/i/${token}`;
    const reminder = ctx.waveNo > 0;
    return {
      from: deps.from,
      to: ctx.email!,
      subject: `${reminder ? 'Reminder: ' : ''}${ctx.title}: have your say`,
      messageId: `<inv-${ctx.invitationId}-w${ctx.waveNo}@${deps.mailDomain}>`,
      envelope: {
        from: `bounces+${ctx.id}.${tokens.verp(ctx.id)}@bounces.${deps.mailDomain}`,
        to: ctx.email!,
      },
      headers: {
        'List-Unsubscribe': `<${unsubscribeUrl}>`,
        'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
        'Auto-Submitted': 'auto-generated',
      },
      text: [
        `Dear ${ctx.name},`,
        '',
        reminder
          ? `We have not yet had your answers to "${ctx.title}". There is still time.`
          : `The Police and Crime Commissioner would like your views: "${ctx.title}".`,
        '',
        'Answer the survey here (this link is personal to you; please do not share it):',
        link,
        '',
        `It closes at ${formatDateTime(ctx.closesAt)}.`,
        '',
        `To stop receiving survey invitations: ${unsubscribeUrl}`,
      ].join('\n'),
    };
  }

  return {
    /**
     * One chunk of the fan-out, under the wave's row lock: publishes jobs for up to
     * `chunk` queued deliveries after the cursor, then saves the cursor. Returns how many
     * it published (0: the wave is fanned out).
     */
    async fanOutChunk(
      waveId: string,
      publish: (rows: Array<{ id: number; invitationId: string; waveNo: number }>) => Promise<void>,
      chunk = 500,
    ): Promise<number> {
      return db.transaction(async (tx) => {
        const wave = await deliveries.lockWave(tx, waveId);
        if (!wave) return 0;
        const rows = await deliveries.queuedAfter(tx, waveId, wave.cursor, chunk);
        if (rows.length > 0)
          await publish(
            rows.map((r) => ({ id: r.id, invitationId: r.invitation_id, waveNo: wave.wave_no })),
          );
        await deliveries.saveCursor(
          tx,
          waveId,
          rows.at(-1)?.id ?? wave.cursor,
          rows.length < chunk,
          clock.now(),
        );
        return rows.length;
      });
    },

    /** Sends one delivery at most once in effect; re-checks everything before sending. */
    async deliver(deliveryId: number): Promise<DeliveryOutcome> {
      const ctx = await deliveries.context(db, deliveryId);
      if (!ctx) return 'missing';
      if (FINAL.includes(ctx.state)) return 'already-final';
      const now = clock.now();
      const skip =
        ctx.archived || now >= ctx.closesAt
          ? 'survey closed'
          : !ctx.email || !ctx.consented
            ? 'no consent or suppressed'
            : ctx.waveNo > 0 && ctx.responded
              ? 'already responded'
              : null;
      if (skip) {
        await deliveries.finish(db, deliveryId, 'skipped', { error: skip });
        return 'skipped';
      }
      if (!(await deliveries.claim(db, deliveryId, now, new Date(now.getTime() + deps.leaseMs)))) {
        const again = await deliveries.context(db, deliveryId);
        if (again && FINAL.includes(again.state)) return 'already-final';
        throw new DeliveryBusy(`delivery ${deliveryId} is being sent by another worker`);
      }
      const mail = message(ctx);
      try {
        await deps.transport.transporter.sendMail(mail);
      } catch (error) {
        const problem = classifySmtpError(error);
        if (problem instanceof SmtpPermanent) {
          await db.transaction(async (tx) => {
            await deliveries.finish(tx, deliveryId, 'failed', {
              error: problem.message.slice(0, 500),
            });
            if (problem.suppressed)
              await deliveries.suppress(
                tx,
                tokens.addressHmac(ctx.email!),
                'hard_bounce',
                clock.now(),
              );
          });
        } else {
          await deliveries.finish(db, deliveryId, 'retry', {
            error: problem.message.slice(0, 500),
          });
        }
        throw problem;
      }
      await deliveries.finish(db, deliveryId, 'sent', {
        messageId: mail.messageId.slice(1, -1),
        sentAt: clock.now(),
      });
      return 'sent';
    },

    /** Deliveries a lost job left behind (surveys.md §5.5). */
    stranded: (queuedBefore: Date) => deliveries.stranded(db, clock.now(), queuedBefore),
  };
}
export type SurveySending = ReturnType<typeof createSurveySending>;
