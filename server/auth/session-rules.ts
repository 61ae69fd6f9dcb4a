/** The rules of a staff session (docs/rules/security.md §2, §3), shared by the auth service and the platform's auth plugin. */
import type { Role } from '../users/types.js';

export type Audience = 'web' | 'api';

export interface StaffIdentity {
  id: string;
  sid: string;
  name: string;
  email: string;
  role: Role;
  audience: Audience;
  /** The token version the session's tokens carry (reissued tokens keep it). */
  tokenVersion: number;
  /** The session's absolute end (10 hours after sign-in): no token outlives it. */
  sessionEndsAt: Date;
  /** When the session last re-authenticated (password and code), with the reason given. */
  reauth: { at: Date; justification: string } | null;
}

/** NCSC: lock after about 10 tries. Counted per account and, more loosely, per IP. */
export const THROTTLE = { windowMs: 15 * 60_000, perAccount: 10, perIp: 30 };
/** §3: a session ends 10 hours after sign-in whatever happens; at most 3 live per user. */
export const SESSION_ABSOLUTE_MS = 10 * 3600_000;
export const MAX_SESSIONS_PER_USER = 3;
export const SESSION_IDLE_MS = 30 * 60_000;
/** §3: tokens last 15 minutes (`expiresIn: 900`, verified with `maxAge: 900`)... */
export const TOKEN_TTL_S = 900;
/** ...and are reissued, same session, once under 5 minutes are left. */
export const REISSUE_WITHIN_MS = 5 * 60_000;

export interface TokenClaims {
  sub: string;
  sid: string;
  ver: number;
  /** `mfa`: password accepted, second step pending; never opens a session (§3). */
  aud: Audience | 'mfa';
  /** Pending tokens only: the page to return to after the code. */
  ret?: string;
}

/** §1 "R": a re-authentication counts for 5 minutes. */
export const REAUTH_WINDOW_MS = 5 * 60_000;
