import type { DbOrTx } from '../../db/client.js';
import type { DeadlineRow } from '../../db/schema/index.js';
import { formatDayDate, londonDateOf } from '../lib/dates.js';
import { isWithinWorkingHours } from '../lib/deadline-rules.js';
import type { Actor } from '../platform/audit.js';
import type { ClockSubject } from './adapter.js';
import { emailExists } from './repository.js';
import { currentStage, STAGE_LABELS, STAGES, stageStarts, type Stage } from './stages.js';
import { DIGEST_WORKING_DAYS } from './labels.js';
import { iso } from './wording.js';
import { type DeadlinesContext } from './context.js';

/** Warnings (§6): the scan, sending each stage once, the home panel and the digest. */
export function createWarnings(ctx: DeadlinesContext) {
  const { db, clock, mail, deps, repo, triage, calendar, adapters, adapterFor } = ctx;
  const { stagePolicies, managerAddresses, kindLabel } = ctx;

  /**
   * Running timers of open subjects, with their subjects, soonest first; a kind the domain
   * has already met (an acknowledgement sent) is left out. `assigneeId` narrows to one
   * person's subjects.
   */
  async function warnable(
    dbOrTx: DbOrTx,
    assigneeId?: string,
  ): Promise<Array<{ timer: DeadlineRow; subject: ClockSubject }>> {
    const out: Array<{ timer: DeadlineRow; subject: ClockSubject }> = [];
    for (const adapter of adapters.values()) {
      const ids = assigneeId ? await adapter.assignedTo(dbOrTx, assigneeId) : undefined;
      const rows = await repo.running(dbOrTx, { type: adapter.type, ids });
      const subjects = await adapter.openAmong(dbOrTx, [...new Set(rows.map((r) => r.subjectId))]);
      for (const timer of rows) {
        const subject = subjects.get(timer.subjectId);
        if (subject && !subject.metKinds.includes(timer.kind)) out.push({ timer, subject });
      }
    }
    return out.sort(
      (a, b) =>
        a.timer.effectiveDueOn!.localeCompare(b.timer.effectiveDueOn!) ||
        a.subject.reference.localeCompare(b.subject.reference),
    );
  }

  return {
    /**
     * `sla-scan` (§6): inserts the current stage of every running deadline (ON CONFLICT DO
     * NOTHING), skips unsent earlier stages, cancels rows whose deadline changed, and
     * returns the pending rows to send, but only in working hours.
     */
    async scan(): Promise<{ inserted: number; toSend: string[]; inHours: boolean }> {
      const now = clock.now();
      const today = londonDateOf(now);
      const { cals } = await calendar.load();
      const policyOf = await stagePolicies(db);
      const rows = await warnable(db);
      let inserted = 0;
      const keys: Array<{
        subjectType: string;
        subjectId: string;
        kind: string;
        generation: number;
        stage: string;
      }> = [];
      await db.transaction(async (tx) => {
        await repo.cancelStale(tx);
        for (const { timer: d, subject } of rows) {
          const stage = currentStage(
            today,
            d.effectiveDueOn!,
            d.startOn,
            cals.england_wales,
            policyOf(subject.regime, d.kind),
          );
          if (!stage) continue;
          const key = {
            subjectType: d.subjectType,
            subjectId: d.subjectId,
            kind: d.kind,
            generation: d.generation,
          };
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
     * if the subject closed or responded, the generation changed, the clock stopped or the
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
        const adapter = adapterFor(n.subjectType);
        const subject = await adapter.load(tx, n.subjectId);
        if (!subject?.open) return cancel(`the ${adapter.noun} is closed or responded`);
        const live = (await repo.liveDeadlines(tx, { type: n.subjectType, id: n.subjectId })).find(
          (d) => d.kind === n.kind,
        );
        if (!live || live.generation !== n.generation) return cancel('the deadline changed');
        if (live.stopped || live.completedOn || !live.effectiveDueOn)
          return cancel('the clock is stopped');
        if (subject.metKinds.includes(live.kind)) return cancel('already acknowledged');
        const { cals } = await calendar.load(tx);
        const policyOf = await stagePolicies(tx);
        const stage = currentStage(
          londonDateOf(now),
          live.effectiveDueOn,
          live.startOn,
          cals.england_wales,
          policyOf(subject.regime, live.kind),
        );
        if (stage !== n.stage) return cancel('the stage is no longer due');
        if (!isWithinWorkingHours(now, cals.england_wales)) return 'deferred';
        const to = new Set<string>();
        if (adapter.recipients) {
          for (const address of await adapter.recipients(tx, subject, stage)) to.add(address);
          if (to.size === 0) return cancel('nobody to tell');
        } else {
          const assignee = subject.assigneeId ? await repo.user(tx, subject.assigneeId) : undefined;
          to.add(assignee && !assignee.disabledAt ? assignee.email : triage);
          if (stage === 'overdue' || stage === 'escalated')
            for (const m of await managerAddresses(tx)) to.add(m);
        }
        await repo.updateNotification(tx, n.id, { attemptedAt: now });
        const due = live.effectiveDueOn;
        const stageText: Record<Stage, string> = {
          early: `due on ${formatDayDate(due)}`,
          due_today: `due today, ${formatDayDate(due)}`,
          overdue: `overdue: it was due on ${formatDayDate(due)}`,
          escalated: `escalated: it was due on ${formatDayDate(due)} and is still open`,
        };
        const label = kindLabel(subject.regime, live.kind);
        const noun = `${subject.noun[0]!.toUpperCase()}${subject.noun.slice(1)}`;
        // Reference, type, stage, due date and a link: no requester name or subject (§6).
        const emailId = await mail.queue(tx, {
          to: [...to].join(', '),
          subject: `[${subject.reference}] ${STAGE_LABELS[stage]}: ${label}`,
          text: [
            `${noun} ${subject.reference} (${subject.typeLabel}): the ${label.toLowerCase()} is ${stageText[stage]}.`,
            '',
            `Stage: ${STAGE_LABELS[stage]}`,
            `Due: ${formatDayDate(due)}`,
            '',
            `${deps.publicUrl}${subject.path}`,
          ].join('\n'),
          messageId: `dl-${n.id}@${deps.mailDomain}`,
          subjectType: subject.type,
          subjectRef: subject.id,
        });
        await repo.updateNotification(tx, n.id, {
          status: 'sent',
          sentAt: clock.now(),
          emailId,
        });
        return 'sent';
      });
    },

    /** The home panel: running deadlines of my subjects that have reached a stage. */
    async myWarnings(actor: Actor) {
      if (!actor.id) return [];
      const { cals } = await calendar.load();
      const policyOf = await stagePolicies(db);
      const today = londonDateOf(clock.now());
      const rows = await warnable(db, actor.id);
      return rows
        .map(({ timer, subject }) => ({
          caseId: subject.id,
          subjectType: subject.type,
          path: subject.path,
          reference: subject.reference,
          kind: timer.kind,
          kindLabel: kindLabel(subject.regime, timer.kind),
          dueOn: timer.effectiveDueOn!,
          stage: currentStage(
            today,
            timer.effectiveDueOn!,
            timer.startOn,
            cals.england_wales,
            policyOf(subject.regime, timer.kind),
          ),
        }))
        .filter((w) => w.stage !== null)
        .map((w) => ({ ...w, stageLabel: STAGE_LABELS[w.stage!] }));
    },

    /**
     * `deadline-digest`: on E&W working days, each caseworker and manager gets one email of
     * their subjects due in the next 5 working days (Message-ID per person and day).
     */
    async digest(): Promise<{ sent: number }> {
      const now = clock.now();
      const today = londonDateOf(now);
      const { cals } = await calendar.load();
      if (!cals.england_wales.isWorkingDay(today)) return { sent: 0 };
      const until = cals.england_wales.addWorkingDays(today, DIGEST_WORKING_DAYS);
      const rows = (await warnable(db)).filter(
        (r) => r.subject.assigneeId && r.timer.effectiveDueOn! <= until,
      );
      const byUser = new Map<string, typeof rows>();
      for (const r of rows)
        byUser.set(r.subject.assigneeId!, [...(byUser.get(r.subject.assigneeId!) ?? []), r]);
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
                ({ timer: t, subject: s }) =>
                  `- ${s.reference} (${s.typeLabel}), ${kindLabel(s.regime, t.kind).toLowerCase()}: ${t.effectiveDueOn! < today ? 'overdue, was due' : 'due'} ${formatDayDate(t.effectiveDueOn!)}: ${deps.publicUrl}${s.path}`,
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

    /** For a subject's page: warnings recorded for it. */
    async notificationsFor(type: string, id: string) {
      return (await repo.notifications(db, { type, id })).map((n) => ({
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
