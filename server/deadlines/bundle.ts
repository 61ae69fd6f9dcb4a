import { readFileSync } from 'node:fs';
import { parseGovUkBankHolidays, type Holiday } from '../lib/calendar.js';

/** The committed gov.uk snapshot (docs/rules/deadlines.md §2 "Offline"), parsed once. */
export const BUNDLE_URL = new URL('../../db/data/bank-holidays.json', import.meta.url);

let parsed: Holiday[] | undefined;

export function bundledHolidays(): Holiday[] {
  parsed ??= parseGovUkBankHolidays(JSON.parse(readFileSync(BUNDLE_URL, 'utf8')));
  return parsed;
}
