import {
  formatDayDate,
  formatDayDateShort,
  formatDayMonth,
  londonInstantAt,
  toLondonDate,
  type IsoDate,
} from '../lib/dates.js';
import type { Actor } from '../platform/audit.js';

export const isManager = (actor: Actor) => actor.role === 'manager' || actor.role === 'system';
export const isAdmin = (actor: Actor) => actor.role === 'admin' || actor.role === 'system';
export const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

/** `mailFrom` is "Name <address>" or a bare address: the triage mailbox is that address. */
export function addressOf(mailFrom: string): string {
  return /<([^>]+)>/.exec(mailFrom)?.[1] ?? mailFrom.trim();
}

/** "2 Jan (Scotland)" from a skipped day's reason, for the timeline. */
export function holidayLabel(date: IsoDate, reason: string): string {
  const divisions = /\(([^()]*)\)$/.exec(reason)?.[1];
  return divisions ? `${formatDayMonth(date)} (${divisions})` : formatDayMonth(date);
}

export function describeCalendarChange(
  before: Array<{ date: string; reason: string }>,
  after: Array<{ date: string; reason: string }>,
): string {
  const isHoliday = (s: { reason: string }) => s.reason.startsWith('Bank holiday');
  const had = new Set(before.filter(isHoliday).map((s) => s.date));
  const has = new Set(after.filter(isHoliday).map((s) => s.date));
  const added = after.filter((s) => isHoliday(s) && !had.has(s.date));
  const removed = before.filter((s) => isHoliday(s) && !has.has(s.date));
  const parts = [
    ...added.map((s) => `${holidayLabel(s.date, s.reason)} added`),
    ...removed.map((s) => `${holidayLabel(s.date, s.reason)} removed`),
  ];
  return parts.length > 0 ? parts.join(', ') : 'bank holidays changed';
}

/** "Tue 20 Jan to Wed 21 Jan 2026" (the year once when both dates share it). */
export function fromTo(from: IsoDate, to: IsoDate): string {
  const first =
    from.slice(0, 4) === to.slice(0, 4) ? formatDayDateShort(from) : formatDayDate(from);
  return `from ${first} to ${formatDayDate(to)}`;
}

export function eventDateOf(at: string): { at: Date; on: IsoDate } {
  const on = toLondonDate(at);
  const instant = /^\d{4}-\d{2}-\d{2}$/.test(at) ? londonInstantAt(on, 12) : new Date(at);
  return { at: instant, on };
}
