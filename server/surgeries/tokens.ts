/**
 * Manage and offer links (docs/rules/surgeries.md §5): the token is an HMAC of the booking id
 * and its token version, 256 bits in base64url. Only SHA-256(token) is stored; emails
 * re-derive the token when they are sent.
 */
import { createHash, createHmac } from 'node:crypto';

export function createTokens(secret: string) {
  const key = createHmac('sha256', secret).update('surgeries-link-key').digest();
  return {
    manage(bookingId: string, version: number): string {
      return createHmac('sha256', key)
        .update(`booking-manage:${bookingId}:${version}`)
        .digest('base64url');
    },
    offer(waitlistId: string, bookingId: string): string {
      return createHmac('sha256', key)
        .update(`waitlist-offer:${waitlistId}:${bookingId}`)
        .digest('base64url');
    },
  };
}
export type SurgeryTokens = ReturnType<typeof createTokens>;

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** base64url of 32 bytes is 43 characters. */
export const TOKEN_RE = /^[A-Za-z0-9_-]{43}$/;
