/**
 * Erasure (UK GDPR Art 17, docs/rules/security.md §8): a manager erases a person. In one transaction
 * the contact (and any duplicate merged into it) is anonymised, so are the personal fields
 * of their cases, inbound and outbound messages, emails, surgery bookings and waiting-list
 * entries and complainant records; their reply drafts, survey consents and contact-list
 * memberships go; their unsent emails are cancelled (the email job then does nothing).
 * What is not personal stays for the statistics: case type, status, dates, topics, the
 * booking's attendance. The erasure is audited and the contact's id (only) is written to
 * the erasure ledger, which scripts/db-restore.ts replays after every restore.
 */
import { sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client.js';
import type { Clock } from '../lib/clock.js';
import { systemActor, type Actor, type AuditLog } from '../platform/audit.js';
import { validationError } from '../platform/errors.js';
import { alreadyErased, contactNotFound, eraseMerged } from './errors.js';

/** What an erased contact's name reads as. */
export const ERASED_NAME = 'Erased person';
/** What an erased case's or message's subject reads as. */
export const ERASED_TEXT = 'Erased (UK GDPR Art 17)';
export const JUSTIFICATION_MAX = 500;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface ErasureResult {
  id: string;
  erasedAt: string;
  /** Cases whose personal fields were cleared (kept for the statistics). */
  cases: number;
  /** Emails not yet sent that will now never go. */
  cancelledEmails: number;
}

/**
 * Clears one person's details everywhere they are held. Idempotent: a second run (the
 * ledger replayed after a restore) finds nothing left to clear and changes nothing personal.
 */
async function anonymise(
  tx: DbOrTx,
  contactId: string,
  now: Date,
): Promise<{ ids: string[]; cases: number; cancelledEmails: number }> {
  // outbound_messages keep the text as sent, except under an erasure (migration 0034).
  await tx.execute(sql`select set_config('opcc.erasure', 'on', true)`);
  const at = now.toISOString();
  // The person, and any duplicate record merged into them (the same person).
  const people = (await tx.execute(sql`
    select id, email_norm from contacts where id = ${contactId}::uuid or merged_into_id = ${contactId}::uuid
    for update`)) as unknown as Array<{ id: string; email_norm: string | null }>;
  const ids = people.map((p) => p.id);
  const idList = sql.join(
    ids.map((id) => sql`${id}::uuid`),
    sql`, `,
  );
  const emails = people.map((p) => p.email_norm).filter((e): e is string => Boolean(e));
  const emailList = emails.length
    ? sql.join(
        emails.map((e) => sql`${e}`),
        sql`, `,
      )
    : sql`null`;
  const caseRows = (await tx.execute(sql`
    select id from cases where contact_id in (${idList}) or on_behalf_of_id in (${idList})`)) as unknown as Array<{
    id: string;
  }>;
  const caseList = caseRows.length
    ? sql.join(
        caseRows.map((c) => sql`${c.id}::uuid`),
        sql`, `,
      )
    : sql`null`;
  const bookingRows = (await tx.execute(sql`
    select id from surgery_booking
    where case_id in (${caseList}) or lower(email) in (${emailList})`)) as unknown as Array<{
    id: string;
  }>;
  const bookingRefs = bookingRows.length
    ? sql.join(
        bookingRows.map((b) => sql`${b.id}`),
        sql`, `,
      )
    : sql`null`;
  const caseRefs = caseRows.length
    ? sql.join(
        caseRows.map((c) => sql`${c.id}`),
        sql`, `,
      )
    : sql`null`;

  // Emails to them or about their cases and bookings: unsent ones are cancelled (their
  // job finds the row final and does nothing), and every one loses its address and text.
  const personEmails = sql`(lower("to") in (${emailList})
      or (subject_type = 'case' and subject_ref in (${caseRefs}))
      or (subject_type = 'surgery_booking' and subject_ref in (${bookingRefs})))`;
  const cancelled = (await tx.execute(sql`
    update email_messages set status = 'cancelled', error = 'not sent: the person was erased'
    where status in ('queued', 'sending') and ${personEmails}
    returning id`)) as unknown as Array<{ id: string }>;
  await tx.execute(sql`
    update email_messages set "to" = 'erased-' || id || '@invalid', subject = ${ERASED_TEXT},
      text_body = '', attachments = '[]'::jsonb, headers = '{}'::jsonb, reply_to = null
    where ${personEmails}`);
  if (cancelled.length) {
    const cancelledList = sql.join(
      cancelled.map((e) => sql`${e.id}::uuid`),
      sql`, `,
    );
    await tx.execute(sql`
      update outbound_messages set status = 'failed', failed_at = ${at}::timestamptz,
        error = 'Not sent: the person was erased'
      where email_id in (${cancelledList}) and status = 'queued'`);
  }

  await tx.execute(sql`
    update cases set subject = ${ERASED_TEXT}, body = '', updated_at = ${at}::timestamptz
    where id in (${caseList}) and (subject <> ${ERASED_TEXT} or body <> '')`);
  await tx.execute(sql`
    update inbound_messages set from_address = null, from_name = null, to_addresses = null,
      subject = '', text_body = '', raw_headers = '', raw = ''::bytea
    where case_id in (${caseList}) or lower(from_address) in (${emailList})`);
  await tx.execute(sql`
    update outbound_messages set to_address = null, subject = ${ERASED_TEXT}, body = ''
    where case_id in (${caseList})`);
  await tx.execute(sql`delete from reply_drafts where case_id in (${caseList})`);
  await tx.execute(sql`
    update surgery_booking set name = ${ERASED_NAME}, email = 'erased-' || id || '@invalid',
      phone = null, topic_detail = null, adjustments = null, idempotency_key = null,
      request_hash = null
    where id in (select id from surgery_booking
                 where case_id in (${caseList}) or lower(email) in (${emailList}))`);
  await tx.execute(sql`
    update surgery_waitlist set name = ${ERASED_NAME}, email = 'erased-' || id || '@invalid',
      phone = null
    where lower(email) in (${emailList})`);
  await tx.execute(sql`
    update complainants set name = ${ERASED_NAME}, email = null, phone = null, address = null
    where contact_id in (${idList})`);
  await tx.execute(sql`delete from contact_consents where contact_id in (${idList})`);
  await tx.execute(sql`delete from contact_list_members where contact_id in (${idList})`);
  await tx.execute(sql`
    update contacts set name = ${ERASED_NAME}, salutation = null, email = null, email_norm = null,
      phone = null, phone_e164 = null, address = null, postcode = null, postcode_norm = null,
      erased_at = coalesce(erased_at, ${at}::timestamptz)
    where id in (${idList})`);
  return { ids, cases: caseRows.length, cancelledEmails: cancelled.length };
}

export function createErasureService(deps: { db: Db; audit: AuditLog; clock: Clock }) {
  const { db, audit, clock } = deps;
  return {
    /** Erases one person (managers; the route asks for confirmation and a reason). */
    async erase(actor: Actor, contactId: string, justification: string): Promise<ErasureResult> {
      if (!UUID.test(contactId)) throw contactNotFound();
      const reason = justification.trim();
      if (!reason) throw validationError({ justification: 'Enter why this person is erased' });
      if (reason.length > JUSTIFICATION_MAX)
        throw validationError({
          justification: `Reason must be ${JUSTIFICATION_MAX} characters or fewer`,
        });
      return db.transaction(async (tx) => {
        const [row] = (await tx.execute(sql`
          select id, erased_at, merged_into_id from contacts where id = ${contactId}::uuid
          for update`)) as unknown as Array<{
          id: string;
          erased_at: Date | null;
          merged_into_id: string | null;
        }>;
        if (!row) throw contactNotFound();
        if (row.erased_at) throw alreadyErased();
        if (row.merged_into_id) throw eraseMerged();
        const now = clock.now();
        const done = await anonymise(tx, row.id, now);
        await tx.execute(sql`
          insert into erasure_ledger (person_id, erased_at, erased_by_id, justification)
          values (${row.id}::uuid, ${now.toISOString()}::timestamptz, ${actor.id}::uuid, ${reason})
          on conflict (person_id) do nothing`);
        await audit.record(tx, actor, {
          action: 'contact.erase',
          subjectType: 'contact',
          subjectId: row.id,
          personId: row.id,
          justification: `${reason} (${done.cases} case(s), ${done.cancelledEmails} unsent email(s) cancelled)`,
        });
        return {
          id: row.id,
          erasedAt: now.toISOString(),
          cases: done.cases,
          cancelledEmails: done.cancelledEmails,
        };
      });
    },
  };
}
export type ErasureService = ReturnType<typeof createErasureService>;

/**
 * After a restore (scripts/db-restore.ts, reliability §8): every person in the ledger is
 * erased again, since the backup may predate their erasure. The restored ledger is as old
 * as the backup, so the live ledger's ids (`npm run db:erasures`, kept apart from backups)
 * are passed as `moreIds` and added to it first. Returns the ledger's size and how many
 * people the backup still held. Audited as the system, once per person re-erased.
 */
export async function replayErasureLedger(
  db: Db,
  deps: { audit: AuditLog; clock: Clock; moreIds?: readonly string[] },
): Promise<{ ledger: number; reErased: number }> {
  const extra = (deps.moreIds ?? []).filter((id) => UUID.test(id));
  for (const id of extra) {
    await db.execute(sql`
      insert into erasure_ledger (person_id, erased_at, justification)
      values (${id}::uuid, ${deps.clock.now().toISOString()}::timestamptz,
              'erased on the live system after this backup was taken')
      on conflict (person_id) do nothing`);
  }
  const ledger = (await db.execute(sql`
    select l.person_id, c.erased_at from erasure_ledger l
    left join contacts c on c.id = l.person_id
    order by l.erased_at, l.person_id`)) as unknown as Array<{
    person_id: string;
    erased_at: Date | null;
  }>;
  let reErased = 0;
  for (const entry of ledger) {
    await db.transaction(async (tx) => {
      const done = await anonymise(tx, entry.person_id, deps.clock.now());
      if (done.ids.length === 0 || entry.erased_at) return;
      reErased += 1;
      await deps.audit.record(tx, systemActor(), {
        action: 'contact.erase.replay',
        subjectType: 'contact',
        subjectId: entry.person_id,
        personId: entry.person_id,
        justification: 'erasure ledger replayed after a restore',
      });
    });
  }
  return { ledger: ledger.length, reErased };
}

/** The live ledger's ids, one a line, for `npm run db:erasures` (kept apart from backups). */
export async function erasureLedgerIds(db: Db): Promise<string[]> {
  const rows = (await db.execute(sql`
    select person_id from erasure_ledger order by erased_at, person_id`)) as unknown as Array<{
    person_id: string;
  }>;
  return rows.map((r) => r.person_id);
}
