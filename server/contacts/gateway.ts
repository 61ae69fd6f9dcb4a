/**
 * Contacts' public entry point for the domains that name a requester (correspondence): the
 * vocabulary, and what they may ask of contacts: to find or create the requester, to
 * suggest matches, to search for an existing contact and to show the one chosen. app.ts hands the contacts service in as a `ContactBook`; no other
 * domain imports contacts' service or repository (eslint.config.js).
 */
import type { ContactsService } from './service.js';

export * from './model.js';

export type { ContactFound } from './service.js';

/** Also "find an existing contact" and the chosen one's details (the new-case form). */
export type ContactBook = Pick<ContactsService, 'resolve' | 'suggest' | 'find' | 'view'>;
