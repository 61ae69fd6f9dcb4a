/**
 * Correspondence's regimes on the shared clock (server/deadlines/regimes.ts): one per case
 * type, the rules from the pure engine (lib/deadline-rules.ts), with what people call their
 * deadlines and clock events. The correspondence service registers them (service.ts), as
 * complaints register theirs; the clock itself starts with none.
 */
import type { Regime, RegimeEvent, RegimeInput } from '../deadlines/regimes.js';
import {
  CLOCK_EVENT_KINDS,
  computeDeadlines,
  describeClockEvent,
  validateClockEvent,
  type CaseType,
  type ClockEvent,
  type ClockEventKind,
  type ComplaintSubtype,
  type DeadlineKind,
} from '../lib/deadline-rules.js';

/** What people call a case's deadlines (warning emails, the digest, the case page). */
export const DEADLINE_KIND_LABELS = {
  statutory: 'Statutory deadline',
  acknowledge: 'Acknowledgement target',
  respond: 'Response target',
  review: 'Internal review',
  dp_ack: 'Acknowledge the data protection complaint',
} satisfies Record<DeadlineKind, string>;

/**
 * The order a case's stored timers are listed in, main first (the statutory deadline, else
 * the response target). computeDeadlines lists worked-out ones its own way (acknowledge
 * before respond); this order is the one stored timers have always been read in.
 */
export const DEADLINE_KIND_ORDER: readonly DeadlineKind[] = [
  'statutory',
  'respond',
  'acknowledge',
  'dp_ack',
  'review',
];

/** What people call a case's clock events (timeline titles, the event list). */
export const CLOCK_EVENT_LABELS = {
  clarification_requested: 'Clarification requested',
  clarification_received: 'Clarification received',
  fee_notice_sent: 'Fees notice sent',
  fee_received: 'Fee received',
  id_requested: 'Proof of identity requested',
  id_received: 'Proof of identity received',
  extended: 'Deadline extended',
  due_date_override: 'Due date overridden',
  review_requested: 'Internal review requested',
  responded: 'Responded',
  closed: 'Closed',
} satisfies Record<ClockEventKind, string>;

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
    kindLabels: DEADLINE_KIND_LABELS,
    kindOrder: DEADLINE_KIND_ORDER,
    eventLabels: CLOCK_EVENT_LABELS,
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
