import type { Db } from '../../db/client.js';
import type { Clock } from '../lib/clock.js';
import { addDays, londonDateOf, startOfLondonDay } from '../lib/dates.js';
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

export interface BatchResult {
  sent: number;
  skipped: number;
  failed: number;
  /** Already final when this batch came to them (another job, or an earlier run, did them). */
  final: number;
  /** Claimed from a sender that died past its lease: sent again with the same Message-ID. */
  resent: number[];
  /** Held by another sender whose lease is still running. */
  busy?: number[];
}

/**
 * Sending one wave (docs/rules/surveys.md §5): the fan-out walks `queued` deliveries from the wave's
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

  /**
   * Sends a batch of deliveries, each at most once in effect (docs/rules/surveys.md §5.3). One
   * statement claims every claimable row and reads what the mails need; each mail is then
   * sent and committed on its own, so a crash repeats at most the one mail in flight (S2).
   * One bad address never stops the batch: a 5xx fails that delivery only. Afterwards it
   * throws what BullMQ must act on: a throttle (the unsent go back, no attempt used),
   * then a temporary failure (the job retries with backoff; sent rows are final by then),
   * then rows another sender still holds (retry once its lease is over).
   */
  async function deliverBatch(ids: number[]): Promise<BatchResult> {
    const result: BatchResult = { sent: 0, skipped: 0, failed: 0, resent: [], final: 0 };
    const now = clock.now();
    const claimed = await deliveries.claimBatch(
      db,
      ids,
      now,
      new Date(now.getTime() + deps.leaseMs),
    );
    if (claimed.length < ids.length) {
      const mine = new Set(claimed.map((c) => c.id));
      const others = (await deliveries.states(db, ids)).filter((r) => !mine.has(r.id));
      result.final = others.filter((r) => FINAL.includes(r.state)).length;
      result.busy = others.filter((r) => !FINAL.includes(r.state)).map((r) => r.id);
    }
    let temporary: Error | undefined;
    let permanent: SmtpPermanent | undefined;
    for (const [index, ctx] of claimed.entries()) {
      const skip =
        ctx.archived || clock.now() >= ctx.closesAt
          ? 'survey closed'
          : !ctx.email || !ctx.consented
            ? 'no consent or suppressed'
            : ctx.waveNo > 0 && ctx.responded
              ? 'already responded'
              : null;
      if (skip) {
        await deliveries.finish(db, ctx.id, 'skipped', { error: skip });
        result.skipped += 1;
        continue;
      }
      // Its sender died between claim and commit: the same Message-ID goes again (S2).
      if (ctx.wasSending) result.resent.push(ctx.id);
      const mail = message(ctx);
      try {
        await deps.transport.transporter.sendMail(mail);
      } catch (error) {
        const problem = classifySmtpError(error);
        if (problem instanceof SmtpThrottled) {
          await deliveries.release(
            db,
            claimed.slice(index).map((c) => c.id),
          );
          throw problem;
        }
        if (problem instanceof SmtpPermanent) {
          await db.transaction(async (tx) => {
            await deliveries.finish(tx, ctx.id, 'failed', {
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
          result.failed += 1;
          permanent = problem;
        } else {
          await deliveries.finish(db, ctx.id, 'retry', {
            error: problem.message.slice(0, 500),
          });
          temporary = problem;
        }
        continue;
      }
      await deliveries.finish(db, ctx.id, 'sent', {
        messageId: mail.messageId.slice(1, -1),
        sentAt: clock.now(),
      });
      result.sent += 1;
    }
    if (temporary) throw temporary;
    if (result.busy?.length)
      throw new DeliveryBusy(`deliveries ${result.busy.join(', ')} are being sent elsewhere`);
    // A single delivery's 5xx is the job's own outcome: BullMQ records it as unrecoverable.
    if (permanent && ids.length === 1) throw permanent;
    return result;
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

    deliverBatch,

    /** One delivery: the batch of one (what the rate-limited path sends). */
    async deliver(deliveryId: number): Promise<DeliveryOutcome> {
      const r = await deliverBatch([deliveryId]);
      if (r.sent) return 'sent';
      if (r.skipped) return 'skipped';
      return r.final ? 'already-final' : 'missing';
    },

    /**
     * The daily cap (docs/rules/surveys.md §5.3): how many more may go today (Europe/London), and when
     * the next day starts. Infinity without a cap.
     */
    async capLeft(cap: number | null | undefined) {
      const now = clock.now();
      const today = londonDateOf(now);
      const tomorrow = startOfLondonDay(addDays(today, 1));
      if (!cap) return { left: Number.POSITIVE_INFINITY, tomorrow };
      const sent = await deliveries.sentToday(db, startOfLondonDay(today));
      return { left: Math.max(0, cap - sent), tomorrow };
    },

    /** Deliveries a lost job left behind (docs/rules/surveys.md §5.5). */
    stranded: (queuedBefore: Date) => deliveries.stranded(db, clock.now(), queuedBefore),
  };
}
export type SurveySending = ReturnType<typeof createSurveySending>;
