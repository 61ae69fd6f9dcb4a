import { parsePhoneNumberFromString } from 'libphonenumber-js';

/** `Jo@Example.org ` and `jo@example.org` are one address for matching. */
export function normaliseEmail(email: string | null | undefined): string | null {
  const value = email?.trim().toLowerCase();
  return value ? value : null;
}

/** E.164 (`+447700900123`), reading national numbers as UK; null when it cannot be a number. */
export function normalisePhone(phone: string | null | undefined): string | null {
  const value = phone?.trim();
  if (!value) return null;
  const parsed = parsePhoneNumberFromString(value, 'GB');
  return parsed?.isPossible() ? parsed.number : null;
}

/** `cb1 2ab` → `CB12AB`. */
export function normalisePostcode(postcode: string | null | undefined): string | null {
  const value = postcode?.toUpperCase().replace(/\s+/g, '');
  return value ? value : null;
}
