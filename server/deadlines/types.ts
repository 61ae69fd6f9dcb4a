import { type Division } from '../lib/calendar.js';
import { type IsoDate } from '../lib/dates.js';
import { type ClockEventData, type DeadlineResult } from '../lib/deadline-rules.js';

/** A subject's main deadline, as docs/rules/api.md's `deadline` and the calculate answer begin. */
export interface Deadline {
  dueDate: string | null;
  extendedDueDate?: string | null;
  /** A manager's override if any, else `dueDate`: what a domain shows as due. */
  effectiveDueDate?: string | null;
  calendar: string;
  skipped: Array<{ date: string; reason: string }>;
}

export interface DeadlineDetail {
  kind: string;
  label: string;
  calendar: string;
  calendarLabel: string;
  rule: string;
  ruleVersion: string;
  calendarVersion: number;
  generation: number;
  startDate: IsoDate | null;
  startRule: string;
  dueDate: IsoDate | null;
  baseDueDate: IsoDate | null;
  extendedDueDate: IsoDate | null;
  effectiveDueDate: IsoDate | null;
  skipped: Array<{ date: IsoDate; reason: string }>;
  roll: DeadlineResult['roll'];
  notes: string[];
  // Any regime's extension names (a complaint's are not correspondence's).
  extension: DeadlineResult<string, string, string>['extension'];
  override: DeadlineResult['override'];
  stopped: boolean;
  completedOn: IsoDate | null;
  coverageIncomplete: boolean;
  overdueFrom: string | null;
}

/** The `deadline` on a case and the calculate answer: docs/rules/api.md's shape plus the working. */
export interface DeadlineView extends Deadline {
  dueDate: IsoDate | null;
  extendedDueDate: IsoDate | null;
  calendar: string;
  skipped: Array<{ date: IsoDate; reason: string }>;
  kind: string;
  receivedOn: IsoDate;
  baseDueDate: IsoDate | null;
  effectiveDueDate: IsoDate | null;
  startDate: IsoDate | null;
  startRule: string;
  rollForward: DeadlineResult['roll'];
  ruleVersion: string;
  calendarVersion: number;
  coverageIncomplete: boolean;
  stopped: boolean;
  stoppedReason: string | null;
  closePromptFrom: IsoDate | null;
  completed: boolean;
  overdueFrom: string | null;
  deadlines: DeadlineDetail[];
}

export interface ClockEventView {
  id: number;
  kind: string;
  label: string;
  at: string;
  occurredOn: IsoDate;
  data: Record<string, unknown>;
  note: string | null;
  voided: boolean;
  voidReason: string | null;
}

export interface RecordEventInput {
  kind: string;
  at: string;
  data?: ClockEventData & { outcome?: string };
  note?: string;
  /** A manager confirms an extension recorded after the due date. */
  confirmLate?: boolean;
}

export interface CalculateInput {
  /** The regime to work it out by (a case type), and a refinement within it. */
  type: string;
  subtype?: string;
  receivedAt: string;
  events?: Array<{ kind: string; at: string; data?: ClockEventData; note?: string }>;
  /** `england_wales` counts on the England and Wales holidays only (a comparison). */
  calendar?: 'statutory' | 'england_wales';
}

export interface RefreshResult {
  ok: boolean;
  added: number;
  pendingRemovals: number;
  calendarVersion: number;
  error?: string;
}

export interface CoverageRow {
  division: Division;
  name: string;
  lastHoliday: IsoDate | null;
  coveredUntil: IsoDate | null;
  workingDaysLeft: number;
  short: boolean;
}

export type FetchLike = (
  url: string,
  init: { signal: AbortSignal; headers?: Record<string, string> },
) => Promise<{ ok: boolean; status: number; json(): Promise<unknown> }>;

export type Cause = 'event' | 'calendar' | 'case';

export interface Move {
  kind: string;
  /** It is the subject's main deadline (its regime's `mainKind`). */
  main: boolean;
  from: IsoDate;
  to: IsoDate;
  because: string;
}
