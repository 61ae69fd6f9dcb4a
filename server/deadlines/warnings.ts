import { OPEN_STATUSES } from '../correspondence/workflow.js';
import { formatDayDate, londonDateOf } from '../lib/dates.js';
import { isWithinWorkingHours } from '../lib/deadline-rules.js';
import type { Actor } from '../platform/audit.js';
import { emailExists } from './repository.js';
import { currentStage, STAGE_LABELS, STAGES, stageStarts, type Stage } from './stages.js';
import { KIND_LABELS, DIGEST_WORKING_DAYS } from './labels.js';
import { iso } from './wording.js';
import { type DeadlinesContext } from './context.js';

/** Warnings (§6): the scan, sending each stage once, the home panel and the digest. */
export function createWarnings(ctx: DeadlinesContext) {
  const { db, clock, mail, deps, repo, triage, loadHolidays, stagePolicies, managerAddresses } =
    ctx;

  return {
    // ---- Warnings ------------------------------------------------------------------------

    /**
     * `sla-scan` (§6): inserts the current stage of every running deadline (ON CONFLICT DO
     * NOTHING), skips unsent earlier stages, cancels rows whose deadline changed, and
     * returns the pending rows to send, but only in working hours.
     */
    async scan(): Promise<{ inserted: number; toSend: string[]; inHours: boolean }> {
      const now = clock.now();
      const today = londonDateOf(now);
      const { cals } = await loadHolidays();
      const policyOf = await stagePolicies(db);
      const rows = await repo.warnable(db);
      let inserted = 0;
      const keys: Array<{ caseId: string; kind: string; generation: number; stage: string }> = [];
      await db.transaction(async (tx) => {
        await repo.cancelStale(tx);
        for (const r of rows) {
          const d = r.deadline;
          if (d.kind === 'acknowledge' && r.acknowledgedAt) continue;
          const stage = currentStage(
            today,
            d.effectiveDueOn!,
            d.startOn,
            cals.england_wales,
            policyOf(r.type, d.kind),
          );
          if (!stage) continue;
          const key = { caseId: d.caseId, kind: d.kind, generation: d.generation };
          const id = await repo.insertNotification(tx, {
            ...key,
            stage,
            dueOn: d.effectiveDueOn!,
            createdAt: now,
          });
          if (id) inserted += 1;
          await repo.skipEarlier(tx, key, STAGES.slice(0, STAGES.indexOf(stage)));
          keys.push({ ...key, stage });
        }
      });
      const inHours = isWithinWorkingHours(now, cals.england_wales);
      const toSend = inHours ? (await repo.pendingFor(db, keys)).map((n) => n.id) : [];
      return { inserted, toSend, inHours };
    },

    /**
     * `deadline-notify` (§6), in one transaction: lock the row, stop unless pending; cancel
     * if the case closed or responded, the generation changed, the clock stopped or the
     * stage passed; recheck working hours; queue the email with Message-ID dl-{id}.
     */
    async notify(notificationId: string): Promise<'sent' | 'cancelled' | 'deferred' | 'noop'> {
      return db.transaction(async (tx) => {
        const n = await repo.lockNotification(tx, notificationId);
        if (!n || n.status !== 'pending') return 'noop';
        const now = clock.now();
        const cancel = async (reason: string) => {
          await repo.updateNotification(tx, n.id, { status: 'cancelled', reason });
          return 'cancelled' as const;
        };
        const row = await repo.caseRow(tx, n.caseId);
        if (!row || !OPEN_STATUSES.includes(row.status))
          return cancel('the case is closed or responded');
        const live = (await repo.liveDeadlines(tx, n.caseId)).find((d) => d.kind === n.kind);
        if (!live || live.generation !== n.generation) return cancel('the deadline changed');
        if (live.stopped || live.completedOn || !live.effectiveDueOn)
          return cancel('the clock is stopped');
        if (live.kind === 'acknowledge' && row.acknowledgedAt)
          return cancel('already acknowledged');
        const { cals } = await loadHolidays(tx);
        const policyOf = await stagePolicies(tx);
        const stage = currentStage(
          londonDateOf(now),
          live.effectiveDueOn,
          live.startOn,
          cals.england_wales,
          policyOf(row.type, live.kind),
        );
        if (stage !== n.stage) return cancel('the stage is no longer due');
        if (!isWithinWorkingHours(now, cals.england_wales)) return 'deferred';
        await repo.updateNotification(tx, n.id, { attemptedAt: now });
        const assignee = row.assigneeId ? await repo.user(tx, row.assigneeId) : undefined;
        const to = new Set<string>([assignee && !assignee.disabledAt ? assignee.email : triage]);
        if (stage === 'overdue' || stage === 'escalated')
          for (const m of await managerAddresses(tx)) to.add(m);
        const due = live.effectiveDueOn;
        const stageText: Record<Stage, string> = {
          early: `due on ${formatDayDate(due)}`,
          due_today: `due today, ${formatDayDate(due)}`,
          overdue: `overdue: it was due on ${formatDayDate(due)}`,
          escalated: `escalated: it was due on ${formatDayDate(due)} and is still open`,
        };
        // Reference, type, stage, due date and a link: no requester name or subject (§6).
        const emailId = await mail.queue(tx, {
          to: [...to].join(', '),
          subject: `[${row.reference}] ${STAGE_LABELS[stage]}: ${KIND_LABELS[live.kind] ?? live.kind}`,
          text: [
            `Case ${row.reference} (${row.type.toUpperCase()}): the ${(KIND_LABELS[live.kind] ?? live.kind).toLowerCase()} is ${stageText[stage]}.`,
            '',
            `Stage: ${STAGE_LABELS[stage]}`,
            `Due: ${formatDayDate(due)}`,
            '',
            `${deps.publicUrl}/casework/${row.id}`,
          ].join('\n'),
          messageId: `dl-${n.id}@${deps.mailDomain}`,
          subjectType: 'case',
          subjectRef: row.id,
        });
        await repo.updateNotification(tx, n.id, {
          status: 'sent',
          sentAt: clock.now(),
          emailId,
        });
        return 'sent';
      });
    },

    /** The home panel: running deadlines of my cases that have reached a stage. */
    async myWarnings(actor: Actor) {
      if (!actor.id) return [];
      const { cals } = await loadHolidays();
      const policyOf = await stagePolicies(db);
      const today = londonDateOf(clock.now());
      const rows = await repo.warnable(db, { assigneeId: actor.id });
      return rows
        .filter((r) => !(r.deadline.kind === 'acknowledge' && r.acknowledgedAt))
        .map((r) => ({
          caseId: r.deadline.caseId,
          reference: r.reference,
          kind: r.deadline.kind,
          kindLabel: KIND_LABELS[r.deadline.kind] ?? r.deadline.kind,
          dueOn: r.deadline.effectiveDueOn!,
          stage: currentStage(
            today,
            r.deadline.effectiveDueOn!,
            r.deadline.startOn,
            cals.england_wales,
            policyOf(r.type, r.deadline.kind),
          ),
        }))
        .filter((w) => w.stage !== null)
        .map((w) => ({ ...w, stageLabel: STAGE_LABELS[w.stage!] }));
    },

    /**
     * `deadline-digest`: on E&W working days, each caseworker and manager gets one email of
     * their cases due in the next 5 working days (Message-ID per person and day).
     */
    async digest(): Promise<{ sent: number }> {
      const now = clock.now();
      const today = londonDateOf(now);
      const { cals } = await loadHolidays();
      if (!cals.england_wales.isWorkingDay(today)) return { sent: 0 };
      const until = cals.england_wales.addWorkingDays(today, DIGEST_WORKING_DAYS);
      const rows = (await repo.warnable(db)).filter(
        (r) =>
          r.assigneeId &&
          !(r.deadline.kind === 'acknowledge' && r.acknowledgedAt) &&
          r.deadline.effectiveDueOn! <= until,
      );
      const byUser = new Map<string, typeof rows>();
      for (const r of rows) byUser.set(r.assigneeId!, [...(byUser.get(r.assigneeId!) ?? []), r]);
      let sent = 0;
      for (const [userId, list] of byUser) {
        const messageId = `digest-${userId}-${today}@${deps.mailDomain}`;
        await db.transaction(async (tx) => {
          if (await emailExists(tx, messageId)) return;
          const user = await repo.user(tx, userId);
          if (!user || user.disabledAt) return;
          await mail.queue(tx, {
            to: user.email,
            subject: `Your cases due by ${formatDayDate(until)}`,
            text: [
              `Cases assigned to you that are overdue or due in the next ${DIGEST_WORKING_DAYS} working days:`,
              '',
              ...list.map(
                (r) =>
                  `- ${r.reference} (${r.type.toUpperCase()}), ${(KIND_LABELS[r.deadline.kind] ?? r.deadline.kind).toLowerCase()}: ${r.deadline.effectiveDueOn! < today ? 'overdue, was due' : 'due'} ${formatDayDate(r.deadline.effectiveDueOn!)}: ${deps.publicUrl}/casework/${r.deadline.caseId}`,
              ),
            ].join('\n'),
            messageId,
            subjectType: 'digest',
            subjectRef: userId,
          });
          sent += 1;
        });
      }
      return { sent };
    },

    /** For the case page: warnings recorded for a case. */
    async notificationsFor(caseId: string) {
      return (await repo.notifications(db, caseId)).map((n) => ({
        kind: n.kind,
        stage: n.stage,
        stageLabel: STAGE_LABELS[n.stage],
        status: n.status,
        dueOn: n.dueOn,
        sentAt: iso(n.sentAt),
      }));
    },

    stageStarts,
  };
}
