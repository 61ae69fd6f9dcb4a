/**
 * Correspondence statistics for managers (docs/rules/correspondence.md §11). Every measure is
 * one SQL statement over `cases` and the live `case_deadlines` rows; dates are London
 * calendar dates (`YYYY-MM-DD`).
 */
import type { DbOrTx } from '../../db/client.js';
import { createStatsRepository } from './repository.js';
import type { CorrespondenceStats, Period } from './types.js';
import { DUE_SOON_WORKING_DAYS } from '../correspondence/due.js';
import type { CalendarService } from '../deadlines/calendar.js';
import type { Clock } from '../lib/clock.js';
import { addDays, isIsoDate, londonDateOf } from '../lib/dates.js';

export type * from './types.js';

export type PresetName = 'this-month' | 'last-quarter' | 'financial-year';
export const PRESETS: Array<{ value: PresetName; text: string }> = [
  { value: 'this-month', text: 'This month' },
  { value: 'last-quarter', text: 'Last quarter' },
  { value: 'financial-year', text: 'This financial year (April to March)' },
];

const pad = (n: number) => String(n).padStart(2, '0');
const lastDayOfMonth = (year: number, month: number) =>
  addDays(`${month === 12 ? year + 1 : year}-${pad(month === 12 ? 1 : month + 1)}-01`, -1);

/** The dates a preset covers on London date `today`. */
export function presetPeriod(preset: PresetName, today: string): Period {
  const year = Number(today.slice(0, 4));
  const month = Number(today.slice(5, 7));
  if (preset === 'this-month')
    return { from: `${year}-${pad(month)}-01`, to: lastDayOfMonth(year, month) };
  if (preset === 'last-quarter') {
    // The last complete calendar quarter.
    let q = Math.floor((month - 1) / 3) - 1;
    let y = year;
    if (q < 0) {
      q = 3;
      y -= 1;
    }
    const first = q * 3 + 1;
    return { from: `${y}-${pad(first)}-01`, to: lastDayOfMonth(y, first + 2) };
  }
  const start = month >= 4 ? year : year - 1;
  return { from: `${start}-04-01`, to: `${start + 1}-03-31` };
}

/** A period from query parameters: explicit dates win, then a preset, then this month. */
export function resolvePeriod(
  query: { from?: string; to?: string; preset?: string },
  today: string,
): { period: Period; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const preset = PRESETS.find((p) => p.value === query.preset)?.value ?? 'this-month';
  const fallback = presetPeriod(preset, today);
  const from = query.from?.trim() || undefined;
  const to = query.to?.trim() || undefined;
  if (from !== undefined && !isIsoDate(from)) errors.from = 'Enter a date as YYYY-MM-DD';
  if (to !== undefined && !isIsoDate(to)) errors.to = 'Enter a date as YYYY-MM-DD';
  if (Object.keys(errors).length > 0) return { period: fallback, errors };
  const period = { from: from ?? fallback.from, to: to ?? fallback.to };
  if (period.from > period.to) {
    errors.to = 'The end date must be on or after the start date';
    return { period: fallback, errors };
  }
  return { period, errors };
}

/** The median as PostgreSQL's percentile_cont(0.5) gives it (the mean of the middle two). */
function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = (sorted.length - 1) / 2;
  return (sorted[Math.floor(mid)]! + sorted[Math.ceil(mid)]!) / 2;
}

export function createStatsService(deps: { db: DbOrTx; clock: Clock; calendar: CalendarService }) {
  const { clock, calendar } = deps;
  const repo = createStatsRepository(deps.db);
  const { volume } = repo;
  const byAssignee = async (today: string) =>
    repo.byAssignee(today, await calendar.addWorkingDays(today, DUE_SOON_WORKING_DAYS));

  /** On-time measures, with working days taken counted on the one calendar service. */
  async function onTime(period: Period) {
    const [rows, replies] = await Promise.all([repo.onTime(period), repo.replyDates(period)]);
    const byType = new Map<string, number[]>([['all', []]]);
    for (const r of replies) {
      const days = await calendar.workingDaysBetween(r.receivedOn, r.respondedOn);
      byType.set(r.type, [...(byType.get(r.type) ?? []), days]);
      byType.get('all')!.push(days);
    }
    return rows.map((row) => ({ ...row, medianWorkingDays: median(byType.get(row.type) ?? []) }));
  }

  return {
    today: () => londonDateOf(clock.now()),
    volume,
    onTime,
    byAssignee,
    async correspondence(period: Period): Promise<CorrespondenceStats> {
      const today = londonDateOf(clock.now());
      const [volumeByType, volumeByChannel, onTimeRows, assignees] = await Promise.all([
        volume(period, 'type'),
        volume(period, 'channel'),
        onTime(period),
        byAssignee(today),
      ]);
      return {
        period,
        today,
        volumeByType,
        volumeByChannel,
        onTime: onTimeRows,
        byAssignee: assignees,
      };
    },
  };
}

export type StatsService = ReturnType<typeof createStatsService>;
