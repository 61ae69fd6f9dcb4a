/**
 * The case workflow (docs/rules/correspondence.md §5) as data: states, the allowed moves and
 * the conditions on each. Pure: no database, no Fastify.
 */
import { CASE_CHANNELS, CASE_STATUSES, CASE_TYPES } from '../../db/schema/correspondence.js';
import { COMPLAINT_SUBTYPES } from '../lib/deadline-rules.js';
import {
  CHANNEL_LABELS as LIB_CHANNEL_LABELS,
  CHANNEL_PHRASES as LIB_CHANNEL_PHRASES,
  humanise,
  STATUS_LABELS as LIB_STATUS_LABELS,
  TYPE_LABELS as LIB_TYPE_LABELS,
} from '../lib/labels.js';

export { CASE_CHANNELS, CASE_STATUSES, CASE_TYPES };
export type CaseType = (typeof CASE_TYPES)[number];
export type CaseChannel = (typeof CASE_CHANNELS)[number];
export type CaseStatus = (typeof CASE_STATUSES)[number];
export const CASE_SUBTYPES = COMPLAINT_SUBTYPES;
export type CaseSubtype = (typeof CASE_SUBTYPES)[number];

/** Statuses in which a case is still being worked ("open" in views and overdue counts). */
export const OPEN_STATUSES: readonly CaseStatus[] = [
  'new',
  'open',
  'awaiting_requester',
  'awaiting_approval',
];

/** Closing without a reply: new/open (and awaiting requester) → closed. */
export const EARLY_CLOSE_OUTCOMES = [
  'duplicate',
  'spam',
  'transferred',
  'withdrawn',
  'no_response_needed',
] as const;

/** Outcomes after a reply, by type (responded → closed). */
export function replyOutcomes(type: CaseType): readonly string[] {
  switch (type) {
    case 'foi':
    case 'eir':
      return ['granted', 'granted_in_part', 'refused', 'not_held', 'ncnd'];
    case 'sar':
      return ['provided', 'no_data'];
    case 'complaint':
      return ['upheld', 'partly_upheld', 'not_upheld'];
    default:
      return ['answered'];
  }
}

/** Clock events that take a case to, and back from, awaiting the requester. */
export const AWAITING_REASONS = ['clarification_requested', 'fee_notice_sent', 'id_requested'];
export const AWAITING_RETURN_REASONS = ['clarification_received', 'fee_received', 'id_received'];
export const AWAITING_CLOSE_REASONS = ['clarification_not_received', 'fee_not_paid'];

/** Types whose replies go to a manager for approval. */
export const APPROVAL_TYPES: readonly CaseType[] = ['foi', 'eir', 'sar', 'mp_enquiry'];

export type Requirement = 'outcome' | 'reason' | 'reasonEvent';

export interface Move {
  from: CaseStatus;
  to: CaseStatus;
  /** Only managers may make this move. */
  managerOnly?: boolean;
  requires: Requirement[];
  /** Allowed values of `reason` when it must name a clock event. */
  reasons?: readonly string[];
  /** Allowed outcomes when closing. */
  outcomes?: (type: CaseType) => readonly string[];
  /** Only for these types. */
  types?: readonly CaseType[];
  label: string;
}

const early = () => EARLY_CLOSE_OUTCOMES;

/** Every allowed move; anything else is `correspondence.invalid_transition`. */
export const MOVES: readonly Move[] = [
  { from: 'new', to: 'open', requires: [], label: 'Start work on it (the type is right)' },
  {
    from: 'new',
    to: 'closed',
    requires: ['outcome'],
    outcomes: early,
    label: 'Close without a reply',
  },
  {
    from: 'open',
    to: 'closed',
    requires: ['outcome'],
    outcomes: early,
    label: 'Close without a reply',
  },
  {
    from: 'open',
    to: 'awaiting_requester',
    requires: ['reasonEvent'],
    reasons: AWAITING_REASONS,
    label: 'Wait for the requester',
  },
  {
    from: 'awaiting_requester',
    to: 'open',
    requires: ['reasonEvent'],
    reasons: AWAITING_RETURN_REASONS,
    label: 'Requester replied: reopen',
  },
  {
    from: 'awaiting_requester',
    to: 'closed',
    requires: ['reasonEvent', 'outcome'],
    reasons: AWAITING_CLOSE_REASONS,
    outcomes: early,
    label: 'Requester did not reply: close',
  },
  {
    from: 'open',
    to: 'awaiting_approval',
    requires: [],
    types: APPROVAL_TYPES,
    label: 'Submit the draft reply for approval',
  },
  {
    from: 'awaiting_approval',
    to: 'open',
    managerOnly: true,
    requires: ['reason'],
    label: 'Return the draft with a comment',
  },
  { from: 'open', to: 'responded', requires: [], label: 'A reply has been sent or posted' },
  {
    from: 'awaiting_approval',
    to: 'responded',
    managerOnly: true,
    requires: [],
    label: 'Approved: reply sent or posted',
  },
  {
    from: 'responded',
    to: 'closed',
    requires: ['outcome'],
    outcomes: replyOutcomes,
    label: 'Close with an outcome',
  },
  {
    from: 'closed',
    to: 'open',
    managerOnly: true,
    requires: ['reason'],
    label: 'Reopen (a mistake)',
  },
];

export function findMove(type: CaseType, from: CaseStatus, to: string): Move | undefined {
  return MOVES.find(
    (move) => move.from === from && move.to === to && (!move.types || move.types.includes(type)),
  );
}

/** The moves a person in `role` may make now: what the status form offers. */
export function movesFor(type: CaseType, from: CaseStatus, role: string | null): Move[] {
  return MOVES.filter(
    (move) =>
      move.from === from &&
      (!move.types || move.types.includes(type)) &&
      (!move.managerOnly || role === 'manager'),
  );
}

/**
 * The words for each code, typed against this domain's lists (the labels themselves live in
 * server/lib/labels.ts, which every domain reads).
 */
export const TYPE_LABELS: Record<CaseType, string> = LIB_TYPE_LABELS;
export const CHANNEL_LABELS: Record<CaseChannel, string> = LIB_CHANNEL_LABELS;
export const CHANNEL_PHRASES: Record<CaseChannel, string> = LIB_CHANNEL_PHRASES;
export const STATUS_LABELS: Record<CaseStatus, string> = LIB_STATUS_LABELS;
export { humanise };
