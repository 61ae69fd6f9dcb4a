/**
 * Stores a complaint's timers (§3.1): works them out from the record (timers.ts) on the
 * current holiday calendar and keeps one live row per kind. A changed start or due date
 * supersedes the row with the next generation (so reminders start again for it); stopping
 * keeps the row and its generation, so no reminder goes after the timer stops.
 */
import type { DbOrTx } from '../../db/client.js';
import { buildCalendars, type WorkingCalendar } from '../lib/calendar.js';
import type { Clock } from '../lib/clock.js';
import type { ComplaintRow, ComplaintsRepository } from './repository.js';
import {
  computeTimers,
  isUnderInvestigation,
  type TimerFacts,
  type TimerSettings,
} from './timers.js';

export interface ComplaintCalendar {
  version: number;
  calendar: WorkingCalendar;
}

/** The England and Wales working-day calendar, cached by the holiday data's version. */
export function createCalendarSource(repo: ComplaintsRepository) {
  let cache: ComplaintCalendar | undefined;
  return async (tx: DbOrTx): Promise<ComplaintCalendar> => {
    const version = await repo.calendarVersion(tx);
    if (cache?.version === version) return cache;
    const holidays = await repo.liveHolidays(tx);
    const loaded = { version, calendar: buildCalendars(holidays).england_wales };
    cache = loaded;
    return loaded;
  };
}

export function settingsOf(map: Map<string, unknown>): TimerSettings {
  const amounts: Record<string, number> = {};
  for (const [key, value] of map) if (typeof value === 'number') amounts[key] = value;
  return {
    amounts,
    updateClockStart:
      map.get('update_clock_start') === 'handling_start' ? 'handling_start' : 'received_on',
  };
}

export function createTimerStore(deps: {
  repo: ComplaintsRepository;
  clock: Clock;
  calendar: (tx: DbOrTx) => Promise<ComplaintCalendar>;
}) {
  const { repo, clock } = deps;

  async function facts(tx: DbOrTx, row: ComplaintRow): Promise<TimerFacts> {
    const [contacts, transitions, review] = await Promise.all([
      repo.contacts(tx, row.id),
      repo.transitions(tx, row.id),
      row.stream === 'review' ? repo.review(tx, row.id) : Promise.resolve(undefined),
    ]);
    const moves = transitions.filter((t) => t.t.toStatus && t.t.toStatus !== t.t.fromStatus);
    const statusSinceOn = moves.at(-1)?.t.occurredOn ?? row.receivedOn;
    const dates = (kind: string) =>
      contacts
        .filter((c) => c.kind === kind)
        .map((c) => c.occurredOn)
        .sort();
    const outcomeLetterOn = row.outcomeOn
      ? (dates('outcome').find((d) => d >= row.outcomeOn!) ?? null)
      : null;
    const acknowledged = contacts.find((c) => c.templateKey === 'acknowledgement');
    return {
      stream: row.stream,
      status: row.status,
      suspended: row.suspended,
      madeOn: row.madeOn,
      receivedOn: row.receivedOn,
      recordedOn: row.recordedOn,
      firstContactOn: row.firstContactOn,
      handlingStartedOn: row.handlingStartedOn,
      handling: row.handling,
      outcomeOn: row.outcomeOn,
      outcomeLetterOn,
      reviewInfoGivenOn: row.reviewInfoGivenOn,
      withdrawalLetterOn: row.withdrawalLetterOn,
      referralDecidedOn: row.referralDecidedOn,
      concludedOn: row.concludedOn,
      updatesSent: dates('update'),
      reportsSent: dates('report'),
      investigating: isUnderInvestigation(row.status),
      investigationEndedOn: row.investigationEndedOn,
      reviewDecidedOn: review?.decidedOn ?? null,
      reviewAcknowledgedOn: acknowledged?.occurredOn ?? null,
      statusSinceOn,
    };
  }

  return {
    facts,

    /** Recomputes and stores the complaint's timers in `tx`. */
    async recompute(tx: DbOrTx, row: ComplaintRow): Promise<void> {
      const { version, calendar } = await deps.calendar(tx);
      const settings = settingsOf(await repo.settings(tx));
      const wanted = computeTimers(await facts(tx, row), calendar, settings);
      const live = await repo.liveTimers(tx, row.id);
      const now = clock.now();
      for (const timer of wanted) {
        const current = live.find((l) => l.kind === timer.kind);
        if (current && current.startOn === timer.startOn && current.dueOn === timer.dueOn) {
          if (
            current.stopped !== timer.stopped ||
            current.stoppedOn !== timer.stoppedOn ||
            current.calendarVersion !== version
          )
            await repo.setTimerStopped(
              tx,
              current.id,
              timer.stopped,
              timer.stoppedOn,
              timer.explanation,
              version,
            );
          continue;
        }
        if (current) await repo.supersedeTimer(tx, current.id, now);
        const generation = (await repo.maxGeneration(tx, row.id, timer.kind)) + 1;
        await repo.insertTimer(tx, {
          complaintId: row.id,
          kind: timer.kind,
          generation,
          startOn: timer.startOn,
          dueOn: timer.dueOn,
          stopped: timer.stopped,
          stoppedOn: timer.stoppedOn,
          explanation: timer.explanation,
          calendarVersion: version,
          createdAt: now,
        });
      }
      // A timer that no longer applies (the complaint went back for re-handling) is stopped.
      for (const current of live)
        if (!wanted.some((w) => w.kind === current.kind) && !current.stopped)
          await repo.supersedeTimer(tx, current.id, now);
    },
  };
}
export type TimerStore = ReturnType<typeof createTimerStore>;
