import { OPEN_STATUSES } from '../correspondence/workflow.js';
import { KIND_LABELS } from './labels.js';
import { fromTo } from './wording.js';
import { type DeadlinesContext } from './context.js';

/** Recomputing open cases when the holidays change (§5). */
export function createRebuild(ctx: DeadlinesContext) {
  const { db, clock, mail, deps, repo, triage, store } = ctx;

  return {
    /**
     * `deadline-rebuild` (§5): recomputes open cases whose deadlines were computed on an
     * older calendar. Each moved date supersedes its row, gets one timeline entry and an
     * email to the assignee. Closed cases are never recomputed.
     */
    async rebuild(_calendarVersion?: number): Promise<{ cases: number; moved: number }> {
      const { version } = await repo.calendar(db);
      let after: string | null = null;
      let count = 0;
      let moved = 0;
      for (;;) {
        const ids = await repo.casesToRebuild(db, version, after);
        if (ids.length === 0) break;
        for (const id of ids) {
          after = id;
          await db.transaction(async (tx) => {
            const row = await repo.caseRow(tx, id, true);
            if (!row || !OPEN_STATUSES.includes(row.status)) return;
            const { moves } = await store(tx, id, 'calendar');
            count += 1;
            if (moves.length === 0) return;
            const now = clock.now();
            const lines: string[] = [];
            for (const m of moves) {
              const what =
                m.kind === 'statutory' || m.kind === 'respond'
                  ? 'Due date'
                  : `${KIND_LABELS[m.kind]} date`;
              const text = `${what} moved ${fromTo(m.from, m.to)}: ${m.because}`;
              lines.push(text);
              moved += 1;
              await repo.insertTimeline(tx, {
                caseId: id,
                at: now,
                actorId: null,
                kind: 'deadline_moved',
                data: {
                  title: `${what} moved`,
                  description: text,
                  deadline: m.kind,
                  from: m.from,
                  to: m.to,
                  calendarVersion: version,
                },
              });
            }
            const assignee = row.assigneeId ? await repo.user(tx, row.assigneeId) : undefined;
            await mail.queue(tx, {
              to: assignee && !assignee.disabledAt ? assignee.email : triage,
              subject: `[${row.reference}] Due date moved`,
              text: [
                `The bank holidays changed, so a deadline on case ${row.reference} moved:`,
                '',
                ...lines,
                '',
                `${deps.publicUrl}/casework/${row.id}`,
              ].join('\n'),
              subjectType: 'case',
              subjectRef: row.id,
            });
          });
        }
      }
      return { cases: count, moved };
    },
  };
}
