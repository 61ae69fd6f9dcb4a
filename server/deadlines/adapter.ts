/**
 * How a domain plugs into the clock. The clock (server/deadlines) knows subjects only by
 * type and id: it imports no domain. Each domain that runs deadlines on its records
 * registers one adapter for its subject type, and the clock calls it to load and lock a
 * subject, to let the domain react to clock events and due-date changes, and to write the
 * domain's timeline.
 *
 * ## How to add a regime and an adapter (complaints, surgeries, surveys)
 *
 * 1. **The rules.** Write a `Regime` (regimes.ts): `{ id, eventKinds, compute, validateEvent }`.
 *    `compute` is pure: from `{ receivedOn, events, holidays, policy, variant, respondedOn,
 *    closedOn }` it returns every deadline (`DeadlineComputation` from lib/deadline-rules.ts:
 *    each result's `kind`, `calendar`, dates, `skipped` days and working). Count working days with
 *    `buildCalendars(input.holidays)` (lib/calendar.ts), never a calendar of your own. Put
 *    statutory tables in your own file (e.g. server/complaints/regime.ts); register it with
 *    `services.clock.regimes.register(regime)` where your service is built (the clock starts
 *    with no regime). Its words are its own too: `kindLabels`, `eventLabels`, `kindOrder`
 *    and `describeEvent` (the clock has no names of its own: a kind without one reads as
 *    itself). So are its rules beyond `compute`: `stages` (warning stages per kind),
 *    `officeTargets` (what its `sla_policies` rows, whose `case_type` is the regime id, set
 *    in `input.policy`), `dueDateKinds` and `inputError`; without them the clock's neutral
 *    defaults apply (stages.ts `NEUTRAL_STAGE_POLICY`, no office targets).
 * 2. **The adapter.** Implement `SubjectAdapter` for your subject type (e.g. 'complaint'):
 *    `load`, `lock` (SELECT … FOR UPDATE in the caller's transaction, `undefined` when the
 *    actor may not see it), `openAmong`, `assignedTo`, `onDueChange` (store the effective due
 *    date where your pages read it), `timeline` (append the entry to your timeline through
 *    server/timeline with your own wording), and optionally `onClockEvent` (your workflow's
 *    own moves, e.g. a status change, made through your service in the same transaction).
 *    A domain whose dates follow its own records rather than clock events gives them in
 *    `facts` (the regime reads `input.facts`); `recipients` narrows who is warned.
 *    Register it: `services.clock.registerAdapter(adapter)`. server/complaints/clock-adapter.ts
 *    and server/complaints/regime.ts are a whole example.
 * 3. **Use it.** In your service's transactions call `clock.recompute(tx, type, id)` when
 *    something the deadlines depend on changes (creation, a status that stops the clock);
 *    read `clock.forSubject(db, type, id)` for your page; record events with
 *    `clock.recordEvent(actor, type, id, input)`. Timers, warnings (sla-scan,
 *    deadline-notify), rebuilds on holiday changes and the digest then work for your
 *    subjects with no further code. test/deadlines-db/adapter-contract.test.ts shows a
 *    whole second subject type plugged in this way.
 */
import type { DbOrTx, Tx } from '../../db/client.js';
import type { IsoDate } from '../lib/dates.js';
import type { Actor } from '../platform/audit.js';

/** What the clock needs to know about one subject (a case, a complaint, a survey). */
export interface ClockSubject {
  type: string;
  id: string;
  /** The regime whose rules apply (regimes.ts), and a refinement within it. */
  regime: string;
  variant: string | null;
  receivedOn: IsoDate;
  /** Open subjects are recomputed and warned about; closed ones never are. */
  open: boolean;
  /**
   * A reply or closure made in the domain's own workflow: its regime is given them
   * (`RegimeInput.respondedOn`, `closedOn`) and decides what they stop (correspondence
   * counts them as its `responded` and `closed` events).
   */
  respondedOn: IsoDate | null;
  closedOn: IsoDate | null;
  /** Deadline kinds already met outside the clock (an acknowledgement sent): no warnings. */
  metKinds: readonly string[];
  /** The due date the domain shows now (`onDueChange` keeps it). */
  dueOn: IsoDate | null;
  assigneeId: string | null;
  /** The audit's person for this subject (a requester), if any. */
  personId: string | null;
  /** For emails: "OPCC-2026-00001", "FOI", "case", and the staff page's path. */
  reference: string;
  typeLabel: string;
  noun: string;
  path: string;
  /** The domain's own status, returned to callers after a clock event. */
  status: string;
}

/** A timeline entry the clock writes through the owning domain (its wording included). */
export interface ClockTimelineEntry {
  at: Date;
  actorId: string | null;
  kind: 'clock_event' | 'clock_event_voided' | 'deadline_moved';
  data: { title: string; description: string } & Record<string, unknown>;
}

export interface ClockEventRecorded {
  kind: string;
  data: Record<string, unknown>;
  /** A closing outcome given with a `closed` event. */
  outcome?: string;
}

export interface SubjectAdapter {
  type: string;
  /** What people call one ('case'): "Case not found", "This case is closed". */
  noun: string;
  load(db: DbOrTx, id: string): Promise<ClockSubject | undefined>;
  /** Locks it for a change by `actor`; undefined when missing or not visible to them. */
  lock(tx: Tx, id: string, actor: Actor): Promise<ClockSubject | undefined>;
  /** Of these ids, the subjects still open. */
  openAmong(db: DbOrTx, ids: readonly string[]): Promise<Map<string, ClockSubject>>;
  /** Open subjects assigned to a person (their warnings panel). */
  assignedTo(db: DbOrTx, userId: string): Promise<string[]>;
  /** The domain's own reaction to a clock event (a status move); before timers are stored. */
  onClockEvent?(
    tx: Tx,
    actor: Actor,
    subject: ClockSubject,
    event: ClockEventRecorded,
  ): Promise<void>;
  /**
   * What the regime works from beyond clock events (`RegimeInput.facts`): for a domain whose
   * deadlines follow its own records (a complaint's recording, handling, letters sent).
   */
  facts?(db: DbOrTx, subject: ClockSubject): Promise<Record<string, unknown>>;
  /**
   * Who gets a warning, when not the clock's rule (the assignee or the triage mailbox, and
   * every manager once overdue): e.g. only people on the subject's access list. No address
   * means the warning is cancelled.
   */
  recipients?(tx: Tx, subject: ClockSubject, stage: string): Promise<string[]>;
  /** The effective due date changed: store it where the domain reads it. */
  onDueChange(tx: Tx, id: string, effectiveDueOn: IsoDate | null): Promise<void>;
  /** Appends a clock entry to the subject's timeline. */
  timeline(tx: Tx, id: string, entry: ClockTimelineEntry): Promise<void>;
}
