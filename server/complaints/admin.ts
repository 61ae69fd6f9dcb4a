/**
 * What the complaint admin pages and the access-list page need beyond the API's services:
 * adding a factor, template versions and a preview with example merge values, and the
 * people who may be added to a complaint's access list. The API's own service functions
 * (reference data, saving a template version, granting and revoking access) are reused.
 */
import { londonDateOf } from '../lib/dates.js';
import type { Actor } from '../platform/audit.js';
import type { AdminRepository } from './admin-repository.js';
import { complaintErrors } from './errors.js';
import { MERGE_FIELDS, renderLetter, TEMPLATE_KEYS, unknownFields } from './letters.js';
import type { ComplaintsDeps } from './ports.js';
import type { RecordsService } from './records.js';
import { addEntry } from './reference-data.js';

/** Example values for a template preview: a made-up complaint, never a real person. */
export const SAMPLE_VALUES: Record<(typeof MERGE_FIELDS)[number], string> = {
  reference: 'CC-2026-0001',
  complainantName: 'Sam Example',
  allegations: '1. Individual behaviours: Was rude at a public meeting',
  outcomes: '1. the service provided was not acceptable (actions: apology)',
  reviewBody: 'the Independent Office for Police Conduct (IOPC)',
  reviewLastDay: 'Friday 29 May 2026',
  nextUpdateDate: 'Monday 30 March 2026',
  handling: 'handled otherwise than by investigation',
  namedContact: 'Jo Caseworker',
  officeName: 'the Office of the Police and Crime Commissioner',
  reason: 'The complaint is about a force policy, so it was passed to the force',
  date: 'Friday 1 May 2026',
};

export const TEMPLATE_LABELS: Record<(typeof TEMPLATE_KEYS)[number], string> = {
  acknowledgement: 'Acknowledgement',
  recording_decision: 'Recording decision',
  non_recording: 'Not recorded',
  update_4_weekly: '4-weekly update',
  outcome_with_review_rights: 'Outcome with review rights',
  outcome_outside_sch3: 'Outcome outside Schedule 3 (no review right)',
  withdrawal_confirmation: 'Withdrawal confirmation',
  report_12m: '12-month report',
};

export const MERGE_FIELD_HINTS: Record<(typeof MERGE_FIELDS)[number], string> = {
  reference: 'The complaint reference',
  complainantName: 'The complainant’s name',
  allegations: 'Each allegation, numbered, with its category',
  outcomes: 'The outcome and actions of each allegation',
  reviewBody: 'Who reviews: the IOPC for complaints about the Chief Constable',
  reviewLastDay: 'The last day to apply for a review',
  nextUpdateDate: 'When the next update is due',
  handling: 'How the complaint is handled',
  namedContact: 'The caseworker assigned',
  officeName: 'The office’s name',
  reason: 'The reason given for the last decision',
  date: 'The date of the letter',
};

export function createAdminService(
  deps: ComplaintsDeps & { admin: AdminRepository },
  records: RecordsService,
) {
  const { db, repo, admin, clock } = deps;
  return {
    async addFactor(actor: Actor, input: { code: string; label: string }) {
      return addEntry(deps, actor, 'factor', input, (tx, entry) => admin.insertFactor(tx, entry));
    },

    /** Each letter with its latest version (every key, even one with no version yet). */
    async templates() {
      const latest = await repo.templates(db);
      return TEMPLATE_KEYS.map((key) => {
        const row = latest.find((t) => t.key === key);
        return {
          key,
          label: TEMPLATE_LABELS[key],
          version: row?.version ?? null,
          subject: row?.subject ?? null,
          savedAt: row?.createdAt.toISOString() ?? null,
        };
      });
    },

    async templateVersions(key: string) {
      if (!(TEMPLATE_KEYS as readonly string[]).includes(key)) throw complaintErrors.notFound();
      const rows = await admin.templateVersions(db, key);
      return rows.map((r) => ({ ...r, createdAt: r.createdAt.toISOString() }));
    },

    /** The letter as it would read, with example values; unknown merge fields are errors. */
    preview(input: { subject: string; body: string }) {
      const bad = [...unknownFields(input.subject), ...unknownFields(input.body)];
      if (bad.length)
        throw complaintErrors.invalid({ body: `Unknown merge field: ${bad[0]!.slice(0, 40)}` });
      return {
        subject: renderLetter(input.subject, SAMPLE_VALUES),
        body: renderLetter(input.body, SAMPLE_VALUES),
      };
    },

    today: () => londonDateOf(clock.now()),

    /** Active caseworkers and managers (those an equality grant may go to). */
    async staffList() {
      return admin.staff(db);
    },

    /** Who may be added to this complaint's list (404 for someone who cannot see it). */
    async accessCandidates(actor: Actor, id: string) {
      const row = await records.load(db, actor, id);
      const [staff, list] = await Promise.all([admin.staff(db), repo.accessList(db, row.id)]);
      const on = new Set(list.map((a) => a.userId));
      return staff.filter((s) => !on.has(s.id));
    },
  };
}
export type AdminService = ReturnType<typeof createAdminService>;
