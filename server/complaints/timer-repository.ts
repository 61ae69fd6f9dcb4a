import { and, asc, eq, isNull, lt, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { caseDeadlines, complaints } from '../../db/schema/index.js';

/** A complaint timer as the complaint's page, letters and statistics read it. */
export interface ComplaintTimer {
  kind: string;
  generation: number;
  startOn: string;
  dueOn: string;
  stopped: boolean;
  stoppedOn: string | null;
  rule: string;
  startRule: string;
  notes: string[];
  skipped: Array<{ date: string; reason: string }>;
  calendarVersion: number;
}

const OF_COMPLAINTS = sql`${caseDeadlines.subjectType} = 'complaint'`;

/**
 * Reads of the complaint timers the shared clock stores (server/deadlines writes them:
 * `case_deadlines` rows of subject type 'complaint'). Part of the complaints repository.
 */
export const timerQueries = {
  /** The live timers of a complaint, soonest first. */
  async liveTimers(tx: DbOrTx, id: string): Promise<ComplaintTimer[]> {
    const rows = await tx
      .select()
      .from(caseDeadlines)
      .where(
        and(OF_COMPLAINTS, eq(caseDeadlines.subjectId, id), isNull(caseDeadlines.supersededAt)),
      )
      .orderBy(asc(caseDeadlines.dueOn), asc(caseDeadlines.kind));
    return rows.map((r) => {
      const ex = r.explanation as { startRule?: unknown; notes?: unknown };
      return {
        kind: r.kind,
        generation: r.generation,
        startOn: r.startOn ?? '',
        dueOn: r.dueOn ?? '',
        stopped: r.stopped || r.completedOn !== null,
        stoppedOn: r.completedOn,
        rule: r.rule,
        startRule: typeof ex.startRule === 'string' ? ex.startRule : '',
        notes: Array.isArray(ex.notes) ? ex.notes.map(String) : [],
        skipped: r.skipped,
        calendarVersion: r.calendarVersion,
      };
    });
  },

  /** Complaints in the review window whose last day has passed, for the system close. */
  async windowsToClose(tx: DbOrTx, today: string): Promise<string[]> {
    const rows = await tx
      .select({ id: complaints.id })
      .from(complaints)
      .innerJoin(
        caseDeadlines,
        and(
          OF_COMPLAINTS,
          eq(caseDeadlines.subjectId, complaints.id),
          isNull(caseDeadlines.supersededAt),
        ),
      )
      .where(
        and(
          eq(complaints.status, 'review_window'),
          eq(complaints.suspended, false),
          eq(caseDeadlines.kind, 'review_window'),
          lt(caseDeadlines.dueOn, today),
        ),
      );
    return rows.map((r) => r.id);
  },
};
