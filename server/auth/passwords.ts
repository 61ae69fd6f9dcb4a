import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import argon2 from 'argon2';
import { BREACHED_PASSWORD, type BreachCheck } from './breached.js';

/** OWASP ASVS Appendix C minimum for argon2id: 19 MiB, 2 iterations, 1 lane. */
export const ARGON2_OPTIONS = {
  type: argon2.argon2id,
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
} as const;

export const hashPassword = (password: string) => argon2.hash(password, ARGON2_OPTIONS);
export const verifyPassword = (hash: string, password: string) => argon2.verify(hash, password);
export const needsRehash = (hash: string) => argon2.needsRehash(hash, ARGON2_OPTIONS);

let denyList: Set<string> | undefined;
/**
 * The shipped deny-list (server/auth/data, built by scripts/build-deny-list.mjs): about
 * 103,000 common passwords, lowercased. Read once, on first use, into a Set: a lookup is one
 * hash probe (about 5 MB held; 30 ms to load).
 */
export function deniedPasswords(): Set<string> {
  denyList ??= new Set(
    gunzipSync(readFileSync(new URL('./data/deny-list.txt.gz', import.meta.url)))
      .toString('utf8')
      .split('\n')
      .filter(Boolean),
  );
  return denyList;
}

/** A few long favourites of our own on top of the shipped list. */
const LOCAL_DENY_LIST = new Set([
  'passwordpassword',
  'password1234567',
  'qwertyuiopasdfgh',
  '123456789012345',
  'letmeinletmein1',
  'correcthorsebatterystaple',
  'iloveyouiloveyou',
]);
const CONTEXT_WORDS = ['opcc', 'police', 'commissioner', 'crime'];

/**
 * NCSC guidance: length over composition rules. 15 to 256 characters of any kind,
 * checked exactly as typed; refuse well-known passwords and ones built from context words.
 */
export function passwordProblem(
  password: string,
  context: { name?: string; email?: string } = {},
): string | undefined {
  if (password.length < 15) return 'Password must be 15 characters or more';
  if (password.length > 256) return 'Password must be 256 characters or fewer';
  const lower = password.toLowerCase();
  if (LOCAL_DENY_LIST.has(lower) || deniedPasswords().has(lower) || /^(.)\1+$/.test(password))
    return 'Password is too common; choose a longer phrase';
  const words = [
    ...CONTEXT_WORDS,
    ...(context.name?.toLowerCase().split(/\s+/) ?? []),
    context.email?.split('@')[0]?.toLowerCase(),
  ].filter((w): w is string => !!w && w.length >= 4);
  const stripped = words.reduce((rest, word) => rest.split(word).join(''), lower);
  if (stripped.length < 8)
    return 'Password must not be mostly your name, email or the organisation';
  return undefined;
}

/**
 * passwordProblem, then (only for a password that passes it) the Pwned Passwords range check
 * (docs/rules/security.md §2), which fails open when the service cannot answer.
 */
export async function passwordRefusal(
  password: string,
  context: { name?: string; email?: string },
  breached: BreachCheck | undefined,
): Promise<string | undefined> {
  const problem = passwordProblem(password, context);
  if (problem) return problem;
  if (breached && (await breached(password))) return BREACHED_PASSWORD;
  return undefined;
}
