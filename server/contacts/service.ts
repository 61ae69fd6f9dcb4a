import type { Db, DbOrTx } from '../../db/client.js';
import type { ContactRow } from '../../db/schema/index.js';
import type { Clock } from '../lib/clock.js';
import type { Actor, AuditLog } from '../platform/audit.js';
import { validationError } from '../platform/errors.js';
import { normaliseEmail, normalisePhone, normalisePostcode } from './normalise.js';
import type { ContactMatch, ContactsRepository } from './repository.js';
import { appendToTimeline } from '../timeline/timeline.js';
import {
  toContactView,
  type ContactInput,
  type ContactSuggestion,
  type ContactView,
  type MatchedBy,
} from './model.js';
import { cannotMerge, contactNotFound } from './errors.js';
import { createErasureService } from './erasure.js';

// The vocabulary other modules use, from the file that owns it.
export * from './model.js';

/** The contact page lists this many of the contact's cases, newest first. */
export const CONTACT_CASES_SHOWN = 100;

export interface MergeResult {
  /** The duplicate, now merged. */
  id: string;
  mergedIntoId: string;
  /** Cases that now name the survivor (as requester or constituent). */
  movedCases: number;
}

export interface ContactListItem extends ContactView {
  caseCount: number;
}

export interface ContactList {
  items: ContactListItem[];
  total: number;
  page: number;
  pageSize: number;
  /** How the search was read: `all`, `email`, `phone`, `postcode` or `name`. */
  matchedOn: ContactMatch['by'];
}

export const CONTACTS_PAGE_SIZE = 25;
/** "Find an existing contact" shows at most this many; more means "search more precisely". */
export const CONTACT_FIND_LIMIT = 10;

export interface ContactFound {
  items: ContactListItem[];
  /** All that match, even beyond the ones shown. */
  total: number;
  matchedOn: ContactMatch['by'];
}
export const CONTACT_SEARCH_MAX = 200;
/** Deep pages are for narrowing with a search, not paging through 10,000 names. */
export const CONTACTS_MAX_PAGE = 400;
const UK_POSTCODE = /^[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}$/i;
const PHONE_LIKE = /^\+?[\d\s().-]{7,}$/;

/**
 * Reads a search box the way caseworkers type into it: an email address, a telephone
 * number or a postcode is matched exactly on its normalised form (as contact matching
 * does), anything else is a fragment of the name.
 */
export function readContactSearch(q: string | undefined): ContactMatch {
  const text = q?.trim() ?? '';
  if (!text) return { by: 'all' };
  if (text.includes('@')) return { by: 'email', value: normaliseEmail(text)! };
  if (UK_POSTCODE.test(text)) return { by: 'postcode', value: normalisePostcode(text)! };
  const phone = PHONE_LIKE.test(text) ? normalisePhone(text) : null;
  if (phone) return { by: 'phone', value: phone };
  return { by: 'name', value: text };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const clean = (value: string | null | undefined) => {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
};

/**
 * Contacts and matching (docs/rules/correspondence.md §7):
 * - a single exact `email_norm` match links (emails are not unique: households share);
 * - otherwise a single exact E.164 phone match links, unless the emails conflict;
 * - a name and postcode match is only ever suggested, never linked.
 */
export function createContactsService(deps: {
  db: Db;
  repo: ContactsRepository;
  audit: AuditLog;
  clock: Clock;
}) {
  const { db, repo, audit } = deps;
  const erasure = createErasureService({ db, audit, clock: deps.clock });

  async function match(tx: DbOrTx, input: ContactInput): Promise<ContactRow | undefined> {
    const emailNorm = normaliseEmail(input.email);
    if (emailNorm) {
      const rows = await repo.byEmail(tx, emailNorm);
      if (rows.length === 1) return rows[0];
    }
    const phoneE164 = normalisePhone(input.phone);
    if (phoneE164) {
      const rows = await repo.byPhone(tx, phoneE164);
      const [only] = rows;
      if (
        rows.length === 1 &&
        only &&
        (!emailNorm || !only.emailNorm || only.emailNorm === emailNorm)
      )
        return only;
    }
    return undefined;
  }

  return {
    /** The linking rule alone: the contact a requester would be linked to, if any. */
    match,

    /** Erases a person (Art 17; contacts/erasure.ts): managers, with a reason. */
    erase: (actor: Actor, contactId: string, justification: string) =>
      erasure.erase(actor, contactId, justification),

    /**
     * Finds the requester's contact by the linking rule or creates one, in the caller's
     * transaction (so a failed case creation leaves no orphan contact).
     */
    async resolve(
      tx: DbOrTx,
      actor: Actor,
      input: ContactInput,
    ): Promise<{ contact: ContactRow; matchedBy: MatchedBy }> {
      const existing = await match(tx, input);
      if (existing) {
        const matchedBy: MatchedBy =
          existing.emailNorm && existing.emailNorm === normaliseEmail(input.email)
            ? 'email'
            : 'phone';
        return { contact: existing, matchedBy };
      }
      const contact = await repo.insert(tx, {
        kind: input.kind ?? 'person',
        name: input.name.trim(),
        salutation: clean(input.salutation),
        email: clean(input.email),
        emailNorm: normaliseEmail(input.email),
        phone: clean(input.phone),
        phoneE164: normalisePhone(input.phone),
        address: clean(input.address),
        postcode: clean(input.postcode),
        postcodeNorm: normalisePostcode(input.postcode),
        createdAt: deps.clock.now(),
      });
      await audit.record(tx, actor, {
        action: 'contact.create',
        subjectType: 'contact',
        subjectId: contact.id,
        personId: contact.id,
      });
      return { contact, matchedBy: 'new' };
    },

    async get(tx: DbOrTx, id: string): Promise<ContactRow> {
      const row = UUID.test(id) ? await repo.findById(tx, id) : undefined;
      if (!row) throw contactNotFound();
      return row;
    },

    /**
     * The contacts list (managers): live contacts A to Z, or those matching a search, a page
     * at a time. The read is audited like any list of people (`contact.list`).
     */
    async list(actor: Actor, query: { q?: string; page?: number }): Promise<ContactList> {
      if ((query.q?.length ?? 0) > CONTACT_SEARCH_MAX)
        throw validationError({ q: `Search must be ${CONTACT_SEARCH_MAX} characters or fewer` });
      const page = query.page ?? 1;
      if (!Number.isInteger(page) || page < 1 || page > CONTACTS_MAX_PAGE)
        throw validationError({
          page: `Page must be a whole number from 1 to ${CONTACTS_MAX_PAGE}`,
        });
      const match = readContactSearch(query.q);
      const found = await repo.search(db, match, {
        limit: CONTACTS_PAGE_SIZE,
        offset: (page - 1) * CONTACTS_PAGE_SIZE,
      });
      await audit.recordRead(actor, {
        action: 'contact.list',
        subjectType: 'contact',
        justification: match.by === 'all' ? null : 'search',
      });
      return {
        items: found.rows.map((row) => ({ ...toContactView(row), caseCount: row.caseCount })),
        total: found.total,
        page,
        pageSize: CONTACTS_PAGE_SIZE,
        matchedOn: match.by,
      };
    },

    /**
     * "Find an existing contact" for staff entry (#15 item 4): live contacts matching a name
     * fragment, an email address, a telephone number or a postcode, read as the contacts
     * list reads a search, at most CONTACT_FIND_LIMIT of them. A search is required (this is
     * not a way to list everyone) and the read is audited (`contact.search`).
     */
    async find(actor: Actor, q: string | undefined): Promise<ContactFound> {
      const text = q?.trim() ?? '';
      if (text.length < 2)
        throw validationError({ q: 'Enter at least 2 characters of a name, email or postcode' });
      if (text.length > CONTACT_SEARCH_MAX)
        throw validationError({ q: `Search must be ${CONTACT_SEARCH_MAX} characters or fewer` });
      const match = readContactSearch(text);
      const found = await repo.search(db, match, { limit: CONTACT_FIND_LIMIT, offset: 0 });
      await audit.recordRead(actor, {
        action: 'contact.search',
        subjectType: 'contact',
        justification: 'new case',
      });
      return {
        items: found.rows.map((row) => ({ ...toContactView(row), caseCount: row.caseCount })),
        total: found.total,
        matchedOn: match.by,
      };
    },

    /** One live contact's details (no audit: the caller's own read is audited). */
    async view(id: string): Promise<ContactView | undefined> {
      const row = UUID.test(id) ? await repo.findById(db, id) : undefined;
      return row && !row.mergedIntoId ? toContactView(row) : undefined;
    },

    /** A contact with how many cases name it, for the contact and merge pages (audited read). */
    async detail(actor: Actor, id: string) {
      const row = UUID.test(id) ? await repo.findById(db, id) : undefined;
      if (!row) throw contactNotFound();
      const [caseCount, caseRows, mergedInto] = await Promise.all([
        repo.caseCount(db, row.id),
        repo.cases(db, row.id, CONTACT_CASES_SHOWN),
        row.mergedIntoId ? repo.findById(db, row.mergedIntoId) : Promise.resolve(undefined),
      ]);
      await audit.record(db, actor, {
        action: 'contact.view',
        subjectType: 'contact',
        subjectId: row.id,
        personId: row.id,
      });
      return {
        ...toContactView(row),
        caseCount,
        cases: caseRows.map((c) => ({ ...c, receivedOn: String(c.receivedOn) })),
        mergedInto: mergedInto ? toContactView(mergedInto) : null,
      };
    },

    /**
     * Merges a duplicate into the contact that survives (domain §7), in one transaction:
     * its cases (as requester and as constituent) move, it gets `merged_into_id`, each moved
     * case gets a `contact_merged` event, and the merge is audited. Merging into itself, into
     * a merged contact or merging one already merged is a 422, changing nothing.
     */
    async merge(actor: Actor, duplicateId: string, intoId: string): Promise<MergeResult> {
      if (!UUID.test(duplicateId)) throw contactNotFound();
      if (!intoId) throw cannotMerge('merge_into_required', 'Select the contact to keep');
      if (!UUID.test(intoId))
        throw cannotMerge('merge_into_missing', 'Enter the ID of a contact that exists');
      if (duplicateId.toLowerCase() === intoId.toLowerCase())
        throw cannotMerge('merge_into_self', 'A contact cannot be merged into itself');
      return db.transaction(async (tx) => {
        const locked = await repo.lockForUpdate(tx, [duplicateId, intoId]);
        const duplicate = locked.find((row) => row.id === duplicateId.toLowerCase());
        const into = locked.find((row) => row.id === intoId.toLowerCase());
        if (!duplicate) throw contactNotFound();
        if (!into) throw cannotMerge('merge_into_missing', 'Enter the ID of a contact that exists');
        if (duplicate.mergedIntoId)
          throw cannotMerge('already_merged', 'This contact has already been merged into another');
        if (into.mergedIntoId)
          throw cannotMerge(
            'merge_into_merged',
            'That contact has itself been merged into another. Choose the contact it was merged into.',
          );
        const now = deps.clock.now();
        const moved = await repo.moveCases(tx, duplicate.id, into.id, now);
        await repo.markMerged(tx, duplicate.id, into.id);
        await appendToTimeline(
          tx,
          moved.map((caseId) => ({
            caseId,
            at: now,
            actorId: actor.id,
            kind: 'contact_merged',
            data: {
              from: duplicate.id,
              into: into.id,
              title: 'Contact records merged',
              description: `A duplicate record (${duplicate.name}) was merged into ${into.name}.`,
            },
          })),
        );
        await audit.record(tx, actor, {
          action: 'contact.merge',
          subjectType: 'contact',
          subjectId: duplicate.id,
          personId: into.id,
          justification: `merged into ${into.id}; ${moved.length} case(s) moved`,
        });
        return { id: duplicate.id, mergedIntoId: into.id, movedCases: moved.length };
      });
    },

    /**
     * Likely duplicates for staff entry: exact email and phone matches, and people of the
     * same name at the same postcode. Never used on the public form.
     */
    async suggest(input: ContactInput): Promise<ContactSuggestion[]> {
      const found = new Map<string, ContactSuggestion>();
      const add = (rows: ContactRow[], reason: ContactSuggestion['reason']) => {
        for (const row of rows)
          if (!found.has(row.id)) found.set(row.id, { ...toContactView(row), reason });
      };
      const emailNorm = normaliseEmail(input.email);
      if (emailNorm) add(await repo.byEmail(db, emailNorm, 5), 'email');
      const phoneE164 = normalisePhone(input.phone);
      if (phoneE164) add(await repo.byPhone(db, phoneE164, 5), 'phone');
      const postcodeNorm = normalisePostcode(input.postcode);
      if (postcodeNorm && input.name.trim())
        add(await repo.byNameAndPostcode(db, input.name, postcodeNorm, 5), 'name_postcode');
      return [...found.values()].slice(0, 10);
    },
  };
}
export type ContactsService = ReturnType<typeof createContactsService>;
