import type { DbOrTx } from '../../db/client.js';
import { outbox } from '../../db/schema/index.js';
import type { JobName, JobPayloads } from '../../workers/queues.js';

/**
 * Background work is requested by writing a row in the caller's transaction: if the
 * change rolls back, so does the job; if the queue is down, the row waits for the relay.
 */
export async function enqueue<N extends JobName>(
  tx: DbOrTx,
  topic: N,
  payload: JobPayloads[N],
): Promise<number> {
  const [row] = await tx.insert(outbox).values({ topic, payload }).returning({ id: outbox.id });
  return row!.id;
}
