import { and, asc, inArray, isNull, lt, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../db/client.js';
import { outbox } from '../db/schema/index.js';
import { isJobName, jobIds, type QueueBackend } from './queues.js';

type OutboxRow = typeof outbox.$inferSelect;

/** Claims unpublished rows; SKIP LOCKED lets several relays run side by side safely. */
export async function claimUnpublished(tx: DbOrTx, limit = 500): Promise<OutboxRow[]> {
  return tx
    .select()
    .from(outbox)
    .where(isNull(outbox.publishedAt))
    .orderBy(asc(outbox.id))
    .limit(limit)
    .for('update', { skipLocked: true });
}

/**
 * The row's job id: the domain's own key when the payload names one (a booking email), else
 * `outbox-<id>`. Either way a re-publish is deduplicated while the job exists.
 */
export function outboxJobId(row: Pick<OutboxRow, 'id' | 'payload'>): string {
  const named = row.payload.jobId;
  return typeof named === 'string' && named !== '' ? named : jobIds.outbox(row.id);
}

/** Adds one job per row (jobId from outboxJobId): a re-publish of the same row is deduplicated. */
export async function publishRows(queues: QueueBackend, rows: OutboxRow[]): Promise<void> {
  const byTopic = new Map<string, OutboxRow[]>();
  for (const row of rows) {
    if (!isJobName(row.topic))
      throw new Error(`outbox row ${row.id} has unknown topic ${row.topic}`);
    byTopic.set(row.topic, [...(byTopic.get(row.topic) ?? []), row]);
  }
  await Promise.all(
    [...byTopic].map(([topic, group]) =>
      queues.queue(topic as never).addBulk(
        group.map((row) => ({
          name: topic as never,
          // A named job carries its row id, so the worker can mark the row processed.
          data: (outboxJobId(row) === jobIds.outbox(row.id)
            ? row.payload
            : { ...row.payload, outboxId: row.id }) as never,
          opts: { jobId: outboxJobId(row) },
        })),
      ),
    ),
  );
}

export async function markPublished(tx: DbOrTx, ids: number[], at: Date): Promise<void> {
  if (ids.length === 0) return;
  await tx
    .update(outbox)
    .set({ publishedAt: at, attempts: sql`${outbox.attempts} + 1` })
    .where(inArray(outbox.id, ids));
}

/** One pass: claim, publish, mark, all in one transaction. Returns how many rows moved. */
export async function relayOnce(db: Db, queues: QueueBackend, now: () => Date): Promise<number> {
  return db.transaction(async (tx) => {
    const rows = await claimUnpublished(tx);
    if (rows.length === 0) return 0;
    await publishRows(queues, rows);
    await markPublished(
      tx,
      rows.map((r) => r.id),
      now(),
    );
    return rows.length;
  });
}

/**
 * Re-adds rows published long ago but never processed (a job lost with Redis's last
 * second of AOF, or removed by hand), under the same jobId. A job that still exists under
 * that id would swallow the add (a custom jobId deduplicates while the job exists): one
 * that ended (completed without marking the row, or failed all its attempts) is removed
 * first, so the row is driven again; one still waiting, delayed or active is left alone.
 */
export async function reconcile(
  db: Db,
  queues: QueueBackend,
  now: Date,
  staleAfterMs = 10 * 60_000,
): Promise<number> {
  const rows = await db
    .select()
    .from(outbox)
    .where(
      and(
        isNull(outbox.processedAt),
        lt(outbox.publishedAt, new Date(now.getTime() - staleAfterMs)),
      ),
    )
    .orderBy(asc(outbox.id))
    .limit(500);
  const redrive: OutboxRow[] = [];
  for (const row of rows) {
    if (!isJobName(row.topic)) continue;
    const job = await queues.queue(row.topic).getJob(outboxJobId(row));
    const state = job ? await job.getState() : 'unknown';
    if (state === 'completed' || state === 'failed') await job!.remove();
    else if (state !== 'unknown') continue;
    redrive.push(row);
  }
  if (redrive.length > 0) await publishRows(queues, redrive);
  return redrive.length;
}

export interface Relay {
  /** True when OUTBOX_RELAY_PAUSED kept it from starting. */
  readonly paused: boolean;
  stop(): Promise<void>;
}

/** Wakes on LISTEN outbox or a 1 s poll; backs off up to 30 s while the queue is down. */
export function startRelay(opts: {
  db: Db;
  listen: (channel: string, fn: () => void) => Promise<{ unlisten: () => Promise<void> }>;
  queues: QueueBackend;
  now: () => Date;
  log: (msg: string) => void;
}): Relay {
  let stopped = false;
  let wake: (() => void) | undefined;
  let failing = false;
  let delay = 1000;
  const listening = opts.listen('outbox', () => wake?.()).catch(() => undefined);

  const loop = (async () => {
    while (!stopped) {
      try {
        const moved = await relayOnce(opts.db, opts.queues, opts.now);
        if (failing) opts.log('outbox relay: publishing again');
        failing = false;
        delay = 1000;
        if (moved > 0) continue;
      } catch (error) {
        if (!failing)
          opts.log(
            `outbox relay: cannot publish (${error instanceof Error ? error.message : String(error)}); backing off`,
          );
        failing = true;
        delay = Math.min(delay * 2, 30_000);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
  })();

  return {
    paused: false,
    async stop() {
      stopped = true;
      wake?.();
      await loop;
      const listener = await listening;
      // The connection may already be gone at shutdown; nothing is left to unlisten then.
      await listener?.unlisten().catch(() => undefined);
    },
  };
}
