import { DIVISION_NAMES, DIVISIONS } from '../lib/calendar.js';
import { isIsoDate, londonDateOf } from '../lib/dates.js';
import type { Actor } from '../platform/audit.js';
import { notFound, validationError, type FieldErrors } from '../platform/errors.js';
import { adminOnly, holidayExists, removalNotPending } from './errors.js';
import { bundledHolidays } from './bundle.js';
import { LIMITS } from './labels.js';
import { isAdmin, iso } from './wording.js';
import { type DeadlinesContext } from './context.js';

/** Bank holidays (§2): the bundled snapshot, the admin page, adding and removing days. */
export function createHolidayAdmin(ctx: DeadlinesContext) {
  const { db, clock, audit, repo, calendar, bump, changeHolidays, coverageRows } = ctx;

  return {
    /** The holidays as of now (by calendar version). */
    loadHolidays: () => calendar.load(),

    /** The holiday data's version now. */
    async calendarVersion(): Promise<number> {
      return (await repo.calendar(db)).version;
    },

    /**
     * Upserts the committed snapshot as `bundled` (§2 "Offline"). Idempotent; never
     * deletes, and never brings back a day an admin removed.
     */
    async loadBundle(): Promise<{ added: number; calendarVersion: number }> {
      const holidays = bundledHolidays();
      return changeHolidays(async (tx) => {
        const cal = await repo.lockCalendar(tx);
        const added = await repo.insertHolidays(
          tx,
          holidays.map((h) => ({
            division: h.division,
            date: h.date,
            title: h.title,
            notes: h.notes ?? '',
            source: 'bundled' as const,
            createdAt: clock.now(),
          })),
        );
        // The first load has no stored deadlines to rebuild, so no outbox row.
        const version =
          cal.version === 0
            ? await repo.bumpVersion(tx, clock.now())
            : added > 0
              ? await bump(tx)
              : cal.version;
        return { added, calendarVersion: version };
      });
    },

    // ---- Holidays ------------------------------------------------------------------------

    /** Every holiday row, by division, for the admin page. */
    async holidays() {
      const rows = await repo.allHolidayRows(db);
      const cal = await repo.calendar(db);
      const today = londonDateOf(clock.now());
      return {
        calendar: {
          version: cal.version,
          lastRefreshAt: iso(cal.lastRefreshAt),
          lastRefreshError: cal.lastRefreshError,
          failedRefreshDays: cal.failedRefreshDays,
        },
        coverage: await coverageRows(today),
        divisions: DIVISIONS.map((division) => ({
          division,
          name: DIVISION_NAMES[division],
          rows: rows
            .filter((r) => r.division === division)
            .map((r) => ({
              date: r.date,
              title: r.title,
              notes: r.notes,
              source: r.source,
              missingSince: iso(r.missingSince),
              removed: r.removedAt !== null,
              upcoming: r.date >= today,
            })),
        })),
        pendingRemovals: rows
          .filter((r) => r.missingSince && !r.removedAt)
          .map((r) => ({
            division: r.division,
            divisionName: DIVISION_NAMES[r.division],
            date: r.date,
            title: r.title,
          })),
      };
    },

    /** Per-division coverage and whether the alert is raised (§2 "Coverage alert"). */
    async coverage() {
      const rows = await coverageRows(londonDateOf(clock.now()));
      return { divisions: rows, alert: rows.some((r) => r.short) };
    },

    /** An admin enters a proclaimed day early (`manual`); deadlines that span it move. */
    async addHoliday(actor: Actor, input: { division: string; date: string; title: string }) {
      if (!isAdmin(actor)) throw adminOnly('add a holiday');
      const fields: FieldErrors = {};
      const divisions =
        input.division === 'all' ? [...DIVISIONS] : DIVISIONS.filter((d) => d === input.division);
      if (divisions.length === 0) fields.division = 'Select a part of the UK';
      if (!isIsoDate(input.date)) fields.date = 'Enter a real date';
      else if (input.date < '2000-01-01' || input.date > '2100-12-31')
        fields.date = 'The date must be between 2000 and 2100';
      const title = input.title?.trim() ?? '';
      if (!title) fields.title = 'Enter the name of the holiday';
      else if (title.length > LIMITS.title)
        fields.title = `The name must be ${LIMITS.title} characters or fewer`;
      if (Object.keys(fields).length > 0) throw validationError(fields);
      return changeHolidays(async (tx) => {
        await repo.lockCalendar(tx);
        let changed = 0;
        for (const division of divisions) {
          const existing = await repo.holidayRow(tx, division, input.date);
          if (existing && !existing.removedAt) continue;
          if (existing) {
            await repo.updateHoliday(tx, division, input.date, {
              removedAt: null,
              removedById: null,
              missingSince: null,
              title,
              source: 'manual',
            });
          } else {
            await repo.insertHolidays(tx, [
              {
                division,
                date: input.date,
                title,
                source: 'manual',
                createdAt: clock.now(),
                createdById: actor.id,
              },
            ]);
          }
          changed += 1;
        }
        if (changed === 0) throw holidayExists();
        const version = await bump(tx);
        await audit.record(tx, actor, {
          action: 'holiday.add',
          subjectType: 'bank_holiday',
          subjectId: `${input.division}/${input.date}`,
          justification: title,
        });
        return { calendarVersion: version };
      });
    },

    /** An admin confirms a day the feed no longer lists (or removes a manual one). */
    async confirmRemoval(actor: Actor, input: { division: string; date: string }) {
      if (!isAdmin(actor)) throw adminOnly('remove a holiday');
      return changeHolidays(async (tx) => {
        await repo.lockCalendar(tx);
        const row = await repo.holidayRow(tx, input.division, input.date);
        if (!row || row.removedAt) throw notFound('Holiday not found');
        if (!row.missingSince && row.source !== 'manual') throw removalNotPending();
        await repo.updateHoliday(tx, input.division, input.date, {
          removedAt: clock.now(),
          removedById: actor.id,
        });
        const version = await bump(tx);
        await audit.record(tx, actor, {
          action: 'holiday.remove',
          subjectType: 'bank_holiday',
          subjectId: `${input.division}/${input.date}`,
        });
        return { calendarVersion: version };
      });
    },
  };
}
