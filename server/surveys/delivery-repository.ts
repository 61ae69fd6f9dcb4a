import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';

export interface DeliveryContext {
  id: number;
  state: string;
  waveNo: number;
  waveId: string;
  invitationId: string;
  responded: boolean;
  surveyId: string;
  title: string;
  opensAt: Date;
  closesAt: Date;
  archived: boolean;
  contactId: string;
  name: string;
  email: string | null;
  consented: boolean;
}

const CONSENT_PURPOSE = 'surveys';
/** Instants go to raw SQL as ISO strings (postgres.js does not bind Date in drizzle's sql``). */
const ts = (date: Date) => date.toISOString();

function toContext(row: Record<string, unknown>): DeliveryContext {
  return {
    id: row.id as number,
    state: row.state as string,
    waveNo: row.wave_no as number,
    waveId: row.wave_id as string,
    invitationId: row.invitation_id as string,
    responded: row.responded as boolean,
    surveyId: row.survey_id as string,
    title: row.title as string,
    opensAt: new Date(row.opens_at as string),
    closesAt: new Date(row.closes_at as string),
    archived: row.archived as boolean,
    contactId: row.contact_id as string,
    name: row.name as string,
    email: row.email as string | null,
    consented: row.consented as boolean,
  };
}

/**
 * The sending ledger's queries (docs/rules/surveys.md §4-§7). Suppression is keyed by
 * HMAC-SHA-256(key, normalised address), computed in SQL with pgcrypto so that
 * set-based recipient selection and the per-send re-check agree with the app's own HMAC.
 */
export function createDeliveryRepository(hmacKey: Buffer) {
  const keyHex = hmacKey.toString('hex');
  const suppressed = (emailNorm: ReturnType<typeof sql>) => sql`exists (
    select 1 from email_suppressions s
    where s.address_hmac = encode(hmac(convert_to('address:' || ${emailNorm}, 'UTF8'), decode(${keyHex}, 'hex'), 'sha256'), 'hex'))`;
  const consented = (contactId: ReturnType<typeof sql>) => sql`exists (
    select 1 from contact_consents cc
    where cc.contact_id = ${contactId} and cc.purpose = ${CONSENT_PURPOSE} and cc.withdrawn_at is null)`;

  return {
    CONSENT_PURPOSE,

    /**
     * Invitations for the recipients (list members or ids) ∩ active consent ∖ suppression,
     * once per contact per survey; returns how many are new.
     */
    async createInvitations(
      tx: DbOrTx,
      surveyId: string,
      recipients: { contactIds?: string[]; listId?: string },
      tokenHashSql: (invitationIdSql: ReturnType<typeof sql>) => ReturnType<typeof sql>,
    ): Promise<number> {
      const source = recipients.listId
        ? sql`select m.contact_id as id from contact_list_members m where m.list_id = ${recipients.listId}`
        : sql`select unnest(${`{${(recipients.contactIds ?? []).join(',')}}`}::uuid[]) as id`;
      const rows = await tx.execute<{ n: number }>(sql`
        with picked as (
          select distinct c.id, gen_random_uuid() as invitation_id
          from (${source}) s join contacts c on c.id = s.id
          where c.email_norm is not null and c.merged_into_id is null
            and ${consented(sql`c.id`)} and not ${suppressed(sql`c.email_norm`)}
        ), inserted as (
          insert into survey_invitations (id, survey_id, contact_id, token_hash)
          select p.invitation_id, ${surveyId}, p.id, ${tokenHashSql(sql`p.invitation_id`)} from picked p
          on conflict (survey_id, contact_id) do nothing
          returning 1
        ) select count(*)::int as n from inserted`);
      return rows[0]?.n ?? 0;
    },

    /** The wave's row (UNIQUE (survey, wave_no)): created once, found again after. */
    async ensureWave(tx: DbOrTx, surveyId: string, waveNo: number, at: Date) {
      const inserted = await tx.execute<{ id: string }>(sql`
        insert into survey_waves (survey_id, wave_no, created_at) values (${surveyId}, ${waveNo}, ${ts(at)}::timestamptz)
        on conflict (survey_id, wave_no) do nothing returning id`);
      if (inserted[0]) return { id: inserted[0].id, created: true };
      const [row] = await tx.execute<{ id: string }>(
        sql`select id from survey_waves where survey_id = ${surveyId} and wave_no = ${waveNo}`,
      );
      return { id: row!.id, created: false };
    },

    /** A `queued` delivery for every invitation of the survey without one in this wave. */
    async queueInvitationDeliveries(tx: DbOrTx, surveyId: string, waveId: string, at: Date) {
      const rows = await tx.execute<{ n: number }>(sql`
        with inserted as (
          insert into survey_deliveries (wave_id, invitation_id, wave_no, queued_at)
          select ${waveId}, i.id, 0, ${ts(at)}::timestamptz from survey_invitations i
          where i.survey_id = ${surveyId} and not i.responded
          order by i.id
          on conflict (invitation_id, wave_no) do nothing returning 1
        ) select count(*)::int as n from inserted`);
      return rows[0]?.n ?? 0;
    },

    /** Reminder wave n: those not responded whose wave n−1 mail was sent at least `gap` ago. */
    async queueReminderDeliveries(
      tx: DbOrTx,
      surveyId: string,
      waveId: string,
      waveNo: number,
      sentBefore: Date,
      at: Date,
    ) {
      const rows = await tx.execute<{ n: number }>(sql`
        with inserted as (
          insert into survey_deliveries (wave_id, invitation_id, wave_no, queued_at)
          select ${waveId}, i.id, ${waveNo}, ${ts(at)}::timestamptz
          from survey_invitations i
          join survey_deliveries d on d.invitation_id = i.id and d.wave_no = ${waveNo - 1}
          join contacts c on c.id = i.contact_id
          where i.survey_id = ${surveyId} and not i.responded
            and d.state = 'sent' and d.sent_at <= ${ts(sentBefore)}::timestamptz
            and ${consented(sql`c.id`)} and not ${suppressed(sql`c.email_norm`)}
          order by i.id
          on conflict (invitation_id, wave_no) do nothing returning 1
        ) select count(*)::int as n from inserted`);
      return rows[0]?.n ?? 0;
    },

    async deleteWave(tx: DbOrTx, waveId: string) {
      await tx.execute(sql`delete from survey_waves where id = ${waveId}`);
    },

    async lockWave(tx: DbOrTx, waveId: string) {
      const [row] = await tx.execute<{ cursor: number; wave_no: number; survey_id: string }>(
        sql`select cursor, wave_no, survey_id from survey_waves where id = ${waveId} for update`,
      );
      return row;
    },

    async queuedAfter(tx: DbOrTx, waveId: string, cursor: number, limit: number) {
      return tx.execute<{ id: number; invitation_id: string }>(sql`
        select id::int as id, invitation_id from survey_deliveries
        where wave_id = ${waveId} and id > ${cursor} and state = 'queued'
        order by id limit ${limit}`);
    },

    async saveCursor(tx: DbOrTx, waveId: string, cursor: number, done: boolean, at: Date) {
      await tx.execute(sql`
        update survey_waves set cursor = greatest(cursor, ${cursor}),
          fanned_out_at = case when ${done} then ${ts(at)}::timestamptz else fanned_out_at end
        where id = ${waveId}`);
    },

    async context(db: DbOrTx, deliveryId: number): Promise<DeliveryContext | undefined> {
      const [row] = await db.execute<Record<string, unknown>>(sql`
        select d.id::int as id, d.state, d.wave_no, d.wave_id, i.id as invitation_id, i.responded,
               s.id as survey_id, s.title, s.opens_at, s.closes_at, s.archived_at is not null as archived,
               c.id as contact_id, c.name, c.email,
               ${consented(sql`c.id`)} and not ${suppressed(sql`c.email_norm`)} as consented
        from survey_deliveries d
        join survey_invitations i on i.id = d.invitation_id
        join surveys s on s.id = i.survey_id
        join contacts c on c.id = i.contact_id
        where d.id = ${deliveryId}`);
      return row ? toContext(row) : undefined;
    },

    /**
     * Claims a batch in one statement and returns what sending needs for each claimed row:
     * `queued`/`retry`, or `sending` past its lease (a crashed sender: `wasSending`). Rows
     * another sender holds are skipped (SKIP LOCKED), not waited for.
     */
    async claimBatch(db: DbOrTx, ids: number[], now: Date, leaseUntil: Date) {
      const rows = await db.execute<Record<string, unknown>>(sql`
        with picked as (
          select id, state as was from survey_deliveries
          where id = any(${`{${ids.join(',')}}`}::bigint[])
            and (state in ('queued', 'retry') or (state = 'sending' and lease_until < ${ts(now)}::timestamptz))
          order by id for update skip locked
        ), u as (
          update survey_deliveries d set state = 'sending', attempts = d.attempts + 1,
            lease_until = ${ts(leaseUntil)}::timestamptz
          from picked p where d.id = p.id
          returning d.id, d.wave_no, d.wave_id, d.invitation_id, d.attempts, p.was
        )
        select u.id::int as id, u.wave_no, u.wave_id, u.attempts, u.was, i.id as invitation_id,
               i.responded, s.id as survey_id, s.title, s.opens_at, s.closes_at,
               s.archived_at is not null as archived, c.id as contact_id, c.name, c.email,
               ${consented(sql`c.id`)} and not ${suppressed(sql`c.email_norm`)} as consented
        from u
        join survey_invitations i on i.id = u.invitation_id
        join surveys s on s.id = i.survey_id
        join contacts c on c.id = i.contact_id
        order by u.id`);
      return rows.map((row) => ({
        ...toContext({ ...row, state: 'sending' }),
        attempts: row.attempts as number,
        wasSending: row.was === 'sending',
      }));
    },

    /** States of deliveries not claimed by claimBatch: final, or held by another sender. */
    async states(db: DbOrTx, ids: number[]) {
      return db.execute<{ id: number; state: string }>(sql`
        select id::int as id, state from survey_deliveries
        where id = any(${`{${ids.join(',')}}`}::bigint[])`);
    },

    /** Puts claimed but unsent deliveries back (a throttle pause): no mail went for them. */
    async release(db: DbOrTx, ids: number[]) {
      if (ids.length === 0) return;
      await db.execute(sql`
        update survey_deliveries set state = 'retry', lease_until = null
        where id = any(${`{${ids.join(',')}}`}::bigint[]) and state = 'sending'`);
    },

    /** Claims a delivery: `queued`/`retry`, or `sending` past its lease (a crashed sender). */
    async claim(db: DbOrTx, deliveryId: number, now: Date, leaseUntil: Date) {
      const rows = await db.execute<{ id: number }>(sql`
        update survey_deliveries set state = 'sending', attempts = attempts + 1, lease_until = ${ts(leaseUntil)}::timestamptz
        where id = ${deliveryId}
          and (state in ('queued', 'retry') or (state = 'sending' and lease_until < ${ts(now)}::timestamptz))
        returning id`);
      return rows.length === 1;
    },

    async finish(
      db: DbOrTx,
      deliveryId: number,
      state: 'sent' | 'failed' | 'retry' | 'skipped',
      values: { messageId?: string; sentAt?: Date; error?: string },
    ) {
      await db.execute(sql`
        update survey_deliveries set state = ${state}, lease_until = null,
          message_id = coalesce(${values.messageId ?? null}, message_id),
          sent_at = coalesce(${values.sentAt ? ts(values.sentAt) : null}::timestamptz, sent_at),
          error = ${values.error ?? null}
        where id = ${deliveryId} and state in ('queued', 'retry', 'sending')`);
    },

    async suppress(db: DbOrTx, addressHmac: string, reason: string, at: Date) {
      await db.execute(sql`
        insert into email_suppressions (address_hmac, reason, created_at) values (${addressHmac}, ${reason}, ${ts(at)}::timestamptz)
        on conflict (address_hmac) do nothing`);
    },

    /**
     * A DSN said the mailbox is gone: the delivery becomes `bounced` (from any state: a
     * report can overtake our own commit). Returns the contact's address for suppression.
     */
    async markBounced(db: DbOrTx, deliveryId: number, error: string) {
      const rows = await db.execute<{ email_norm: string | null }>(sql`
        with d as (
          update survey_deliveries set state = 'bounced', lease_until = null, error = ${error}
          where id = ${deliveryId} returning invitation_id
        ) select c.email_norm from d
          join survey_invitations i on i.id = d.invitation_id join contacts c on c.id = i.contact_id`);
      return rows[0]?.email_norm ?? null;
    },

    /** A 4.x.x DSN: the relay is still trying; noted for staff, the state is unchanged. */
    async noteDelay(db: DbOrTx, deliveryId: number, error: string) {
      await db.execute(
        sql`update survey_deliveries set error = ${error} where id = ${deliveryId} and state <> 'bounced'`,
      );
    },

    async withdrawConsent(db: DbOrTx, contactId: string, at: Date) {
      const rows = await db.execute<{ email_norm: string | null }>(sql`
        with w as (
          update contact_consents set withdrawn_at = ${ts(at)}::timestamptz
          where contact_id = ${contactId} and purpose = ${CONSENT_PURPOSE} and withdrawn_at is null
        ) select email_norm from contacts where id = ${contactId}`);
      return rows[0];
    },

    /** Survey emails that went since an instant (the daily cap: since London midnight). */
    async sentToday(db: DbOrTx, since: Date): Promise<number> {
      const [row] = await db.execute<{ n: number }>(
        sql`select count(*)::int as n from survey_deliveries where state = 'sent' and sent_at >= ${ts(since)}::timestamptz`,
      );
      return row?.n ?? 0;
    },

    async progress(db: DbOrTx, surveyId: string) {
      const [row] = await db.execute<Record<string, number>>(sql`
        select
          (select count(*)::int from survey_invitations where survey_id = ${surveyId}) as invited,
          (select count(*)::int from survey_invitations where survey_id = ${surveyId} and responded) as answered,
          count(*) filter (where d.state in ('queued', 'retry'))::int as queued,
          count(*) filter (where d.state = 'sending')::int as sending,
          count(*) filter (where d.state = 'sent')::int as sent,
          count(*) filter (where d.state in ('failed', 'bounced'))::int as failed,
          count(*) filter (where d.state = 'skipped')::int as skipped
        from survey_deliveries d join survey_waves w on w.id = d.wave_id
        where w.survey_id = ${surveyId}`);
      return row as {
        invited: number;
        answered: number;
        queued: number;
        sending: number;
        sent: number;
        failed: number;
        skipped: number;
      };
    },

    /** Deliveries a lost job left behind: queued over `queuedBefore`, or sending past the lease. */
    async stranded(db: DbOrTx, now: Date, queuedBefore: Date, limit = 1000) {
      return db.execute<{
        id: number;
        invitation_id: string;
        wave_no: number;
        attempts: number;
      }>(sql`
        select id::int as id, invitation_id, wave_no, attempts from survey_deliveries
        where (state = 'queued' and queued_at < ${ts(queuedBefore)}::timestamptz)
           or (state = 'sending' and lease_until < ${ts(now)}::timestamptz)
        order by id limit ${limit}`);
    },

    /** Open surveys whose reminders may be due (not in the final 24 hours). */
    async reminderCandidates(db: DbOrTx, now: Date) {
      return db.execute<{
        id: string;
        gap_days: number;
        max_count: number;
        last_wave: number;
        last_created: Date;
      }>(sql`
        select s.id, s.reminder_min_gap_days as gap_days, s.reminder_max_count as max_count,
               max(w.wave_no)::int as last_wave, max(w.created_at) as last_created
        from surveys s join survey_waves w on w.survey_id = s.id
        where s.launched_at is not null and s.archived_at is null
          and s.opens_at <= ${ts(now)}::timestamptz and s.closes_at > ${ts(now)}::timestamptz + interval '24 hours'
        group by s.id`);
    },
  };
}
export type DeliveryRepository = ReturnType<typeof createDeliveryRepository>;
