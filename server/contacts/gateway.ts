/**
 * Contacts' public entry point for the domains that name a requester (correspondence): the
 * vocabulary, and the two things they may ask of contacts, to find or create the requester
 * and to suggest matches. app.ts hands the contacts service in as a `ContactBook`; no other
 * domain imports contacts' service or repository (eslint.config.js).
 */
import type { ContactsService } from './service.js';

export * from './model.js';

export type ContactBook = Pick<ContactsService, 'resolve' | 'suggest'>;
