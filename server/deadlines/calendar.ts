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
/** From this fraction of the re-check interval on, a read starts the re-check early. */
const REFRESH_AHEAD = 0.75;

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
  /**
   * The re-check under way, shared, and begun before the cache lapses: every request
   * arriving once it had lapsed used to wait for a version read of its own (up to a hundred
   * every 5 s under load, queued behind the case reads; bench/README.md, session 8).
   * `changed()` bumps the generation, so a re-check begun before a change is not joined.
   */
  let generation = 0;
  let checking: { generation: number; loaded: Promise<LoadedCalendars> } | undefined;

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
    const age = performance.now() - checkedAt;
    if (cache && age < recheckMs) {
      // Re-checked ahead, in the background, so steady reads never wait for it.
      if (age >= recheckMs * REFRESH_AHEAD && !checking) recheck().catch(() => undefined);
      return cache;
    }
    return recheck();
  }

  function recheck(): Promise<LoadedCalendars> {
    if (checking?.generation === generation) return checking.loaded;
    const entry = { generation, loaded: load() };
    checking = entry;
    const done = () => {
      if (checking === entry) checking = undefined;
    };
    entry.loaded.then(done, done);
    return entry.loaded;
  }

  return {
    load,
    current,
    /** Called after a holiday change commits in this process: the next read reloads. */
    changed(): void {
      checkedAt = -Infinity;
      generation += 1;
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
