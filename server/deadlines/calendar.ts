/**
 * The calendar service: the ONE source of working days for everything (deadlines, the
 * triage queue's "due soon", the CSV export, statistics). It reads the bank holidays an
 * admin and the daily refresh keep in the database, never the bundled file directly.
 */
import type { Db, DbOrTx } from '../../db/client.js';
import { buildCalendars, type Calendars, type Holiday } from '../lib/calendar.js';
import type { Clock } from '../lib/clock.js';
import { londonDateOf, type IsoDate } from '../lib/dates.js';
import { createDeadlinesRepository } from './repository.js';

export interface LoadedCalendars {
  version: number;
  holidays: Holiday[];
  /** England and Wales days only (the calculator's comparison). */
  ewOnly: Holiday[];
  cals: Calendars;
}

/** How stale `current()` may be when another process changed the holidays. */
export const CALENDAR_RECHECK_MS = 5_000;

export function createCalendarService(deps: { db: Db; clock: Clock; recheckMs?: number }) {
  const { db, clock } = deps;
  const repo = createDeadlinesRepository();
  const recheckMs = deps.recheckMs ?? CALENDAR_RECHECK_MS;
  /**
   * Holidays by calendar version. Only committed versions are cached: the functions that
   * bump the version never load holidays in the same transaction.
   */
  let cache: LoadedCalendars | undefined;
  let checkedAt = -Infinity;

  /** The holidays as of now, exactly (one version read): for working out deadlines. */
  async function load(dbOrTx: DbOrTx = db): Promise<LoadedCalendars> {
    const { version } = await repo.calendar(dbOrTx);
    checkedAt = performance.now();
    if (cache?.version === version) return cache;
    const holidays = await repo.liveHolidays(dbOrTx);
    const loaded = {
      version,
      holidays,
      ewOnly: holidays.filter((h) => h.division === 'england-and-wales'),
      cals: buildCalendars(holidays),
    };
    cache = loaded;
    return loaded;
  }

  /**
   * The holidays for reads that repeat (the queue, the export, statistics): re-checked at
   * most every few seconds. A change made in this process shows at once (`changed()`).
   */
  async function current(): Promise<LoadedCalendars> {
    if (cache && performance.now() - checkedAt < recheckMs) return cache;
    return load();
  }

  return {
    load,
    current,
    /** Called after a holiday change commits in this process: the next read reloads. */
    changed(): void {
      checkedAt = -Infinity;
    },
    /** Today's date in London. */
    today: (): IsoDate => londonDateOf(clock.now()),
    /** `date` plus `days` England and Wales working days (`date` itself is day 0). */
    async addWorkingDays(date: IsoDate, days: number): Promise<IsoDate> {
      return (await current()).cals.england_wales.addWorkingDays(date, days);
    },
    /** E&W working days after `from` up to and including `to` (0 when `to` is not later). */
    async workingDaysBetween(from: IsoDate, to: IsoDate): Promise<number> {
      return Math.max(0, (await current()).cals.england_wales.workingDaysBetween(from, to));
    },
  };
}
export type CalendarService = ReturnType<typeof createCalendarService>;
