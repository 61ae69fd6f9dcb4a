import { and, asc, eq, inArray, isNull, or, sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { insertRow, rowWhere } from '../../db/rows.js';
import { cases, contacts, type ContactRow, type NewContactRow } from '../../db/schema/index.js';

/** What the contacts list matches on: one exact normalised field, or a fragment of the name. */
export type ContactMatch =
  | { by: 'all' }
  | { by: 'email'; value: string }
  | { by: 'phone'; value: string }
  | { by: 'postcode'; value: string }
  | { by: 'name'; value: string };

/** `%`, `_` and `\` typed into a search are literal characters, not LIKE wildcards. */
const likeFragment = (text: string) => `%${text.toLowerCase().replace(/[\\%_]/g, '\\$&')}%`;

/** Every Drizzle query on contacts. Merged contacts never match: their cases moved on. */
export function createContactsRepository() {
  const live = isNull(contacts.mergedIntoId);
  /** At most `limit` live contacts that match. */
  const liveMatching = (db: DbOrTx, match: SQL | undefined, limit: number) =>
    db.select().from(contacts).where(and(match, live)).limit(limit);
  return {
    async findById(db: DbOrTx, id: string): Promise<ContactRow | undefined> {
      return rowWhere(db, contacts, eq(contacts.id, id));
    },
    /** At most `limit` live contacts with this normalised email. */
    async byEmail(db: DbOrTx, emailNorm: string, limit = 2): Promise<ContactRow[]> {
      return liveMatching(db, eq(contacts.emailNorm, emailNorm), limit);
    },
    async byPhone(db: DbOrTx, phoneE164: string, limit = 2): Promise<ContactRow[]> {
      return liveMatching(db, eq(contacts.phoneE164, phoneE164), limit);
    },
    async byNameAndPostcode(
      db: DbOrTx,
      name: string,
      postcodeNorm: string,
      limit = 5,
    ): Promise<ContactRow[]> {
      return liveMatching(
        db,
        and(
          eq(contacts.postcodeNorm, postcodeNorm),
          sql`lower(${contacts.name}) = ${name.trim().toLowerCase()}`,
        ),
        limit,
      );
    },
    /**
     * A page of live contacts, A to Z, with how many cases name each one, and the total.
     * Name fragments use the trigram index; the order comes from `contacts_name_order_idx`.
     */
    async search(
      db: DbOrTx,
      match: ContactMatch,
      page: { limit: number; offset: number },
    ): Promise<{ rows: Array<ContactRow & { caseCount: number }>; total: number }> {
      const where = and(
        live,
        match.by === 'email'
          ? eq(contacts.emailNorm, match.value)
          : match.by === 'phone'
            ? eq(contacts.phoneE164, match.value)
            : match.by === 'postcode'
              ? eq(contacts.postcodeNorm, match.value)
              : match.by === 'name'
                ? sql`lower(${contacts.name}) like ${likeFragment(match.value)}`
                : undefined,
      );
      // Qualified by hand: inside the subquery Drizzle would print the outer id as plain "id".
      const caseCount = sql<number>`(select count(*)::int from ${cases}
        where ${cases.contactId} = "contacts"."id" or ${cases.onBehalfOfId} = "contacts"."id")`;
      const [rows, [count]] = await Promise.all([
        db
          .select({ contact: contacts, caseCount })
          .from(contacts)
          .where(where)
          .orderBy(sql`lower(${contacts.name})`, asc(contacts.id))
          .limit(page.limit)
          .offset(page.offset),
        db
          .select({ n: sql<number>`count(*)::int` })
          .from(contacts)
          .where(where),
      ]);
      return {
        rows: rows.map((row) => ({ ...row.contact, caseCount: row.caseCount })),
        total: count?.n ?? 0,
      };
    },
    async insert(db: DbOrTx, values: NewContactRow): Promise<ContactRow> {
      return insertRow(db, contacts, values);
    },

    /** Locks contacts for a merge, in id order (two merges of a pair cannot deadlock). */
    async lockForUpdate(tx: DbOrTx, ids: string[]): Promise<ContactRow[]> {
      return tx
        .select()
        .from(contacts)
        .where(inArray(contacts.id, ids))
        .orderBy(asc(contacts.id))
        .for('update');
    },

    /** How many cases name this contact as requester or constituent (restricted ones too). */
    async caseCount(db: DbOrTx, id: string): Promise<number> {
      const [row] = await db
        .select({ n: sql<number>`count(*)::int` })
        .from(cases)
        .where(or(eq(cases.contactId, id), eq(cases.onBehalfOfId, id)));
      return row?.n ?? 0;
    },

    /** The cases naming this contact, newest first, and in which role (managers see all). */
    async cases(db: DbOrTx, id: string, limit: number) {
      return db
        .select({
          id: cases.id,
          reference: cases.reference,
          subject: cases.subject,
          type: cases.type,
          status: cases.status,
          receivedOn: cases.receivedOn,
          restricted: cases.restricted,
          onBehalf: sql<boolean>`${cases.onBehalfOfId} = ${id}`,
        })
        .from(cases)
        .where(or(eq(cases.contactId, id), eq(cases.onBehalfOfId, id)))
        .orderBy(sql`${cases.receivedAt} desc`)
        .limit(limit);
    },

    /**
     * Moves every case of `from` (as requester or as constituent) to `into`; returns the ids
     * of the cases that moved.
     */
    async moveCases(tx: DbOrTx, from: string, into: string, at: Date): Promise<string[]> {
      const asRequester = await tx
        .update(cases)
        .set({ contactId: into, updatedAt: at })
        .where(eq(cases.contactId, from))
        .returning({ id: cases.id });
      const onBehalf = await tx
        .update(cases)
        .set({ onBehalfOfId: into, updatedAt: at })
        .where(eq(cases.onBehalfOfId, from))
        .returning({ id: cases.id });
      return [...new Set([...asRequester, ...onBehalf].map((row) => row.id))];
    },

    /** Marks `from` merged into `into`, and points anything merged into `from` at `into`. */
    async markMerged(tx: DbOrTx, from: string, into: string): Promise<void> {
      await tx
        .update(contacts)
        .set({ mergedIntoId: into })
        .where(or(eq(contacts.id, from), eq(contacts.mergedIntoId, from)));
    },
  };
}
export type ContactsRepository = ReturnType<typeof createContactsRepository>;
