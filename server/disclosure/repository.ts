import { and, arrayContains, asc, count, desc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { refuseDuplicate } from '../../db/errors.js';
import { insertRow, rowWhere } from '../../db/rows.js';
import {
  cases,
  disclosureDocuments,
  disclosureLogEntries,
  topics,
  users,
  type DocumentRow,
  type EntryRow,
  type NewDocumentRow,
  type NewEntryRow,
} from '../../db/schema/index.js';
import { visibleTo, type Viewer } from '../correspondence/gateway.js';
import { versionedUpdate } from '../platform/versioned.js';
import { isUuid } from '../lib/uuid.js';

/** A document without its bytes, for lists. */
const documentListing = {
  id: disclosureDocuments.id,
  filename: disclosureDocuments.filename,
  contentType: disclosureDocuments.contentType,
  size: disclosureDocuments.size,
  uploadedAt: disclosureDocuments.uploadedAt,
  scanStatus: disclosureDocuments.scanStatus,
};
export type DocumentListing = {
  id: string;
  filename: string;
  contentType: string;
  size: number;
  uploadedAt: Date;
  scanStatus: DocumentRow['scanStatus'];
};

/** Thrown when the case already has an entry (one entry per case, unique). */
export class EntryExists extends Error {}

export interface PublicFilters {
  year?: number;
  topic?: string;
  outcome?: string;
  q?: string;
}

/** Only published entries, filtered; search uses the generated tsvector. */
function publicConditions(filters: PublicFilters): SQL[] {
  const conditions: SQL[] = [eq(disclosureLogEntries.status, 'published')];
  if (filters.year)
    conditions.push(sql`extract(year from ${disclosureLogEntries.responseDate}) = ${filters.year}`);
  if (filters.topic) conditions.push(arrayContains(disclosureLogEntries.topics, [filters.topic]));
  if (filters.outcome) conditions.push(eq(disclosureLogEntries.outcome, filters.outcome));
  if (filters.q?.trim())
    conditions.push(
      sql`${disclosureLogEntries.search} @@ websearch_to_tsquery('english', ${filters.q.trim()})`,
    );
  return conditions;
}

/** The entry `id` if its case is one this viewer may see: restricted cases stay hidden. */
const visibleEntry = (db: DbOrTx, viewer: Viewer, id: string) =>
  db
    .select({ entry: disclosureLogEntries })
    .from(disclosureLogEntries)
    .innerJoin(cases, eq(cases.id, disclosureLogEntries.caseId))
    .where(and(eq(disclosureLogEntries.id, id), visibleTo(viewer)));

export function createDisclosureRepository() {
  return {
    async insert(tx: DbOrTx, values: NewEntryRow): Promise<EntryRow> {
      return insertRow(tx, disclosureLogEntries, values).catch(
        refuseDuplicate(() => new EntryExists()),
      );
    },

    async byCase(db: DbOrTx, caseId: string): Promise<EntryRow | undefined> {
      return rowWhere(db, disclosureLogEntries, eq(disclosureLogEntries.caseId, caseId));
    },

    async byId(db: DbOrTx, id: string): Promise<EntryRow | undefined> {
      if (!isUuid(id)) return undefined;
      return rowWhere(db, disclosureLogEntries, eq(disclosureLogEntries.id, id));
    },

    /** An entry whose case this viewer may see (restricted cases stay hidden), locked. */
    async lockVisible(tx: DbOrTx, viewer: Viewer, id: string): Promise<EntryRow | undefined> {
      if (!isUuid(id)) return undefined;
      const [row] = await visibleEntry(tx, viewer, id).for('update', { of: disclosureLogEntries });
      return row?.entry;
    },

    async findVisible(db: DbOrTx, viewer: Viewer, id: string): Promise<EntryRow | undefined> {
      if (!isUuid(id)) return undefined;
      const [row] = await visibleEntry(db, viewer, id);
      return row?.entry;
    },

    /** Optimistic update: the row only changes if `version` is still current. */
    update: versionedUpdate(disclosureLogEntries),

    /** Staff list: entries on cases the viewer may see, newest first. */
    async staffList(db: DbOrTx, viewer: Viewer, statuses?: string[]) {
      const conditions: SQL[] = [];
      const visible = visibleTo(viewer);
      if (visible) conditions.push(visible);
      if (statuses?.length)
        conditions.push(inArray(disclosureLogEntries.status, statuses as EntryRow['status'][]));
      return db
        .select({ entry: disclosureLogEntries, approverName: users.name })
        .from(disclosureLogEntries)
        .innerJoin(cases, eq(cases.id, disclosureLogEntries.caseId))
        .leftJoin(users, eq(users.id, disclosureLogEntries.approvedById))
        .where(conditions.length ? and(...conditions) : undefined)
        .orderBy(desc(disclosureLogEntries.updatedAt))
        .limit(500);
    },

    async publicPage(db: DbOrTx, filters: PublicFilters, limit: number, offset: number) {
      const where = and(...publicConditions(filters));
      const [rows, [total]] = await Promise.all([
        db
          .select()
          .from(disclosureLogEntries)
          .where(where)
          .orderBy(
            desc(disclosureLogEntries.responseDate),
            desc(disclosureLogEntries.publishedAt),
            desc(disclosureLogEntries.reference),
          )
          .limit(limit)
          .offset(offset),
        db.select({ n: count() }).from(disclosureLogEntries).where(where),
      ]);
      return { rows, total: total?.n ?? 0 };
    },

    /** Years, topics and outcomes present among published entries, for the filters. */
    async publicFacets(db: DbOrTx) {
      const published = eq(disclosureLogEntries.status, 'published');
      const [years, topicSlugs, outcomes] = await Promise.all([
        db
          .selectDistinct({
            year: sql<number>`extract(year from ${disclosureLogEntries.responseDate})::int`,
          })
          .from(disclosureLogEntries)
          .where(published),
        db
          .selectDistinct({ slug: sql<string>`unnest(${disclosureLogEntries.topics})` })
          .from(disclosureLogEntries)
          .where(published),
        db
          .selectDistinct({ outcome: disclosureLogEntries.outcome })
          .from(disclosureLogEntries)
          .where(published),
      ]);
      return {
        years: years.map((y) => Number(y.year)).sort((a, b) => b - a),
        topics: topicSlugs.map((t) => t.slug),
        outcomes: outcomes.map((o) => o.outcome).filter((o): o is string => Boolean(o)),
      };
    },

    async byReference(db: DbOrTx, reference: string): Promise<EntryRow | undefined> {
      const normalised = reference.trim().toUpperCase();
      return rowWhere(db, disclosureLogEntries, eq(disclosureLogEntries.reference, normalised));
    },

    /** Every topic's label (retired ones too: old entries keep theirs). */
    async topicLabels(db: DbOrTx): Promise<Map<string, string>> {
      const rows = await db
        .select({ slug: topics.slug, label: topics.label })
        .from(topics)
        .orderBy(asc(topics.label));
      return new Map(rows.map((r) => [r.slug, r.label]));
    },

    async insertDocument(tx: DbOrTx, values: NewDocumentRow): Promise<DocumentListing> {
      const [row] = await tx.insert(disclosureDocuments).values(values).returning(documentListing);
      return row!;
    },

    /** An entry's documents, oldest first, without their bytes. */
    async documents(db: DbOrTx, entryId: string): Promise<DocumentListing[]> {
      return db
        .select(documentListing)
        .from(disclosureDocuments)
        .where(eq(disclosureDocuments.entryId, entryId))
        .orderBy(asc(disclosureDocuments.uploadedAt), asc(disclosureDocuments.filename));
    },

    /** One document of one entry, with its bytes. */
    async document(db: DbOrTx, entryId: string, documentId: string) {
      if (!isUuid(documentId)) return undefined;
      return rowWhere(
        db,
        disclosureDocuments,
        and(eq(disclosureDocuments.entryId, entryId), eq(disclosureDocuments.id, documentId)),
      );
    },

    async deleteDocument(tx: DbOrTx, entryId: string, documentId: string) {
      if (!isUuid(documentId)) return undefined;
      const [row] = await tx
        .delete(disclosureDocuments)
        .where(
          and(eq(disclosureDocuments.entryId, entryId), eq(disclosureDocuments.id, documentId)),
        )
        .returning(documentListing);
      return row;
    },

    async userName(db: DbOrTx, id: string | null): Promise<string | null> {
      if (!id) return null;
      const [row] = await db.select({ name: users.name }).from(users).where(eq(users.id, id));
      return row?.name ?? null;
    },
  };
}
export type DisclosureRepository = ReturnType<typeof createDisclosureRepository>;
