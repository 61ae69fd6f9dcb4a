import type { SessionRow, UserRow } from '../../db/schema/index.js';

/**
 * Users' vocabulary, for every module that names a member of staff (the auth plugin, sign-in,
 * tests): a type module with no queries, so importing it pulls in no repository.
 */

export type Role = UserRow['role'];
export const ROLES: readonly Role[] = ['caseworker', 'manager', 'admin'];

/** The per-request session check's answer: the session and whose it is. */
export type SessionWithUser = { session: SessionRow; user: UserRow };

/** Emails are compared case-insensitively and without surrounding spaces. */
export const normaliseEmail = (email: string) => email.trim().toLowerCase();
