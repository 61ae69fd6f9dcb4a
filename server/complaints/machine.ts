/**
 * The complaint state machines (docs/rules/complaints.md §3 for `cc`, §3.4 for `review`,
 * route-and-record for `opcc`) as data. The same (stream, from, to) triples are in the
 * `complaint_allowed_moves` table, which a trigger on `complaints.status` enforces; a test
 * keeps the two equal. Guards (reasons, letters, outcomes) live in the service.
 */

export type Stream = 'cc' | 'review' | 'opcc';
/** C: caseworker (or manager) on the access list; M: manager; S: a system job. */
export type Who = 'C' | 'M' | 'S';

export const CC_OPEN = [
  'received',
  'initial_contact',
  'outside_sch3',
  'recorded',
  'referred_to_iopc',
  'investigating',
  'iopc_investigating',
  'handling_otherwise',
  'outcome_determined',
  'review_window',
  'review_requested',
  'withdrawal_pending',
] as const;
/**
 * Statuses from which only the reg 41 path closes a complaint (reg41.ts; the others have
 * their own): every open `cc` status but the two review ones.
 */
export const REG41_FROM = CC_OPEN.filter((s) => s !== 'review_window' && s !== 'review_requested');
export const CC_TERMINAL = ['transferred', 'not_a_complaint', 'resolved', 'closed', 'withdrawn'];
export const REVIEW_OPEN = [
  'received',
  'validity_check',
  'in_review',
  'decided',
  'awaiting_force_response',
] as const;
export const REVIEW_TERMINAL = ['forwarded_to_iopc', 'closed', 'withdrawn'];
export const OPCC_OPEN = ['received'] as const;
export const OPCC_TERMINAL = ['closed', 'transferred'];

export interface MoveRule {
  from: readonly string[];
  to: string;
  who: Who;
}

const ccOpenButPending = CC_OPEN.filter((s) => s !== 'withdrawal_pending');

export const MOVES: Record<Stream, readonly MoveRule[]> = {
  cc: [
    { from: ['received'], to: 'initial_contact', who: 'C' },
    { from: ['received'], to: 'transferred', who: 'C' },
    { from: ['received'], to: 'not_a_complaint', who: 'C' },
    { from: ['initial_contact'], to: 'outside_sch3', who: 'M' },
    { from: ['initial_contact', 'outside_sch3'], to: 'recorded', who: 'M' },
    { from: ['outside_sch3'], to: 'resolved', who: 'C' },
    { from: ['recorded'], to: 'referred_to_iopc', who: 'M' },
    { from: ['recorded', 'referred_to_iopc', 'review_requested'], to: 'investigating', who: 'M' },
    {
      from: ['recorded', 'referred_to_iopc', 'review_requested'],
      to: 'handling_otherwise',
      who: 'M',
    },
    { from: ['referred_to_iopc'], to: 'iopc_investigating', who: 'M' },
    {
      from: [
        'recorded',
        'referred_to_iopc',
        'investigating',
        'iopc_investigating',
        'handling_otherwise',
      ],
      to: 'outcome_determined',
      who: 'M',
    },
    { from: ['outcome_determined'], to: 'review_window', who: 'C' },
    { from: ['review_window'], to: 'closed', who: 'S' },
    { from: ['review_window', 'closed'], to: 'review_requested', who: 'M' },
    { from: ['review_requested'], to: 'closed', who: 'M' },
    // Reg 41: a suspended complaint not resumed (the guard is in reg41.ts).
    { from: REG41_FROM, to: 'closed', who: 'M' },
    { from: ccOpenButPending, to: 'withdrawal_pending', who: 'C' },
    // Back to where it was when the complainant does not confirm (reg 39).
    ...ccOpenButPending.map((to) => ({ from: ['withdrawal_pending'], to, who: 'C' as const })),
    { from: CC_OPEN, to: 'withdrawn', who: 'C' },
  ],
  review: [
    { from: ['received'], to: 'validity_check', who: 'C' },
    { from: ['validity_check'], to: 'in_review', who: 'C' },
    { from: ['validity_check'], to: 'forwarded_to_iopc', who: 'C' },
    { from: ['validity_check'], to: 'closed', who: 'C' },
    { from: ['in_review'], to: 'decided', who: 'M' },
    { from: ['decided'], to: 'awaiting_force_response', who: 'C' },
    { from: ['decided', 'awaiting_force_response'], to: 'closed', who: 'C' },
    { from: REVIEW_OPEN, to: 'withdrawn', who: 'C' },
  ],
  opcc: [
    { from: ['received'], to: 'closed', who: 'C' },
    { from: ['received'], to: 'transferred', who: 'C' },
  ],
};

/** Every allowed (stream, from, to) triple: what the custom migration inserts. */
export function allowedTriples(): Array<{ stream: Stream; from: string; to: string }> {
  const out: Array<{ stream: Stream; from: string; to: string }> = [];
  for (const stream of Object.keys(MOVES) as Stream[])
    for (const rule of MOVES[stream])
      for (const from of rule.from) out.push({ stream, from, to: rule.to });
  return out;
}

export function findRule(stream: Stream, from: string, to: string): MoveRule | undefined {
  return MOVES[stream].find((rule) => rule.to === to && rule.from.includes(from));
}

export function isOpen(stream: Stream, status: string): boolean {
  const open: readonly string[] =
    stream === 'cc' ? CC_OPEN : stream === 'review' ? REVIEW_OPEN : OPCC_OPEN;
  return open.includes(status);
}

/** Statuses that conclude a complaint (`concluded_on` set; retention counts from it). */
export function concludes(stream: Stream, status: string): boolean {
  const terminal =
    stream === 'cc' ? CC_TERMINAL : stream === 'review' ? REVIEW_TERMINAL : OPCC_TERMINAL;
  return terminal.includes(status);
}

export const STATUS_LABELS: Record<string, string> = {
  received: 'Received',
  initial_contact: 'Initial contact',
  transferred: 'Transferred',
  not_a_complaint: 'Not a complaint',
  outside_sch3: 'Handled outside Schedule 3',
  recorded: 'Recorded',
  resolved: 'Resolved',
  referred_to_iopc: 'Referred to the IOPC',
  investigating: 'Investigating',
  iopc_investigating: 'IOPC investigating',
  handling_otherwise: 'Handling otherwise than by investigation',
  outcome_determined: 'Outcome determined',
  review_window: 'Review window open',
  review_requested: 'Review requested',
  closed: 'Closed',
  withdrawal_pending: 'Withdrawal pending',
  withdrawn: 'Withdrawn',
  validity_check: 'Validity check',
  forwarded_to_iopc: 'Forwarded to the IOPC',
  in_review: 'In review',
  decided: 'Decided',
  awaiting_force_response: 'Awaiting force response',
};

export const RECORDING_REASONS = [
  'Complainant wishes the complaint be recorded',
  'AA decides',
  'Dissatisfaction after initial handling',
] as const;

export const MANDATORY_CRITERIA = [
  'death_or_serious_injury',
  'crime_or_discipline',
  'article_2_or_3',
  'reg_4',
] as const;

export const OUTCOMES = [
  'service_acceptable',
  'service_not_acceptable',
  'unable_to_determine',
  'looked_into_nfa',
  'case_to_answer',
  'no_case_to_answer',
  'practice_requiring_improvement',
] as const;
export const INVESTIGATION_OUTCOMES = [
  'case_to_answer',
  'no_case_to_answer',
  'practice_requiring_improvement',
];
export const ACTIONS = [
  'reflective_practice',
  'explanation',
  'apology',
  'learning',
  'other',
] as const;

export const CHANNELS = ['letter', 'email', 'web', 'phone', 'in_person', 'social'] as const;

/** Moves people ask for through the API besides statuses: the suspension flag (regs 40-41). */
export const FLAG_MOVES = ['suspended', 'resumed'] as const;

/** While suspended, only these are allowed (else 422 complaints.suspended). */
export const ALLOWED_WHILE_SUSPENDED = ['resumed', 'withdrawal_pending', 'withdrawn', 'closed'];

export const ALL_TARGETS = [
  ...new Set(Object.values(MOVES).flatMap((rules) => rules.map((r) => r.to))),
  ...FLAG_MOVES,
];
