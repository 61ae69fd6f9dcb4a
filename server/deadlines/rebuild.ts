import { systemActor, type Actor } from '../platform/audit.js';
import type { SubjectKey } from './repository.js';
import { fromTo } from './wording.js';
import { type DeadlinesContext } from './context.js';

const SYSTEM: Actor = systemActor();

/** Recomputing open subjects' timers when the holidays change (§5), for every subject type. */
export function createRebuild(ctx: DeadlinesContext) {
  const { db, clock, mail, deps, repo, triage, regimes, adapterFor, recompute, kindLabel } = ctx;

  return {
    /**
     * `deadline-rebuild` (§5): recomputes open subjects whose timers were computed on an
     * older calendar. Each moved date supersedes its row, gets one timeline entry and an
     * email to the assignee. Closed subjects are never recomputed.
     */
    async rebuild(_calendarVersion?: number): Promise<{ cases: number; moved: number }> {
      const { version } = await repo.calendar(db);
      let after: SubjectKey | null = null;
      let count = 0;
      let moved = 0;
      for (;;) {
        const keys = await repo.subjectsToRebuild(db, version, after);
        if (keys.length === 0) break;
        after = keys.at(-1)!;
        const byType = new Map<string, string[]>();
        for (const k of keys) byType.set(k.type, [...(byType.get(k.type) ?? []), k.id]);
        for (const [type, ids] of byType) {
          const adapter = adapterFor(type);
          const open = await adapter.openAmong(db, ids);
          for (const id of ids) {
            if (!open.has(id)) continue;
            await db.transaction(async (tx) => {
              const subject = await adapter.lock(tx, id, SYSTEM);
              if (!subject?.open) return;
              const { moves } = await recompute(tx, subject, 'calendar');
              count += 1;
              if (moves.length === 0) return;
              const now = clock.now();
              const lines: string[] = [];
              // The regime says which kinds are the date it shows as due; else its main one.
              const dueKinds = regimes.get(subject.regime).dueDateKinds;
              for (const m of moves) {
                const what = (dueKinds ? dueKinds.includes(m.kind) : m.main)
                  ? 'Due date'
                  : `${kindLabel(subject.regime, m.kind)} date`;
                const text = `${what} moved ${fromTo(m.from, m.to)}: ${m.because}`;
                lines.push(text);
                moved += 1;
                await adapter.timeline(tx, id, {
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
              const assignee = subject.assigneeId
                ? await repo.user(tx, subject.assigneeId)
                : undefined;
              const own = adapter.recipients ? await adapter.recipients(tx, subject, 'moved') : [];
              await mail.queue(tx, {
                to:
                  own.length > 0
                    ? own.join(', ')
                    : assignee && !assignee.disabledAt
                      ? assignee.email
                      : triage,
                subject: `[${subject.reference}] Due date moved`,
                text: [
                  `The bank holidays changed, so a deadline on ${subject.noun} ${subject.reference} moved:`,
                  '',
                  ...lines,
                  '',
                  `${deps.publicUrl}${subject.path}`,
                ].join('\n'),
                subjectType: subject.type,
                subjectRef: subject.id,
              });
            });
          }
        }
      }
      return { cases: count, moved };
    },
  };
}
