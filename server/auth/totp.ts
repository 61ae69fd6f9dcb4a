import { createCipheriv, createDecipheriv, randomBytes, randomInt } from 'node:crypto';
import { generateSecret, generateURI, verify } from 'otplib';

/** RFC 6238 defaults every authenticator app understands: SHA-1, 6 digits, 30 s. */
export const TOTP_PERIOD_S = 30;
/** ±1 step of clock drift (docs/rules/security.md §2). */
const TOLERANCE_S = TOTP_PERIOD_S;
export const RECOVERY_CODE_COUNT = 10;

/** AES-256-GCM, `iv.tag.ciphertext` in base64url: a database dump alone yields no seeds. */
export function sealSecret(key: Buffer, secret: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return [iv, cipher.getAuthTag(), body].map((part) => part.toString('base64url')).join('.');
}

export function openSecret(key: Buffer, sealed: string): string {
  const [iv, tag, body] = sealed.split('.').map((part) => Buffer.from(part, 'base64url'));
  if (!iv || !tag || !body) throw new Error('malformed sealed secret');
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
}

/** A 160-bit base32 seed (RFC 4226 §4 recommends 160 bits). */
export const newTotpSecret = () => generateSecret({ length: 20 });

export const otpauthUri = (issuer: string, label: string, secret: string) =>
  generateURI({ issuer, label, secret, period: TOTP_PERIOD_S });

/**
 * The matched time step, or undefined. Steps at or below `afterStep` are refused here, and
 * the caller stores the new step conditionally so two racing requests cannot both use one.
 */
export async function totpStep(
  secret: string,
  code: string,
  now: Date,
  afterStep: number | null,
): Promise<number | undefined> {
  const token = code.replace(/\s+/g, '');
  if (!/^\d{6}$/.test(token)) return undefined;
  const result = await verify({
    secret,
    token,
    epoch: Math.floor(now.getTime() / 1000),
    epochTolerance: TOLERANCE_S,
    period: TOTP_PERIOD_S,
    ...(afterStep === null ? {} : { afterTimeStep: afterStep }),
  });
  // The result type also covers HOTP (no time step); TOTP's valid results carry one.
  return result.valid && 'timeStep' in result ? result.timeStep : undefined;
}

const RECOVERY_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/** `xxxxx-xxxxx` from an unambiguous alphabet: about 49 bits each, hashed like a password. */
export function newRecoveryCodes(): string[] {
  const one = () =>
    Array.from({ length: 10 }, () => RECOVERY_ALPHABET[randomInt(RECOVERY_ALPHABET.length)]!)
      .join('')
      .replace(/^(.{5})/, '$1-');
  return Array.from({ length: RECOVERY_CODE_COUNT }, one);
}

/** Typed codes are read case- and space-insensitively, with or without the hyphen. */
export function normaliseRecoveryCode(code: string): string | undefined {
  const bare = code.toLowerCase().replace(/[\s-]+/g, '');
  return /^[a-z2-9]{10}$/.test(bare) ? `${bare.slice(0, 5)}-${bare.slice(5)}` : undefined;
}
