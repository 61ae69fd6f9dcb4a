import { diffHolidays, parseGovUkBankHolidays, type Holiday } from '../lib/calendar.js';
import { formatDayDate, londonDateOf } from '../lib/dates.js';
import { GOVUK_BANK_HOLIDAYS_URL, REFRESH_TIMEOUT_MS } from './labels.js';
import type { RefreshResult, FetchLike } from './types.js';
import { type DeadlinesContext } from './context.js';

/** The daily gov.uk refresh and the weekly coverage email (§2). */
export function createHolidayRefresh(ctx: DeadlinesContext) {
  const { coverageRows, changeHolidays, db, clock, deps, repo, bump, emailAdmins } = ctx;

  return {
    /**
     * `holiday-refresh` (§2): fetch gov.uk (10 s timeout, format checked), apply additions
     * at once, mark removals for an admin to confirm. Failures are counted per day; after 3
     * failed days admins get one email. Also sends the weekly coverage email on Mondays.
     */
    async refreshHolidays(fetchImpl: FetchLike): Promise<RefreshResult> {
      const now = clock.now();
      const today = londonDateOf(now);
      let feed: Holiday[];
      try {
        const response = await fetchImpl(GOVUK_BANK_HOLIDAYS_URL, {
          signal: AbortSignal.timeout(REFRESH_TIMEOUT_MS),
          headers: { accept: 'application/json' },
        });
        if (!response.ok) throw new Error(`gov.uk answered ${response.status}`);
        feed = parseGovUkBankHolidays(await response.json());
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        return db.transaction(async (tx) => {
          const cal = await repo.lockCalendar(tx);
          const days =
            cal.lastFailedRefreshOn === today ? cal.failedRefreshDays : cal.failedRefreshDays + 1;
          await repo.updateCalendar(tx, {
            lastRefreshError: message.slice(0, 500),
            failedRefreshDays: days,
            lastFailedRefreshOn: today,
          });
          if (days >= 3 && !cal.failureAlertSentAt) {
            await emailAdmins(
              tx,
              'Bank holiday refresh has failed for 3 days',
              `The daily download of ${GOVUK_BANK_HOLIDAYS_URL} has failed on ${days} days in a row.\n\nLast error: ${message}\n\nDeadlines are still worked out from the holidays already stored. Check the network, or add any newly proclaimed bank holiday by hand at ${deps.publicUrl}/admin/holidays.`,
              `holiday-refresh-failed-${today}@${deps.mailDomain}`,
            );
            await repo.updateCalendar(tx, { failureAlertSentAt: now });
          }
          return {
            ok: false,
            added: 0,
            pendingRemovals: 0,
            calendarVersion: cal.version,
            error: message,
          };
        });
      }
      const result = await changeHolidays(async (tx) => {
        const cal = await repo.lockCalendar(tx);
        const rows = await repo.allHolidayRows(tx);
        const key = (h: { division: string; date: string }) => `${h.division}|${h.date}`;
        const byKey = new Map(rows.map((r) => [key(r), r]));
        const live = rows
          .filter((r) => !r.removedAt)
          .map((r) => ({ division: r.division, date: r.date, title: r.title }));
        const { added, removed } = diffHolidays(live, feed);
        let applied = 0;
        for (const h of added) {
          const existing = byKey.get(key(h));
          if (existing) {
            await repo.updateHoliday(tx, h.division, h.date, {
              removedAt: null,
              removedById: null,
              missingSince: null,
              title: h.title,
              notes: h.notes ?? '',
              source: 'govuk',
            });
          } else {
            await repo.insertHolidays(tx, [
              {
                division: h.division,
                date: h.date,
                title: h.title,
                notes: h.notes ?? '',
                source: 'govuk',
                createdAt: now,
              },
            ]);
          }
          applied += 1;
        }
        // Back in the feed: no longer a pending removal.
        const feedKeys = new Set(feed.map(key));
        for (const r of rows)
          if (r.missingSince && !r.removedAt && feedKeys.has(key(r)))
            await repo.updateHoliday(tx, r.division, r.date, { missingSince: null });
        // Removals make deadlines earlier: they wait for an admin. Only within the years the
        // feed covers for that division (gov.uk drops old years), and never manual days.
        const years = new Map<string, { min: string; max: string }>();
        for (const h of feed) {
          const y = h.date.slice(0, 4);
          const span = years.get(h.division) ?? { min: y, max: y };
          years.set(h.division, {
            min: y < span.min ? y : span.min,
            max: y > span.max ? y : span.max,
          });
        }
        let pending = 0;
        for (const h of removed) {
          const row = byKey.get(key(h))!;
          const span = years.get(h.division);
          const y = h.date.slice(0, 4);
          if (row.source === 'manual' || !span || y < span.min || y > span.max) continue;
          if (!row.missingSince)
            await repo.updateHoliday(tx, h.division, h.date, { missingSince: now });
          pending += 1;
        }
        const version = applied > 0 ? await bump(tx) : cal.version;
        await repo.updateCalendar(tx, {
          lastRefreshAt: now,
          lastRefreshError: null,
          failedRefreshDays: 0,
          lastFailedRefreshOn: null,
          failureAlertSentAt: null,
        });
        return { ok: true, added: applied, pendingRemovals: pending, calendarVersion: version };
      });
      await this.coverageAlert();
      return result;
    },

    /** The weekly coverage email (Mondays), once per week by Message-ID. */
    async coverageAlert(): Promise<boolean> {
      const now = clock.now();
      const today = londonDateOf(now);
      const weekday = new Date(`${today}T12:00:00Z`).getUTCDay();
      if (weekday !== 1) return false;
      const divisions = await coverageRows(today);
      const alert = divisions.some((r) => r.short);
      if (!alert) return false;
      return db.transaction(async (tx) =>
        emailAdmins(
          tx,
          'Bank holiday data is running out',
          [
            'The bank holiday data will not cover deadlines 9 months ahead:',
            '',
            ...divisions.map(
              (d) =>
                `- ${d.name}: ${d.coveredUntil ? `covered until ${formatDayDate(d.coveredUntil)} (${d.workingDaysLeft} working days)` : 'no data'}`,
            ),
            '',
            `Dates beyond the data are flagged on each case. Add proclaimed days at ${deps.publicUrl}/admin/holidays, or update db/data/bank-holidays.json.`,
          ].join('\n'),
          `holiday-coverage-${today}@${deps.mailDomain}`,
        ),
      );
    },
  };
}
