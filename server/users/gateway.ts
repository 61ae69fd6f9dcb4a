/**
 * Users' public entry point for sign-in (server/auth): accounts, sessions and sign-in
 * failures are stored by users; auth reads and writes them through the `UserAccounts` app.ts
 * hands in (the users repository), and imports this file, never users' service or repository
 * (eslint.config.js).
 */
import type { UsersRepository } from './repository.js';

export { normaliseEmail, ROLES, type Role, type UserRow } from './repository.js';

/** What sign-in and MFA may do with accounts and sessions. */
export type UserAccounts = Pick<
  UsersRepository,
  | 'findById'
  | 'findByEmail'
  | 'update'
  | 'createSession'
  | 'prepareSessionWithUser'
  | 'touchSession'
  | 'stampReauth'
  | 'revokeSession'
  | 'activeSessions'
  | 'revokeSessions'
  | 'forgetSessions'
  | 'recordFailure'
  | 'failuresSince'
>;
