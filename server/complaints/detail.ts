/**
 * One complaint as the API and the page show it: status, allegations, timers (with how
 * each date was worked out), the timeline of moves, decisions and letters. Every read is
 * audited in the same transaction as the reads.
 */
import type { DbOrTx } from '../../db/client.js';
import type { ComplaintRow } from '../../db/schema/index.js';
import type { Actor } from '../platform/audit.js';
import { MOVES, STATUS_LABELS, FLAG_MOVES, REG41_FROM } from './machine.js';
import type { ComplaintsDeps } from './ports.js';
import type { RecordsService } from './records.js';
import { nextReportDue } from './regime.js';
import { TIMER_RULES, type TimerKind } from './timers.js';

const REG41_STATUSES = new Set<string>(REG41_FROM);

const CONTACT_TITLES: Record<string, string> = {
  first_contact: 'First contact with the complainant',
  update: 'Update sent',
  outcome: 'Outcome letter sent',
  report: '12-month report sent',
  other: 'Letter sent',
};

export function createDetailService(deps: ComplaintsDeps, records: RecordsService) {
  const { db, repo, audit } = deps;

  async function build(tx: DbOrTx, row: ComplaintRow) {
    const [
      complainant,
      allegations,
      transitions,
      contacts,
      timers,
      categories,
      factors,
      review,
      hasEquality,
    ] = await Promise.all([
      repo.complainant(tx, row.id),
      repo.allegations(tx, row.id),
      repo.transitions(tx, row.id),
      repo.contacts(tx, row.id),
      repo.liveTimers(tx, row.id),
      repo.categories(tx),
      repo.factors(tx),
      repo.review(tx, row.id),
      repo.equality(tx, row.id).then(Boolean),
    ]);
    const cat = (id: string | null) => {
      const c = id ? categories.find((x) => x.id === id) : undefined;
      return c ? { code: c.code, label: c.label, retired: c.validTo !== null } : null;
    };
    const timeline = [
      ...transitions.map(({ t, actorName }) => ({
        at: t.at.toISOString(),
        on: t.occurredOn,
        kind: t.kind,
        title:
          typeof t.criteria.title === 'string'
            ? t.criteria.title
            : t.kind === 'received'
              ? 'Complaint received'
              : t.toStatus && t.toStatus !== t.fromStatus
                ? `${STATUS_LABELS[t.fromStatus ?? ''] ?? t.fromStatus} to ${STATUS_LABELS[t.toStatus] ?? t.toStatus}`
                : t.kind === 'suspension'
                  ? String(t.criteria.suspended) === 'true'
                    ? 'Suspended'
                    : 'Resumed'
                  : t.kind.replace(/_/g, ' '),
        from: t.fromStatus,
        to: t.toStatus,
        reasons: t.reasons,
        decisionMaker: t.decisionMaker,
        actor: actorName,
      })),
      ...contacts.map((c) => ({
        at: c.at.toISOString(),
        on: c.occurredOn,
        kind: `contact_${c.kind}`,
        title: c.templateKey
          ? `${CONTACT_TITLES[c.kind]}: ${c.templateKey.replace(/_/g, ' ')} (version ${c.templateVersion}, ${c.channel === 'post' ? 'posted' : c.channel})`
          : `${CONTACT_TITLES[c.kind]} (${c.channel.replace('_', ' ')})`,
        from: null,
        to: null,
        reasons: c.harmTestWithheld
          ? `Harm test: information withheld (${c.harmTestReason ?? ''})`
          : null,
        decisionMaker: null,
        actor: null,
        contactId: c.id,
      })),
    ].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
    const moves = [
      ...new Set(
        MOVES[row.stream]
          .filter((m) => m.who !== 'S' && m.from.includes(row.status))
          // The reg 41 closure is offered only while the complaint is suspended.
          .filter((m) => m.to !== 'closed' || row.suspended || !REG41_STATUSES.has(row.status))
          .map((m) => m.to),
      ),
    ];
    return {
      id: row.id,
      reference: row.reference,
      stream: row.stream,
      status: row.status,
      statusLabel: STATUS_LABELS[row.status] ?? row.status,
      suspended: row.suspended,
      regime: row.regime,
      regimeAmendments: row.regimeAmendments,
      madeOn: row.madeOn,
      receivedOn: row.receivedOn,
      receivedAt: row.receivedAt.toISOString(),
      channel: row.channel,
      recordedOn: row.recordedOn,
      subjectKind: row.subjectKind,
      summary: row.summary,
      handling: row.handling,
      investigationMode: row.investigationMode,
      recordingRequested: row.recordingRequested,
      criteria: row.mandatoryCriteria,
      firstContactOn: row.firstContactOn,
      outcomeOn: row.outcomeOn,
      reviewInfoGivenOn: row.reviewInfoGivenOn,
      reviewResult: row.reviewResult,
      concludedOn: row.concludedOn,
      legalHold: row.legalHold,
      caseId: row.caseId,
      version: row.version,
      equalityRecorded: hasEquality,
      complainant: complainant
        ? {
            contactId: complainant.contactId,
            name: complainant.name,
            email: complainant.email,
            phone: complainant.phone,
            address: complainant.address,
            postcode: complainant.postcode,
            basis: complainant.basis,
            consent: complainant.consent,
          }
        : null,
      allegations: allegations.map((a) => ({
        id: a.id,
        position: a.position,
        category: cat(a.categoryId),
        subcategory: cat(a.subcategoryId),
        description: a.description,
        factors: a.factorIds
          .map((id) => factors.find((f) => f.id === id))
          .filter((f) => f !== undefined)
          .map((f) => ({ code: f.code, label: f.label })),
        outcome: a.outcome,
        actions: a.actions,
      })),
      // Stored by the shared clock, with how each date was worked out (docs/rules/deadlines.md §7).
      timers: timers.map((t) => ({
        kind: t.kind,
        label: TIMER_RULES[t.kind as TimerKind]?.label ?? t.kind,
        startOn: t.startOn,
        dueOn: t.dueOn,
        ...(t.kind === 'review_window' || t.kind === 'withdrawal_reply'
          ? { lastDay: t.dueOn }
          : {}),
        stopped: t.stopped,
        stoppedOn: t.stoppedOn,
        generation: t.generation,
        working: t.notes[0] ?? '',
        basis: t.rule,
        skipped: t.skipped,
        calendarVersion: t.calendarVersion,
        ...(t.kind === 'report_12m' ? { nextDueOn: nextReportDue(t.dueOn) } : {}),
      })),
      review: review
        ? {
            forceReference: review.forceReference,
            infoGivenOn: review.infoGivenOn,
            appliedOn: review.appliedOn,
            valid: review.valid,
            rrb: review.rrb,
            result: review.result,
            decidedOn: review.decidedOn,
            recommendations: review.recommendations,
            recommendationsAccepted: review.recommendationsAccepted,
          }
        : null,
      moves: [
        ...moves,
        ...(row.stream === 'cc' ? [row.suspended ? FLAG_MOVES[1] : FLAG_MOVES[0]] : []),
      ],
      timeline,
    };
  }

  return {
    build,
    async get(actor: Actor, id: string, justification?: string) {
      return db.transaction(async (tx) => {
        const row = await records.load(tx, actor, id, justification);
        const view = await build(tx, row);
        const onList =
          (await repo.findVisible(tx, row.id, { id: actor.id, role: actor.role })) !== undefined;
        await audit.record(tx, actor, {
          action: onList ? 'complaint.view' : 'complaint.view_justified',
          subjectType: 'complaint',
          subjectId: row.id,
          personId: view.complainant?.contactId ?? null,
          justification: onList ? null : (justification ?? null),
        });
        return view;
      });
    },
  };
}
export type ComplaintDetail = Awaited<ReturnType<ReturnType<typeof createDetailService>['build']>>;
