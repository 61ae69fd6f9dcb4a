/**
 * The weekly report of justified reads (docs/rules/complaints.md §4): managers who are not on
 * a complaint's access list may open it by giving a reason; every such read is audited as
 * `complaint.view_justified`, and this report lists a London week's (Monday to Sunday) with
 * who read which complaint, when and why. Reading the report is itself audited.
 */
import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { addDays, dayOfWeek, isIsoDate, londonDateOf, startOfLondonDay } from '../lib/dates.js';
import { formatDate } from '../lib/format.js';
import { systemActor, type Actor } from '../platform/audit.js';
import type { AdminRepository } from './admin-repository.js';
import { complaintErrors } from './errors.js';
import type { ComplaintsDeps } from './ports.js';

const mondayOf = (day: string) => addDays(day, -((dayOfWeek(day) + 6) % 7));

export interface JustifiedRead {
  at: string;
  readerId: string | null;
  reader: string | null;
  role: string | null;
  complaintId: string | null;
  reference: string | null;
  justification: string | null;
}

export function createJustifiedReadsService(deps: ComplaintsDeps & { admin: AdminRepository }) {
  const { db, clock, audit, admin } = deps;

  async function countWeek(tx: DbOrTx, monday: string) {
    const [row] = await tx.execute<{ n: string }>(sql`
      select count(*) as n from audit_events a
      where a.action = 'complaint.view_justified'
        and a.at >= ${startOfLondonDay(monday).toISOString()}
        and a.at < ${startOfLondonDay(addDays(monday, 7)).toISOString()}`);
    return Number(row?.n ?? 0);
  }

  return {
    /**
     * The weekly email (job `complaint-justified-reads`, Mondays): the last complete London
     * week's count and a link, to every active manager, through the email ledger. The week's
     * ledger row is claimed in the same transaction as the emails are queued, so however
     * often the job runs, each week is sent once. Names and reasons stay on the page.
     */
    async sendWeekly() {
      const monday = mondayOf(addDays(londonDateOf(clock.now()), -7));
      const sunday = addDays(monday, 6);
      return db.transaction(async (tx) => {
        const reads = await countWeek(tx, monday);
        const managers = (await admin.staff(tx)).filter((u) => u.role === 'manager');
        if (!(await admin.claimWeek(tx, monday, reads, managers.length, clock.now())))
          return { week: monday, sent: 0 };
        const link = `${deps.publicUrl}/complaints/justified-reads?weekOf=${monday}`;
        for (const manager of managers) {
          const user = await deps.repo.user(tx, manager.id);
          if (!user) continue;
          await deps.mail.queue(tx, {
            to: user.email,
            subject: `Complaints opened off the access list: week of ${formatDate(monday)}`,
            text: [
              `In the week ${formatDate(monday)} to ${formatDate(sunday)}, complaints were opened ${reads} ${reads === 1 ? 'time' : 'times'} by managers who are not on their access list.`,
              '',
              `Who, which complaint, when and why: ${link}`,
            ].join('\n'),
            messageId: `justified-reads-${monday}-${manager.id}@${deps.mailDomain}`,
            subjectType: 'complaint_report',
            subjectRef: monday,
          });
        }
        await audit.record(tx, systemActor(), {
          action: 'complaint.justified_reads.email',
          subjectType: 'complaint_report',
          justification: `${monday}..${sunday}: ${reads} reads, ${managers.length} managers`,
        });
        return { week: monday, sent: managers.length };
      });
    },

    /** The week containing `weekOf` (default: the last complete week). */
    async week(actor: Actor, weekOf?: string) {
      const today = londonDateOf(clock.now());
      const day = weekOf ?? addDays(today, -7);
      if (!isIsoDate(day))
        throw complaintErrors.invalid({ weekOf: 'Enter a real date as YYYY-MM-DD' });
      if (day > today)
        throw complaintErrors.invalid({ weekOf: 'The week must not be in the future' });
      // Monday is 1 in dayOfWeek (Sunday 0).
      const monday = mondayOf(day);
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
