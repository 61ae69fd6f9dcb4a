import { and, eq, isNull, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { contacts } from '../../db/schema/index.js';

export type ContactRow = typeof contacts.$inferSelect;
export type NewContactRow = typeof contacts.$inferInsert;

/** Every Drizzle query on contacts. Merged contacts never match: their cases moved on. */
export function createContactsRepository() {
  const live = isNull(contacts.mergedIntoId);
  return {
    async findById(db: DbOrTx, id: string): Promise<ContactRow | undefined> {
      const [row] = await db.select().from(contacts).where(eq(contacts.id, id));
      return row;
    },
    /** At most `limit` live contacts with this normalised email. */
    async byEmail(db: DbOrTx, emailNorm: string, limit = 2): Promise<ContactRow[]> {
      return db
        .select()
        .from(contacts)
        .where(and(eq(contacts.emailNorm, emailNorm), live))
        .limit(limit);
    },
    async byPhone(db: DbOrTx, phoneE164: string, limit = 2): Promise<ContactRow[]> {
      return db
        .select()
        .from(contacts)
        .where(and(eq(contacts.phoneE164, phoneE164), live))
        .limit(limit);
    },
    async byNameAndPostcode(
      db: DbOrTx,
      name: string,
      postcodeNorm: string,
      limit = 5,
    ): Promise<ContactRow[]> {
      return db
        .select()
        .from(contacts)
        .where(
          and(
            eq(contacts.postcodeNorm, postcodeNorm),
            sql`lower(${contacts.name}) = ${name.trim().toLowerCase()}`,
            live,
          ),
        )
        .limit(limit);
    },
    async insert(db: DbOrTx, values: NewContactRow): Promise<ContactRow> {
      const [row] = await db.insert(contacts).values(values).returning();
      return row!;
    },
  };
}
export type ContactsRepository = ReturnType<typeof createContactsRepository>;
