/**
 * The deadline engine (docs/rules/deadlines.md §3–§4). Pure: no database, no clock, no I/O. Given a
 * case's type, date of receipt, clock events and the holiday list, it works out every
 * deadline and shows its working (§7). The caller stores the result as `case_deadline`
 * rows and validates new events with `validateClockEvent` before appending them.
 */
import { buildCalendars, type Calendars, type Holiday, type WorkingCalendar } from './calendar.js';
import {
  addDays,
  addMonthsCapped,
  compareDates,
  formatDayDate,
  isIsoDate,
  londonDateOf,
  londonHourMinute,
  londonInstantAt,
  maxDate,
  monthsWereCapped,
  startOfLondonDay,
  toLondonDate,
  type IsoDate,
} from './dates.js';

import { TYPE_LABELS } from './labels.js';

// ---- Types --------------------------------------------------------------------------------

export type CaseType =
  'foi' | 'eir' | 'sar' | 'complaint' | 'mp_enquiry' | 'suggestion' | 'compliment' | 'general';
export type ComplaintSubtype = 'service' | 'staff' | 'data_protection';

/** The types of correspondence these rules know, by name (the one list: lib/labels.ts). */
export const CASE_TYPE_LABELS: Record<CaseType, string> = TYPE_LABELS;
export const RULE_CASE_TYPES = Object.keys(CASE_TYPE_LABELS) as CaseType[];
export const COMPLAINT_SUBTYPES = ['service', 'staff', 'data_protection'] as const;
export type DeadlineKind = 'statutory' | 'acknowledge' | 'respond' | 'dp_ack' | 'review';
/** `calendar` = counted in calendar days (the DP complaint acknowledgement). */
export type DeadlineCalendar = 'uk_foia' | 'england_wales' | 'calendar';
/** pit = FOIA s10(3); reg7 = EIR reg 7; sar_complex = UK GDPR Art 12(3); target = office. */
export type ExtensionKind = 'pit' | 'reg7' | 'sar_complex' | 'target';

export const CLOCK_EVENT_KINDS = [
  'clarification_requested',
  'clarification_received',
  'fee_notice_sent',
  'fee_received',
  'id_requested',
  'id_received',
  'extended',
  'due_date_override',
  'review_requested',
  'responded',
  'closed',
] as const;
export type ClockEventKind = (typeof CLOCK_EVENT_KINDS)[number];

export interface ClockEventData {
  /** Why: required for a SAR clarification, an override and an office-target extension. */
  reason?: string;
  /** `extended`: which extension (defaults to the one the case type allows). */
  kind?: ExtensionKind;
  /** `extended`: working days (pit, target) or months (sar_complex: 1 or 2). */
  amount?: number;
  /** `due_date_override`: the new date. */
  date?: IsoDate;
  /** `due_date_override`: the deadline it replaces (default: the main one). */
  deadline?: DeadlineKind;
}

/**
 * A clock event as a regime reads it. Generic over the kinds so a regime of another domain
 * (complaints, surveys) declares its own without a cast; these rules use `ClockEventKind`.
 */
export interface ClockEvent<Kind extends string = ClockEventKind> {
  kind: Kind;
  /** An ISO instant (its London date counts) or a `YYYY-MM-DD` date. */
  at: string | Date;
  data?: ClockEventData;
  /** Free text from the API; used as the reason when `data.reason` is absent. */
  note?: string;
  /** Voided by a correction (§4): ignored. */
  voided?: boolean;
}

export interface OfficePolicy {
  acknowledgeWd: number;
  respondWd: number;
  /** SAR internal target in calendar days from the start (§3: "28-day internal target"). */
  sarInternalDays: number;
}

export const DEFAULT_POLICY: OfficePolicy = {
  acknowledgeWd: 2,
  respondWd: 20,
  sarInternalDays: 28,
};

export interface DeadlineInput {
  type: CaseType;
  subtype?: ComplaintSubtype | null;
  /** The instant of arrival; its Europe/London date is the date of receipt (§1). */
  receivedAt?: string | Date;
  /** The date of receipt directly (wins over `receivedAt`). */
  receivedOn?: IsoDate;
  events?: readonly ClockEvent[];
  holidays: readonly Holiday[];
  policy?: Partial<OfficePolicy>;
}

export interface SkippedDay {
  date: IsoDate;
  reason: string;
}

export interface Roll {
  from: IsoDate;
  to: IsoDate;
  direction: 'forward' | 'back';
  reason: string;
}

export interface AppliedExtension<Kind extends string = ExtensionKind> {
  kind: Kind;
  /** Working days (pit, reg7 = the new total of 40, target) or months (sar_complex). */
  amount: number;
  unit: 'working_days' | 'months';
  on: IsoDate;
}

/**
 * One deadline worked out. Generic over its kind and calendar names so another regime
 * (complaints' statutory timers, a survey's close date) returns its own without a cast; the
 * defaults are these correspondence rules' names.
 */
export interface DeadlineResult<
  Kind extends string = DeadlineKind,
  Calendar extends string = DeadlineCalendar,
  Extension extends string = ExtensionKind,
> {
  kind: Kind;
  calendar: Calendar;
  /** The legal basis or policy, e.g. "FOIA s10(1)". */
  rule: string;
  /** Stored as `case_deadline.rule_version`. */
  ruleVersion: string;
  /** How the count starts, in words (§7 "How this date was worked out"). */
  startRule: string;
  /** Day 0 (working-day counts) or day 1 (SAR, DP complaint). Null while stopped. */
  startDate: IsoDate | null;
  /** The computed date, lawful extensions included: statistics use this. Null while stopped. */
  dueDate: IsoDate | null;
  /** Before any extension (for FOI with PIT, when the s17 notice is due). */
  baseDueDate: IsoDate | null;
  /** The furthest standard extension, applied or not; null where the rule has none. */
  extendedDueDate: IsoDate | null;
  extension: AppliedExtension<Extension> | null;
  override: { date: IsoDate; reason: string } | null;
  /** `override.date` if any, else `dueDate`: this drives reminders (§4). */
  effectiveDueDate: IsoDate | null;
  /** Every day in the counting window that was not counted, and why. */
  skipped: SkippedDay[];
  roll: Roll | null;
  notes: string[];
  /** A date lies outside the holiday data (§2 "Coverage alert"). */
  coverageIncomplete: boolean;
  stopped: boolean;
  /** Date of the response or closure that stopped this clock. */
  completedOn: IsoDate | null;
  /** Review only: requested more than 40 WD after the response (§3). */
  lateReviewRequest?: boolean;
}

/**
 * Every deadline of one subject. Generic over the subject's type (a regime id), its variant
 * and its deadline kind and calendar names, so a regime of any domain returns one without a
 * cast; the defaults are correspondence's (computeDeadlines below).
 */
export interface DeadlineComputation<
  Subject extends string = CaseType,
  Variant extends string = ComplaintSubtype,
  Kind extends string = DeadlineKind,
  Calendar extends string = DeadlineCalendar,
  Extension extends string = ExtensionKind,
> {
  type: Subject;
  subtype: Variant | null;
  receivedOn: IsoDate;
  /** Which deadline `dueDate` describes: statutory for FOI/EIR/SAR, respond otherwise. */
  mainKind: Kind;
  calendar: Calendar;
  dueDate: IsoDate | null;
  baseDueDate: IsoDate | null;
  extendedDueDate: IsoDate | null;
  effectiveDueDate: IsoDate | null;
  startRule: string;
  startDate: IsoDate | null;
  skipped: SkippedDay[];
  rollForward: Roll | null;
  ruleVersion: string;
  /** True if any deadline has a date outside the holiday data. */
  coverageIncomplete: boolean;
  /** The main clock is stopped or paused (awaiting clarification, a fee or ID). */
  stopped: boolean;
  stoppedReason: string | null;
  stoppedSince: IsoDate | null;
  /** FOI/EIR: offer to close the case from this date if still stopped (3 months). */
  closePromptFrom: IsoDate | null;
  /** A response or closure has stopped the clock (no warnings). */
  completed: boolean;
  respondedOn: IsoDate | null;
  closedOn: IsoDate | null;
  deadlines: DeadlineResult<Kind, Calendar, Extension>[];
}

// ---- Constants ----------------------------------------------------------------------------

/** FOIA s10(1): "not later than the twentieth working day following the date of receipt". */
export const FOI_LIMIT_WD = 20;
/** FOIA s10(3) allows "reasonable" extra time for the PIT; the s45 Code caps it at +20 WD. */
export const PIT_MAX_EXTRA_WD = 20;
/** EIR reg 5(2). */
export const EIR_LIMIT_WD = 20;
/** EIR reg 7(1): complex and voluminous, 40 WD. */
export const EIR_REG7_WD = 40;
/** UK GDPR Art 12(3): "one month", extendable "by two further months". */
export const SAR_EXTENSION_MONTHS = 2;
/** FOI internal review (s45 Code) and EIR reg 11: target 20, at most 40. */
export const REVIEW_TARGET_WD = 20;
export const REVIEW_MAX_WD = 40;
/** A review asked for more than 40 WD after the response is flagged (s45 Code; EIR reg 11(2)). */
export const LATE_REVIEW_WD = 40;
/** DPA 2018 s164A (inserted by the Data (Use and Access) Act 2025 s103): 30 days. */
export const DP_ACK_DAYS = 30;
export const DP_COMPLAINTS_FROM: IsoDate = '2026-06-19';
/** FOIA s1(3) clarification and s9(2) fee: the request lapses after 3 months. */
export const CLOSE_PROMPT_MONTHS = 3;

export const RULE_VERSIONS = {
  foi: 'foi-s10.v1',
  eir: 'eir-reg5.v1',
  /** EIR reg 8 advance payments treated like FOIA s10(2): "to be confirmed" (§4). */
  eirFee: 'eir-reg5.v1+reg8-fee-provisional',
  sar: 'sar-art12.v1',
  /** The Art 12A pause rule awaits DPO confirmation (§4), so its use is recorded. */
  sarPause: 'sar-art12.v1+art12a-pause-unconfirmed',
  review: 'review-s45-reg11.v1',
  dpAck: 'dpa-s164a.v1',
  office: 'office-target.v1',
} as const;

/** Working hours for sending warnings (§6): 09:00–17:00 London on E&W working days. */
export const WORKING_HOURS = { startHour: 9, endHour: 17 } as const;

/** The event each answer closes. */
const ASKED_BY = {
  clarification_received: 'clarification_requested',
  fee_received: 'fee_notice_sent',
  id_received: 'id_requested',
} as const satisfies Partial<Record<ClockEventKind, ClockEventKind>>;

const KIND_ORDER: readonly DeadlineKind[] = [
  'statutory',
  'acknowledge',
  'respond',
  'dp_ack',
  'review',
];

// ---- Input normalisation ------------------------------------------------------------------

export class DeadlineInputError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = 'DeadlineInputError';
  }
}

interface NormEvent {
  kind: ClockEventKind;
  date: IsoDate;
  data: ClockEventData;
  reason: string | null;
}

function eventDate(at: string | Date): IsoDate {
  try {
    return toLondonDate(at);
  } catch {
    throw new DeadlineInputError(`Clock event with a bad date: ${JSON.stringify(String(at))}`);
  }
}

function receivedDateOf(input: Pick<DeadlineInput, 'receivedOn' | 'receivedAt'>): IsoDate {
  if (input.receivedOn !== undefined) {
    if (!isIsoDate(input.receivedOn)) {
      throw new DeadlineInputError(
        `receivedOn is not a YYYY-MM-DD date: ${JSON.stringify(input.receivedOn)}`,
      );
    }
    return input.receivedOn;
  }
  if (input.receivedAt !== undefined) return eventDate(input.receivedAt);
  throw new DeadlineInputError('Either receivedAt or receivedOn is required');
}

function reasonOf(e: ClockEvent): string | null {
  const r = (e.data?.reason ?? e.note ?? '').trim();
  return r === '' ? null : r;
}

/** Live events in date order; events on the same date keep their recorded order. */
function normaliseEvents(events: readonly ClockEvent[]): NormEvent[] {
  return events
    .filter((e) => !e.voided)
    .map((e, i) => ({ e, i, date: eventDate(e.at) }))
    .sort((a, b) => compareDates(a.date, b.date) || a.i - b.i)
    .map(({ e, date }) => ({ kind: e.kind, date, data: e.data ?? {}, reason: reasonOf(e) }));
}

const calendarCache = new WeakMap<readonly Holiday[], Calendars>();
function calendarsFor(holidays: readonly Holiday[]): Calendars {
  let cals = calendarCache.get(holidays);
  if (!cals) {
    cals = buildCalendars(holidays);
    calendarCache.set(holidays, cals);
  }
  return cals;
}

function blankResult(
  kind: DeadlineKind,
  calendar: DeadlineCalendar,
  rule: string,
  ruleVersion: string,
): DeadlineResult {
  return {
    kind,
    calendar,
    rule,
    ruleVersion,
    startRule: '',
    startDate: null,
    dueDate: null,
    baseDueDate: null,
    extendedDueDate: null,
    extension: null,
    override: null,
    effectiveDueDate: null,
    skipped: [],
    roll: null,
    notes: [],
    coverageIncomplete: false,
    stopped: false,
    completedOn: null,
  };
}

function flagCoverage(r: DeadlineResult, cal: WorkingCalendar): void {
  const dates = [r.startDate, r.dueDate, r.extendedDueDate].filter((d): d is IsoDate => !!d);
  r.coverageIncomplete = dates.some((d) => cal.isOutsideCoverage(d));
  if (r.coverageIncomplete) {
    r.notes.push(
      `The bank holiday data ends ${cal.coverageEnd() ? formatDayDate(cal.coverageEnd()!) : '(none loaded)'}: this date may move when later holidays are published.`,
    );
  }
}

// ---- Working-day counting -----------------------------------------------------------------

interface Disregarded {
  from: IsoDate;
  to: IsoDate;
  reason: string;
}

/**
 * The `limit`th counted working day after `day0`, skipping non-working days and any
 * working day inside a disregarded period (the FOIA s10(2) fee period). Returns the days
 * skipped on the way.
 */
function countWorkingDays(
  cal: WorkingCalendar,
  day0: IsoDate,
  limit: number,
  disregarded: readonly Disregarded[] = [],
): { due: IsoDate; skipped: SkippedDay[] } {
  const skipped: SkippedDay[] = [];
  let date = day0;
  for (let counted = 0; counted < limit;) {
    date = addDays(date, 1);
    const reason =
      cal.reasonNotWorking(date) ?? disregarded.find((p) => p.from <= date && date <= p.to)?.reason;
    if (reason) skipped.push({ date, reason });
    else counted += 1;
  }
  return { due: date, skipped };
}

function daysInclusive(from: IsoDate, to: IsoDate): IsoDate[] {
  const out: IsoDate[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}

/**
 * The office's requests of one kind (clarification, a fee, proof of identity) and the
 * answers, in date order. An answer closes the request open before it (the earliest not yet
 * answered) or, with none open, came unasked; `open` is the request still unanswered.
 */
function exchanges(
  events: readonly NormEvent[],
  ask: ClockEventKind,
  answer: ClockEventKind,
): { answered: Array<{ asked: IsoDate | null; on: IsoDate }>; open: IsoDate | null } {
  const answered: Array<{ asked: IsoDate | null; on: IsoDate }> = [];
  let open: IsoDate | null = null;
  for (const e of events) {
    if (e.kind === ask) open ??= e.date;
    else if (e.kind === answer) {
      answered.push({ asked: open, on: e.date });
      open = null;
    }
  }
  return { answered, open };
}

// ---- FOI and EIR --------------------------------------------------------------------------

interface StopInfo {
  reason: string;
  since: IsoDate;
  closePromptFrom: IsoDate | null;
}

/**
 * What FOIA s10 and EIR reg 5 each say where they differ: the limit, the extension the law
 * allows, and the provisions cited. The counting (a restart on clarification, fee periods
 * disregarded, the clock stopped while awaiting either) is shared, in foiEirStatutory.
 */
interface FoiEirLaw {
  rule: string;
  ruleVersion: string;
  /** The rule version once a fee period has been disregarded, if that differs. */
  feeRuleVersion?: string;
  /** The act's short name, in notes. */
  act: string;
  limitWd: number;
  /** How far the extension can take the limit, in working days. */
  furthestWd: number;
  extension: ExtensionKind;
  /** The extension after one more `extended` event of this law's kind. */
  extend(so: AppliedExtension | null, event: NormEvent): AppliedExtension;
  /** The limit in working days once extended. */
  extendedWd(applied: AppliedExtension): number;
  extensionNote(applied: AppliedExtension, baseDue: IsoDate): string;
  cites: {
    feePeriod: string;
    clarificationStop: string;
    feeStop: string;
    restart: string;
    workingDays: string;
  };
}

const FOI_LAW: FoiEirLaw = {
  rule: 'FOIA s10(1)',
  ruleVersion: RULE_VERSIONS.foi,
  act: 'FOIA',
  limitWd: FOI_LIMIT_WD,
  furthestWd: FOI_LIMIT_WD + PIT_MAX_EXTRA_WD,
  extension: 'pit',
  // s10(3) permits a "reasonable" extension; the s45 Code caps it at 20 WD in all.
  extend: (so, e) => {
    const amount = Math.max(0, Math.floor(e.data.amount ?? PIT_MAX_EXTRA_WD));
    const total = Math.min(PIT_MAX_EXTRA_WD, (so?.amount ?? 0) + amount);
    return { kind: 'pit', amount: total, unit: 'working_days', on: e.date };
  },
  extendedWd: (applied) => FOI_LIMIT_WD + applied.amount,
  extensionNote: (applied, baseDue) =>
    `Public interest test: +${applied.amount} working days (FOIA s10(3)); the s17 notice was due by day ${FOI_LIMIT_WD}, ${formatDayDate(baseDue)}.`,
  cites: {
    feePeriod: 'FOIA s10(2)',
    clarificationStop: 'FOIA s1(3)',
    feeStop: 'FOIA s9(2), s10(2)',
    restart: 'FOIA s1(3), s10(6)(b)',
    workingDays: 'FOIA s10(6)',
  },
};

const EIR_LAW: FoiEirLaw = {
  rule: 'EIR reg 5(2)',
  ruleVersion: RULE_VERSIONS.eir,
  feeRuleVersion: RULE_VERSIONS.eirFee,
  act: 'EIR',
  limitWd: EIR_LIMIT_WD,
  furthestWd: EIR_REG7_WD,
  extension: 'reg7',
  // Reg 7(1) sets a new limit of 40 WD, once.
  extend: (so, e) => so ?? { kind: 'reg7', amount: EIR_REG7_WD, unit: 'working_days', on: e.date },
  extendedWd: () => EIR_REG7_WD,
  extensionNote: () =>
    `Extended to ${EIR_REG7_WD} working days as complex and voluminous (EIR reg 7(1)).`,
  cites: {
    feePeriod: 'EIR reg 8, treated as FOIA s10(2)',
    clarificationStop: 'EIR reg 9',
    feeStop: 'EIR reg 8',
    restart: 'EIR reg 9(4)',
    workingDays: 'EIR reg 2(1)',
  },
};

function foiEirStatutory(
  law: FoiEirLaw,
  receivedOn: IsoDate,
  events: readonly NormEvent[],
  cal: WorkingCalendar,
): { result: DeadlineResult; stop: StopInfo | null } {
  const r = blankResult('statutory', 'uk_foia', law.rule, law.ruleVersion);
  const clarification = exchanges(events, 'clarification_requested', 'clarification_received');
  const fee = exchanges(events, 'fee_notice_sent', 'fee_received');
  // FOIA s1(3) and s10(6)(b); EIR reg 9(4): the date the clarification arrives is the new
  // date of receipt, and the 20 WD run afresh from it.
  const restartedOn = clarification.answered.at(-1)?.on ?? null;
  const day0 = restartedOn ?? receivedOn;
  // FOIA s10(2): working days from the day the fees notice is given to the day the fee is
  // received, both included, are disregarded.
  const feePeriods: Disregarded[] = fee.answered.flatMap(({ asked, on }) =>
    asked
      ? [
          {
            from: asked,
            to: on,
            reason: `Fee period: notice sent ${formatDayDate(asked)}, fee received ${formatDayDate(on)} (${law.cites.feePeriod})`,
          },
        ]
      : [],
  );
  if (feePeriods.length > 0 && law.feeRuleVersion) r.ruleVersion = law.feeRuleVersion;
  let extension: AppliedExtension | null = null;
  for (const e of events) {
    if (e.kind === 'extended' && (e.data.kind ?? law.extension) === law.extension)
      extension = law.extend(extension, e);
  }

  const clarificationPending = clarification.open;
  const feePending = fee.open;
  if (clarificationPending || feePending) {
    const since = (clarificationPending ?? feePending)!;
    const reason = clarificationPending
      ? `Awaiting clarification requested ${formatDayDate(since)}: the clock is stopped (${law.cites.clarificationStop})`
      : `Awaiting the fee, notice sent ${formatDayDate(since)}: the clock is stopped (${law.cites.feeStop})`;
    r.stopped = true;
    r.startRule = reason;
    const closePromptFrom = addMonthsCapped(since, CLOSE_PROMPT_MONTHS);
    r.notes.push(
      `If there is no reply, offer to close the case from ${formatDayDate(closePromptFrom)}.`,
    );
    return { result: r, stop: { reason, since, closePromptFrom } };
  }

  const limit = law.limitWd;
  const base = countWorkingDays(cal, day0, limit, feePeriods);
  const furthest = countWorkingDays(cal, day0, law.furthestWd, feePeriods);
  const applied: AppliedExtension | null = extension;
  const total = applied ? law.extendedWd(applied) : limit;
  const main = total === limit ? base : countWorkingDays(cal, day0, total, feePeriods);

  r.startDate = day0;
  r.baseDueDate = base.due;
  r.dueDate = main.due;
  r.extendedDueDate = furthest.due;
  r.extension = applied;
  r.skipped = main.skipped;
  if (restartedOn) {
    const before = daysInclusive(addDays(receivedOn, 1), day0).map((date) => ({
      date,
      reason: `Before the restart: the clarification received ${formatDayDate(day0)} is day 0`,
    }));
    r.skipped = [...before, ...r.skipped];
    r.startRule = `Day 0 is ${formatDayDate(day0)}, when the clarification arrived: the ${limit} working days are counted afresh (${law.cites.restart}).`;
  } else {
    r.startRule = `Day 0 is the date of receipt, ${formatDayDate(day0)}; the answer is due by the end of the ${limit}th working day after it (${r.rule}).`;
  }
  if (!cal.isWorkingDay(day0)) {
    r.notes.push(
      `${formatDayDate(day0)} is not a working day, so day 1 is ${formatDayDate(cal.nextWorkingDayOnOrAfter(addDays(day0, 1)))}.`,
    );
  }
  r.notes.push(
    `Working days exclude weekends and bank holidays in any part of the UK (${law.cites.workingDays}).`,
  );
  if (feePeriods.length > 0)
    r.notes.push(`Working days in the fee period are not counted (${law.act}).`);
  if (applied) r.notes.push(law.extensionNote(applied, base.due));
  flagCoverage(r, cal);
  return { result: r, stop: null };
}

// ---- SAR ----------------------------------------------------------------------------------

function sarStatutory(
  receivedOn: IsoDate,
  events: readonly NormEvent[],
  cal: WorkingCalendar,
  policy: OfficePolicy,
): { result: DeadlineResult; internal: DeadlineResult; stop: StopInfo | null } {
  const r = blankResult('statutory', 'england_wales', 'UK GDPR Art 12(3)', RULE_VERSIONS.sar);
  const internal = blankResult(
    'respond',
    'england_wales',
    'Office target (SAR)',
    RULE_VERSIONS.office,
  );
  const id = exchanges(events, 'id_requested', 'id_received');
  const fee = exchanges(events, 'fee_notice_sent', 'fee_received');
  const clarification = exchanges(events, 'clarification_requested', 'clarification_received');
  const idPending = id.open;
  const feePending = fee.open;
  const clarificationPending = clarification.open;
  // Answers come in date order: the last is the latest.
  const idReceived = id.answered.at(-1)?.on ?? null;
  const feeReceived = fee.answered.at(-1)?.on ?? null;
  const pauses = clarification.answered.map(({ asked, on }) => ({ from: asked ?? on, to: on }));
  let extension: AppliedExtension | null = null;
  for (const e of events) {
    // Art 12(3): "extended by two further months"; once (a second is refused).
    if (e.kind === 'extended' && (e.data.kind ?? 'sar_complex') === 'sar_complex' && !extension) {
      const months = Math.min(
        SAR_EXTENSION_MONTHS,
        Math.max(1, Math.floor(e.data.amount ?? SAR_EXTENSION_MONTHS)),
      );
      extension = { kind: 'sar_complex', amount: months, unit: 'months', on: e.date };
    }
  }

  if (idPending || feePending || clarificationPending) {
    const reason = clarificationPending
      ? `Paused for clarification requested ${formatDayDate(clarificationPending)} (UK GDPR Art 12A)`
      : idPending
        ? `Waiting for proof of identity, requested ${formatDayDate(idPending)}: the time limit starts when it arrives (UK GDPR Art 12A)`
        : `Waiting for the fee, requested ${formatDayDate(feePending!)}: the time limit starts when it arrives (UK GDPR Art 12A)`;
    const since = clarificationPending ?? idPending ?? feePending!;
    for (const d of [r, internal]) {
      d.stopped = true;
      d.startRule = reason;
    }
    return { result: r, internal, stop: { reason, since, closePromptFrom: null } };
  }

  // Art 12A: the period starts with the latest of receipt, ID and fee; that day is day 1,
  // so the month ends on the same date next month.
  const start = maxDate(receivedOn, ...[idReceived, feeReceived].filter((d): d is IsoDate => !!d));
  const skipped: SkippedDay[] = [];
  if (start !== receivedOn) {
    const what = start === idReceived ? 'proof of identity' : 'the fee';
    for (const date of daysInclusive(receivedOn, addDays(start, -1))) {
      skipped.push({
        date,
        reason: `Before the start: waiting for ${what}, received ${formatDayDate(start)} (UK GDPR Art 12A)`,
      });
    }
  }
  // Art 12A pause (DPO to confirm): days from the request to the answer, both included,
  // are added on. Only days from the start onwards count as paused.
  let pausedDays = 0;
  for (const p of pauses) {
    if (p.to < start) continue;
    const from = maxDate(p.from, start);
    for (const date of daysInclusive(from, p.to)) {
      pausedDays += 1;
      skipped.push({
        date,
        reason: `Paused: clarification requested ${formatDayDate(p.from)}, answered ${formatDayDate(p.to)} (UK GDPR Art 12A)`,
      });
    }
  }
  if (pausedDays > 0) r.ruleVersion = RULE_VERSIONS.sarPause;

  const dueAfter = (months: number) => {
    const capped = addMonthsCapped(start, months);
    const raw = addDays(capped, pausedDays);
    return { capped, raw, due: cal.nextWorkingDayOnOrAfter(raw) };
  };
  const base = dueAfter(1);
  const furthest = dueAfter(1 + SAR_EXTENSION_MONTHS);
  const main = extension ? dueAfter(1 + extension.amount) : base;

  r.startDate = start;
  r.baseDueDate = base.due;
  r.dueDate = main.due;
  r.extendedDueDate = furthest.due;
  r.extension = extension;
  r.startRule = `Day 1 is ${formatDayDate(start)}, the latest of receipt, proof of identity and fee; due the same date ${extension ? `${1 + extension.amount} months later` : 'next month'}, or that month's last day, moved to the next working day if it is not one (UK GDPR Art 12(3), Art 12A).`;
  if (monthsWereCapped(start, extension ? 1 + extension.amount : 1)) {
    r.notes.push(
      `There is no ${Number(start.slice(8))} in that month, so the period runs to its last day, ${formatDayDate(main.capped)}.`,
    );
  }
  if (pausedDays > 0) {
    r.notes.push(
      `${pausedDays} paused day${pausedDays === 1 ? '' : 's'} added: ${formatDayDate(main.capped)} becomes ${formatDayDate(main.raw)}.`,
    );
  }
  if (main.raw !== main.due) {
    r.roll = {
      from: main.raw,
      to: main.due,
      direction: 'forward',
      reason: `${formatDayDate(main.raw)} is not a working day (${cal.reasonNotWorking(main.raw)}), so the deadline moves to the next working day`,
    };
    skipped.push(
      ...daysInclusive(main.raw, addDays(main.due, -1)).map((date) => ({
        date,
        reason: cal.reasonNotWorking(date)!,
      })),
    );
  }
  if (extension) {
    r.notes.push(
      `Extended by ${extension.amount} month${extension.amount === 1 ? '' : 's'} as complex or numerous (UK GDPR Art 12(3)); the requester must be told within the first month, by ${formatDayDate(base.due)}.`,
    );
  }
  r.skipped = skipped.sort((a, b) => compareDates(a.date, b.date));
  flagCoverage(r, cal);

  // The internal target: `sarInternalDays` after the start (plus any pause), brought back
  // to a working day so it never falls after the statutory date.
  const rawTarget = addDays(start, policy.sarInternalDays + pausedDays);
  internal.startDate = start;
  internal.dueDate = cal.previousWorkingDayOnOrBefore(rawTarget);
  internal.baseDueDate = internal.dueDate;
  internal.startRule = `${policy.sarInternalDays} days after the start, ${formatDayDate(start)}${pausedDays ? `, plus ${pausedDays} paused days` : ''}; if that is not a working day, the working day before (office target).`;
  if (rawTarget !== internal.dueDate) {
    internal.roll = {
      from: rawTarget,
      to: internal.dueDate,
      direction: 'back',
      reason: `${formatDayDate(rawTarget)} is not a working day (${cal.reasonNotWorking(rawTarget)})`,
    };
  }
  flagCoverage(internal, cal);
  return { result: r, internal, stop: null };
}

// ---- Office targets, DP complaints and reviews --------------------------------------------

function officeTarget(
  kind: 'acknowledge' | 'respond',
  receivedOn: IsoDate,
  wd: number,
  cal: WorkingCalendar,
  events: readonly NormEvent[],
): DeadlineResult {
  const r = blankResult(kind, 'england_wales', 'Office target', RULE_VERSIONS.office);
  let extra = 0;
  let on: IsoDate | null = null;
  if (kind === 'respond') {
    for (const e of events) {
      if (e.kind === 'extended' && (e.data.kind ?? 'target') === 'target') {
        extra += Math.max(0, Math.floor(e.data.amount ?? 0));
        on = e.date;
      }
    }
  }
  const base = countWorkingDays(cal, receivedOn, wd);
  const main = extra > 0 ? countWorkingDays(cal, receivedOn, wd + extra) : base;
  r.startDate = receivedOn;
  r.baseDueDate = base.due;
  r.dueDate = main.due;
  r.skipped = main.skipped;
  r.extension = on ? { kind: 'target', amount: extra, unit: 'working_days', on } : null;
  r.startRule = `Day 0 is the date of receipt, ${formatDayDate(receivedOn)}; ${wd} working days on the England and Wales calendar (office target).`;
  if (r.extension) r.notes.push(`Extended by a manager by ${extra} working days.`);
  flagCoverage(r, cal);
  return r;
}

/**
 * DPA 2018 s164A: acknowledge a data protection complaint "within the period of 30 days
 * beginning with the day on which the complaint is received". Receipt is day 1, so the
 * last day is receipt + 29; the office acts on the working day before if that is not one.
 */
function dpAcknowledge(receivedOn: IsoDate, cal: WorkingCalendar): DeadlineResult {
  const r = blankResult('dp_ack', 'calendar', 'DPA 2018 s164A', RULE_VERSIONS.dpAck);
  const last = addDays(receivedOn, DP_ACK_DAYS - 1);
  const due = cal.previousWorkingDayOnOrBefore(last);
  r.startDate = receivedOn;
  r.dueDate = due;
  r.baseDueDate = due;
  r.startRule = `Day 1 is the date of receipt, ${formatDayDate(receivedOn)}; acknowledge within ${DP_ACK_DAYS} days, by ${formatDayDate(last)}, or the working day before if that is not one (DPA 2018 s164A).`;
  if (last !== due) {
    r.roll = {
      from: last,
      to: due,
      direction: 'back',
      reason: `${formatDayDate(last)} is not a working day (${cal.reasonNotWorking(last)}), so act by the working day before`,
    };
  }
  flagCoverage(r, cal);
  return r;
}

/** How a review of a response is timed: the count is shared, the start and wording are not. */
interface ReviewLaw {
  rule: string;
  dayZero(requestedOn: IsoDate, cal: WorkingCalendar): IsoDate;
  startRule(day0: IsoDate): string;
}

const FOI_REVIEW: ReviewLaw = {
  rule: 'FOIA s45 Code of Practice, part 5',
  // The s45 Code (para 4.2) treats a request arriving on a non-working day as received on
  // the next working day.
  dayZero: (requestedOn, cal) => cal.nextWorkingDayOnOrAfter(requestedOn),
  startRule: (day0) =>
    `Day 0 is ${formatDayDate(day0)}, the working day the review request was received (s45 Code): target ${REVIEW_TARGET_WD} working days, ${REVIEW_MAX_WD} at most.`,
};

const EIR_REVIEW: ReviewLaw = {
  rule: 'EIR reg 11(4)',
  // EIR reg 11 is statutory and counts from the actual date.
  dayZero: (requestedOn) => requestedOn,
  startRule: (day0) =>
    `Day 0 is ${formatDayDate(day0)}, when the representations were received: target ${REVIEW_TARGET_WD} working days, ${REVIEW_MAX_WD} at most (EIR reg 11(4)).`,
};

function review(
  law: ReviewLaw,
  requestedOn: IsoDate,
  respondedOn: IsoDate | null,
  cal: WorkingCalendar,
): DeadlineResult {
  const r = blankResult('review', 'uk_foia', law.rule, RULE_VERSIONS.review);
  const day0 = law.dayZero(requestedOn, cal);
  const target = countWorkingDays(cal, day0, REVIEW_TARGET_WD);
  const max = countWorkingDays(cal, day0, REVIEW_MAX_WD);
  r.startDate = day0;
  r.dueDate = target.due;
  r.baseDueDate = target.due;
  r.extendedDueDate = max.due;
  r.skipped = target.skipped;
  r.startRule = law.startRule(day0);
  if (day0 !== requestedOn) {
    r.notes.push(
      `Requested on ${formatDayDate(requestedOn)}, not a working day, so treated as received on ${formatDayDate(day0)}.`,
    );
  }
  r.lateReviewRequest =
    respondedOn !== null && cal.workingDaysBetween(respondedOn, requestedOn) > LATE_REVIEW_WD;
  if (r.lateReviewRequest) {
    r.notes.push(
      `Requested more than ${LATE_REVIEW_WD} working days after the response of ${formatDayDate(respondedOn!)}.`,
    );
  }
  flagCoverage(r, cal);
  return r;
}

// ---- The rules, as data ------------------------------------------------------------------

interface RuleContext {
  receivedOn: IsoDate;
  events: readonly NormEvent[];
  cals: Calendars;
  policy: OfficePolicy;
  subtype: ComplaintSubtype | null;
}

/** A type's main deadline (and any that come with it), and whether the clock is stopped. */
interface MainRule {
  mainKind: DeadlineKind;
  build(ctx: RuleContext): { results: DeadlineResult[]; stop: StopInfo | null };
}

const statutoryFoiEir = (law: FoiEirLaw): MainRule => ({
  mainKind: 'statutory',
  build: ({ receivedOn, events, cals }) => {
    const out = foiEirStatutory(law, receivedOn, events, cals.uk_foia);
    return { results: [out.result], stop: out.stop };
  },
});

const statutorySar: MainRule = {
  mainKind: 'statutory',
  build: ({ receivedOn, events, cals, policy }) => {
    const out = sarStatutory(receivedOn, events, cals.england_wales, policy);
    return { results: [out.result, out.internal], stop: out.stop };
  },
};

const officeResponse: MainRule = {
  mainKind: 'respond',
  build: ({ receivedOn, events, cals, policy }) => ({
    results: [officeTarget('respond', receivedOn, policy.respondWd, cals.england_wales, events)],
    stop: null,
  }),
};

/** One type's rules: another type is one more entry in TYPE_RULES, editing none of these. */
interface TypeRules {
  main: MainRule;
  /** The extension its law allows; an `extended` event naming no kind means this one. */
  extension: ExtensionKind;
  /** The clock events that apply to it. */
  events: readonly ClockEventKind[];
  /** Clarification pauses the clock only with a reason (UK GDPR Art 12A: genuinely needed). */
  clarificationNeedsReason?: boolean;
  /** Answers that may arrive unasked, with the request (a SAR's fee or ID). */
  unaskedAnswers?: readonly ClockEventKind[];
  /** Deadlines beside the main one (and the office's acknowledgement), where they apply. */
  extras?: ReadonlyArray<(ctx: RuleContext) => DeadlineResult | null>;
  /** How a review of its response is timed; none where a response cannot be reviewed. */
  review?: ReviewLaw;
}

const EVERY_TYPE_EVENTS: readonly ClockEventKind[] = [
  'extended',
  'due_date_override',
  'responded',
  'closed',
];
const CLARIFICATION_AND_FEE_EVENTS: readonly ClockEventKind[] = [
  'clarification_requested',
  'clarification_received',
  'fee_notice_sent',
  'fee_received',
];

/** DPA 2018 s164A: data protection complaints received from 19 June 2026. */
const dpAcknowledgement = ({ subtype, receivedOn, cals }: RuleContext) =>
  subtype === 'data_protection' && receivedOn >= DP_COMPLAINTS_FROM
    ? dpAcknowledge(receivedOn, cals.england_wales)
    : null;

const OFFICE_RULES: TypeRules = {
  main: officeResponse,
  extension: 'target',
  events: EVERY_TYPE_EVENTS,
};

/** Each type's regime: FOI s10, EIR reg 5, SAR Art 12, office targets for the rest. */
const TYPE_RULES: Record<CaseType, TypeRules> = {
  foi: {
    main: statutoryFoiEir(FOI_LAW),
    extension: FOI_LAW.extension,
    events: [...EVERY_TYPE_EVENTS, ...CLARIFICATION_AND_FEE_EVENTS, 'review_requested'],
    review: FOI_REVIEW,
  },
  eir: {
    main: statutoryFoiEir(EIR_LAW),
    extension: EIR_LAW.extension,
    events: [...EVERY_TYPE_EVENTS, ...CLARIFICATION_AND_FEE_EVENTS, 'review_requested'],
    review: EIR_REVIEW,
  },
  sar: {
    main: statutorySar,
    extension: 'sar_complex',
    events: [...EVERY_TYPE_EVENTS, ...CLARIFICATION_AND_FEE_EVENTS, 'id_requested', 'id_received'],
    clarificationNeedsReason: true,
    unaskedAnswers: ['fee_received', 'id_received'],
  },
  complaint: { ...OFFICE_RULES, extras: [dpAcknowledgement] },
  mp_enquiry: OFFICE_RULES,
  suggestion: OFFICE_RULES,
  compliment: OFFICE_RULES,
  general: OFFICE_RULES,
};

const rulesOf = (type: CaseType): TypeRules => TYPE_RULES[type] ?? OFFICE_RULES;

// ---- The engine ---------------------------------------------------------------------------

/** Works out every deadline for a case. Pure and deterministic. */
export function computeDeadlines(input: DeadlineInput): DeadlineComputation {
  const receivedOn = receivedDateOf(input);
  const events = normaliseEvents(input.events ?? []);
  const cals = calendarsFor(input.holidays);
  const policy: OfficePolicy = { ...DEFAULT_POLICY, ...input.policy };
  const { type } = input;
  const subtype = input.subtype ?? null;
  const ctx: RuleContext = { receivedOn, events, cals, policy, subtype };

  const rules = rulesOf(type);
  const main = rules.main.build(ctx);
  const deadlines: DeadlineResult[] = [...main.results];
  const stop = main.stop;
  const mainKind = rules.main.mainKind;
  // The office's acknowledgement target: every type.
  deadlines.push(
    officeTarget('acknowledge', receivedOn, policy.acknowledgeWd, cals.england_wales, []),
  );
  for (const extra of rules.extras ?? []) {
    const result = extra(ctx);
    if (result) deadlines.push(result);
  }

  // Responses, closures, reviews and overrides.
  const responded = events.filter((e) => e.kind === 'responded').map((e) => e.date);
  const closed = events.filter((e) => e.kind === 'closed').map((e) => e.date);
  const stops = [...responded, ...closed].sort();
  const respondedOn = responded[0] ?? null;
  const closedOn = closed.at(-1) ?? null;
  const reviewRequest = events.filter((e) => e.kind === 'review_requested').at(-1) ?? null;
  for (const d of deadlines) d.completedOn = stops[0] ?? null;
  if (reviewRequest && rules.review) {
    const before = responded.filter((d) => d <= reviewRequest.date).at(-1) ?? null;
    const r = review(rules.review, reviewRequest.date, before, cals.uk_foia);
    r.completedOn = stops.find((d) => d >= reviewRequest.date) ?? null;
    deadlines.push(r);
  }
  for (const e of events) {
    if (e.kind !== 'due_date_override' || !isIsoDate(e.data.date)) continue;
    const target = deadlines.find((d) => d.kind === (e.data.deadline ?? mainKind));
    if (target) target.override = { date: e.data.date, reason: e.reason ?? '' };
  }
  for (const d of deadlines) d.effectiveDueDate = d.override?.date ?? d.dueDate;
  deadlines.sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind));

  const mainResult = deadlines.find((d) => d.kind === mainKind)!;
  const live = deadlines.find((d) => d.kind === 'review') ?? mainResult;
  return {
    type,
    subtype,
    receivedOn,
    mainKind,
    calendar: mainResult.calendar,
    dueDate: mainResult.dueDate,
    baseDueDate: mainResult.baseDueDate,
    extendedDueDate: mainResult.extendedDueDate,
    effectiveDueDate: mainResult.effectiveDueDate,
    startRule: mainResult.startRule,
    startDate: mainResult.startDate,
    skipped: mainResult.skipped,
    rollForward: mainResult.roll,
    ruleVersion: mainResult.ruleVersion,
    coverageIncomplete: deadlines.some((d) => d.coverageIncomplete),
    stopped: mainResult.stopped,
    stoppedReason: stop?.reason ?? null,
    stoppedSince: stop?.since ?? null,
    closePromptFrom: stop?.closePromptFrom ?? null,
    completed: live.completedOn !== null,
    respondedOn,
    closedOn,
    deadlines,
  };
}

// ---- Validation ---------------------------------------------------------------------------

export interface FieldError {
  /** Path in the event body: `at`, `kind`, `data.reason`, `data.amount`, `data.kind`, `data.date`. */
  field: string;
  code: string;
  message: string;
}

export interface ValidateOptions {
  /** The London date of `clock.now()`. */
  today: IsoDate;
  /** The actor is a manager (overrides and office-target extensions are theirs). */
  isManager?: boolean;
  /** A manager has confirmed an extension recorded after the due date. */
  managerConfirmed?: boolean;
}

/**
 * Checks a new clock event against the case's live events (§4 "Refused with a field
 * error"). Returns an empty list when it may be appended.
 */
export function validateClockEvent(
  input: DeadlineInput,
  event: ClockEvent,
  options: ValidateOptions,
): FieldError[] {
  const errors: FieldError[] = [];
  const fail = (field: string, code: string, message: string) =>
    errors.push({ field, code, message });
  if (!(CLOCK_EVENT_KINDS as readonly string[]).includes(event.kind)) {
    fail('kind', 'deadlines.unknown_event', `Unknown clock event "${String(event.kind)}"`);
    return errors;
  }
  let date: IsoDate;
  try {
    date = toLondonDate(event.at);
  } catch {
    fail('at', 'deadlines.invalid_date', 'Enter a real date');
    return errors;
  }
  const receivedOn = receivedDateOf(input);
  if (date > options.today) fail('at', 'deadlines.future_date', 'The date cannot be in the future');
  if (date < receivedOn) {
    fail(
      'at',
      'deadlines.before_receipt',
      `The date cannot be before the date of receipt, ${formatDayDate(receivedOn)}`,
    );
  }
  const rules = rulesOf(input.type);
  if (!rules.events.includes(event.kind)) {
    fail('kind', 'deadlines.not_applicable', `"${event.kind}" does not apply to this type of case`);
    return errors;
  }

  const existing = normaliseEvents(input.events ?? []);
  const pending = (ask: ClockEventKind, answer: ClockEventKind): IsoDate | null =>
    exchanges(existing, ask, answer).open;
  const reason = reasonOf(event);

  switch (event.kind) {
    case 'clarification_requested':
      if (pending('clarification_requested', 'clarification_received')) {
        fail('kind', 'deadlines.already_pending', 'Clarification has already been asked for');
      }
      if (rules.clarificationNeedsReason && !reason) {
        fail('data.reason', 'deadlines.reason_required', 'Say why clarification is needed');
      }
      break;
    case 'clarification_received':
    case 'fee_received':
    case 'id_received': {
      const ask = ASKED_BY[event.kind];
      const open = pending(ask, event.kind);
      // An answer must follow its request unless the type lets it arrive unasked.
      const mustAnswer = !rules.unaskedAnswers?.includes(event.kind);
      if (!open && mustAnswer) fail('kind', 'deadlines.nothing_pending', 'Nothing was asked for');
      if (open && date < open)
        fail(
          'at',
          'deadlines.before_request',
          `The date cannot be before the request of ${formatDayDate(open)}`,
        );
      break;
    }
    case 'extended':
      validateExtension(input, event, date, existing, options, reason, fail);
      break;
    case 'due_date_override':
      if (!options.isManager)
        fail('kind', 'deadlines.manager_only', 'Only a manager can override a due date');
      if (!isIsoDate(event.data?.date))
        fail('data.date', 'deadlines.invalid_date', 'Enter the new due date');
      else if (event.data.date < receivedOn)
        fail(
          'data.date',
          'deadlines.before_receipt',
          'The due date cannot be before the date of receipt',
        );
      if (!reason)
        fail('data.reason', 'deadlines.reason_required', 'Say why the due date is overridden');
      break;
    default:
      break;
  }
  return errors;
}

function validateExtension(
  input: DeadlineInput,
  event: ClockEvent,
  date: IsoDate,
  existing: readonly NormEvent[],
  options: ValidateOptions,
  reason: string | null,
  fail: (field: string, code: string, message: string) => void,
): void {
  const allowed = rulesOf(input.type).extension;
  const kind = event.data?.kind ?? allowed;
  if (kind !== allowed) {
    fail(
      'data.kind',
      'deadlines.extension_kind',
      `A "${kind}" extension does not apply to this type of case`,
    );
    return;
  }
  const earlier = existing.filter((e) => e.kind === 'extended' && (e.data.kind ?? kind) === kind);
  const amount = event.data?.amount;
  switch (kind) {
    case 'pit': {
      const add = amount ?? PIT_MAX_EXTRA_WD;
      const used = earlier.reduce((n, e) => n + (e.data.amount ?? PIT_MAX_EXTRA_WD), 0);
      if (!Number.isInteger(add) || add < 1)
        fail('data.amount', 'deadlines.invalid_amount', 'Enter a whole number of working days');
      else if (used + add > PIT_MAX_EXTRA_WD) {
        fail(
          'data.amount',
          'deadlines.pit_cap',
          `A public interest extension can add at most ${PIT_MAX_EXTRA_WD} working days (${FOI_LIMIT_WD + PIT_MAX_EXTRA_WD} in all); ${PIT_MAX_EXTRA_WD - used} left`,
        );
      }
      break;
    }
    case 'reg7':
    case 'sar_complex':
      if (earlier.length > 0)
        fail('data.kind', 'deadlines.second_extension', 'This case has already been extended');
      if (
        kind === 'sar_complex' &&
        amount !== undefined &&
        (!Number.isInteger(amount) || amount < 1 || amount > SAR_EXTENSION_MONTHS)
      ) {
        fail(
          'data.amount',
          'deadlines.invalid_amount',
          `A SAR can be extended by 1 or ${SAR_EXTENSION_MONTHS} months`,
        );
      }
      break;
    case 'target':
      if (!options.isManager)
        fail('kind', 'deadlines.manager_only', 'Only a manager can extend an office target');
      if (!reason)
        fail('data.reason', 'deadlines.reason_required', 'Say why the target is extended');
      if (amount === undefined || !Number.isInteger(amount) || amount < 1) {
        fail('data.amount', 'deadlines.invalid_amount', 'Enter a whole number of working days');
      }
      break;
  }
  // An extension must be claimed in time (for a SAR, within the first month); late ones
  // need a manager's confirmation.
  const due = computeDeadlines(input).dueDate;
  if (due && date > due && !options.managerConfirmed) {
    fail(
      'at',
      'deadlines.extension_after_due',
      `The due date, ${formatDayDate(due)}, has passed: a manager must confirm a late extension`,
    );
  }
}

/**
 * The timeline's words for an extension's length on a case of `type`: a SAR's in months (UK
 * GDPR Art 12(3)) whatever its `data.kind` says (none, on an older event), others' in
 * working days.
 */
export function describeClockEvent(event: ClockEvent, type: CaseType): string | null {
  const { kind, amount } = event.data ?? {};
  if (event.kind !== 'extended' || !amount) return null;
  const inMonths = rulesOf(type).extension === 'sar_complex' || kind === 'sar_complex';
  return `By ${amount} ${inMonths ? 'month(s)' : 'working day(s)'}.`;
}

// ---- Overdue and working hours ------------------------------------------------------------

/** §1: a case is overdue from 00:00 London time on the day after its due date. */
export function calculateOverdueFrom(dueDate: IsoDate): Date {
  return startOfLondonDay(addDays(dueDate, 1));
}

export function isOverdue(dueDate: IsoDate, now: Date | string): boolean {
  return new Date(now).getTime() >= calculateOverdueFrom(dueDate).getTime();
}

/** §6: warnings go 09:00–17:00 Europe/London on E&W working days (17:00 itself is out). */
export function isWithinWorkingHours(instant: Date | string, calendar: WorkingCalendar): boolean {
  if (!calendar.isWorkingDay(londonDateOf(instant))) return false;
  const { hour, minute } = londonHourMinute(instant);
  const minutes = hour * 60 + minute;
  return minutes >= WORKING_HOURS.startHour * 60 && minutes < WORKING_HOURS.endHour * 60;
}

/** The instant itself if within working hours, else the next 09:00 London on a working day. */
export function nextWorkingHoursStart(instant: Date | string, calendar: WorkingCalendar): Date {
  const at = new Date(instant);
  if (isWithinWorkingHours(at, calendar)) return at;
  const today = londonDateOf(at);
  const { hour } = londonHourMinute(at);
  const day =
    calendar.isWorkingDay(today) && hour < WORKING_HOURS.startHour
      ? today
      : calendar.nextWorkingDayOnOrAfter(addDays(today, 1));
  return londonInstantAt(day, WORKING_HOURS.startHour, 0);
}
