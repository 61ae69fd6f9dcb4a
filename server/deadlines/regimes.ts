/**
 * Deadline regimes as data: each regime says which clock events it understands, how it
 * checks one, how it works out its deadlines from a subject's date of receipt, its live
 * clock events and the holidays, and what people call its deadlines and events. The clock
 * picks a regime by the id a subject's adapter gives (`ClockSubject.regime`). It starts with
 * none and has no names of its own for deadline kinds or clock events: each domain registers
 * its regimes, words included, where its service is built (correspondence:
 * server/correspondence/regimes.ts; complaints: server/complaints/regime.ts).
 */
import type { Holiday } from '../lib/calendar.js';
import type { StagePolicy } from './stages.js';
import type { IsoDate } from '../lib/dates.js';
import type {
  ClockEvent,
  DeadlineComputation,
  DeadlineResult,
  FieldError,
  ValidateOptions,
} from '../lib/deadline-rules.js';

/**
 * What any regime returns and reads, with its own names: the subject type is the regime id,
 * and its variants, deadline kinds, calendars, extensions and event kinds are its own (a
 * complaints regime's `stage_1_response` needs no cast to correspondence's names).
 */
export type RegimeComputation = DeadlineComputation<string, string, string, string, string>;
export type RegimeResult = DeadlineResult<string, string, string>;
export type RegimeEvent = ClockEvent<string>;

/** What a regime works from: one subject's dates and events, and the holidays. */
export interface RegimeInput {
  /** A refinement within the regime (a complaint's subtype), or null. */
  variant: string | null;
  receivedOn: IsoDate;
  events: RegimeEvent[];
  holidays: readonly Holiday[];
  /**
   * Office targets from its `sla_policies` rows (the regime id is the policy key), by the
   * names its `officeTargets` gives them; empty without one (the calculator passes none).
   */
  policy: Readonly<Record<string, number>>;
  /**
   * When the owning domain's own workflow replied to or closed the subject
   * (`ClockSubject.respondedOn`, `closedOn`), or null. A regime whose clock stops on a reply
   * or a closure reads them here (correspondence counts them as its `responded` and
   * `closed` events); the calculator gives neither.
   */
  respondedOn?: IsoDate | null;
  closedOn?: IsoDate | null;
  /**
   * What the owning domain knows that the deadlines depend on beyond clock events (a
   * complaint's recording, handling and letters), from its adapter's `facts`; else empty.
   */
  facts: Readonly<Record<string, unknown>>;
}

/** One of a regime's `sla_policies` rows, as its `officeTargets` reads it. */
export interface OfficeTargetRow {
  kind: string;
  unit: string;
  amount: number;
}

export interface Regime {
  /** Unique: also the `sla_policies.case_type` its office targets and warning stages use. */
  id: string;
  /** Clock events a person may record against it (empty: none). */
  eventKinds: readonly string[];
  /** Every deadline of the subject, worked out (pure). */
  compute(input: RegimeInput): RegimeComputation;
  /** Field errors for a new clock event, given the live ones (`input.events`). */
  validateEvent(input: RegimeInput, event: RegimeEvent, options: ValidateOptions): FieldError[];
  /**
   * The timeline's words for what an event carries beyond its date, note and reason (how
   * long an extension is, in the regime's own units; an overridden date); none when absent
   * or null.
   */
  describeEvent?(event: RegimeEvent): string | null;
  /**
   * What people call each of its deadline kinds (warning emails, the digest, rebuild
   * emails, the deadline details, the targets page); a kind without one reads as itself.
   */
  kindLabels?: Readonly<Record<string, string>>;
  /**
   * The order its stored timers are listed in (main first); kinds not listed come first.
   * Without it, stored timers keep the order they are read in.
   */
  kindOrder?: readonly string[];
  /**
   * What people call each of its clock events (timeline titles, the event list); an event
   * without one reads as itself.
   */
  eventLabels?: Readonly<Record<string, string>>;
  /**
   * Warning stages per deadline kind (which stages, how early), as data; an `sla_policies`
   * row for the regime and kind still sets its `warn_wd_before` and `escalate_wd_after`.
   * A kind it does not list takes its row's numbers, else the clock's neutral default
   * (`NEUTRAL_STAGE_POLICY` in stages.ts: all four stages, early 3 WD ahead, escalated 5 WD
   * late).
   */
  stages?: Readonly<Record<string, StagePolicy>>;
  /**
   * Its office targets (`RegimeInput.policy`) from its `sla_policies` rows: which row's unit
   * and amount set which of its targets, in its own names (correspondence: a `respond` row
   * in working days is its response target). Without it the regime is given none.
   */
  officeTargets?(rows: readonly OfficeTargetRow[]): Readonly<Record<string, number>>;
  /**
   * What each of its statutory limits is counted in, by deadline kind, as the targets page
   * words an `sla_policies` row's amount ("1 month", "30 days"); a kind without one reads
   * "working days".
   */
  limitUnits?: Readonly<Record<string, string>>;
  /**
   * The deadline kinds whose moved date a holiday rebuild words as the "Due date" (the date
   * the domain shows as due); any other reads "<kind label> date". Without it, only the
   * subject's main deadline (`mainKind`) is the "Due date".
   */
  dueDateKinds?: readonly string[];
  /**
   * The message for an error `compute` threw because of what it was given (the calculator
   * answers it as a 400); null for any other error, which the calculator rethrows. Without
   * it, every error is rethrown.
   */
  inputError?(error: unknown): string | null;
}

/** A label from a regime's own words; a key it has no word for reads as itself. */
function labelOf(labels: Readonly<Record<string, string>> | undefined, key: string): string {
  return labels && Object.hasOwn(labels, key) ? labels[key]! : key;
}

/** What people call one of a regime's deadline kinds (`kindLabels`), else the kind itself. */
export const kindLabelOf = (regime: Regime | undefined, kind: string): string =>
  labelOf(regime?.kindLabels, kind);

/** What people call one of a regime's clock events (`eventLabels`), else the kind itself. */
export const eventLabelOf = (regime: Regime | undefined, kind: string): string =>
  labelOf(regime?.eventLabels, kind);

/**
 * A subject's stored timers in its regime's order (`kindOrder`); kinds the order does not
 * list come first, in the order given.
 */
export function inKindOrder<T extends { kind: string }>(regime: Regime, rows: T[]): T[] {
  const order = regime.kindOrder ?? [];
  return rows.sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind));
}

/**
 * The regimes the clock knows, by id. It starts empty (or with `initial`: a clock built
 * outside the app, as bench/lib/seed-clock.ts does): each domain registers its own.
 */
export function createRegimeRegistry(initial: readonly Regime[] = []) {
  const regimes = new Map<string, Regime>();
  const registry = {
    /** Adds a regime; an id already taken is a programming error. */
    register(regime: Regime): void {
      if (regimes.has(regime.id)) throw new Error(`Deadline regime "${regime.id}" already exists`);
      regimes.set(regime.id, regime);
    },
    get(id: string): Regime {
      const regime = regimes.get(id);
      if (!regime) throw new Error(`No deadline regime "${id}" is registered`);
      return regime;
    },
    has: (id: string) => regimes.has(id),
  };
  for (const regime of initial) registry.register(regime);
  return registry;
}
export type RegimeRegistry = ReturnType<typeof createRegimeRegistry>;
