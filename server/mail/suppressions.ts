import { createHmac } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';

/**
 * The one list of addresses mail must not go to (`email_suppressions`), shared by surveys
 * (unsubscribes, hard bounces) and transactional mail (a permanent 5xx refusal). Keyed by
 * an HMAC of the normalised address so it outlives the person's erasure. The key is derived
 * as the surveys domain first did ('surveys-tokens-v1'), so existing rows keep matching.
 */
export function suppressionKey(secret: string): Buffer {
  return createHmac('sha256', secret).update('surveys-tokens-v1').digest();
}

export function addressHmac(key: Buffer, address: string): string {
  return createHmac('sha256', key).update(`address:${address.trim().toLowerCase()}`).digest('hex');
}

export type SuppressionReason = 'unsubscribed' | 'hard_bounce' | 'complaint' | 'manual';

/**
 * A refusal that means the mailbox will never take mail: 550/551/553, or an enhanced status
 * 5.1.x (bad address) or 5.2.1 (mailbox disabled). Other 5xx (policy, 5.7.x) fail the email
 * but do not suppress the address.
 */
export function isMailboxRefusal(error: unknown): boolean {
  const e = error as { responseCode?: number; response?: string; message?: string };
  const text = `${e.response ?? ''} ${e.message ?? ''}`;
  if (/\b5\.7\.\d+/.test(text)) return false;
  return [550, 551, 553].includes(e.responseCode ?? 0) || /\b5\.(1\.\d+|2\.1)\b/.test(text);
}

export function createSuppressionList(secret: string) {
  const key = suppressionKey(secret);
  return {
    hmac: (address: string) => addressHmac(key, address),
    async isSuppressed(db: DbOrTx, address: string): Promise<boolean> {
      const rows = await db.execute(
        sql`select 1 from email_suppressions where address_hmac = ${addressHmac(key, address)}`,
      );
      return rows.length > 0;
    },
    async suppress(db: DbOrTx, address: string, reason: SuppressionReason, at: Date) {
      await db.execute(sql`
        insert into email_suppressions (address_hmac, reason, created_at)
        values (${addressHmac(key, address)}, ${reason}, ${at.toISOString()}::timestamptz)
        on conflict (address_hmac) do nothing`);
    },
  };
}
export type SuppressionList = ReturnType<typeof createSuppressionList>;
