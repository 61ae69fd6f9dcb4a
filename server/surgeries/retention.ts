/**
 * The nightly surgeries retention sweep (docs/rules/surgeries.md §8, docs/rules/security.md §8): access needs
 * (`adjustments`) are deleted 30 days after the surgery; the person's details on bookings,
 * waiting-list entries, booking notes and street conversations are cleared 12 months after
 * it, unless a case was opened from the booking (the case then holds them, under its own
 * retention). What is not personal stays for the statistics: status, attendance, topic,
 * area, times. Each cleared surgery is audited once; the sweep is idempotent.
 */
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import type { Clock } from '../lib/clock.js';
import { systemActor, type AuditLog } from '../platform/audit.js';

export const ACCESS_NEEDS_DAYS = 30;
export const PERSONAL_MONTHS = 12;
/** What a cleared name reads as; emails become unique non-addresses (the partial unique
 *  indexes on active bookings and waiting entries still hold). */
export const REMOVED = 'Removed (retention)';

export function createRetentionService(deps: { db: Db; clock: Clock; audit: AuditLog }) {
  const { db, clock, audit } = deps;
  return {
    async sweep(): Promise<{ accessNeeds: number; bookings: number; surgeries: number }> {
      // SQL gets the injected clock's instant, never now(), so tests can move time (§2.4).
      const now = clock.now().toISOString();
      return db.transaction(async (tx) => {
        const accessNeeds = await tx.execute(sql`
          update surgery_booking b set adjustments = null
          from surgery s
          where s.id = b.surgery_id and b.adjustments is not null
            and s.ends_at <= ${now}::timestamptz - make_interval(days => ${ACCESS_NEEDS_DAYS})`);

        // Surgeries ended over 12 months ago that still hold someone's details.
        const due = sql`
          select s.id from surgery s
          where s.ends_at <= ${now}::timestamptz - make_interval(months => ${PERSONAL_MONTHS})
            and (exists (select 1 from surgery_booking b
                         where b.surgery_id = s.id and b.case_id is null and b.name <> ${REMOVED})
              or exists (select 1 from surgery_waitlist w
                         where w.surgery_id = s.id and w.name <> ${REMOVED})
              or exists (select 1 from street_conversation c
                         where c.surgery_id = s.id
                           and (c.contact_name is not null or c.contact_email is not null or c.summary <> '')))`;
        const surgeries = (await tx.execute(due)) as unknown as Array<{ id: string }>;
        if (surgeries.length === 0) {
          return { accessNeeds: accessNeeds.count ?? 0, bookings: 0, surgeries: 0 };
        }
        const ids = sql.join(
          surgeries.map((s) => sql`${s.id}::uuid`),
          sql`, `,
        );
        await tx.execute(sql`
          update surgery_note n set body = ${REMOVED}
          from surgery_booking b
          where b.id = n.booking_id and b.case_id is null and b.surgery_id in (${ids})`);
        const bookings = await tx.execute(sql`
          update surgery_booking set name = ${REMOVED},
            email = 'removed-' || id || '@invalid', phone = null, topic_detail = null,
            adjustments = null, idempotency_key = null, request_hash = null
          where surgery_id in (${ids}) and case_id is null and name <> ${REMOVED}`);
        await tx.execute(sql`
          update surgery_waitlist set name = ${REMOVED},
            email = 'removed-' || id || '@invalid', phone = null
          where surgery_id in (${ids}) and name <> ${REMOVED}`);
        await tx.execute(sql`
          update street_conversation set contact_name = null, contact_email = null, summary = ''
          where surgery_id in (${ids})`);
        for (const { id } of surgeries) {
          await audit.record(tx, systemActor(), {
            action: 'surgeries.retention.clear',
            subjectType: 'surgery',
            subjectId: id,
            justification: `retention ${PERSONAL_MONTHS} months after the surgery`,
          });
        }
        return {
          accessNeeds: accessNeeds.count ?? 0,
          bookings: bookings.count ?? 0,
          surgeries: surgeries.length,
        };
      });
    },
  };
}
export type SurgeryRetention = ReturnType<typeof createRetentionService>;
