import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { addressHmac, suppressionKey } from '../mail/suppressions.js';

/**
 * Tokens of the surveys domain. Only SHA-256 of a token is ever stored; invitation and
 * unsubscribe tokens are re-derived from the secret when an email is built (docs/rules/surveys.md §3, §6).
 */
export function createSurveyTokens(secret: string) {
  // The same key as the shared suppression list (server/mail/suppressions.ts).
  const key = suppressionKey(secret);
  const mac = (input: string) => createHmac('sha256', key).update(input).digest('base64url');
  return {
    /** The derived key, for the SQL that computes the same HMACs set-wise (pgcrypto). */
    key,
    /** 256 bits, HMAC-SHA-256(secret, invite:{id}). */
    invitation: (invitationId: string) => mac(`invite:${invitationId}`),
    unsubscribe: (contactId: string, purpose: string) =>
      `${contactId}.${mac(`unsubscribe:${contactId}:${purpose}`)}`,
    /** The contact id an unsubscribe token names, if its HMAC is right. */
    readUnsubscribe(token: string, purpose: string): string | undefined {
      const [contactId, given] = token.split('.');
      if (!contactId || !given || !/^[0-9a-f-]{36}$/.test(contactId)) return undefined;
      const expected = Buffer.from(mac(`unsubscribe:${contactId}:${purpose}`));
      const actual = Buffer.from(given);
      return actual.length === expected.length && timingSafeEqual(actual, expected)
        ? contactId
        : undefined;
    },
    /** VERP tag: 8 hex characters binding a bounce address to its delivery. */
    verp: (deliveryId: number | string) =>
      createHmac('sha256', key).update(`verp:${deliveryId}`).digest('hex').slice(0, 8),
    /** Suppression key of a normalised address: outlives the contact (docs/rules/surveys.md §4). */
    addressHmac: (address: string) => addressHmac(key, address),
    /** A fresh resume token for the public link's "save and come back later". */
    fresh: () => randomBytes(32).toString('base64url'),
  };
}
export type SurveyTokens = ReturnType<typeof createSurveyTokens>;

export const sha256 = (token: string) => createHash('sha256').update(token).digest('hex');
