/**
 * Correspondence's regimes on the shared clock (server/deadlines/regimes.ts): one per case
 * type, the rules from the pure engine (lib/deadline-rules.ts), with what people call their
 * deadlines and clock events. The correspondence service registers them (service.ts), as
 * complaints register theirs; the clock itself starts with none.
 */
import type { OfficeTargetRow, Regime, RegimeEvent, RegimeInput } from '../deadlines/regimes.js';
import type { StagePolicy } from '../deadlines/stages.js';
import { formatDayDate } from '../lib/dates.js';
import { CASE_TYPES } from './workflow.js';
import {
  CLOCK_EVENT_KINDS,
  computeDeadlines,
  DeadlineInputError,
  describeClockEvent,
  validateClockEvent,
  type CaseType,
  type ClockEvent,
  type ClockEventKind,
  type ComplaintSubtype,
  type DeadlineKind,
  type OfficePolicy,
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

/**
 * A case's warning stages per deadline kind (docs/rules/deadlines.md §6): statutory
 * deadlines warn 5 WD ahead, targets 3 (acknowledgements none); everything escalates 5 WD
 * late. An `sla_policies` row for the case type and kind sets its own numbers.
 */
export const DEADLINE_STAGES = {
  statutory: { warnWdBefore: 5, escalateWdAfter: 5 },
  review: { warnWdBefore: 5, escalateWdAfter: 5 },
  dp_ack: { warnWdBefore: 5, escalateWdAfter: 5 },
  respond: { warnWdBefore: 3, escalateWdAfter: 5 },
  acknowledge: { warnWdBefore: 0, escalateWdAfter: 5 },
} satisfies Record<DeadlineKind, StagePolicy>;

/**
 * A case type's office targets from its `sla_policies` rows: the acknowledgement and
 * response targets in working days, and a SAR's internal target in calendar days.
 */
export function officeTargetsOf(rows: readonly OfficeTargetRow[]): Partial<OfficePolicy> {
  const office: Partial<OfficePolicy> = {};
  for (const row of rows) {
    if (row.kind === 'acknowledge' && row.unit === 'working_days')
      office.acknowledgeWd = row.amount;
    if (row.kind === 'respond' && row.unit === 'working_days') office.respondWd = row.amount;
    if (row.kind === 'respond' && row.unit === 'calendar_days') office.sarInternalDays = row.amount;
  }
  return office;
}

/**
 * What a case type's statutory limits are counted in, as the targets page words them: a
 * SAR's in months (UK GDPR Art 12(3)), the data protection acknowledgement in calendar
 * days (s164A); every other in working days.
 */
const limitUnitsOf = (type: CaseType): Partial<Record<DeadlineKind, string>> =>
  type === 'sar' ? { statutory: 'month', dp_ack: 'days' } : { dp_ack: 'days' };

/** The kinds whose moved date a holiday rebuild words as the case's "Due date". */
const DUE_DATE_KINDS: readonly DeadlineKind[] = ['statutory', 'respond'];

/**
 * A case's live clock events, with a reply or closure made in the case's own workflow
 * counted as the `responded` or `closed` event it stands for (when none is recorded).
 */
function withWorkflowEvents(input: RegimeInput): RegimeEvent[] {
  const events = [...input.events];
  if (input.respondedOn && !events.some((e) => e.kind === 'responded'))
    events.push({ kind: 'responded', at: input.respondedOn });
  if (input.closedOn && !events.some((e) => e.kind === 'closed'))
    events.push({ kind: 'closed', at: input.closedOn });
  return events;
}

/** The timeline's words for a case's clock event beyond its date, note and reason. */
function describeCaseEvent(event: ClockEvent<ClockEventKind>, type: CaseType): string | null {
  const parts: string[] = [];
  const extension = describeClockEvent(event, type);
  if (extension) parts.push(extension);
  if (event.kind === 'due_date_override' && event.data?.date)
    parts.push(`New date ${formatDayDate(event.data.date)}.`);
  return parts.length > 0 ? parts.join(' ') : null;
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
    events: withWorkflowEvents(input).filter(isCaseEvent),
    holidays: input.holidays,
    // Its own names: what `officeTargets` (officeTargetsOf) read from its rows.
    policy: input.policy as Partial<OfficePolicy>,
  });
  return {
    id: type,
    eventKinds: CLOCK_EVENT_KINDS,
    compute: (input) => computeDeadlines(engineInput(input)),
    describeEvent: (event) => (isCaseEvent(event) ? describeCaseEvent(event, type) : null),
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
    stages: DEADLINE_STAGES,
    officeTargets: officeTargetsOf,
    dueDateKinds: DUE_DATE_KINDS,
    limitUnits: limitUnitsOf(type),
    inputError: (error) => (error instanceof DeadlineInputError ? error.message : null),
  };
}

/**
 * The regimes correspondence uses: FOI (s10) and EIR (reg 5) on the UK calendar with their
 * reviews, SAR (Art 12), office targets for everything else, and the data protection
 * complaint acknowledgement (s164A) on complaints.
 */
export const CORRESPONDENCE_REGIMES: readonly Regime[] = CASE_TYPES.map(correspondenceRegime);
