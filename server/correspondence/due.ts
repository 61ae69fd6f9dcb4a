/**
 * Due dates for correspondence: what correspondence asks of the clock (server/deadlines).
 * A case's deadlines are the clock's timers for subject type 'case' (clock-adapter.ts);
 * working days come from the one calendar service. Dates are `YYYY-MM-DD` London dates.
 */
import type { DbOrTx, Tx } from '../../db/client.js';
import type { ClockSubject, SubjectAdapter } from '../deadlines/adapter.js';
import type { Regime } from '../deadlines/regimes.js';
import { londonDateOf } from '../lib/dates.js';

import type { Deadline } from '../deadlines/types.js';

/** The same shape as the `POST /api/deadlines/calculate` answer (docs/rules/api.md). */
export type { Deadline };

/** The clock, as correspondence uses it (the deadlines service is one). */
export interface CaseDeadlineHook {
  /** The clock's regimes: correspondence registers one per case type (regimes.ts). */
  regimes: { register(regime: Regime): void };
  registerAdapter(adapter: SubjectAdapter): void;
  /** Recomputes and stores a subject's timers in `tx`; its adapter gets the due date. */
  recompute(tx: Tx, type: string, id: string): Promise<Deadline>;
  /** The stored deadlines (with their working) for reading; `known` may still be loading. */
  forSubject(
    db: DbOrTx,
    type: string,
    id: string,
    known?: ClockSubject | Promise<ClockSubject | undefined>,
  ): Promise<Deadline | undefined>;
}

/** Working days ahead of `today` that count as "due soon" in the triage queue. */
export const DUE_SOON_WORKING_DAYS = 5;

/** The Europe/London calendar date of an instant: 2026-03-31T23:30Z is 2026-04-01. */
export function londonDate(instant: Date): string {
  return londonDateOf(instant);
}
