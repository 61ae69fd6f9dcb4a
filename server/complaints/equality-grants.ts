/**
 * Equality answers are special-category data (docs/rules/complaints.md §2, §4; docs/rules/security.md §1:
 * "Equality answers for one person" is nobody's by role). Managers see aggregates only.
 * One complainant's answers are shown only to a caseworker or manager an admin has granted,
 * with a reason, until a date; and only on a complaint that person may open. Granting,
 * revoking and every read of one person's answers are audited.
 */
import { addDays, isIsoDate, londonDateOf } from '../lib/dates.js';
import type { Actor } from '../platform/audit.js';
import type { FieldErrors } from '../platform/errors.js';
import type { AdminRepository } from './admin-repository.js';
import { complaintErrors } from './errors.js';
import type { ComplaintsDeps } from './ports.js';
import type { RecordsService } from './records.js';
import { isUuid } from '../lib/uuid.js';

/** The longest a grant may run (a year), so none is forgotten for good. */
export const GRANT_MAX_DAYS = 366;

export const EQUALITY_FIELDS = [
  'ageBand',
  'sex',
  'ethnicity',
  'disability',
  'religion',
  'sexualOrientation',
] as const;

export function createEqualityGrantsService(
  deps: ComplaintsDeps & { admin: AdminRepository },
  records: RecordsService,
) {
  const { db, repo, admin, clock, audit } = deps;
  const today = () => londonDateOf(clock.now());

  return {
    /** Whether this person may read one complainant's answers today. */
    async granted(actor: Actor): Promise<boolean> {
      if (!actor.id || (actor.role !== 'caseworker' && actor.role !== 'manager')) return false;
      return (await admin.liveGrant(db, actor.id, today())) !== undefined;
    },

    /** One complainant's answers: 404 unless the complaint is visible, 403 without a grant. */
    async answers(actor: Actor, complaintId: string) {
      return db.transaction(async (tx) => {
        const row = await records.load(tx, actor, complaintId);
        const grant =
          actor.id && (actor.role === 'caseworker' || actor.role === 'manager')
            ? await admin.liveGrant(tx, actor.id, today())
            : undefined;
        if (!grant) throw complaintErrors.equalityNotGranted();
        const answers = await repo.equality(tx, row.id);
        await audit.record(tx, actor, {
          action: 'complaint.equality.view',
          subjectType: 'complaint',
          subjectId: row.id,
          justification: `grant ${grant.id}`,
        });
        // Every field, filled by the loop: the response schema (EqualityAnswers) names each one.
        const out = {} as Record<(typeof EQUALITY_FIELDS)[number], string | null>;
        for (const key of EQUALITY_FIELDS) out[key] = answers?.[key] ?? null;
        return { recorded: answers !== undefined, answers: out };
      });
    },

    async list(actor: Actor) {
      const on = today();
      const rows = await admin.grants(db);
      await audit.recordRead(actor, {
        action: 'complaint.equality_grant.list',
        subjectType: 'complaint_equality_grant',
      });
      return rows.map((r) => ({
        ...r,
        grantedAt: r.grantedAt.toISOString(),
        revokedAt: r.revokedAt?.toISOString() ?? null,
        live: r.revokedAt === null && r.until >= on,
      }));
    },

    async grant(actor: Actor, input: { userId: string; reason: string; until: string }) {
      const errors: FieldErrors = {};
      const on = today();
      const reason = input.reason?.trim() ?? '';
      if (!reason) errors.reason = 'Say why this person needs to see individual equality answers';
      else if (reason.length > 2000) errors.reason = 'The reason must be 2,000 characters or fewer';
      if (!isIsoDate(input.until)) errors.until = 'Enter the last day as a date, like 2027-03-31';
      else if (input.until < on) errors.until = 'The last day must be today or later';
      else if (input.until > addDays(on, GRANT_MAX_DAYS))
        errors.until = 'A grant can last a year at most';
      const user = isUuid(input.userId) ? await repo.user(db, input.userId) : undefined;
      if (!user || (user.role !== 'caseworker' && user.role !== 'manager') || user.disabledAt)
        errors.userId = 'Choose a caseworker or manager';
      if (Object.keys(errors).length) throw complaintErrors.invalid(errors);
      return db.transaction(async (tx) => {
        const now = clock.now();
        const created = await admin.insertGrant(
          tx,
          {
            userId: user!.id,
            reason,
            until: input.until,
            grantedById: actor.id,
            grantedAt: now,
          },
          on,
        );
        if (!created)
          throw complaintErrors.invalid({
            userId: `${user!.name} already has a grant: end it first to change it`,
          });
        await audit.record(tx, actor, {
          action: 'complaint.equality_grant.add',
          subjectType: 'user',
          subjectId: user!.id,
          justification: `until ${input.until}: ${reason}`.slice(0, 2000),
        });
        return { id: created.id, userId: created.userId, until: created.until };
      });
    },

    async revoke(actor: Actor, grantId: string) {
      if (!isUuid(grantId)) throw complaintErrors.notFound();
      return db.transaction(async (tx) => {
        const row = await admin.revokeGrant(tx, grantId, actor.id, clock.now());
        if (!row) throw complaintErrors.notFound();
        await audit.record(tx, actor, {
          action: 'complaint.equality_grant.revoke',
          subjectType: 'user',
          subjectId: row.userId,
          justification: `grant ${row.id}`,
        });
        return { id: row.id };
      });
    },
  };
}
export type EqualityGrantsService = ReturnType<typeof createEqualityGrantsService>;
