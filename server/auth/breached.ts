import { createHash } from 'node:crypto';

/** Where a failed look-up is reported: never with the password or its hash prefix. */
export interface BreachLog {
  warn(obj: Record<string, unknown>, msg: string): void;
}

/** True when the password is in Pwned Passwords; false when not, or when the service cannot say. */
export type BreachCheck = (password: string) => Promise<boolean>;

export const BREACHED_PASSWORD = 'This password has appeared in a data breach; choose another';

/** How long a look-up may take before the password is accepted without it (fail open). */
export const BREACH_CHECK_TIMEOUT_MS = 2000;

/**
 * The Pwned Passwords range API (docs/rules/security.md §2), k-anonymity: only the first 5 hex
 * digits of the password's SHA-1 leave the server; the answer lists every known suffix under
 * that prefix with its count (`SUFFIX:COUNT` lines; `Add-Padding: true` adds decoys with count
 * 0, so the response size says nothing either). A count above 0 is a hit.
 *
 * Fails open: an unreachable service, an error status or no answer within the timeout accepts
 * the password and logs a warning (without the password or the prefix), so an outage of an
 * outside service never stops staff from activating or resetting an account.
 * `url` undefined (PWNED_PASSWORDS_URL=off): no look-up at all.
 */
export function createBreachCheck(options: {
  url: string | undefined;
  log: BreachLog;
  timeoutMs?: number;
}): BreachCheck {
  const { url, log } = options;
  const timeoutMs = options.timeoutMs ?? BREACH_CHECK_TIMEOUT_MS;
  if (url === undefined) return async () => false;
  const base = url.replace(/\/+$/, '');
  return async (password) => {
    const sha1 = createHash('sha1').update(password, 'utf8').digest('hex').toUpperCase();
    const prefix = sha1.slice(0, 5);
    const suffix = sha1.slice(5);
    let body: string;
    try {
      const response = await fetch(`${base}/range/${prefix}`, {
        headers: { 'Add-Padding': 'true', 'User-Agent': 'opcc-casework' },
        signal: AbortSignal.timeout(timeoutMs),
        redirect: 'error',
      });
      if (!response.ok) {
        await response.body?.cancel();
        log.warn(
          { status: response.status },
          'Pwned Passwords check unavailable; password accepted without it',
        );
        return false;
      }
      body = await response.text();
    } catch (error) {
      const reason =
        error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')
          ? 'timeout'
          : 'unreachable';
      log.warn({ reason }, 'Pwned Passwords check unavailable; password accepted without it');
      return false;
    }
    for (const line of body.split('\n')) {
      const [lineSuffix, count] = line.trim().split(':');
      if (lineSuffix?.toUpperCase() === suffix) return Number(count) > 0;
    }
    return false;
  };
}
