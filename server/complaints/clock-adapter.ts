/**
 * Complaints on the shared clock (server/deadlines): complaints are the clock's 'complaint'
 * subjects under the complaints regime (regime.ts). The clock stores their timers, rebuilds
 * them when the bank holidays change and sends each reminder stage once (sla-scan,
 * deadline-notify); this adapter reads and locks a complaint, gives the regime the facts its
 * timers follow, says who is reminded, and writes "due date moved" on the timeline.
 */
import { and, eq, inArray, isNull } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { complaints, type ComplaintRow } from '../../db/schema/index.js';
import type { ClockSubject, SubjectAdapter } from '../deadlines/adapter.js';
import { londonDateOf } from '../lib/dates.js';
import type { Actor } from '../platform/audit.js';
import { COMPLAINT_REGIME, type ComplaintRegimeFacts } from './regime.js';
import type { ComplaintsRepository } from './repository.js';
import { isUnderInvestigation, type TimerFacts, type TimerSettings } from './timers.js';

export const COMPLAINT_SUBJECT = 'complaint';

const STREAM_LABELS: Record<string, string> = {
  cc: 'complaint about the Chief Constable',
  review: 'review application',
  opcc: 'complaint about the office',
};

/** A complaint as the clock sees it: reference and link only, never a name. */
export function complaintSubject(row: ComplaintRow): ClockSubject {
  return {
    type: COMPLAINT_SUBJECT,
    id: row.id,
    regime: COMPLAINT_REGIME,
    variant: row.stream,
    receivedOn: row.receivedOn,
    open: row.concludedOn === null && row.disposedAt === null,
    respondedOn: null,
    closedOn: row.concludedOn,
    metKinds: [],
    dueOn: null,
    assigneeId: row.assigneeId,
    personId: null,
    reference: row.reference,
    typeLabel: STREAM_LABELS[row.stream] ?? row.stream,
    noun: 'complaint',
    path: `/complaints/${row.id}`,
    status: row.status,
  };
}

export function settingsOf(map: Map<string, unknown>): TimerSettings {
  const amounts: Record<string, number> = {};
  for (const [key, value] of map) if (typeof value === 'number') amounts[key] = value;
  return {
    amounts,
    updateClockStart:
      map.get('update_clock_start') === 'handling_start' ? 'handling_start' : 'received_on',
  };
}

/** What the timers follow (§3.1), from the complaint, its moves, letters and review. */
export async function timerFacts(
  repo: ComplaintsRepository,
  tx: DbOrTx,
  row: ComplaintRow,
): Promise<TimerFacts> {
  const [contacts, transitions, review] = await Promise.all([
    repo.contacts(tx, row.id),
    repo.transitions(tx, row.id),
    row.stream === 'review' ? repo.review(tx, row.id) : Promise.resolve(undefined),
  ]);
  const moves = transitions.filter((t) => t.t.toStatus && t.t.toStatus !== t.t.fromStatus);
  const statusSinceOn = moves.at(-1)?.t.occurredOn ?? row.receivedOn;
  const dates = (kind: string) =>
    contacts
      .filter((c) => c.kind === kind)
      .map((c) => c.occurredOn)
      .sort();
  const outcomeLetterOn = row.outcomeOn
    ? (dates('outcome').find((d) => d >= row.outcomeOn!) ?? null)
    : null;
  const acknowledged = contacts.find((c) => c.templateKey === 'acknowledgement');
  return {
    stream: row.stream,
    status: row.status,
    suspended: row.suspended,
    madeOn: row.madeOn,
    receivedOn: row.receivedOn,
    recordedOn: row.recordedOn,
    firstContactOn: row.firstContactOn,
    handlingStartedOn: row.handlingStartedOn,
    handling: row.handling,
    outcomeOn: row.outcomeOn,
    outcomeLetterOn,
    reviewInfoGivenOn: row.reviewInfoGivenOn,
    withdrawalLetterOn: row.withdrawalLetterOn,
    referralDecidedOn: row.referralDecidedOn,
    concludedOn: row.concludedOn,
    updatesSent: dates('update'),
    reportsSent: dates('report'),
    investigating: isUnderInvestigation(row.status),
    investigationEndedOn: row.investigationEndedOn,
    reviewDecidedOn: review?.decidedOn ?? null,
    reviewAcknowledgedOn: acknowledged?.occurredOn ?? null,
    statusSinceOn,
  };
}

const SYSTEM = { id: null, role: 'system' } as const;

export function createComplaintClockAdapter(repo: ComplaintsRepository): SubjectAdapter {
  const load = async (db: DbOrTx, id: string) => {
    const row = await repo.findVisible(db, id, SYSTEM);
    return row && complaintSubject(row);
  };
  return {
    type: COMPLAINT_SUBJECT,
    noun: 'complaint',
    load,
    async lock(tx, id, actor: Actor) {
      if (!(await repo.findVisible(tx, id, { id: actor.id, role: actor.role }))) return undefined;
      const row = await repo.lock(tx, id);
      return row && complaintSubject(row);
    },
    async openAmong(db, ids) {
      if (ids.length === 0) return new Map();
      const rows = await db
        .select()
        .from(complaints)
        .where(
          and(
            inArray(complaints.id, [...ids]),
            isNull(complaints.concludedOn),
            isNull(complaints.disposedAt),
          ),
        );
      return new Map(rows.map((row) => [row.id, complaintSubject(row)]));
    },
    async assignedTo(db, userId) {
      const rows = await db
        .select({ id: complaints.id })
        .from(complaints)
        .where(
          and(
            eq(complaints.assigneeId, userId),
            isNull(complaints.concludedOn),
            isNull(complaints.disposedAt),
          ),
        );
      return rows.map((r) => r.id);
    },
    async facts(db, subject) {
      const row = await repo.findVisible(db, subject.id, SYSTEM);
      if (!row) throw new Error(`Complaint ${subject.id} not found`);
      const [timer, settings] = await Promise.all([
        timerFacts(repo, db, row),
        repo.settings(db).then(settingsOf),
      ]);
      const facts: ComplaintRegimeFacts = { timer, settings };
      return facts as unknown as Record<string, unknown>;
    },
    /** §3.2: the assignee and the case manager; else those on the access list. */
    async recipients(tx, subject) {
      const row = await repo.findVisible(tx, subject.id, SYSTEM);
      if (!row) return [];
      const to = new Set<string>();
      for (const userId of [row.assigneeId, row.managerId]) {
        const user = userId ? await repo.user(tx, userId) : undefined;
        if (user && !user.disabledAt) to.add(user.email);
      }
      if (to.size === 0)
        for (const a of await repo.accessList(tx, row.id)) {
          const user = await repo.user(tx, a.userId);
          if (user && !user.disabledAt) to.add(user.email);
        }
      return [...to];
    },
    // Complaints show the soonest running timer from the stored timers themselves.
    onDueChange: async () => undefined,
    async timeline(tx, id, entry) {
      const row = await repo.findVisible(tx, id, SYSTEM);
      if (!row) return;
      await repo.insertTransition(tx, {
        complaintId: id,
        kind: entry.kind,
        fromStatus: row.status,
        toStatus: row.status,
        at: entry.at,
        occurredOn: londonDateOf(entry.at),
        actorId: entry.actorId,
        actorRole: entry.actorId ? null : 'system',
        decisionMaker: null,
        reasons: entry.data.description,
        criteria: { ...entry.data },
        recordedAt: entry.at,
      });
    },
  };
}
