/**
 * Reminders (§3.2) and the system moves of the timers: the scan stores the current stage of
 * every running timer (one row per complaint, kind, generation and stage: a rerun adds
 * nothing), skips earlier unsent stages, and hands back pending rows only between 09:00
 * and 17:00 London time on working days. `notify` locks a row, re-checks that the timer
 * still runs at that generation and stage, re-checks the hours, and queues one email with
 * the reference, the date and a link: no name, no allegation. Jobs carry the row id only.
 */
import { isWithinWorkingHours } from '../lib/deadline-rules.js';
import { formatDayDate, londonDateOf } from '../lib/dates.js';
import { systemActor } from '../platform/audit.js';
import type { ComplaintsDeps } from './ports.js';
import { currentStage, STAGE_LABELS, TIMER_RULES, type TimerKind } from './timers.js';
import type { createTransitionsService } from './transitions.js';

export function createRemindersService(
  deps: ComplaintsDeps,
  transitions: ReturnType<typeof createTransitionsService>,
) {
  const { db, repo, clock } = deps;

  return {
    /** Timers worked out on an older holiday calendar are worked out again (§3.1). */
    async rebuildStale(): Promise<number> {
      const { version } = await deps.calendar(db);
      const ids = await repo.staleCalendar(db, version);
      for (const id of ids)
        await db.transaction(async (tx) => {
          const row = await repo.lock(tx, id);
          if (row) await deps.timers.recompute(tx, row);
        });
      return ids.length;
    },

    async scan(): Promise<{
      inserted: number;
      toSend: string[];
      inHours: boolean;
      rebuilt: number;
    }> {
      const rebuilt = await this.rebuildStale();
      const now = clock.now();
      const today = londonDateOf(now);
      const { calendar } = await deps.calendar(db);
      const rows = await repo.runningTimers(db);
      let inserted = 0;
      await db.transaction(async (tx) => {
        for (const { timer } of rows) {
          const kind = timer.kind as TimerKind;
          if (!TIMER_RULES[kind]) continue;
          const stage = currentStage(today, kind, timer.dueOn, timer.startOn, calendar);
          if (!stage) continue;
          const key = { complaintId: timer.complaintId, kind, generation: timer.generation };
          const id = await repo.insertReminder(tx, {
            ...key,
            stage,
            dueOn: timer.dueOn,
            createdAt: now,
          });
          if (id) inserted += 1;
          const stages = TIMER_RULES[kind].stages;
          await repo.skipEarlier(tx, key, stages.slice(0, stages.indexOf(stage)));
        }
      });
      const inHours = isWithinWorkingHours(now, calendar);
      return { inserted, toSend: inHours ? await repo.pendingReminders(db) : [], inHours, rebuilt };
    },

    async notify(reminderId: string): Promise<'sent' | 'cancelled' | 'deferred' | 'noop'> {
      return db.transaction(async (tx) => {
        const n = await repo.lockReminder(tx, reminderId);
        if (!n || n.status !== 'pending') return 'noop';
        const now = clock.now();
        const cancel = async (reason: string) => {
          await repo.updateReminder(tx, n.id, { status: 'cancelled', reason });
          return 'cancelled' as const;
        };
        const row = await repo.findVisible(tx, n.complaintId, { id: null, role: 'system' });
        if (!row || row.disposedAt || row.concludedOn) return cancel('the complaint is concluded');
        const timer = (await repo.liveTimers(tx, row.id)).find((t) => t.kind === n.kind);
        if (!timer || timer.generation !== n.generation) return cancel('the timer changed');
        if (timer.stopped) return cancel('the timer has stopped');
        const { calendar } = await deps.calendar(tx);
        const kind = n.kind as TimerKind;
        if (currentStage(londonDateOf(now), kind, timer.dueOn, timer.startOn, calendar) !== n.stage)
          return cancel('the stage is no longer current');
        if (!isWithinWorkingHours(now, calendar)) return 'deferred';
        const to = new Set<string>();
        for (const userId of [row.assigneeId, row.managerId]) {
          const user = userId ? await repo.user(tx, userId) : undefined;
          if (user && !user.disabledAt) to.add(user.email);
        }
        if (to.size === 0)
          for (const a of await repo.accessList(tx, row.id)) {
            const user = await repo.user(tx, a.userId);
            if (user && !user.disabledAt) to.add(user.email);
          }
        if (to.size === 0) return cancel('nobody to tell');
        const label = TIMER_RULES[kind].label;
        const stage = n.stage;
        const emailId = await deps.mail.queue(tx, {
          to: [...to].join(', '),
          subject: `[${row.reference}] ${STAGE_LABELS[stage]}: ${label}`,
          text: [
            `Complaint ${row.reference}: ${label.toLowerCase()}, ${stage === 'early' ? 'due' : STAGE_LABELS[stage].toLowerCase()} ${stage === 'overdue' || stage === 'escalated' ? 'since' : 'on'} ${formatDayDate(timer.dueOn)}.`,
            '',
            `${deps.publicUrl}/complaints/${row.id}`,
          ].join('\n'),
          subjectType: 'complaint_reminder',
          subjectRef: n.id,
          messageId: `cn-${n.id}@${deps.mailDomain}`,
        });
        await repo.updateReminder(tx, n.id, { status: 'sent', sentAt: now, emailId });
        return 'sent';
      });
    },

    /** `complaint-window-close`: the day after the review window, with no application (S). */
    async closeWindows(): Promise<{ closed: number }> {
      const today = londonDateOf(clock.now());
      const ids = await repo.windowsToClose(db, today);
      let closed = 0;
      for (const id of ids) {
        try {
          await transitions.transition(systemActor(), id, {
            to: 'closed',
            at: today,
            reason: 'No review application was notified within the review window',
          });
          closed += 1;
        } catch {
          // Moved by someone else meanwhile: the next run looks again.
        }
      }
      return { closed };
    },
  };
}
export type RemindersService = ReturnType<typeof createRemindersService>;
