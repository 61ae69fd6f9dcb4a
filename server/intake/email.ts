/**
 * Reading an inbound email: its idempotency key, its thread ids, whether a machine sent it.
 * Pure functions over mailparser's output; no database.
 */
import { createHash } from 'node:crypto';
import type { AddressObject, ParsedMail } from 'mailparser';

/** `<abc@x>` → `abc@x`: trimmed and stripped of angle brackets (domain §2). */
export function stripId(value: string | undefined | null): string | null {
  const id = value?.trim().replace(/^<+/, '').replace(/>+$/, '').trim();
  return id ? id : null;
}

/** Every `<id>` in a header value (In-Reply-To, References), in order, without brackets. */
export function idsIn(value: string | string[] | undefined | null): string[] {
  const joined = Array.isArray(value) ? value.join(' ') : (value ?? '');
  const bracketed = [...joined.matchAll(/<([^<>\s]+)>/g)].map((m) => m[1]!);
  if (bracketed.length > 0) return bracketed;
  // mailparser hands back References already stripped; bare ids are space separated.
  return joined
    .split(/\s+/)
    .map((part) => stripId(part))
    .filter((id): id is string => id !== null && id.includes('@'));
}

/** The raw text of a header as sent (first occurrence), without its name; unfolded. */
export function headerText(parsed: ParsedMail, name: string): string | undefined {
  const wanted = name.toLowerCase();
  const line = parsed.headerLines.find((h) => h.key.toLowerCase() === wanted)?.line;
  if (line === undefined) return undefined;
  return line
    .slice(line.indexOf(':') + 1)
    .replace(/\r?\n[ \t]+/g, ' ')
    .trim();
}

/**
 * The idempotency key: the Message-ID, trimmed and stripped of `<>`; with none, a
 * `sha256:` of From, Date, Subject and the text body, so a refetch gives the same key.
 */
export function messageKeyOf(parsed: ParsedMail): { key: string; messageId: string | null } {
  const header = headerText(parsed, 'message-id');
  const messageId = idsIn(header)[0] ?? stripId(header);
  if (messageId) return { key: messageId, messageId };
  const hash = createHash('sha256')
    .update(
      JSON.stringify([
        headerText(parsed, 'from') ?? '',
        headerText(parsed, 'date') ?? '',
        headerText(parsed, 'subject') ?? '',
        parsed.text ?? (parsed.html || ''),
      ]),
    )
    .digest('hex');
  return { key: `sha256:${hash}`, messageId: null };
}

/** In-Reply-To first, then References newest first: the order threading tries them in. */
export function threadIds(parsed: ParsedMail): string[] {
  const inReplyTo = idsIn(headerText(parsed, 'in-reply-to'));
  const references = idsIn(headerText(parsed, 'references')).reverse();
  return [...new Set([...inReplyTo, ...references])].slice(0, 50);
}

/**
 * Why a message counts as automated (domain §2), or null for a person's mail:
 * `Auto-Submitted` other than `no` (RFC 3834), `X-Autoreply`, `Precedence: bulk|junk|auto_reply`,
 * a delivery report (RFC 3464), or an empty Return-Path (bounces are sent from `<>`).
 */
export function automatedReason(parsed: ParsedMail): string | null {
  const autoSubmitted = headerText(parsed, 'auto-submitted');
  if (autoSubmitted !== undefined) {
    const value = autoSubmitted.split(';')[0]!.trim().toLowerCase();
    if (value !== 'no') return `Auto-Submitted: ${value || '(empty)'}`;
  }
  if (headerText(parsed, 'x-autoreply') !== undefined) return 'X-Autoreply';
  if (headerText(parsed, 'x-autorespond') !== undefined) return 'X-Autorespond';
  const precedence = headerText(parsed, 'precedence')?.toLowerCase();
  if (precedence && ['bulk', 'junk', 'auto_reply'].includes(precedence))
    return `Precedence: ${precedence}`;
  const contentType = headerText(parsed, 'content-type')?.toLowerCase() ?? '';
  if (
    /^multipart\/report\b/.test(contentType) ||
    /^message\/(delivery-status|disposition-notification)\b/.test(contentType)
  )
    return 'Delivery report';
  if (headerText(parsed, 'x-failed-recipients') !== undefined) return 'Delivery report';
  const returnPath = headerText(parsed, 'return-path');
  if (returnPath !== undefined && stripId(returnPath) === null) return 'Empty Return-Path';
  return null;
}

/** The header block of a raw message, as received. */
export function rawHeaderBlock(raw: Buffer): string {
  const text = raw.subarray(0, Math.min(raw.length, 256 * 1024)).toString('utf8');
  const end = text.search(/\r?\n\r?\n/);
  return end === -1 ? text : text.slice(0, end);
}

const firstAddress = (value: AddressObject | AddressObject[] | undefined) =>
  (Array.isArray(value) ? value : value ? [value] : []).flatMap((a) => a.value)[0];

/** The sender: the From header's first mailbox. */
export function senderOf(parsed: ParsedMail): { address: string | null; name: string | null } {
  const from = firstAddress(parsed.from);
  return { address: from?.address?.trim() || null, name: from?.name?.trim() || null };
}

export function recipientsOf(parsed: ParsedMail): string | null {
  const to = (Array.isArray(parsed.to) ? parsed.to : parsed.to ? [parsed.to] : [])
    .flatMap((a) => a.value)
    .map((a) => a.address)
    .filter(Boolean);
  return to.length ? to.join(', ') : null;
}
