import { addDays, isIsoDate, toLondonDate, type IsoDate } from '../lib/dates.js';
import { validationError, type FieldErrors } from '../platform/errors.js';
import { CALENDAR_LABELS } from './labels.js';
import type { RegimeEvent } from './regimes.js';
import type { DeadlineView, CalculateInput } from './types.js';
import { type DeadlinesContext } from './context.js';

/** The calculator and `POST /api/deadlines/calculate`: worked out, never stored (§7). */
export function createCalculator(ctx: DeadlinesContext) {
  const { calendar, timers, regimes } = ctx;
  const { detailOf, viewOf } = timers;

  return {
    /** POST /api/deadlines/calculate and the calculator page: nothing is stored. */
    async calculate(input: CalculateInput): Promise<DeadlineView> {
      // The type's regime: its events, rules and words (correspondence registers them).
      const regime = regimes.get(input.type);
      const fields: FieldErrors = {};
      let receivedOn: IsoDate | undefined;
      try {
        receivedOn = toLondonDate(input.receivedAt);
        if (receivedOn < '2000-01-01' || receivedOn > '2100-12-31')
          fields.receivedAt = 'The date must be between 2000 and 2100';
      } catch {
        fields.receivedAt = 'Enter a real date, like 2026-01-21 or 2026-01-21T10:00:00Z';
      }
      const events: RegimeEvent[] = [];
      (input.events ?? []).forEach((e, i) => {
        if (!regime.eventKinds.includes(e.kind)) fields[`events.${i}.kind`] = 'Unknown clock event';
        let on: IsoDate | undefined;
        try {
          on = toLondonDate(e.at);
        } catch {
          fields[`events.${i}.at`] = 'Enter a real date';
        }
        if (on && receivedOn && on < receivedOn)
          fields[`events.${i}.at`] = 'The date cannot be before the date of receipt';
        if (on && (on > '2100-12-31' || (receivedOn && on > addDays(receivedOn, 3 * 366))))
          fields[`events.${i}.at`] = 'The date is too far from the date of receipt';
        if (e.data?.date !== undefined && !isIsoDate(e.data.date))
          fields[`events.${i}.data.date`] = 'Enter a real date';
        if (on) events.push({ kind: e.kind, at: on, data: e.data, note: e.note });
      });
      if (Object.keys(fields).length > 0) throw validationError(fields);
      const loaded = await calendar.load();
      const ew = input.calendar === 'england_wales';
      try {
        // Worked out with no office targets, as the rules give them.
        const comp = regime.compute({
          variant: input.subtype ?? null,
          receivedOn: receivedOn!,
          events,
          holidays: ew ? loaded.ewOnly : loaded.holidays,
          policy: {},
          facts: {},
        });
        const details = comp.deadlines.map((d) => {
          const detail = detailOf(regime, d, loaded.version);
          // On the E&W-only list the UK calendar has no Scottish or NI data: judge coverage on E&W.
          if (ew) {
            detail.coverageIncomplete = [d.startDate, d.dueDate, d.extendedDueDate].some(
              (x) => x && loaded.cals.england_wales.isOutsideCoverage(x),
            );
            detail.notes = detail.notes.filter((n) => !n.startsWith('The bank holiday data ends'));
            detail.calendarLabel = `${CALENDAR_LABELS.england_wales} (comparison)`;
          }
          return detail;
        });
        const view = viewOf(comp, details, loaded.version);
        return ew ? { ...view, calendar: 'england_wales' } : view;
      } catch (error) {
        const message = regime.inputError?.(error) ?? null;
        if (message !== null) throw validationError({ _: message });
        throw error;
      }
    },
  };
}
