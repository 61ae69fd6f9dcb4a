/**
 * Contacts' vocabulary: what a contact looks like to other domains and how a requester was
 * found. Correspondence names requesters with these (through contacts/gateway.ts).
 */
import type { ContactRow } from '../../db/schema/index.js';

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
  /** When the person was erased (Art 17), as an ISO instant; null while they are not. */
  erasedAt: string | null;
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
  erasedAt: row.erasedAt ? row.erasedAt.toISOString() : null,
});
