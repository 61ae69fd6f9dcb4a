import { timingSafeEqual } from 'node:crypto';
import { simpleParser, type HeaderValue } from 'mailparser';
import type { Db } from '../../db/client.js';
import type { Clock } from '../lib/clock.js';
import type { DeliveryRepository } from './delivery-repository.js';
import type { SurveyTokens } from './tokens.js';

/** What one message in the bounce mailbox turned out to be (docs/rules/surveys.md §6). */
export type BounceOutcome =
  | 'bounced' // a valid VERP address and Status 5.x.x: delivery bounced, address suppressed
  | 'delayed' // a valid VERP address and Status 4.x.x: noted on the delivery, nothing else
  | 'forged' // a VERP-shaped address whose HMAC is wrong: dropped, counted
  | 'unrelated'; // not a delivery report to one of our VERP addresses

/** `bounces+{deliveryId}.{hmac8}@bounces.…`, as written by sending.ts. */
const VERP = /\bbounces\+(\d{1,18})\.([0-9a-f]{8})@/i;
/** Where the envelope recipient of a bounce shows up once it is in a mailbox. */
const ADDRESS_HEADERS = ['delivered-to', 'x-original-to', 'envelope-to', 'x-envelope-to', 'to'];

function headerString(value: HeaderValue | undefined): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map((v) => headerString(v as HeaderValue)).join(' ');
  if (value instanceof Date) return '';
  if ('text' in value && typeof value.text === 'string') return value.text;
  if ('value' in value && typeof value.value === 'string') return value.value;
  return '';
}

/**
 * The `message/delivery-status` part of a multipart/report (RFC 3464), found by its MIME
 * boundary in the raw text: mailparser folds that part into `text` together with the
 * human-readable part, and a Status line there must not count.
 */
export function deliveryStatusPart(raw: string, boundary: string): string | undefined {
  for (const part of raw.split(`--${boundary}`)) {
    const split = part.search(/\r?\n\r?\n/);
    if (split === -1) continue;
    const headers = part.slice(0, split);
    if (/^content-type:\s*message\/(global-)?delivery-status\b/im.test(headers))
      return part.slice(split).trim();
  }
  return undefined;
}

/** The first per-recipient `Status:` (x.y.z) of a delivery-status body. */
export function dsnStatus(body: string): string | undefined {
  return /^status:\s*([245]\.\d{1,3}\.\d{1,3})\b/im.exec(body)?.[1];
}

/**
 * Processes one raw message from the bounce mailbox. Only the VERP HMAC makes a report
 * believable: anyone can mail the bounce address, and a forged report must not suppress
 * (or reveal) anyone. Idempotent: the same DSN twice changes nothing the second time.
 */
export function createBounceProcessor(deps: {
  db: Db;
  deliveries: DeliveryRepository;
  tokens: SurveyTokens;
  clock: Clock;
}) {
  const { db, deliveries, tokens, clock } = deps;

  return async function processBounce(raw: Buffer): Promise<BounceOutcome> {
    const parsed = await simpleParser(raw, { skipHtmlToText: true, skipTextToHtml: true });
    const contentType = parsed.headers.get('content-type') as
      { value?: string; params?: Record<string, string> } | undefined;
    const boundary = contentType?.params?.boundary;
    const isReport =
      contentType?.value?.toLowerCase() === 'multipart/report' &&
      /delivery-status/i.test(contentType.params?.['report-type'] ?? '');
    const addresses = ADDRESS_HEADERS.map((h) => headerString(parsed.headers.get(h))).join(' ');
    const verp = VERP.exec(addresses);
    if (!verp) return 'unrelated';
    const deliveryId = Number(verp[1]);
    const expected = Buffer.from(tokens.verp(deliveryId));
    const given = Buffer.from(verp[2]!.toLowerCase());
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return 'forged';
    if (!isReport || !boundary) return 'unrelated';
    const body = deliveryStatusPart(raw.toString('utf8'), boundary);
    const status = body && dsnStatus(body);
    if (!status) return 'unrelated';

    const now = clock.now();
    if (status.startsWith('5.')) {
      // 5.7.x is the receiver's policy (spam, DMARC), not a dead mailbox: as for a 5.7.x
      // answer at send time (§5 table), the delivery fails but the address is not suppressed.
      const suppress = !status.startsWith('5.7.');
      await db.transaction(async (tx) => {
        const email = await deliveries.markBounced(tx, deliveryId, `DSN ${status}`);
        if (suppress && email)
          await deliveries.suppress(tx, tokens.addressHmac(email), 'hard_bounce', now);
      });
      return 'bounced';
    }
    if (status.startsWith('4.')) await deliveries.noteDelay(db, deliveryId, `DSN ${status}`);
    return status.startsWith('4.') ? 'delayed' : 'unrelated';
  };
}
export type BounceProcessor = ReturnType<typeof createBounceProcessor>;
