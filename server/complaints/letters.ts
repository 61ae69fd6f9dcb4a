/**
 * Letters (§3.3) from versioned templates with the complaint merge fields, emailed through
 * the email ledger (outbox row in the same transaction) or recorded as posted; and other
 * contacts with the complainant (calls, visits). Each is a `complaint_contacts` row on the
 * timeline, and the timers are recomputed from it.
 */
import type { ComplaintRow } from '../../db/schema/index.js';
import { addDays, formatDayDate, londonDateOf, toLondonDate } from '../lib/dates.js';
import type { Actor } from '../platform/audit.js';
import { complaintErrors } from './errors.js';
import type { ComplaintsDeps } from './ports.js';
import { LIMITS, type RecordsService } from './records.js';

export const TEMPLATE_KEYS = [
  'acknowledgement',
  'recording_decision',
  'non_recording',
  'update_4_weekly',
  'outcome_with_review_rights',
  'outcome_outside_sch3',
  'withdrawal_confirmation',
  'report_12m',
] as const;
export type TemplateKey = (typeof TEMPLATE_KEYS)[number];

export const MERGE_FIELDS = [
  'reference',
  'complainantName',
  'allegations',
  'outcomes',
  'reviewBody',
  'reviewLastDay',
  'nextUpdateDate',
  'handling',
  'namedContact',
  'officeName',
  'reason',
  'date',
] as const;

const TIMER_OF: Record<string, string> = {
  update: 'update',
  outcome: 'outcome_letter',
  report: 'report_12m',
};

const KIND_OF: Record<TemplateKey, 'first_contact' | 'update' | 'outcome' | 'report' | 'other'> = {
  acknowledgement: 'other',
  recording_decision: 'other',
  non_recording: 'other',
  update_4_weekly: 'update',
  outcome_with_review_rights: 'outcome',
  outcome_outside_sch3: 'outcome',
  withdrawal_confirmation: 'other',
  report_12m: 'report',
};

const OUTCOME_WORDS: Record<string, string> = {
  service_acceptable: 'the service provided was acceptable',
  service_not_acceptable: 'the service provided was not acceptable',
  unable_to_determine: 'we were unable to determine whether the service was acceptable',
  looked_into_nfa: 'the matter was looked into and no further action is to be taken',
  case_to_answer: 'there is a case to answer',
  no_case_to_answer: 'there is no case to answer',
  practice_requiring_improvement: 'practice requiring improvement was found',
};
const HANDLING_WORDS: Record<string, string> = {
  outside_sch3: 'handled outside Schedule 3 of the Police Reform Act 2002',
  otherwise_than_investigation: 'handled otherwise than by investigation',
  investigation: 'investigated',
  nfa: 'recorded, with no further action',
};

/** `{{ name }}` replaced by its value; an unknown name is refused when a template is saved. */
export function renderLetter(source: string, values: Record<string, string>): string {
  return source.replace(/\{\{\s*([A-Za-z]+)\s*\}\}/g, (_m, name: string) => values[name] ?? '');
}

export function unknownFields(source: string): string[] {
  const names = [...source.matchAll(/\{\{\s*([^}]*?)\s*\}\}/g)].map((m) => m[1]!);
  return names.filter((n) => !(MERGE_FIELDS as readonly string[]).includes(n));
}

export function createLettersService(deps: ComplaintsDeps, records: RecordsService) {
  const { db, repo, clock, audit } = deps;

  async function mergeValues(
    tx: Parameters<typeof repo.allegations>[0],
    row: ComplaintRow,
    on: string,
  ) {
    const [complainant, allegations, categories, timers, assignee, transitions] = await Promise.all(
      [
        repo.complainant(tx, row.id),
        repo.allegations(tx, row.id),
        repo.categories(tx),
        repo.liveTimers(tx, row.id),
        row.assigneeId ? repo.user(tx, row.assigneeId) : Promise.resolve(undefined),
        repo.transitions(tx, row.id),
      ],
    );
    const label = (id: string) => categories.find((c) => c.id === id)?.label ?? '';
    const update = timers.find((t) => t.kind === 'update' && !t.stopped);
    return {
      reference: row.reference,
      complainantName: complainant?.name ?? '',
      allegations: allegations
        .map((a) => `${a.position}. ${label(a.categoryId)}: ${a.description ?? ''}`)
        .join('\n'),
      outcomes: allegations
        .map(
          (a) =>
            `${a.position}. ${a.outcome ? OUTCOME_WORDS[a.outcome] : 'not yet decided'}${a.actions.length ? ` (actions: ${a.actions.join(', ').replace(/_/g, ' ')})` : ''}`,
        )
        .join('\n'),
      // The IOPC is the review body for complaints about the Chief Constable (reg 32).
      reviewBody:
        row.stream === 'cc'
          ? 'the Independent Office for Police Conduct (IOPC)'
          : 'the Police and Crime Commissioner',
      reviewLastDay: formatDayDate(addDays(on, 28)),
      nextUpdateDate: update ? formatDayDate(update.dueOn) : formatDayDate(addDays(on, 28)),
      handling: row.handling ? (HANDLING_WORDS[row.handling] ?? row.handling) : 'not yet decided',
      namedContact: assignee?.name ?? 'the complaints team',
      officeName: deps.officeName,
      reason: transitions.at(-1)?.t.reasons ?? '',
      date: formatDayDate(on),
    };
  }

  /** The running timer's due date for what this contact answers (on-time statistics). */
  async function dueFor(tx: Parameters<typeof repo.liveTimers>[0], id: string, kind: string) {
    const timerKind = TIMER_OF[kind];
    if (!timerKind) return null;
    const timer = (await repo.liveTimers(tx, id)).find((t) => t.kind === timerKind && !t.stopped);
    return timer?.dueOn ?? null;
  }

  function dateOf(at: string | undefined): { at: Date; on: string } {
    const now = clock.now();
    if (!at) return { at: now, on: londonDateOf(now) };
    let on: string;
    try {
      on = toLondonDate(at);
    } catch {
      throw complaintErrors.invalid({ at: 'Enter a real date' });
    }
    if (on > londonDateOf(now))
      throw complaintErrors.invalid({ at: 'The date must not be in the future' });
    return { at: on === londonDateOf(now) ? now : new Date(`${on}T12:00:00Z`), on };
  }

  return {
    async templates() {
      return repo.templates(db);
    },

    /** A new version of a template (admins); the old versions stay as sent. */
    async saveTemplate(actor: Actor, key: string, input: { subject: string; body: string }) {
      if (!(TEMPLATE_KEYS as readonly string[]).includes(key)) throw complaintErrors.notFound();
      const bad = [...unknownFields(input.subject), ...unknownFields(input.body)];
      if (bad.length)
        throw complaintErrors.invalid({ body: `Unknown merge field: ${bad[0]!.slice(0, 40)}` });
      return db.transaction(async (tx) => {
        const latest = await repo.latestTemplate(tx, key);
        // Two admins saving at once both read the same latest version: one gets 409.
        const created = await repo
          .insertTemplateVersion(tx, {
            key,
            version: (latest?.version ?? 0) + 1,
            subject: input.subject,
            body: input.body,
            createdById: actor.id,
            createdAt: clock.now(),
          })
          .catch((error: unknown) => {
            const e = error as { code?: string; cause?: { code?: string } };
            if ((e.code ?? e.cause?.code) === '23505') throw complaintErrors.templateConflict();
            throw error;
          });
        await audit.record(tx, actor, {
          action: 'complaint.template.save',
          subjectType: 'complaint_template',
          subjectId: created.id,
        });
        return { key, version: created.version };
      });
    },

    async send(
      actor: Actor,
      id: string,
      input: { template: string; channel: 'email' | 'post'; at?: string; withheld?: string },
    ) {
      return db.transaction(async (tx) => {
        const row = await records.load(tx, actor, id);
        let key = input.template as TemplateKey;
        if (!(TEMPLATE_KEYS as readonly string[]).includes(key))
          throw complaintErrors.invalid({ template: 'Choose a letter from the list' });
        // Outside Schedule 3 there is no right of review: the letter says so (§3.3).
        if (key === 'outcome_with_review_rights' && row.handling === 'outside_sch3')
          key = 'outcome_outside_sch3';
        const template = await repo.latestTemplate(tx, key);
        if (!template)
          throw complaintErrors.invalid({ template: 'This letter has no template yet' });
        const { at, on } = dateOf(input.at);
        const values = await mergeValues(tx, row, on);
        const subject = renderLetter(template.subject, values);
        const body = renderLetter(template.body, values);
        const complainant = await repo.complainant(tx, row.id);
        let emailId: string | null = null;
        if (input.channel === 'email') {
          if (!complainant?.email)
            throw complaintErrors.refused(
              'no_email',
              'The complainant has no email address: record the letter as posted',
              'channel',
            );
          emailId = await deps.mail.queue(tx, {
            to: complainant.email,
            subject,
            text: body,
            subjectType: 'complaint',
            subjectRef: row.id,
          });
        }
        const contact = await repo.insertContact(tx, {
          complaintId: row.id,
          kind: KIND_OF[key],
          at,
          occurredOn: on,
          channel: input.channel,
          templateId: template.id,
          templateKey: key,
          templateVersion: template.version,
          subject,
          body,
          emailId,
          dueOn: await dueFor(tx, row.id, KIND_OF[key]),
          harmTestWithheld: Boolean(input.withheld?.trim()),
          harmTestReason: input.withheld?.trim() || null,
          createdById: actor.id,
          createdAt: clock.now(),
        });
        if (input.withheld?.trim())
          await repo.insertTransition(tx, {
            complaintId: row.id,
            kind: 'harm_test',
            fromStatus: row.status,
            toStatus: row.status,
            at,
            occurredOn: on,
            actorId: actor.id,
            actorRole: actor.role,
            reasons: input.withheld.trim(),
            recordedAt: clock.now(),
          });
        await audit.record(tx, actor, {
          action: 'complaint.letter.send',
          subjectType: 'complaint',
          subjectId: row.id,
          personId: complainant?.contactId ?? null,
          justification: `${key} v${template.version} ${input.channel}`,
        });
        await deps.timers.recompute(tx, row);
        return {
          id: contact.id,
          template: key,
          version: template.version,
          channel: input.channel,
          emailId,
          subject,
          body,
          on,
        };
      });
    },

    /** A call, visit or other contact; `first_contact` is the one §3 asks to be logged. */
    async logContact(
      actor: Actor,
      id: string,
      input: {
        kind: 'first_contact' | 'update' | 'report' | 'other';
        channel: 'phone' | 'in_person' | 'email' | 'post';
        at?: string;
        note?: string;
      },
    ) {
      return db.transaction(async (tx) => {
        const row = await records.load(tx, actor, id);
        // The pages post through a looser form schema than the API's: the limit is the service's.
        if ((input.note?.trim().length ?? 0) > LIMITS.description)
          throw complaintErrors.invalid({
            note: `The note must be ${LIMITS.description.toLocaleString('en-GB')} characters or fewer`,
          });
        const { at, on } = dateOf(input.at);
        if (on < row.receivedOn)
          throw complaintErrors.invalid({
            at: 'The date must not be before the complaint was received',
          });
        const contact = await repo.insertContact(tx, {
          complaintId: row.id,
          kind: input.kind,
          at,
          occurredOn: on,
          channel: input.channel,
          body: input.note?.trim() || null,
          dueOn: await dueFor(tx, row.id, input.kind),
          createdById: actor.id,
          createdAt: clock.now(),
        });
        let current = row;
        if (input.kind === 'first_contact' && !row.firstContactOn) {
          const { calendar } = await deps.calendar(tx);
          const updated = await repo.update(tx, row.id, row.version, {
            firstContactOn: on,
            wdToFirstContact: calendar.workingDaysBetween(row.receivedOn, on),
            updatedAt: clock.now(),
          });
          if (!updated) throw complaintErrors.stale();
          current = updated;
        }
        await audit.record(tx, actor, {
          action: 'complaint.contact.log',
          subjectType: 'complaint',
          subjectId: row.id,
          justification: input.kind,
        });
        await deps.timers.recompute(tx, current);
        return { id: contact.id, kind: contact.kind, on };
      });
    },

    /** One letter as sent (audited: a letter is personal data). */
    async letter(actor: Actor, id: string, contactId: string) {
      return db.transaction(async (tx) => {
        const row = await records.load(tx, actor, id);
        const contact = (await repo.contacts(tx, row.id)).find((c) => c.id === contactId);
        if (!contact) throw complaintErrors.notFound();
        await audit.record(tx, actor, {
          action: 'complaint.letter.view',
          subjectType: 'complaint',
          subjectId: row.id,
          justification: contact.id,
        });
        return contact;
      });
    },
  };
}
export type LettersService = ReturnType<typeof createLettersService>;
