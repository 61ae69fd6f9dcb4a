/**
 * Users' public entry point for sign-in (server/auth). Users store accounts, sessions and
 * sign-in failures; auth works with them only through `UserAccounts`, the contract below,
 * which app.ts fills with the users repository. Auth imports this file and ./types.ts, never
 * users' service or repository (eslint.config.js), so the storage can change behind it.
 */
import type { Db, DbOrTx } from '../../db/client.js';
import type { NewSessionRow, NewUserRow, SessionRow, UserRow } from '../../db/schema/index.js';
import type { SessionWithUser } from './types.js';

export type { UserRow };
export { normaliseEmail, ROLES, type Role, type SessionWithUser } from './types.js';

/** What sign-in, MFA and account links may do with accounts and sessions. */
export interface UserAccounts {
  findById(db: DbOrTx, id: string): Promise<UserRow | undefined>;
  /** By email, compared case-insensitively. */
  findByEmail(db: DbOrTx, email: string): Promise<UserRow | undefined>;
  /**
   * Changes an account. `bumpTokenVersion` ends every session and token it holds (a new
   * password, a new authenticator); disabling it does too.
   */
  update(
    db: DbOrTx,
    id: string,
    values: Partial<NewUserRow>,
    bumpTokenVersion: boolean,
  ): Promise<UserRow | undefined>;

  createSession(db: DbOrTx, values: NewSessionRow): Promise<SessionRow>;
  /** The per-request session check, prepared once per database (it runs on every request). */
  prepareSessionWithUser(db: Db): (sessionId: string) => Promise<SessionWithUser | undefined>;
  /** Records activity for the idle timeout. */
  touchSession(db: DbOrTx, sessionId: string, at: Date): Promise<void>;
  /** Records a fresh re-authentication (and why) on the session, for the re-auth window. */
  stampReauth(db: DbOrTx, sessionId: string, at: Date, justification: string): Promise<void>;
  revokeSession(db: DbOrTx, sessionId: string, at: Date): Promise<void>;
  /** Live sessions, newest first: not revoked, not past their absolute end. */
  activeSessions(db: DbOrTx, userId: string, now: Date): Promise<SessionRow[]>;
  revokeSessions(db: DbOrTx, sessionIds: string[], at: Date): Promise<void>;
  /** Drops this process's cached session checks (after a revocation commits). */
  forgetSessions(): void;

  /** A failed sign-in, counted for throttling per account and per IP. */
  recordFailure(db: DbOrTx, emailNorm: string, ip: string, at: Date): Promise<void>;
  failuresSince(
    db: DbOrTx,
    since: Date,
    emailNorm: string,
    ip: string,
  ): Promise<{ byAccount: number; byIp: number }>;
}
