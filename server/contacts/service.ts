import type { Db, DbOrTx } from '../../db/client.js';
import type { Clock } from '../lib/clock.js';
import type { Actor, AuditLog } from '../platform/audit.js';
import { notFound } from '../platform/errors.js';
import { normaliseEmail, normalisePhone, normalisePostcode } from './normalise.js';
import type { ContactRow, ContactsRepository } from './repository.js';

export type ContactKind = 'person' | 'mp' | 'organisation';

export interface ContactInput {
  name: string;
  email?: string | null;
  phone?: string | null;
  address?: string | null;
  postcode?: string | null;
  kind?: ContactKind;
  salutation?: string | null;
}

/** How a requester was found: an existing contact by email or phone, or a new one. */
export type MatchedBy = 'email' | 'phone' | 'chosen' | 'new';

export interface ContactView {
  id: string;
  kind: ContactKind;
  name: string;
  email: string | null;
  phone: string | null;
  address: string | null;
  postcode: string | null;
}

export interface ContactSuggestion extends ContactView {
  /** Why it is suggested: `email`, `phone` or `name_postcode`. */
  reason: 'email' | 'phone' | 'name_postcode';
}

export const toContactView = (row: ContactRow): ContactView => ({
  id: row.id,
  kind: row.kind,
  name: row.name,
  email: row.email,
  phone: row.phone,
  address: row.address,
  postcode: row.postcode,
});

const clean = (value: string | null | undefined) => {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
};

/**
 * Contacts and matching (domain/correspondence.md §7):
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
      const row = await repo.findById(tx, id);
      if (!row) throw notFound('Contact not found');
      return row;
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
