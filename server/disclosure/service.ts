import type { DbOrTx } from '../../db/client.js';
import type { EntryRow } from '../../db/schema/index.js';
import { londonDateOf } from '../lib/dates.js';
import type { CaseRow } from '../correspondence/gateway.js';
import { humanise } from '../correspondence/workflow.js';
import type { Actor } from '../platform/audit.js';
import { notFound, validationError, type FieldErrors } from '../platform/errors.js';
import { EntryExists, type PublicFilters } from './repository.js';
import { appendToTimeline } from '../timeline/timeline.js';
import {
  documentRemoved,
  documentsNotChecked,
  invalidTransition,
  managerOnly,
  notEditable,
  notPublishable,
  personalDataFoundError,
  personalDataUnconfirmed,
  stale,
  withdrawn,
} from './errors.js';
import {
  ANSWERED,
  documentView,
  EMAIL_IN_TEXT,
  entryView,
  escapeRegExp,
  isEditable,
  isManager,
  LIMITS,
  OUTCOMES,
  PUBLIC_PAGE_SIZE,
  PUBLISHABLE_TYPES,
  viewerOf,
  type DocumentView,
  type EntryInput,
  type EntryView,
  type PublicEntry,
} from './model.js';
import { createDisclosureContext, type DisclosureDeps } from './context.js';
import { createDocumentCommands } from './documents.js';

// The vocabulary routes and pages use, from the file that owns it.
export * from './model.js';
export type { DisclosureDeps } from './context.js';

/**
 * The public FOI/EIR disclosure log (§9). Entries come from answered FOI and EIR cases only,
 * are prefilled with the requester's details taken out, edited by a caseworker who confirms
 * personal data is removed, approved and published by a manager, and may be withdrawn.
 * Public reads go through `publicList` and `publicEntry`, which see only published fields.
 */
export function createDisclosureService(deps: DisclosureDeps) {
  const ctx = createDisclosureContext(deps);
  const { db, clock, audit, cases, repo } = ctx;

  function checkPublishable(row: CaseRow) {
    if (!PUBLISHABLE_TYPES.includes(row.type))
      throw notPublishable(
        row.type === 'sar'
          ? 'Subject access requests are never published in the disclosure log'
          : 'Only freedom of information and environmental information requests can be published',
      );
    if (!ANSWERED.includes(row.status))
      throw notPublishable('Only answered requests can be published: send the response first');
  }

  /** The requester's (and constituent's) names and addresses, which must never be published. */
  async function personalData(tx: DbOrTx, row: CaseRow): Promise<string[]> {
    const people = await Promise.all([
      cases.contact(tx, row.contactId),
      cases.contact(tx, row.onBehalfOfId),
    ]);
    const values: string[] = [];
    for (const person of people) {
      if (!person) continue;
      for (const value of [person.name, person.email, person.phone, person.postcode])
        if (value && value.trim().length >= 3) values.push(value.trim());
    }
    return values;
  }

  /** Replaces personal data and any email address with "[redacted]" (for the prefill). */
  function scrub(text: string, personal: string[]): string {
    let out = text.replace(EMAIL_IN_TEXT, '[redacted]');
    for (const value of personal)
      out = out.replace(new RegExp(escapeRegExp(value), 'gi'), '[redacted]');
    return out;
  }

  /** Field errors for text that still names the requester or holds an email address. */
  function personalDataFound(
    input: Pick<EntryInput, 'title' | 'requestText' | 'summary' | 'exemptions'>,
    personal: string[],
  ): FieldErrors {
    const fields: FieldErrors = {};
    const check = (field: string, text: string) => {
      const lower = text.toLowerCase();
      if (personal.some((value) => lower.includes(value.toLowerCase())))
        fields[field] = 'Remove the requester’s name and contact details';
      else if (EMAIL_IN_TEXT.test(text)) fields[field] = 'Remove email addresses';
      EMAIL_IN_TEXT.lastIndex = 0;
    };
    check('title', input.title);
    check('requestText', input.requestText);
    check('summary', input.summary);
    check('exemptions', input.exemptions.join('\n'));
    return fields;
  }

  function checkInput(input: EntryInput): FieldErrors {
    const fields: FieldErrors = {};
    const title = input.title?.trim() ?? '';
    if (!title) fields.title = 'Enter a title';
    else if (title.length > LIMITS.title)
      fields.title = `Title must be ${LIMITS.title} characters or fewer`;
    if (!input.requestText?.trim()) fields.requestText = 'Enter the request';
    else if (input.requestText.length > LIMITS.text)
      fields.requestText = `The request must be ${LIMITS.text.toLocaleString('en-GB')} characters or fewer`;
    if ((input.summary?.length ?? 0) > LIMITS.summary)
      fields.summary = `The summary must be ${LIMITS.summary.toLocaleString('en-GB')} characters or fewer`;
    if (input.outcome && !OUTCOMES.includes(input.outcome)) fields.outcome = 'Select the outcome';
    if (input.exemptions.some((e) => e.length > LIMITS.exemption) || input.exemptions.length > 20)
      fields.exemptions = `Give up to 20 exemptions of ${LIMITS.exemption} characters or fewer`;
    if (input.outcome === 'refused' && input.exemptions.length === 0)
      fields.exemptions = 'Give the exemptions a refusal relied on';
    const date = /^\d{4}-\d{2}-\d{2}$/.test(input.responseDate ?? '')
      ? new Date(`${input.responseDate}T12:00:00Z`)
      : undefined;
    if (
      !date ||
      Number.isNaN(date.getTime()) ||
      date.toISOString().slice(0, 10) !== input.responseDate
    )
      fields.responseDate = 'Enter the date of the response, for example 27 3 2026';
    else if (input.responseDate > londonDateOf(clock.now()))
      fields.responseDate = 'The date of the response must be today or in the past';
    if (input.topics.length > 20 || input.topics.some((t) => t.length > 50))
      fields.topics = 'Select topics from the list';
    if (input.personalDataRemoved !== true)
      fields.personalDataRemoved = 'Confirm that personal data has been removed';
    return fields;
  }

  async function loadCase(tx: DbOrTx, entry: EntryRow): Promise<CaseRow> {
    const row = await cases.find(tx, { id: null, role: 'system' }, entry.caseId);
    if (!row) throw notFound('Case not found');
    return row;
  }

  /** The checks every step towards publication repeats: type, answered, no personal data. */
  async function checkReady(tx: DbOrTx, entry: EntryRow) {
    const row = await loadCase(tx, entry);
    checkPublishable(row);
    if (!entry.personalDataRemoved) throw personalDataUnconfirmed();
    const found = personalDataFound(entry, await personalData(tx, row));
    if (Object.keys(found).length) throw personalDataFoundError(found);
    return row;
  }

  async function changeStatus(
    actor: Actor,
    id: string,
    version: number,
    step: {
      from: EntryRow['status'][];
      to: EntryRow['status'];
      what: string;
      event: string;
      values?: (now: Date) => Partial<EntryRow>;
      ready?: boolean;
      /** Refused while any document is still held or infected (publication only). */
      documentsChecked?: boolean;
    },
  ): Promise<EntryView> {
    if (!isManager(actor)) throw managerOnly(step.what);
    return db.transaction(async (tx) => {
      const entry = await repo.lockVisible(tx, viewerOf(actor), id);
      if (!entry) throw notFound('Entry not found');
      if (entry.version !== version) throw stale();
      if (!step.from.includes(entry.status)) throw invalidTransition(entry.status, step.to);
      if (step.ready) await checkReady(tx, entry);
      if (step.documentsChecked) await checkDocumentsScanned(tx, entry);
      const now = clock.now();
      const updated = await repo.update(tx, entry.id, entry.version, {
        status: step.to,
        updatedAt: now,
        ...(step.values?.(now) ?? {}),
      });
      if (!updated) throw stale();
      await appendToTimeline(tx, {
        caseId: entry.caseId,
        at: now,
        actorId: actor.id,
        kind: step.event,
        data: { entryId: entry.id },
      });
      await audit.record(tx, actor, {
        action: `disclosure.${step.to}`,
        subjectType: 'disclosure_entry',
        subjectId: entry.id,
      });
      return entryView(updated, await repo.userName(tx, updated.approvedById));
    });
  }

  /**
   * The public can download every document of a published entry, so none may be waiting for
   * its virus check or have failed it. Documents cannot be added once published, and adding
   * one locks the entry as publishing does, so this check cannot be raced.
   */
  async function checkDocumentsScanned(tx: DbOrTx, entry: EntryRow) {
    const held = (await repo.documents(tx, entry.id)).filter(
      (d) => d.scanStatus === 'pending' || d.scanStatus === 'infected',
    );
    if (held.length === 0) return;
    const infected = held.filter((d) => d.scanStatus === 'infected');
    const message = infected.length
      ? `Remove ${infected.map((d) => d.filename).join(', ')}: a virus was found. An entry cannot be published with an infected document`
      : `Wait for the virus check of ${held.map((d) => d.filename).join(', ')} to finish before publishing`;
    throw documentsNotChecked(message);
  }

  async function topicList(slugs: string[]) {
    const labels = await repo.topicLabels(db);
    return slugs.map((slug) => ({ slug, label: labels.get(slug) ?? humanise(slug) }));
  }

  function publicView(row: EntryRow, labels: Map<string, string>): PublicEntry {
    return {
      reference: row.reference,
      title: row.title,
      requestText: row.requestText,
      summary: row.summary,
      outcome: row.outcome,
      outcomeLabel: row.outcome ? humanise(row.outcome) : null,
      exemptions: row.exemptions,
      responseDate: row.responseDate,
      topics: row.topics.map((slug) => ({ slug, label: labels.get(slug) ?? humanise(slug) })),
    };
  }

  /** The published entry behind a public URL: 404 unless published, 410 once withdrawn. */
  async function publishedRow(reference: string): Promise<EntryRow> {
    if (!/^OPCC-\d{4}-\d{5,}$/i.test(reference.trim())) throw notFound('Entry not found');
    const row = await repo.byReference(db, reference);
    if (!row || (row.status !== 'published' && row.status !== 'withdrawn'))
      throw notFound('Entry not found');
    if (row.status === 'withdrawn') throw withdrawn();
    return row;
  }

  return {
    /**
     * Starts an entry from an answered FOI/EIR case, with the requester's name, email,
     * phone and postcode (and any email address) replaced by "[redacted]". A case that
     * already has an entry gives that entry back (`created: false`).
     */
    async draftFromCase(
      actor: Actor,
      caseId: string,
    ): Promise<{ entry: EntryView; created: boolean }> {
      try {
        return await db.transaction(async (tx) => {
          const row = await cases.lock(tx, viewerOf(actor), caseId);
          if (!row) throw notFound('Case not found');
          checkPublishable(row);
          const existing = await repo.byCase(tx, row.id);
          if (existing) return { entry: entryView(existing), created: false };
          const personal = await personalData(tx, row);
          const now = clock.now();
          const entry = await repo.insert(tx, {
            caseId: row.id,
            reference: row.reference,
            title: scrub(row.subject, personal).slice(0, LIMITS.title),
            requestText: scrub(row.body, personal),
            summary: '',
            outcome: row.outcome && OUTCOMES.includes(row.outcome) ? row.outcome : null,
            exemptions: [],
            responseDate: londonDateOf(row.respondedAt ?? now),
            topics: row.topics,
            status: 'draft',
            personalDataRemoved: false,
            createdById: actor.id,
            createdAt: now,
            updatedAt: now,
          });
          await appendToTimeline(tx, {
            caseId: row.id,
            at: now,
            actorId: actor.id,
            kind: 'disclosure_drafted',
            data: { entryId: entry.id },
          });
          await audit.record(tx, actor, {
            action: 'disclosure.draft',
            subjectType: 'disclosure_entry',
            subjectId: entry.id,
            personId: row.contactId,
          });
          return { entry: entryView(entry), created: true };
        });
      } catch (error) {
        if (!(error instanceof EntryExists)) throw error;
        const existing = await repo.byCase(db, caseId);
        if (!existing) throw error;
        return { entry: entryView(existing), created: false };
      }
    },

    async get(actor: Actor, id: string): Promise<EntryView> {
      const entry = await repo.findVisible(db, viewerOf(actor), id);
      if (!entry) throw notFound('Entry not found');
      return entryView(entry, await repo.userName(db, entry.approvedById));
    },

    async forCase(actor: Actor, caseId: string): Promise<EntryView | null> {
      const row = await cases.find(db, viewerOf(actor), caseId);
      if (!row) throw notFound('Case not found');
      const entry = await repo.byCase(db, row.id);
      return entry ? entryView(entry) : null;
    },

    async list(actor: Actor, statuses?: string[]): Promise<EntryView[]> {
      const rows = await repo.staffList(db, viewerOf(actor), statuses);
      return rows.map((r) => entryView(r.entry, r.approverName));
    },

    /**
     * Saves the caseworker's edit. The text must not hold the requester's details and the
     * "personal data removed" box must be ticked. Editing an approved entry sends it back
     * to draft (it needs approving again); published entries are withdrawn, not edited.
     */
    async update(actor: Actor, id: string, input: EntryInput): Promise<EntryView> {
      const clean: EntryInput = {
        ...input,
        title: input.title?.trim() ?? '',
        summary: input.summary ?? '',
        outcome: input.outcome || null,
        exemptions: (input.exemptions ?? []).map((e) => e.trim()).filter(Boolean),
        topics: [...new Set(input.topics ?? [])],
      };
      const fields = checkInput(clean);
      return db.transaction(async (tx) => {
        const entry = await repo.lockVisible(tx, viewerOf(actor), id);
        if (!entry) throw notFound('Entry not found');
        if (entry.version !== input.version) throw stale();
        if (!isEditable(entry.status)) throw notEditable(entry.status);
        const row = await loadCase(tx, entry);
        checkPublishable(row);
        const found = personalDataFound(clean, await personalData(tx, row));
        for (const [field, message] of Object.entries(found)) fields[field] ??= message;
        if (Object.keys(fields).length) throw validationError(fields);
        const now = clock.now();
        const updated = await repo.update(tx, entry.id, entry.version, {
          title: clean.title,
          requestText: clean.requestText,
          summary: clean.summary,
          outcome: clean.outcome,
          exemptions: clean.exemptions,
          responseDate: clean.responseDate,
          topics: clean.topics,
          personalDataRemoved: true,
          confirmedById: actor.id,
          status: 'draft',
          approvedById: null,
          approvedAt: null,
          updatedAt: now,
        });
        if (!updated) throw stale();
        await audit.record(tx, actor, {
          action: 'disclosure.edit',
          subjectType: 'disclosure_entry',
          subjectId: entry.id,
        });
        return entryView(updated);
      });
    },

    approve: (actor: Actor, id: string, input: { version: number }) =>
      changeStatus(actor, id, input.version, {
        from: ['draft'],
        to: 'approved',
        what: 'approve an entry',
        event: 'disclosure_approved',
        ready: true,
        values: (now) => ({ approvedById: actor.id, approvedAt: now }),
      }),

    publish: (actor: Actor, id: string, input: { version: number }) =>
      changeStatus(actor, id, input.version, {
        from: ['approved'],
        to: 'published',
        what: 'publish an entry',
        event: 'disclosure_published',
        ready: true,
        documentsChecked: true,
        values: (now) => ({ publishedAt: now }),
      }),

    async withdraw(
      actor: Actor,
      id: string,
      input: { version: number; reason: string },
    ): Promise<EntryView> {
      const reason = input.reason?.trim() ?? '';
      if (!reason) throw validationError({ reason: 'Give a reason for withdrawing the entry' });
      if (reason.length > LIMITS.reason)
        throw validationError({ reason: `Reason must be ${LIMITS.reason} characters or fewer` });
      return changeStatus(actor, id, input.version, {
        from: ['published'],
        to: 'withdrawn',
        what: 'withdraw an entry',
        event: 'disclosure_withdrawn',
        values: (now) => ({ withdrawnAt: now, withdrawnReason: reason }),
      });
    },

    /** Published entries, newest response first, with the filters' choices. */
    async publicList(
      filters: PublicFilters,
      page = 1,
    ): Promise<{
      items: PublicEntry[];
      total: number;
      page: number;
      pages: number;
      years: number[];
      topics: Array<{ slug: string; label: string }>;
      outcomes: Array<{ value: string; label: string }>;
    }> {
      const current = Math.max(1, Math.floor(page));
      const [{ rows, total }, facets, labels] = await Promise.all([
        repo.publicPage(db, filters, PUBLIC_PAGE_SIZE, (current - 1) * PUBLIC_PAGE_SIZE),
        repo.publicFacets(db),
        repo.topicLabels(db),
      ]);
      return {
        items: rows.map((row) => publicView(row, labels)),
        total,
        page: current,
        pages: Math.max(1, Math.ceil(total / PUBLIC_PAGE_SIZE)),
        years: facets.years,
        topics: (await topicList(facets.topics)).sort((a, b) => a.label.localeCompare(b.label)),
        outcomes: OUTCOMES.filter((o) => facets.outcomes.includes(o)).map((value) => ({
          value,
          label: humanise(value),
        })),
      };
    },

    /** One published entry with its documents; a withdrawn one is 410 Gone; anything else is 404. */
    async publicEntry(reference: string): Promise<PublicEntry & { documents: DocumentView[] }> {
      const row = await publishedRow(reference);
      const [labels, documents] = await Promise.all([
        repo.topicLabels(db),
        repo.documents(db, row.id),
      ]);
      // A document still held or found infected is not offered at all (see publicDocument).
      return {
        ...publicView(row, labels),
        documents: documents.map(documentView).filter((d) => d.downloadable),
      };
    },

    /** A published entry's document, for download: the file only, nothing about the case. */
    async publicDocument(reference: string, documentId: string) {
      const row = await publishedRow(reference);
      const file = await repo.document(db, row.id, documentId);
      if (!file) throw notFound('Document not found');
      // Not yet virus-checked: 404, exactly as if it did not exist (it is not listed either).
      // The public learns nothing it could not see, and the URL works once the check passes.
      if (file.scanStatus === 'pending') throw notFound('Document not found');
      // Infected: 410 Gone, not 403. It is never coming back (it has to be removed and a clean
      // copy uploaded, under a new id), so crawlers and caches should drop the URL; 403 would
      // suggest that someone with more rights could have it. The body does not say "virus".
      if (file.scanStatus === 'infected') throw documentRemoved();
      return { filename: file.filename, contentType: file.contentType, data: file.data };
    },

    ...createDocumentCommands(ctx, { loadCase, personalData }),

    outcomes: OUTCOMES,
    topicList,
    /** Every managed topic (retired ones too), for the entry form. */
    async allTopics(): Promise<Array<{ slug: string; label: string }>> {
      return [...(await repo.topicLabels(db))].map(([slug, label]) => ({ slug, label }));
    },
    today: () => londonDateOf(clock.now()),
  };
}
export type DisclosureService = ReturnType<typeof createDisclosureService>;
