import type { ClockEventKind } from '../lib/deadline-rules.js';

/** Names, labels and limits of the deadlines domain. */

export const GOVUK_BANK_HOLIDAYS_URL = 'https://www.gov.uk/bank-holidays.json';
export const REFRESH_TIMEOUT_MS = 10_000;
/** Alert admins when any division's data ends before today + this many months (§2). */
export const COVERAGE_ALERT_MONTHS = 9;
export const DIGEST_WORKING_DAYS = 5;
export const LIMITS = { note: 2_000, reason: 2_000, title: 120 };

export const KIND_LABELS: Record<string, string> = {
  statutory: 'Statutory deadline',
  acknowledge: 'Acknowledgement target',
  respond: 'Response target',
  review: 'Internal review',
  dp_ack: 'Acknowledge the data protection complaint',
};

/** The order computeDeadlines lists the kinds in (main first), for stored rows. */
export const KIND_ORDER: readonly string[] = [
  'statutory',
  'respond',
  'acknowledge',
  'dp_ack',
  'review',
];

export const CALENDAR_LABELS: Record<string, string> = {
  uk_foia: 'UK working days (any part of the UK, FOIA s10(6))',
  england_wales: 'England and Wales working days',
  calendar: 'Calendar days',
};

export const EVENT_LABELS = {
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

const LABEL_OF_KIND: ReadonlyMap<string, string> = new Map(Object.entries(EVENT_LABELS));
/** A stored clock event's label; any regime's kind without one reads as itself. */
export const eventLabel = (kind: string): string => LABEL_OF_KIND.get(kind) ?? kind;

/** Clock events that move the case to awaiting the requester, and back (workflow.ts). */
export const TO_AWAITING = new Set(['clarification_requested', 'fee_notice_sent', 'id_requested']);
export const FROM_AWAITING = new Set(['clarification_received', 'fee_received', 'id_received']);
