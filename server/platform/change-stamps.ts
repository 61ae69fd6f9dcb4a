import { eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { changeStamps } from '../../db/schema/index.js';
import { auditBatchInsert, auditBatchValues, type AuditRow } from './audit.js';

/**
 * Answers worth reusing (the triage queue, its counts, a case view) are cached under the
 * change stamp of their scope, which statement triggers bump in the writing transaction
 * (migration 0014). A reader reads the stamp first, then computes: an answer is only ever
 * reused under the stamp read before it was computed, so it can be newer than its stamp
 * but never older. One indexed single-row read replaces the queries behind the answer.
 */
export type ChangeScope = 'cases' | 'complaints';

/*
 * One statement in flight: the next batch gathers while it commits. Two in flight gave the
 * same throughput with half the rows per commit, so PostgreSQL spent 46 µs of CPU per read
 * instead of 34-38 (bench/README.md, session 4).
 */
const MAX_READS_IN_FLIGHT = 1;

export function createStampReader(db: Db, scope: ChangeScope) {
  // Prepared once: this runs on every cached read, so the query is not rebuilt each time.
  const stampQuery = db
    .select({ n: changeStamps.n })
    .from(changeStamps)
    .where(eq(changeStamps.scope, sql.placeholder('scope')));
  const plain = stampQuery.prepare(`change_stamp_${scope}`);
  const audited = auditBatchInsert(db);
  const withAudit = db
    .with(audited)
    .select({ n: changeStamps.n })
    .from(changeStamps)
    .where(eq(changeStamps.scope, sql.placeholder('scope')))
    .prepare(`change_stamp_${scope}_audited`);
  const query = async (rows: AuditRow[]): Promise<number> => {
    const result =
      rows.length > 0
        ? await withAudit.execute({ scope, ...auditBatchValues(rows) })
        : await plain.execute({ scope });
    return result[0]?.n ?? 0;
  };

  /*
   * Reads are shared, like a group commit: while one read is in flight, callers wait for
   * the next, which starts when it finishes and answers all of them. Every caller still
   * gets a read that began after it asked, so a change committed before the request
   * arrived is always seen (read-your-writes), with one query per round trip instead of
   * one per request under load. A caller may bring the audit row of its read: the shared
   * statement writes every waiting row as it reads the stamp, so the audit and the stamp
   * cost one round trip together, and the stamp resolves only once the rows are committed.
   */
  let inFlight = 0;
  let queued: { read: Promise<number>; rows: AuditRow[]; begin: () => void } | null = null;
  const start = (rows: AuditRow[]): Promise<number> => {
    inFlight += 1;
    return query(rows).finally(() => {
      inFlight -= 1;
      const next = queued;
      if (next) {
        queued = null;
        next.begin();
      }
    });
  };
  return (audit?: AuditRow): Promise<number> => {
    if (inFlight < MAX_READS_IN_FLIGHT && !queued) return start(audit ? [audit] : []);
    if (!queued) {
      const rows: AuditRow[] = [];
      let begin!: () => void;
      const read = new Promise<void>((resolve) => (begin = resolve)).then(() => start(rows));
      queued = { read, rows, begin };
    }
    if (audit) queued.rows.push(audit);
    return queued.read;
  };
}

/**
 * A bounded map of answers computed under one stamp. A newer stamp empties it; an answer
 * computed under an older stamp than the current one is not stored.
 *
 * With `admitOnSecondAsk`, an answer is stored only when its key was asked for before under
 * the same stamp (the "doorkeeper" of TinyLFU admission): answers asked for once (a sweep
 * over thousands of case views) are not kept. Keeping them bought nothing, since they are
 * evicted before anyone asks again, and cost old-generation garbage: each survives two
 * scavenges, is promoted, then dies (bench/README.md, session 10). The doorkeeper holds
 * keys only, as many as the cache holds answers.
 */
export function createStampedCache<V>(options: { maxEntries: number; admitOnSecondAsk?: boolean }) {
  let current = -1;
  const entries = new Map<string, V>();
  const askedOnce = new Set<string>();
  const clear = () => {
    entries.clear();
    askedOnce.clear();
  };
  return {
    get(stamp: number, key: string): V | undefined {
      if (stamp > current) {
        clear();
        current = stamp;
        return undefined;
      }
      return stamp === current ? entries.get(key) : undefined;
    },
    set(stamp: number, key: string, value: V): void {
      if (stamp !== current) return;
      if (options.admitOnSecondAsk && !askedOnce.delete(key)) {
        if (askedOnce.size >= options.maxEntries)
          askedOnce.delete(askedOnce.values().next().value!);
        askedOnce.add(key);
        return;
      }
      if (entries.size >= options.maxEntries) {
        // Oldest first: Map keeps insertion order.
        const oldest = entries.keys().next();
        if (!oldest.done) entries.delete(oldest.value);
      }
      entries.set(key, value);
    },
    /** This process changed something: drop everything until the next stamp is read. */
    clear,
  };
}
export type StampedCache<V> = ReturnType<typeof createStampedCache<V>>;
