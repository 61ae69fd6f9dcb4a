/**
 * GOV.UK form helpers shared by every domain's pages: the date input (day, month and year
 * boxes named `<prefix>-day`, `-month`, `-year`), a London time typed beside it, and the
 * field errors a refused form shows in its error summary.
 */
import { dateFromParts, londonDateOf, londonHourMinute, londonInstantAt } from '../lib/dates.js';
import { AppError, type FieldErrors } from './errors.js';

export interface DateFields {
  /** The `YYYY-MM-DD` date, when the boxes hold a real one. */
  date: string | undefined;
  /** What was typed as `YYYY-MM-DD` (padded, possibly not a date), for a service to judge. */
  typed: string;
  /** True when all three boxes are empty. */
  empty: boolean;
}

/** Reads a GOV.UK date input's three boxes. */
export function readDateFields(values: Record<string, unknown>, prefix: string): DateFields {
  const part = (name: string) => {
    const value = values[`${prefix}-${name}`];
    return typeof value === 'string' ? value.trim() : '';
  };
  const [d, m, y] = [part('day'), part('month'), part('year')];
  const typed = `${y.padStart(4, '0')}-${m.padStart(2, '0')}-${d.padStart(2, '0')}`;
  return { date: dateFromParts(values, prefix), typed, empty: !d && !m && !y };
}

/** A date input's three boxes filled with `date` (day and month without leading zeros). */
export function dateFieldValues(date: string, prefix: string): Record<string, string> {
  const [year, month, day] = date.split('-');
  return {
    [`${prefix}-day`]: String(Number(day)),
    [`${prefix}-month`]: String(Number(month)),
    [`${prefix}-year`]: year!,
  };
}

/**
 * The instant of a London date and a typed time (`14:30` or `14.30`). No time: midday UTC,
 * the same London date all year round. `null` when the time is not a time; a time that does
 * not exist in London (the hour the clocks skip) is midday too.
 */
export function londonInstantOf(date: string, time: string | undefined): Date | null {
  const noon = new Date(`${date}T12:00:00Z`);
  const text = time?.trim();
  if (!text) return noon;
  const match = /^(\d{1,2})[:.](\d{2})$/.exec(text);
  if (!match || Number(match[1]) > 23 || Number(match[2]) > 59) return null;
  const [hour, minute] = [Number(match[1]), Number(match[2])];
  const at = londonInstantAt(date, hour, minute);
  const back = londonHourMinute(at);
  return back.hour === hour && back.minute === minute && londonDateOf(at) === date ? at : noon;
}

/**
 * The record version a form posts back in a hidden field, for the service's stale check.
 * Missing or not a number: 0, which no record has, so the service refuses it as stale.
 */
export const formVersion = (value: string | undefined) =>
  value && /^\d{1,9}$/.test(value) ? Number(value) : 0;

/**
 * A service's field errors as a page shows them: service names mapped to the form's input
 * ids, and a stale `version` shown against `versionField` (the form's main field).
 */
export function pageFieldErrors(
  fields: FieldErrors,
  names: Record<string, string> = {},
  versionField?: string,
): FieldErrors {
  const out: FieldErrors = {};
  for (const [field, message] of Object.entries(fields)) {
    const key = field === 'version' && versionField ? versionField : (names[field] ?? field);
    out[key] ??= message;
  }
  return out;
}

/**
 * A refusal a page can show in its error summary (4xx, not 404): its field errors, or its
 * message against `field`. Anything else (a 404, a 500) is not the form's to show.
 */
export function formRefusal(
  error: unknown,
  field: string,
): { fields: FieldErrors; status: number } | undefined {
  if (!(error instanceof AppError) || error.statusCode >= 500 || error.statusCode === 404)
    return undefined;
  const fields = error.fields ? { ...error.fields } : { [field]: error.message };
  if (fields.version) {
    fields[field] ??= fields.version;
    delete fields.version;
  }
  return { fields, status: error.statusCode };
}
