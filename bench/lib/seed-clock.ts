/**
 * The clock, as bench/seed.ts uses it: every seeded case gets the stored deadlines (timers,
 * `case_deadlines`) and the `cases.next_due_on` the clock (server/deadlines) would have
 * written for a case with its history, worked out by the same code. Nothing here restates
 * a rule: the holidays are the ones the app loads (`loadBundle`, then the calendar service
 * reads the table), the office targets are the `sla_policies` rows, the rules are the
 * regimes correspondence registers (`CORRESPONDENCE_REGIMES`, registered here as its service
 * does), the subject is correspondence's own `caseSubject`, and the rows are the clock's own
 * `timerRowsOf`. test/deadlines-db/bench-seed.test.ts checks a sample of seeded cases
 * against a live recompute, so a drift between the two fails a test.
 *
 * What a seeded case's history is, as the clock saw it: created (its timers stored, generation
 * 1), then perhaps one clock event that stops its clock (awaiting the requester), a reply
 * or a closure. A timer whose dates that moved is generation 2, stored when it moved; the
 * superseded generation-1 rows are not written (they are never read by a case view, a queue
 * or a warning, and would double the table).
 */
import { randomBytes } from 'node:crypto';
import { getTableColumns } from 'drizzle-orm';
import { createDb, type DbClient } from '../../db/client.js';
import { caseDeadlines, type PolicyRow } from '../../db/schema/index.js';
import { caseSubject, type CaseClockFields } from '../../server/correspondence/clock-adapter.js';
import { CORRESPONDENCE_REGIMES } from '../../server/correspondence/regimes.js';
import type { ClockSubject } from '../../server/deadlines/adapter.js';
import {
  createRegimeRegistry,
  type Regime,
  type RegimeComputation,
} from '../../server/deadlines/regimes.js';
import { createDeadlinesRepository } from '../../server/deadlines/repository.js';
import { createDeadlinesService } from '../../server/deadlines/service.js';
import { regimeInputOf, sameTimerDates, timerRowsOf } from '../../server/deadlines/timers.js';
import type { Holiday } from '../../server/lib/calendar.js';
import { systemClock } from '../../server/lib/clock.js';
import { londonDateOf, type IsoDate } from '../../server/lib/dates.js';
import { createMailService } from '../../server/mail/service.js';
import { createSuppressionList } from '../../server/mail/suppressions.js';
import { createMailTransport } from '../../server/mail/transport.js';
import { createAuditLog } from '../../server/platform/audit.js';

/** A clock event a seeded case carries (the one that stopped its clock). */
export interface SeedClockEvent {
  kind: string;
  at: Date;
  data: Record<string, unknown>;
}

/** A seeded case's state, as the clock reads it, and its one clock event if any. */
export type SeedCase = CaseClockFields & { receivedAt: Date; event: SeedClockEvent | null };

/** One `case_deadlines` row, every column (drizzle's keys), ready for COPY. */
export type TimerRow = Record<keyof typeof caseDeadlines.$inferSelect, unknown>;

/** The columns of `case_deadlines`, as drizzle's schema names them (for COPY). */
export const TIMER_COLUMNS = Object.entries(getTableColumns(caseDeadlines)).map(([key, col]) => ({
  key: key as keyof TimerRow,
  name: col.name,
}));

export interface SeedClock {
  /** The holiday data's version the timers were computed on. */
  calendarVersion: number;
  /** The regime of a case type (for checking a clock event before recording it). */
  regime(type: string): Regime;
  /** Field errors for a clock event on this case, as the clock would refuse it. */
  refuses(c: SeedCase, event: SeedClockEvent, today: IsoDate): boolean;
  /** What the clock works out for the case now (its effective due date is `next_due_on`). */
  compute(c: SeedCase): RegimeComputation;
  /** The live timer rows the case has after its history (ids from `newId`). */
  timerRows(c: SeedCase, newId: () => string): TimerRow[];
  close(): Promise<void>;
}

/**
 * Loads the bundled bank holidays into the bench database (what the app does at every
 * start) and reads back what the clock computes with: the calendar version, the holidays
 * and each regime's office policy.
 */
export async function openSeedClock(databaseUrl: string): Promise<SeedClock> {
  const client: DbClient = createDb(databaseUrl, { max: 2 });
  const transport = createMailTransport('smtp://127.0.0.1:9', client.db);
  try {
    const deadlines = createDeadlinesService({
      db: client.db,
      clock: systemClock,
      audit: createAuditLog(systemClock, client.db),
      // The seed sends no mail; the clock is built with the app's parts all the same.
      mail: createMailService({
        db: client.db,
        clock: systemClock,
        transport,
        from: 'bench@opcc.bench',
        domain: 'opcc.bench',
        suppressions: createSuppressionList(randomBytes(32).toString('hex')),
      }),
      mailDomain: 'opcc.bench',
      mailFrom: 'bench@opcc.bench',
      publicUrl: 'http://127.0.0.1',
      // No correspondence service here: its regimes are registered as it would.
      regimes: createRegimeRegistry(CORRESPONDENCE_REGIMES),
    });
    await deadlines.loadBundle();
    const loaded = await deadlines.calendar.load();
    const policyRows = await createDeadlinesRepository().policies(client.db);
    return seedClockOf(
      loaded.version,
      loaded.holidays,
      policyRows,
      (id) => deadlines.regimes.get(id),
      async () => {
        transport.close?.();
        await client.close();
      },
    );
  } catch (error) {
    await client.close();
    throw error;
  }
}

function seedClockOf(
  calendarVersion: number,
  holidays: readonly Holiday[],
  policyRows: readonly PolicyRow[],
  regime: (id: string) => Regime,
  close: () => Promise<void>,
): SeedClock {
  const policies = new Map<string, PolicyRow[]>();
  for (const row of policyRows)
    policies.set(row.caseType, [...(policies.get(row.caseType) ?? []), row]);

  const eventRows = (event: SeedClockEvent | null) =>
    event
      ? [{ kind: event.kind, occurredOn: londonDateOf(event.at), data: event.data, note: null }]
      : [];
  const inputOf = (subject: ClockSubject, event: SeedClockEvent | null) =>
    regimeInputOf(
      regime(subject.regime),
      subject,
      eventRows(event),
      policies.get(subject.regime) ?? [],
      holidays,
    );
  const computeFor = (subject: ClockSubject, event: SeedClockEvent | null) =>
    regime(subject.regime).compute(inputOf(subject, event));

  /** The timers a case had when it was created (status new, no events): by regime and day. */
  const atCreation = new Map<string, Map<string, ReturnType<typeof timerRowsOf>[number]>>();
  function createdTimers(c: SeedCase) {
    const key = `${c.type}|${c.subtype ?? ''}|${c.receivedOn}`;
    let timers = atCreation.get(key);
    if (!timers) {
      const subject = caseSubject({
        ...c,
        status: 'new',
        respondedAt: null,
        closedAt: null,
      });
      const rows = timerRowsOf(subject, computeFor(subject, null), calendarVersion, c.receivedAt);
      timers = new Map(rows.map((r) => [r.kind, r]));
      atCreation.set(key, timers);
    }
    return timers;
  }

  return {
    calendarVersion,
    regime,
    refuses(c, event, today) {
      const subject = caseSubject(c);
      const errors = regime(subject.regime).validateEvent(
        inputOf(subject, null),
        { kind: event.kind, at: londonDateOf(event.at), data: event.data },
        { today },
      );
      return errors.length > 0;
    },
    compute: (c) => computeFor(caseSubject(c), c.event),
    timerRows(c, newId) {
      const subject = caseSubject(c);
      const before = createdTimers(c);
      // The first change after creation: the clock event, the reply or the closure.
      const movedAt = c.event?.at ?? c.respondedAt ?? c.closedAt ?? c.receivedAt;
      return timerRowsOf(subject, computeFor(subject, c.event), calendarVersion, movedAt).map(
        (row) => {
          const created = before.get(row.kind);
          // Unchanged since creation: the clock refreshed the row in place (generation 1);
          // moved: it superseded it with generation 2, stored when it moved.
          const kept = created !== undefined && sameTimerDates(created, row);
          return {
            ...Object.fromEntries(TIMER_COLUMNS.map((column) => [column.key, null])),
            ...row,
            id: newId(),
            generation: created && !kept ? 2 : 1,
            createdAt: kept ? c.receivedAt : row.createdAt,
            supersededAt: null,
          } as TimerRow;
        },
      );
    },
    close,
  };
}
