/**
 * The weekly report of justified reads (domain/complaints.md §4): managers who are not on
 * a complaint's access list may open it by giving a reason; every such read is audited as
 * `complaint.view_justified`, and this report lists a London week's (Monday to Sunday) with
 * who read which complaint, when and why. Reading the report is itself audited.
 */
import { sql } from 'drizzle-orm';
import { addDays, dayOfWeek, isIsoDate, londonDateOf, startOfLondonDay } from '../lib/dates.js';
import type { Actor } from '../platform/audit.js';
import { complaintErrors } from './errors.js';
import type { ComplaintsDeps } from './ports.js';

export interface JustifiedRead {
  at: string;
  readerId: string | null;
  reader: string | null;
  role: string | null;
  complaintId: string | null;
  reference: string | null;
  justification: string | null;
}

export function createJustifiedReadsService(deps: ComplaintsDeps) {
  const { db, clock, audit } = deps;
  return {
    /** The week containing `weekOf` (default: the last complete week). */
    async week(actor: Actor, weekOf?: string) {
      const today = londonDateOf(clock.now());
      const day = weekOf ?? addDays(today, -7);
      if (!isIsoDate(day))
        throw complaintErrors.invalid({ weekOf: 'Enter a real date as YYYY-MM-DD' });
      if (day > today)
        throw complaintErrors.invalid({ weekOf: 'The week must not be in the future' });
      // Monday is 1 in dayOfWeek (Sunday 0).
      const monday = addDays(day, -((dayOfWeek(day) + 6) % 7));
      const sunday = addDays(monday, 6);
      const rows = await db.execute<{
        at: Date | string;
        reader_id: string | null;
        reader: string | null;
        role: string | null;
        complaint_id: string | null;
        reference: string | null;
        justification: string | null;
      }>(sql`
        select a.at, a.actor_id as reader_id, u.name as reader, a.actor_role as role,
               c.id as complaint_id, c.reference, a.justification
        from audit_events a
        left join users u on u.id = a.actor_id
        left join complaints c on c.id::text = a.subject_id
        where a.action = 'complaint.view_justified'
          and a.at >= ${startOfLondonDay(monday).toISOString()}
          and a.at < ${startOfLondonDay(addDays(sunday, 1)).toISOString()}
        order by a.at, a.id`);
      await audit.recordRead(actor, {
        action: 'complaint.justified_reads.view',
        subjectType: 'complaint_report',
        justification: `${monday}..${sunday}`,
      });
      const reads: JustifiedRead[] = rows.map((r) => ({
        at: new Date(r.at).toISOString(),
        readerId: r.reader_id,
        reader: r.reader,
        role: r.role,
        complaintId: r.complaint_id,
        reference: r.reference,
        justification: r.justification,
      }));
      return { week: { from: monday, to: sunday }, reads };
    },
  };
}
