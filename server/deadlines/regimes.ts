/**
 * Deadline regimes as data: each regime says which clock events it understands, how it
 * checks one, and how it works out its deadlines from a subject's date of receipt, its live
 * clock events and the holidays. The clock picks a regime by the id a subject's adapter
 * gives (`ClockSubject.regime`); a new regime (complaints, surveys) is registered beside
 * these, never by editing them.
 */
import type { Holiday } from '../lib/calendar.js';
import type { StagePolicy } from './stages.js';
import type { IsoDate } from '../lib/dates.js';
import {
  CLOCK_EVENT_KINDS,
  computeDeadlines,
  describeClockEvent,
  validateClockEvent,
  type CaseType,
  type ClockEvent,
  type ClockEventKind,
  type ComplaintSubtype,
  type DeadlineComputation,
  type DeadlineResult,
  type FieldError,
  type OfficePolicy,
  type ValidateOptions,
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
  /** Office targets from `sla_policies` (the regime id is the policy key). */
  policy: Partial<OfficePolicy>;
  /**
   * What the owning domain knows that the deadlines depend on beyond clock events (a
   * complaint's recording, handling and letters), from its adapter's `facts`; else empty.
   */
  facts: Readonly<Record<string, unknown>>;
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
   * long an extension is, in the regime's own units); none when absent or null.
   */
  describeEvent?(event: RegimeEvent): string | null;
  /** What people call each of its deadline kinds (emails, timeline); else the clock's labels. */
  kindLabels?: Readonly<Record<string, string>>;
  /**
   * Warning stages per deadline kind (which stages, how early), as data; an `sla_policies`
   * row for the regime and kind still sets its `warn_wd_before` and `escalate_wd_after`.
   */
  stages?: Readonly<Record<string, StagePolicy>>;
}

const KNOWN_KINDS: readonly string[] = CLOCK_EVENT_KINDS;
/** The clock stores only kinds a regime lists (`eventKinds`), so this keeps every event. */
const isCaseEvent = (event: RegimeEvent): event is ClockEvent<ClockEventKind> =>
  KNOWN_KINDS.includes(event.kind);

/** A correspondence case type's rules from the pure engine (lib/deadline-rules.ts). */
function correspondenceRegime(type: CaseType): Regime {
  const engineInput = (input: RegimeInput) => ({
    type,
    subtype: input.variant as ComplaintSubtype | null,
    receivedOn: input.receivedOn,
    events: input.events.filter(isCaseEvent),
    holidays: input.holidays,
    policy: input.policy,
  });
  return {
    id: type,
    eventKinds: CLOCK_EVENT_KINDS,
    compute: (input) => computeDeadlines(engineInput(input)),
    describeEvent: (event) => (isCaseEvent(event) ? describeClockEvent(event, type) : null),
    validateEvent: (input, event, options) =>
      isCaseEvent(event)
        ? validateClockEvent(engineInput(input), event, options)
        : [
            {
              field: 'kind',
              code: 'deadlines.unknown_event',
              message: `Unknown clock event "${event.kind}"`,
            },
          ],
  };
}

/**
 * The regimes correspondence uses: FOI (s10) and EIR (reg 5) on the UK calendar with their
 * reviews, SAR (Art 12), office targets for everything else, and the data protection
 * complaint acknowledgement (s164A) on complaints.
 */
export const CORRESPONDENCE_REGIMES: readonly Regime[] = (
  ['foi', 'eir', 'sar', 'complaint', 'mp_enquiry', 'suggestion', 'compliment', 'general'] as const
).map(correspondenceRegime);

export function createRegimeRegistry(initial: readonly Regime[] = CORRESPONDENCE_REGIMES) {
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
