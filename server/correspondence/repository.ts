import { and, asc, eq, gte, inArray, lte, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { preparedOn } from '../../db/prepared.js';
import {
  cases,
  contacts,
  emailMessages,
  topics,
  type CaseRow,
  type NewCaseRow,
} from '../../db/schema/index.js';
import { AppError } from '../platform/errors.js';
import { caseworkers, staffMember } from '../platform/staff.js';
import { versionedUpdate } from '../platform/versioned.js';

import { isUuid } from '../lib/uuid.js';
import { createCasePartsRepository } from './parts-repository.js';
import { createQueueRepository } from './queue-repository.js';
import { assignees, isOpen, onBehalfOfContacts, visibleTo, type Viewer } from './visibility.js';

// The vocabulary and parts other modules use, from the files that own them.
export * from './visibility.js';
export * from './queue-repository.js';
export type { CaseNoteRow } from './parts-repository.js';

/** Thrown when `(source_type, source_id)` already has a case. */
export class DuplicateSourceError extends Error {}

/** A case with its contacts and assignee's name, for a viewer of one scope (see visibleTo). */
const headQuery = (db: DbOrTx, name: string) =>
  db
    .select({
      case: cases,
      contact: contacts,
      onBehalfOf: onBehalfOfContacts,
      assigneeName: assignees.name,
    })
    .from(cases)
    .leftJoin(contacts, eq(contacts.id, cases.contactId))
    .leftJoin(onBehalfOfContacts, eq(onBehalfOfContacts.id, cases.onBehalfOfId))
    .leftJoin(assignees, eq(assignees.id, cases.assigneeId))
    .where(
      and(
        eq(cases.id, sql.placeholder('id')),
        name === 'case_head_all'
          ? undefined
          : name === 'case_head_unrestricted'
            ? visibleTo({ id: null, role: null })
            : visibleTo({ id: sql.placeholder('viewerId'), role: null }),
      ),
    )
    .prepare(name);

/** The case `id` if `viewer` may see it: read plainly, or locked (lockVisible). */
const visibleCase = (db: DbOrTx, viewer: Viewer, id: string) =>
  db
    .select()
    .from(cases)
    .where(and(eq(cases.id, id), visibleTo(viewer)));

/** Cases in the database: the case rows here, their parts and the queue's reads beside. */
export function createCorrespondenceRepository() {
  return {
    ...createCasePartsRepository(),
    ...createQueueRepository(),
    /**
     * The next reference number of a London year, in the caller's transaction: the row lock
     * serialises concurrent creations and a rollback gives the number back (no gaps).
     */
    async nextReferenceNumber(tx: DbOrTx, year: number): Promise<number> {
      const rows = await tx.execute<{ last: number }>(
        sql`insert into case_reference_counters (year, last) values (${year}, 1)
            on conflict (year) do update set last = case_reference_counters.last + 1
            returning last`,
      );
      return Number(rows[0]!.last);
    },

    async insertCase(tx: DbOrTx, values: NewCaseRow): Promise<CaseRow> {
      try {
        const [row] = await tx.insert(cases).values(values).returning();
        return row!;
      } catch (error) {
        const pg = error as { code?: string; constraint_name?: string };
        if (pg.code === '23505' && pg.constraint_name === 'cases_source_uq')
          throw new DuplicateSourceError('A case already exists for this source');
        if (pg.code === '23505' && pg.constraint_name === 'cases_reference_uq')
          throw new AppError(409, 'correspondence.reference_taken', 'That reference is taken');
        throw error;
      }
    },

    async findBySource(db: DbOrTx, sourceType: string, sourceId: string) {
      const [row] = await db
        .select()
        .from(cases)
        .where(and(eq(cases.sourceType, sourceType), eq(cases.sourceId, sourceId)));
      return row;
    },

    /** The case if `viewer` may see it, else undefined (a hidden case is a missing case). */
    async findVisible(db: DbOrTx, viewer: Viewer, id: string): Promise<CaseRow | undefined> {
      if (!isUuid(id)) return undefined;
      const [row] = await visibleCase(db, viewer, id);
      return row;
    },

    /**
     * A visible case with its contact, the person it is on behalf of and the assignee's
     * name, in one query (the case view's first read).
     */
    /** The case page's head read (prepared, one statement per kind of viewer). */
    async findVisibleWithParties(db: DbOrTx, viewer: Viewer, id: string) {
      if (!isUuid(id)) return undefined;
      const scope = !visibleTo(viewer) ? 'all' : viewer.id ? 'viewer' : 'unrestricted';
      const [row] = await preparedOn(db, `case_head_${scope}`, headQuery).execute({
        id,
        viewerId: viewer.id,
      });
      return row;
    },

    /** As findVisible, locking the row for the rest of the transaction. */
    async lockVisible(tx: DbOrTx, viewer: Viewer, id: string): Promise<CaseRow | undefined> {
      if (!isUuid(id)) return undefined;
      const [row] = await visibleCase(tx, viewer, id).for('update');
      return row;
    },

    /** Of these ids, the cases still open (the clock's rebuild and warnings). */
    async openCasesAmong(db: DbOrTx, ids: readonly string[]): Promise<CaseRow[]> {
      const valid = ids.filter(isUuid);
      if (valid.length === 0) return [];
      return db
        .select()
        .from(cases)
        .where(and(inArray(cases.id, valid), isOpen()));
    },

    /** Open cases assigned to a person (their warnings panel). */
    async openCaseIdsAssignedTo(db: DbOrTx, userId: string): Promise<string[]> {
      const rows = await db
        .select({ id: cases.id })
        .from(cases)
        .where(and(eq(cases.assigneeId, userId), isOpen()));
      return rows.map((row) => row.id);
    },

    /** The clock's effective due date, kept where the queue reads it (no version bump). */
    async setNextDue(tx: DbOrTx, id: string, nextDueOn: string | null): Promise<void> {
      await tx
        .update(cases)
        .set({ nextDueOn })
        .where(and(eq(cases.id, id), sql`${cases.nextDueOn} is distinct from ${nextDueOn}`));
    },

    async lockManyVisible(tx: DbOrTx, viewer: Viewer, ids: string[]): Promise<CaseRow[]> {
      const valid = ids.filter(isUuid);
      if (valid.length === 0) return [];
      return tx
        .select()
        .from(cases)
        .where(and(inArray(cases.id, valid), visibleTo(viewer)))
        .orderBy(asc(cases.id))
        .for('update');
    },

    async findVisibleByReference(db: DbOrTx, viewer: Viewer, reference: string) {
      const [row] = await db
        .select({ id: cases.id })
        .from(cases)
        .where(and(eq(cases.reference, reference.trim().toUpperCase()), visibleTo(viewer)));
      return row;
    },

    /** Compare-and-set on `version`: undefined when someone else changed the case first. */
    updateCase: versionedUpdate(cases),

    async email(tx: DbOrTx, id: string) {
      const [row] = await tx
        .select({ to: emailMessages.to, subject: emailMessages.subject })
        .from(emailMessages)
        .where(eq(emailMessages.id, id));
      return row;
    },

    async contact(db: DbOrTx, id: string | null) {
      if (!id) return undefined;
      const [row] = await db.select().from(contacts).where(eq(contacts.id, id));
      return row;
    },

    async user(db: DbOrTx, id: string) {
      return isUuid(id) ? staffMember(db, id) : undefined;
    },

    /** People who can hold cases. */
    assignableStaff: caseworkers,

    async topics(db: DbOrTx, onDate: string) {
      return db
        .select({ slug: topics.slug, label: topics.label })
        .from(topics)
        .where(
          and(
            lte(topics.activeFrom, onDate),
            sql`(${topics.activeTo} is null or ${topics.activeTo} >= ${onDate})`,
          ),
        )
        .orderBy(asc(topics.label));
    },

    /** Acknowledgements to an address since `since` (no address gets more than 3 a day). */
    async acknowledgementsSince(db: DbOrTx, emailNorm: string, since: Date): Promise<number> {
      const [row] = await db
        .select({ n: sql<number>`count(*)::int` })
        .from(cases)
        .innerJoin(contacts, eq(contacts.id, cases.contactId))
        .where(and(eq(contacts.emailNorm, emailNorm), gte(cases.acknowledgedAt, since)));
      return row?.n ?? 0;
    },
  };
}
export type CorrespondenceRepository = ReturnType<typeof createCorrespondenceRepository>;
