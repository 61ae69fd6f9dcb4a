import { sql } from 'drizzle-orm';
import { index, pgTable, text, timestamp, uuid, type AnyPgColumn } from 'drizzle-orm/pg-core';

/** A requester: a person, an MP or an organisation. Matched on normalised email, phone, postcode. */
export const contacts = pgTable(
  'contacts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    kind: text('kind', { enum: ['person', 'mp', 'organisation'] })
      .notNull()
      .default('person'),
    name: text('name').notNull(),
    salutation: text('salutation'),
    email: text('email'),
    /** Lower-cased, trimmed: `Jo@Example.org ` links to `jo@example.org`. Not unique: households share. */
    emailNorm: text('email_norm'),
    phone: text('phone'),
    phoneE164: text('phone_e164'),
    address: text('address'),
    postcode: text('postcode'),
    postcodeNorm: text('postcode_norm'),
    mergedIntoId: uuid('merged_into_id').references((): AnyPgColumn => contacts.id),
    /** Set when the person was erased (Art 17): the details are gone, the id stays for statistics. */
    erasedAt: timestamp('erased_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('contacts_email_idx').on(t.emailNorm),
    index('contacts_phone_idx').on(t.phoneE164),
    index('contacts_postcode_idx').on(t.postcodeNorm, sql`lower(${t.name})`),
    // The contacts list: a name fragment anywhere in the name (pg_trgm), and the A-Z order.
    index('contacts_name_trgm_idx').using('gin', sql`lower(${t.name}) gin_trgm_ops`),
    index('contacts_name_order_idx').on(sql`lower(${t.name})`, t.id),
  ],
);
export type ContactRow = typeof contacts.$inferSelect;
export type NewContactRow = typeof contacts.$inferInsert;
