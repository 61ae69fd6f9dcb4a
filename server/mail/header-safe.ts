/**
 * CR, LF and control characters in a header would let input add headers of its own.
 * A module of its own so other domains (intake) can clean what they put in a subject or a
 * name without importing the mail service.
 */
// eslint-disable-next-line no-control-regex -- control characters are exactly what we strip
export const headerSafe = (value: string) => value.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
