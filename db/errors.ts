/** The first value `pick` finds on an error or its causes: Drizzle wraps the driver's error. */
function throughCauses(
  error: unknown,
  pick: (current: Record<string, unknown>) => string | undefined,
): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 3 && current; depth += 1) {
    const found = pick(current as Record<string, unknown>);
    if (found !== undefined) return found;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The PostgreSQL SQLSTATE of an error, looking through Drizzle's DrizzleQueryError wrapper. */
export const pgErrorCode = (error: unknown) =>
  throughCauses(error, ({ code }) =>
    typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined,
  );

/** The constraint a PostgreSQL error names, looking through Drizzle's wrapper. */
export const pgConstraint = (error: unknown) =>
  throughCauses(error, ({ constraint_name: name }) =>
    typeof name === 'string' ? name : undefined,
  );

export const isUniqueViolation = (error: unknown) => pgErrorCode(error) === '23505';

/**
 * For an insert's `.catch`: a unique violation becomes the refusal `taken` makes (a domain
 * error the caller shows); any other error goes on unchanged.
 */
export const refuseDuplicate =
  (taken: () => Error) =>
  (error: unknown): never => {
    throw isUniqueViolation(error) ? taken() : error;
  };

/**
 * A start-up failure the operator can fix from its message alone (it names the setting):
 * printed without a stack.
 */
export class StartupError extends Error {}

const UNAVAILABLE_CONNECTION_CODES = new Set([
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
]);

/**
 * The database could not answer (down, restarting, terminated our backend, timed out, out of
 * connections): a retry later may work, so the request gets 503, never 500. Nothing was
 * committed unless the connection dropped mid-COMMIT, which idempotency keys cover.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') {
      if (UNAVAILABLE_CONNECTION_CODES.has(code)) return true;
      // 08 connection exception, 57 operator intervention (terminated, cancelled by
      // statement_timeout, shutting down), 53300 too many connections, 55P03 lock_timeout.
      if (/^(08...|57...|53300|55P03)$/.test(code)) return true;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
