/**
 * Complaint records (docs/rules/complaints.md §2): receipt, complainant (matched like
 * correspondence contacts), allegations classified by IOPC categories and factors,
 * equality answers, the access list, and records made from correspondence cases.
 */
import type { DbOrTx } from '../../db/client.js';
import type { CategoryRow, ComplaintRow, FactorRow } from '../../db/schema/index.js';
import { isIsoDate, londonDateOf, toLondonDate, type IsoDate } from '../lib/dates.js';
import type { Actor } from '../platform/audit.js';
import { complaintErrors } from './errors.js';
import type { ComplainantInput, ComplaintsDeps } from './ports.js';
import type { Viewer } from './repository.js';
import type { FieldErrors } from '../platform/errors.js';
import { EQUALITY_OPTIONS as EQUALITY_ANSWERS } from './page-forms.js';

export const LIMITS = { summary: 10_000, description: 5_000, name: 200, reason: 2_000, text: 200 };

export interface AllegationInput {
  category: string;
  subcategory?: string;
  description: string;
  factors?: string[];
}

export interface EqualityInput {
  ageBand?: string | null;
  sex?: string | null;
  ethnicity?: string | null;
  disability?: string | null;
  religion?: string | null;
  sexualOrientation?: string | null;
}

export interface NewComplaintInput {
  receivedAt: string;
  madeOn?: string;
  stream?: 'cc' | 'review' | 'opcc';
  channel?: string;
  subjectKind?: 'chief_constable' | 'acting_cc';
  complainant: ComplainantInput & {
    basis?: 'person_concerned' | 'adversely_affected' | 'witness' | 'representative';
    consent?: boolean;
  };
  /** An existing contact instead of matching (records made from a case). */
  contactId?: string;
  summary: string;
  allegations: AllegationInput[];
  subcategory?: string;
  factors?: string[];
  recordingRequested?: boolean;
  criteria?: string[];
  equality?: EqualityInput;
  assigneeId?: string;
  caseId?: string;
  review?: { forceReference: string; infoGivenOn: string; appliedOn: string };
}

const PREFIX = { cc: 'CC', review: 'RV', opcc: 'OP' } as const;

/** Valid on `on`: started and not retired (valid_to is the first day it no longer applies). */
export const validOn = (row: { validFrom: string; validTo: string | null }, on: IsoDate) =>
  row.validFrom <= on && (row.validTo === null || on < row.validTo);

export function regimeFor(
  rows: Array<{ code: string; kind: string; appliesFrom: string; appliesTo: string | null }>,
  madeOn: IsoDate,
): { regime: string; amendments: string[] } {
  const applies = (r: { appliesFrom: string; appliesTo: string | null }) =>
    r.appliesFrom <= madeOn && (r.appliesTo === null || madeOn <= r.appliesTo);
  const regime = rows.find((r) => r.kind === 'regime' && applies(r));
  return {
    regime: regime?.code ?? '2020',
    amendments: rows.filter((r) => r.kind === 'amendment' && applies(r)).map((r) => r.code),
  };
}

/** Checks allegations against the category and factor lists as at `today`. */
export function classify(
  allegations: AllegationInput[],
  categories: CategoryRow[],
  factors: FactorRow[],
  today: IsoDate,
): {
  rows: Array<{ categoryId: string; subcategoryId: string | null; factorIds: string[] }>;
  errors: FieldErrors;
} {
  const errors: FieldErrors = {};
  const rows = allegations.map((a, i) => {
    const category = categories.find((c) => c.code === a.category && c.parentId === null);
    if (!category) errors[`allegations.${i}.category`] = 'Choose a category from the list';
    else if (!validOn(category, today))
      errors[`allegations.${i}.category`] = 'This category has been retired: choose another';
    let subcategoryId: string | null = null;
    if (a.subcategory) {
      const sub = categories.find((c) => c.code === a.subcategory);
      if (!sub || !category || sub.parentId !== category.id)
        errors[`allegations.${i}.subcategory`] = 'Choose a sub-category of the chosen category';
      else if (!validOn(sub, today))
        errors[`allegations.${i}.subcategory`] = 'This sub-category has been retired';
      else subcategoryId = sub.id;
    }
    const factorIds: string[] = [];
    for (const code of a.factors ?? []) {
      const factor = factors.find((f) => f.code === code);
      if (!factor || !validOn(factor, today))
        errors[`allegations.${i}.factors`] = `Factor ${code.slice(0, 40)} is not one in use`;
      else factorIds.push(factor.id);
    }
    return { categoryId: category?.id ?? '', subcategoryId, factorIds };
  });
  return { rows, errors };
}

export function createRecordsService(deps: ComplaintsDeps) {
  const { db, repo, clock, audit } = deps;

  /** The complaint for this person, or 404 (no access looks the same as no complaint). */
  async function load(
    tx: DbOrTx,
    actor: Actor,
    id: string,
    justification?: string,
  ): Promise<ComplaintRow> {
    const viewer: Viewer = { id: actor.id, role: actor.role };
    let row = await repo.findVisible(tx, id, viewer);
    // Other managers may open it with a reason, which is audited (§4).
    if (!row && actor.role === 'manager' && justification?.trim())
      row = await repo.findVisible(tx, id, { id: null, role: 'system' });
    if (!row || row.disposedAt) throw complaintErrors.notFound();
    return row;
  }

  async function create(actor: Actor, input: NewComplaintInput) {
    const now = clock.now();
    const today = londonDateOf(now);
    const errors: FieldErrors = {};
    let receivedOn: IsoDate = today;
    let receivedAt: Date = now;
    try {
      receivedOn = toLondonDate(input.receivedAt);
      // A plain date is that London day: today means now, an earlier day its noon.
      receivedAt = /^\d{4}-\d{2}-\d{2}$/.test(input.receivedAt)
        ? receivedOn === today
          ? now
          : new Date(`${input.receivedAt}T12:00:00Z`)
        : new Date(input.receivedAt);
      if (receivedAt.getTime() > now.getTime() || receivedOn > today)
        errors.receivedAt = 'The date received must not be in the future';
    } catch {
      errors.receivedAt = 'Enter a real date';
    }
    let madeOn = receivedOn;
    if (input.madeOn) {
      try {
        madeOn = toLondonDate(input.madeOn);
        if (madeOn > today) errors.madeOn = 'The date made must not be in the future';
        else if (madeOn > receivedOn)
          errors.madeOn = 'The date made must be on or before the date received';
      } catch {
        errors.madeOn = 'Enter a real date';
      }
    }
    const stream = input.stream ?? 'cc';
    if (stream !== 'review' && input.allegations.length === 0)
      errors.allegations = 'Add at least one allegation';
    const allegations = input.allegations.map((a, i) =>
      i === 0 && !a.subcategory && input.subcategory
        ? { ...a, subcategory: input.subcategory, factors: a.factors ?? input.factors }
        : a,
    );
    const [categories, factors, regimes] = await Promise.all([
      repo.categories(db),
      repo.factors(db),
      repo.regimes(db),
    ]);
    const classified = classify(allegations, categories, factors, today);
    Object.assign(errors, classified.errors);
    if (stream === 'review' && !input.review)
      errors.review = 'Give the force reference and the dates of a review application';
    if (input.review) {
      for (const key of ['infoGivenOn', 'appliedOn'] as const) {
        const value = input.review[key];
        if (!isIsoDate(value) || value > today)
          errors[`review.${key}`] = 'Enter a real date, not in the future';
      }
    }
    // Checked before anything is written: a forged id is a field error, not a foreign-key failure.
    if (input.assigneeId) {
      const assignee = await repo.user(db, input.assigneeId);
      if (!assignee || assignee.role === 'admin' || assignee.disabledAt)
        errors.assigneeId = 'Choose a caseworker or manager';
    }
    for (const [key, value] of Object.entries(
      (input.equality ?? {}) as Record<string, string | null | undefined>,
    ))
      if (value !== null && value !== undefined && !EQUALITY_ANSWERS[key]?.includes(value))
        errors[`equality.${key}`] = 'Choose an answer from the list';
    if (Object.keys(errors).length) throw complaintErrors.invalid(errors);
    const { regime, amendments } = regimeFor(regimes, madeOn);

    return db.transaction(async (tx) => {
      const reference = await repo.nextReference(
        tx,
        PREFIX[stream],
        Number(receivedOn.slice(0, 4)),
      );
      const contactId =
        input.contactId ?? (await deps.contacts.resolve(tx, actor, input.complainant)).contact.id;
      const row = await repo.insertComplaint(tx, {
        reference,
        stream,
        regime,
        regimeAmendments: amendments,
        madeOn,
        receivedAt,
        receivedOn,
        channel: input.channel ?? 'letter',
        status: 'received',
        subjectKind: input.subjectKind ?? 'chief_constable',
        summary: input.summary.trim(),
        recordingRequested: input.recordingRequested ?? false,
        mandatoryCriteria: input.criteria ?? [],
        assigneeId: input.assigneeId ?? null,
        caseId: input.caseId ?? null,
        lastEventOn: receivedOn,
        createdById: actor.id,
        createdAt: now,
        updatedAt: now,
      });
      const c = input.complainant;
      await repo.insertComplainant(tx, {
        complaintId: row.id,
        contactId,
        name: c.name.trim(),
        email: c.email?.trim() || null,
        phone: c.phone?.trim() || null,
        address: c.address?.trim() || null,
        postcode: c.postcode?.trim() || null,
        basis: c.basis ?? 'person_concerned',
        consent: c.consent ?? false,
      });
      await repo.insertAllegations(
        tx,
        allegations.map((a, i) => ({
          complaintId: row.id,
          position: i + 1,
          categoryId: classified.rows[i]!.categoryId,
          subcategoryId: classified.rows[i]!.subcategoryId,
          factorIds: classified.rows[i]!.factorIds,
          description: a.description.trim(),
        })),
      );
      if (input.equality) await repo.upsertEquality(tx, { complaintId: row.id, ...input.equality });
      if (input.review) await repo.insertReview(tx, { complaintId: row.id, ...input.review });
      if (actor.id) await repo.grantAccess(tx, row.id, actor.id, 'staff', actor.id, now);
      if (input.assigneeId) {
        await repo.grantAccess(tx, row.id, input.assigneeId, 'assignee', actor.id, now);
      }
      await repo.insertTransition(tx, {
        complaintId: row.id,
        kind: 'received',
        fromStatus: null,
        toStatus: 'received',
        at: receivedAt,
        occurredOn: receivedOn,
        actorId: actor.id,
        actorRole: actor.role,
        reasons: input.caseId ? 'Made from a correspondence case' : null,
        criteria: input.caseId ? { caseId: input.caseId } : {},
        recordedAt: now,
      });
      await audit.record(tx, actor, {
        action: 'complaint.create',
        subjectType: 'complaint',
        subjectId: row.id,
        personId: contactId,
      });
      await deps.timers.recompute(tx, row);
      return { id: row.id, reference: row.reference, status: row.status };
    });
  }

  return {
    load,
    create,

    /** The complaint already made from a case, if any (the case page's link lands on it). */
    /**
     * The complaint already made from a case, if any. Otherwise the case is read with the
     * viewer's own access, so a forged or hidden case id is a 404 before any form is shown.
     */
    async existingForCase(actor: Actor, caseId: string): Promise<string | undefined> {
      const existing = (await repo.findByCase(db, caseId))?.id;
      if (!existing) await deps.cases.forComplaint(actor, caseId);
      return existing;
    },

    /** A complaint record from a correspondence case of type complaint: nothing typed twice. */
    async fromCase(
      actor: Actor,
      caseId: string,
      extra: { allegations: AllegationInput[]; summary?: string; madeOn?: string },
    ) {
      const existing = await repo.findByCase(db, caseId);
      if (existing) return { id: existing.id, existing: true };
      const source = await deps.cases.forComplaint(actor, caseId);
      if (source.type !== 'complaint')
        throw complaintErrors.refused(
          'not_a_complaint_case',
          'Only a case of type complaint can become a complaint record',
          'caseId',
        );
      if (!source.contact)
        throw complaintErrors.refused(
          'no_contact',
          'The case has no requester to record as the complainant',
          'caseId',
        );
      const created = await create(actor, {
        receivedAt: source.receivedAt,
        madeOn: extra.madeOn,
        channel: source.channel,
        complainant: source.contact,
        contactId: source.contactId ?? undefined,
        summary:
          extra.summary?.trim() || `${source.subject}\n\n${source.body}`.slice(0, LIMITS.summary),
        allegations: extra.allegations,
        caseId: source.id,
      });
      return { id: created.id, existing: false };
    },

    async setEquality(actor: Actor, id: string, input: EqualityInput) {
      // Only the listed answers are stored: free text here would reach the statistics'
      // row labels (special-category data, aggregates only).
      const errors: FieldErrors = {};
      for (const [key, value] of Object.entries(input as Record<string, string | null | undefined>))
        if (value !== null && value !== undefined && !EQUALITY_ANSWERS[key]?.includes(value))
          errors[key] = 'Choose an answer from the list';
      if (Object.keys(errors).length) throw complaintErrors.invalid(errors);
      return db.transaction(async (tx) => {
        const row = await load(tx, actor, id);
        await repo.upsertEquality(tx, { complaintId: row.id, ...input });
        await audit.record(tx, actor, {
          action: 'complaint.equality.update',
          subjectType: 'complaint',
          subjectId: row.id,
        });
      });
    },

    async accessList(actor: Actor, id: string) {
      return db.transaction(async (tx) => {
        const row = await load(tx, actor, id);
        await audit.record(tx, actor, {
          action: 'complaint.access.view',
          subjectType: 'complaint',
          subjectId: row.id,
        });
        return repo.accessList(tx, row.id);
      });
    },

    async grant(
      actor: Actor,
      id: string,
      userId: string,
      role: 'staff' | 'decision_maker' | 'assignee',
    ) {
      return db.transaction(async (tx) => {
        const row = await load(tx, actor, id);
        const user = /^[0-9a-f-]{36}$/i.test(userId) ? await repo.user(tx, userId) : undefined;
        if (!user || user.role === 'admin' || user.disabledAt)
          throw complaintErrors.invalid({ userId: 'Choose a caseworker or manager' });
        await repo.grantAccess(tx, row.id, user.id, role, actor.id, clock.now());
        await audit.record(tx, actor, {
          action: 'complaint.access.grant',
          subjectType: 'complaint',
          subjectId: row.id,
          justification: `${role} ${user.id}`,
        });
      });
    },

    async revoke(actor: Actor, id: string, userId: string) {
      return db.transaction(async (tx) => {
        const row = await load(tx, actor, id);
        if (!/^[0-9a-f-]{36}$/i.test(userId)) throw complaintErrors.notFound();
        // The assignee stays on the list (reassign first), and the list is never emptied:
        // a complaint nobody may open could not be worked on or handed over.
        if (row.assigneeId === userId)
          throw complaintErrors.refused(
            'access_assignee',
            'The assignee must stay on the access list: reassign the complaint first',
            'userId',
          );
        const list = await repo.accessList(tx, row.id);
        if (!list.some((a) => a.userId === userId)) throw complaintErrors.notFound();
        if (list.length === 1)
          throw complaintErrors.refused(
            'access_last',
            'Someone must stay on the access list: add another person first',
            'userId',
          );
        const removed = await repo.revokeAccess(tx, row.id, userId);
        if (!removed) throw complaintErrors.notFound();
        await audit.record(tx, actor, {
          action: 'complaint.access.revoke',
          subjectType: 'complaint',
          subjectId: row.id,
          justification: userId,
        });
      });
    },

    /** Legal hold (§4): stops the retention sweep (litigation, FOI/ICO appeal, review). */
    async setLegalHold(actor: Actor, id: string, input: { hold: boolean; reason?: string }) {
      return db.transaction(async (tx) => {
        const row = await load(tx, actor, id);
        if (input.hold && !input.reason?.trim())
          throw complaintErrors.invalid({ reason: 'Say why the record is held' });
        const updated = await repo.update(tx, row.id, row.version, {
          legalHold: input.hold,
          legalHoldReason: input.hold ? input.reason!.trim() : null,
          updatedAt: clock.now(),
        });
        if (!updated) throw complaintErrors.stale();
        await audit.record(tx, actor, {
          action: input.hold ? 'complaint.legal_hold.set' : 'complaint.legal_hold.clear',
          subjectType: 'complaint',
          subjectId: row.id,
          justification: input.reason ?? null,
        });
        return { legalHold: updated.legalHold, version: updated.version };
      });
    },

    async list(
      actor: Actor,
      filters: { status?: string; stream?: string; q?: string },
      page: { limit?: number; cursor?: string },
    ) {
      const limit = Math.min(page.limit ?? 50, 200);
      let cursor: { receivedAt: Date; id: string } | undefined;
      if (page.cursor) {
        const [at, cid] = Buffer.from(page.cursor, 'base64url').toString().split('|');
        const when = at ? new Date(at) : undefined;
        if (!when || Number.isNaN(when.getTime()) || !cid || !/^[0-9a-f-]{36}$/i.test(cid))
          throw complaintErrors.invalid({ cursor: 'The cursor is not valid' });
        cursor = { receivedAt: when, id: cid };
      }
      const rows = await repo.list(db, { id: actor.id, role: actor.role }, filters, limit, cursor);
      await audit.recordRead(actor, {
        action: 'complaint.list',
        subjectType: 'complaint',
        justification: filters.q ? 'search' : null,
      });
      const items = rows.slice(0, limit);
      const last = items.at(-1);
      return {
        items: items.map((r) => ({
          id: r.id,
          reference: r.reference,
          stream: r.stream,
          status: r.status,
          suspended: r.suspended,
          receivedOn: r.receivedOn,
          complainantName: r.complainantName,
          nextDueOn: r.nextDueOn,
        })),
        nextCursor:
          rows.length > limit && last
            ? Buffer.from(`${last.receivedAt.toISOString()}|${last.id}`).toString('base64url')
            : null,
      };
    },
  };
}
export type RecordsService = ReturnType<typeof createRecordsService>;
